/* The compose front end's execution side: the project's containers, found by docker compose's
 * labels, and the steps of up/down/start/stop on them through the engine library. */
#ifndef MD_COMPOSE_UP_H
#define MD_COMPOSE_UP_H

#include <sys/types.h>

#include "compose/compose.h"

struct md_ctr;

/* one container of the project, as its labels say */
struct md_compose_ctr {
    struct md_ctr *c;
    const char *service, *hash;
    int number, oneoff;
};

struct md_compose_ctrs {
    struct md_compose_ctr *v;
    size_t n;
};

/* the project's containers (one service's when service is not NULL), by number; one-off ones
 * (`run`) only when oneoff */
int md_compose_find(const char *project, const char *service, int oneoff,
                    struct md_compose_ctrs *out);
void md_compose_ctrs_free(struct md_compose_ctrs *l);
/* one of the container's labels (Config.Labels), or NULL */
const char *md_compose_label(struct md_ctr *c, const char *key);
/* the project names of every container with compose's labels (`ls`) */
char **md_compose_projects(void);

/* what a container gets beyond its service's own flags */
struct md_compose_ctr_spec {
    const char *name, *image, *network, *ip;
    char **labels, **aliases, **extra, **command;
    int oneoff;   /* no published ports (run without --service-ports) */
    int attached; /* run's own foreground: no --detach */
};
char **md_compose_run_argv(struct md_compose_project *p, const char *service,
                           struct json_object *svc, const struct md_compose_ctr_spec *spec);
/* the service's configuration hash (com.docker.compose.config-hash): sha256 of its model */
char *md_compose_config_hash(struct json_object *svc);
/* the image a service runs: its image, or "<project>-<service>" for a build */
char *md_compose_image_name(struct md_compose_project *p, const char *service,
                            struct json_object *svc);

/* progress lines on stderr, as docker compose's plain progress: " Container p-web-1  Started" */
void md_compose_progress(const char *kind, const char *name, const char *state);

/* spawn.c: the sibling binary's path (mydocker, mydocker-image); tool started with args
 * (argv[0] is tool), its stdout and stderr on out (>= 0), its stdout on our stderr
 * (MD_COMPOSE_OUT_STDERR) or ours (-1); its exit status (128 + N for a signal); both. */
#define MD_COMPOSE_OUT_STDERR (-2)
char *md_compose_sibling(const char *tool);
pid_t md_compose_spawn(const char *tool, char *const *args, int out);
int md_compose_wait(pid_t pid);
int md_compose_tool(const char *tool, char *const *args, int quiet);
int md_compose_build_service(struct md_compose_project *p, const char *service,
                             struct json_object *svc, md_error_t **err);
int md_compose_ensure_image(struct md_compose_project *p, const char *service,
                            struct json_object *svc, int build, md_error_t **err);
int md_compose_create(struct md_compose_project *p, const char *service, struct json_object *svc,
                      const struct md_compose_ctr_spec *spec, int start, char id[65],
                      md_error_t **err);
int md_compose_start_id(const char *id, const char *name, md_error_t **err);

#endif
