/* The compose subcommands (src/compose/main.c dispatches), each a front end that prints and
 * picks its exit code. */
#ifndef MD_COMPOSE_CMDS_H
#define MD_COMPOSE_CMDS_H

#include <stddef.h>

#include "compose/compose.h"

#define MD_COMPOSE_VERSION "2.29.0-mydocker"

struct md_ctr;

struct md_compose_up_opts {
    char **services, **scale;
    int start, build, no_build, force_recreate, no_recreate, remove_orphans, no_deps, timeout;
};

int md_compose_up(struct md_compose_project *p, const struct md_compose_up_opts *o,
                  md_error_t **err);
int md_compose_resources_up(struct md_compose_project *p, md_error_t **err);
/* every container of the project stopped, dependents first, each level at once */
int md_compose_stop_project(struct md_compose_project *p, int timeout);
/* stop and remove; volumes: its anonymous volumes too */
int md_compose_remove_ctr(struct md_ctr *c, int timeout, int volumes, md_error_t **err);
void md_compose_ctr_name(struct md_compose_project *p, const char *service, struct json_object *svc,
                         int number, char *out, size_t len);
struct md_compose_ctr_spec;
void md_compose_spec_network(struct md_compose_project *p, const char *service,
                             struct json_object *svc, struct md_compose_ctr_spec *spec);
void md_compose_spec_labels(struct md_compose_project *p, const char *service, const char *hash,
                            int number, int oneoff, char ***labels);

/* each takes the subcommand's argv (argv[0] its name) and the loaded project */
int md_compose_cmd_up(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_create(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_down(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_each(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_rm(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_ps(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_logs(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_exec(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_run(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_config(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_build(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_pull(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_push(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_images(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_port(struct md_compose_project *p, int argc, char **argv);
int md_compose_cmd_top(struct md_compose_project *p, int argc, char **argv);
/* without a project */
int md_compose_cmd_ls(int argc, char **argv);

#endif
