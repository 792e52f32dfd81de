/* Helpers shared by the compose front end's files (not an interface of anything else). */
#ifndef MD_COMPOSE_INT_H
#define MD_COMPOSE_INT_H

#include "compose/compose.h"

struct json_object *md_compose_str(const char *s);
/* o's member k, or NULL (o may be NULL or not a mapping) */
struct json_object *md_compose_get(struct json_object *o, const char *k);
/* v's text, "" for NULL */
const char *md_compose_text(struct json_object *v);
/* ["K=V", "K"] or {K: V} -> {K: "V"}; K alone takes the project's environment when from_env */
int md_compose_kv_map(struct md_compose_project *p, struct json_object *in, int from_env,
                      struct json_object **out, const char *what, md_error_t **err);
/* a .env-style file's KEY=VALUE entries appended to *out */
int md_compose_read_env_file(const char *path, char ***out, md_error_t **err);
/* syntax.c: ports, volumes and build, short or long, in their long normalized form */
int md_compose_ports(struct json_object *in, struct json_object **out, md_error_t **err);
int md_compose_volumes(struct md_compose_project *p, struct json_object *in,
                       struct json_object **out, md_error_t **err);
int md_compose_build(struct md_compose_project *p, struct json_object *in, struct json_object **out,
                     md_error_t **err);
char *md_compose_abs_path(struct md_compose_project *p, const char *path);

#endif
