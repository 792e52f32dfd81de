/* docker's version, info and container inspect documents (cli/docs.c), for the CLI and the API */
#ifndef MD_CLI_DOCS_H
#define MD_CLI_DOCS_H

#include "engine/hostinfo.h"
#include "store/ctr.h"

struct json_object;
struct utsname;

/* docker's name of the machine: "amd64" for x86_64 */
const char *md_arch_name(const struct utsname *u);

/* docker's version structure: Client and Server (the same build: daemonless) */
struct json_object *md_version_doc(void);
/* docker's info */
struct json_object *md_info_doc(const struct md_hostinfo *hi);
/* docker's inspect of a container: the record with its live State */
struct json_object *md_container_doc(struct md_ctr *c);

#endif
