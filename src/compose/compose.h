/* `mydocker compose` (docs/compose.md): a front end on the engine library, in its own binary
 * (build/mydocker-compose, exec'd by `mydocker compose`) so that libyaml stays off the hot
 * paths. The model is the compose specification's, held as json-c objects in docker compose's
 * normalized shape (what `config` prints); the engine gets each container as `run` flags. */
#ifndef MD_COMPOSE_H
#define MD_COMPOSE_H

#include <json-c/json.h>
#include <stdio.h>

#include "util/error.h"

/* docker compose's exit code for its own failures (a container's own code passes through) */
#define MD_COMPOSE_FAILED 1
/* a return below 0 whose error was printed already (no *err) */
#define MD_COMPOSE_REPORTED (-2)
/* "mydocker: <message>" on stderr, freed; returns MD_COMPOSE_FAILED (nothing printed for an
 * error already reported: *err NULL) */
int md_compose_report(md_error_t **err);

/* o when it is a mapping, else an empty one: json_object_object_foreach over a member that
 * may be absent */
struct json_object *md_compose_mapping(struct json_object *o);

/* ---- yaml.c */
/* The first document of text as a json-c object (a mapping, or an error naming `name`). */
int md_yaml_load(const char *text, size_t len, const char *name, struct json_object **out,
                 md_error_t **err);
/* doc as block YAML, mapping keys sorted */
int md_yaml_print(struct json_object *doc, FILE *f);

/* ---- interp.c */
struct md_compose_interp {
    char **env;                                              /* NAME=VALUE, the first one wins */
    const char *where;                                       /* the file, for messages */
    void (*unset)(void *data, const char *name, size_t len); /* a variable used but not set */
    void *data;
};
int md_compose_interpolate(struct json_object *o, struct md_compose_interp *ip, md_error_t **err);
int md_compose_interpolate_str(const char *s, struct md_compose_interp *ip, char **out,
                               md_error_t **err);
const char *md_compose_env_get(char **env, const char *name, size_t len);

/* ---- project.c */
struct md_compose_opts {
    char **files;       /* -f, in order */
    char *project_name; /* -p */
    char *project_dir;  /* --project-directory */
    char **env_files;   /* --env-file */
    char **profiles;    /* --profile */
};

struct md_compose_project {
    char *name; /* normalized: [a-z0-9_-] */
    char *dir;  /* the project directory (absolute) */
    char **files;
    char **env;                /* for interpolation and `KEY` entries: the process's, then .env's */
    struct json_object *model; /* {name, services, networks, volumes, secrets, configs} */
    struct json_object *disabled; /* services a profile leaves out: name -> service */
};

int md_compose_project_load(const struct md_compose_opts *o, struct md_compose_project *p,
                            md_error_t **err);
void md_compose_project_free(struct md_compose_project *p);
/* a service of the model (enabled ones only), or NULL */
struct json_object *md_compose_service(struct md_compose_project *p, const char *name);
/* the project's names, as docker compose makes them: "<project>_<net>" unless `name:` says */
const char *md_compose_resource_name(struct json_object *top, const char *kind, const char *key);
/* service names in dependency order (each after what it depends on); error on a cycle or an
 * unknown service. `only` (may be NULL) with their dependencies unless no_deps. */
int md_compose_order(struct md_compose_project *p, char **only, int no_deps, char ***out,
                     md_error_t **err);

/* ---- normalize.c */
/* a service as written -> docker compose's normalized shape; errors name the key */
int md_compose_normalize_service(struct md_compose_project *p, const char *name,
                                 struct json_object *svc, md_error_t **err);
/* split a command line as a POSIX shell does its words (quotes, backslashes; no expansion) */
int md_compose_shell_split(const char *s, struct json_object **out, md_error_t **err);
/* "1m30s", "10s", "500ms" -> nanoseconds; -1 when invalid */
long long md_compose_duration(const char *s);

#endif
