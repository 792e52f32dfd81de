/* The namespace and kernel flags of `run` / `create` (--ipc, --pid, --uts,
 * --userns, --shm-size, --sysctl, --domainname, --annotation, --group-add,
 * --stop-timeout): one struct, one macro of long options, one parse function,
 * as the resource (engine/resources.h) and network (net/netopts.h) flags. */
#ifndef MD_ENGINE_SYSOPTS_H
#define MD_ENGINE_SYSOPTS_H

#include <stdint.h>

#include "util/error.h"

struct json_object;
struct md_ctr;
struct md_spec;

struct md_sys_opts {
    char *ipc;    /* "", private, shareable, none, host, container:X */
    char *pid;    /* "", host, container:X */
    char *uts;    /* "", host */
    char *userns; /* "", host (no remapping here: nothing else is valid) */
    char *domainname;
    int64_t shm_size; /* bytes; 0: docker's 64 MiB */
    char **sysctls, **annotations, **group_add;
    int stop_timeout, has_stop_timeout;
};

/* getopt codes, above the resource and network flags' */
enum {
    MD_SOPT_FIRST = 3072,
    MD_SOPT_IPC = MD_SOPT_FIRST,
    MD_SOPT_PID,
    MD_SOPT_UTS,
    MD_SOPT_USERNS,
    MD_SOPT_SHM_SIZE,
    MD_SOPT_SYSCTL,
    MD_SOPT_DOMAINNAME,
    MD_SOPT_ANNOTATION,
    MD_SOPT_GROUP_ADD,
    MD_SOPT_STOP_TIMEOUT,
    MD_SOPT_LAST,
};

#define MD_SYS_LONG_OPTIONS                                                                        \
    {"ipc", required_argument, NULL, MD_SOPT_IPC}, {"pid", required_argument, NULL, MD_SOPT_PID},  \
        {"uts", required_argument, NULL, MD_SOPT_UTS},                                             \
        {"userns", required_argument, NULL, MD_SOPT_USERNS},                                       \
        {"shm-size", required_argument, NULL, MD_SOPT_SHM_SIZE},                                   \
        {"sysctl", required_argument, NULL, MD_SOPT_SYSCTL},                                       \
        {"domainname", required_argument, NULL, MD_SOPT_DOMAINNAME},                               \
        {"annotation", required_argument, NULL, MD_SOPT_ANNOTATION},                               \
        {"group-add", required_argument, NULL, MD_SOPT_GROUP_ADD},                                 \
    {                                                                                              \
        "stop-timeout", required_argument, NULL, MD_SOPT_STOP_TIMEOUT                              \
    }

#define MD_SYS_USAGE                                                                               \
    "      --annotation map         Add an annotation to the container (passed through to the\n"   \
    "                               OCI runtime)\n"                                                \
    "      --domainname string      Container NIS domain name\n"                                   \
    "      --group-add list         Add additional groups to join\n"                               \
    "      --ipc string             IPC mode to use (private, shareable, none, host,\n"            \
    "                               container:NAME)\n"                                             \
    "      --pid string             PID namespace to use (host, container:NAME)\n"                 \
    "      --shm-size bytes         Size of /dev/shm\n"                                            \
    "      --stop-timeout int       Timeout (in seconds) to stop a container\n"                    \
    "      --sysctl map             Sysctl options\n"                                              \
    "      --userns string          User namespace to use (host)\n"                                \
    "      --uts string             UTS namespace to use (host)\n"

int md_sys_opt_parse(struct md_sys_opts *o, int c, const char *arg, md_error_t **err);
/* docker's daemon-side checks of the combination (hostname with --uts host,
 * net.* sysctls with --network host, ...) */
int md_sys_opts_check(const struct md_sys_opts *o, const char *hostname, const char *network,
                      md_error_t **err);
void md_sys_opts_free(struct md_sys_opts *o);
/* IpcMode, PidMode, UTSMode, UsernsMode, ShmSize, Sysctls, GroupAdd, Annotations */
void md_sys_to_hostconfig(const struct md_sys_opts *o, struct json_object *hc);
/* At start: join the namespaces of container:X (--ipc, --pid) by path, as
 * --network container:X does; X must be running. */
int md_sys_prepare(struct md_ctr *c, struct md_spec *spec, md_error_t **err);

#endif
