/* A compose project: its files (docker compose's default names, overrides, -f in order,
 * COMPOSE_FILE), its environment (.env or --env-file under the process's own), its name, and
 * the files merged by the specification's rules into one normalized model. */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/compose_int.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

extern char **environ;

static const char *const default_names[] = {"compose.yaml", "compose.yml", "docker-compose.yaml",
                                            "docker-compose.yml", NULL};
static const char *const override_names[] = {"compose.override.yaml", "compose.override.yml",
                                             "docker-compose.override.yaml",
                                             "docker-compose.override.yml", NULL};

static char *join(const char *dir, const char *name)
{
    char *p = NULL;
    if (name[0] == '/') return md_xstrdup(name);
    if (asprintf(&p, "%s/%s", dir, name) < 0) md_oom();
    return p;
}

static char *first_in(const char *dir, const char *const *names)
{
    for (; *names; names++) {
        char *p = join(dir, *names);
        if (access(p, F_OK) == 0) return p;
        free(p);
    }
    return NULL;
}

/* no -f: the default names in the directory or the nearest parent that has one, and its
 * override file */
static int default_files(const char *start, char ***files, md_error_t **err)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", start);
    for (;;) {
        char *f = first_in(dir, default_names);
        if (f) {
            md_strv_append(files, f);
            free(f);
            char *o = first_in(dir, override_names);
            if (o) md_strv_append(files, o);
            free(o);
            return 0;
        }
        char *slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir) break;
        *slash = '\0';
    }
    return md_error(err, 0, "no configuration file provided: not found");
}

static int find_files(const struct md_compose_opts *o, struct md_compose_project *p,
                      md_error_t **err)
{
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL) return md_error(err, errno, "getcwd");
    const char *base = o->project_dir ? o->project_dir : cwd;
    char **given = o->files;
    cleanup_strv char **from_env = NULL;
    const char *cf = getenv("COMPOSE_FILE");
    if (!given && cf && *cf) {
        cleanup_free char *copy = md_xstrdup(cf);
        const char *sep = getenv("COMPOSE_PATH_SEPARATOR");
        for (char *t = strtok(copy, sep && *sep ? sep : ":"); t;
             t = strtok(NULL, sep && *sep ? sep : ":"))
            md_strv_append(&from_env, t);
        given = from_env;
    }
    if (given == NULL) return default_files(base, &p->files, err);
    for (char **f = given; *f; f++) {
        if (strcmp(*f, "-") == 0) return md_error(err, 0, "-f -: reading stdin is not supported");
        char *path = join(cwd, *f);
        md_strv_append(&p->files, path);
        free(path);
    }
    return 0;
}

/* a .env line: KEY=VALUE, `export ` allowed, quotes taken off, # comments */
static void env_line(char *line, char ***out)
{
    while (isspace((unsigned char)*line))
        line++;
    if (*line == '#' || *line == '\0') return;
    if (strncmp(line, "export ", 7) == 0) line += 7;
    char *eq = strchr(line, '=');
    if (eq == NULL) return;
    char *v = eq + 1, *end = v + strlen(v);
    while (end > v && isspace((unsigned char)end[-1]))
        *--end = '\0';
    if ((*v == '"' || *v == '\'') && end > v + 1 && end[-1] == *v) {
        end[-1] = '\0';
        v++;
    } else if ((end = strstr(v, " #")) != NULL) {
        *end = '\0';
        while (end > v && isspace((unsigned char)end[-1]))
            *--end = '\0';
    }
    *eq = '\0';
    cleanup_free char *kv = NULL;
    if (asprintf(&kv, "%s=%s", line, v) < 0) md_oom();
    md_strv_append(out, kv);
}

int md_compose_read_env_file(const char *path, char ***out, md_error_t **err)
{
    cleanup_free char *text = NULL;
    if (md_read_file(path, &text, NULL, err) < 0) return -1;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        l[strcspn(l, "\r")] = '\0';
        env_line(l, out);
    }
    return 0;
}

static int load_env(const struct md_compose_opts *o, struct md_compose_project *p, md_error_t **err)
{
    p->env = md_strv_dup(environ);
    if (o->env_files) {
        for (char **f = o->env_files; *f; f++)
            if (md_compose_read_env_file(*f, &p->env, err) < 0) return -1;
        return 0;
    }
    cleanup_free char *dotenv = join(p->dir, ".env");
    if (access(dotenv, F_OK) == 0 && md_compose_read_env_file(dotenv, &p->env, err) < 0) return -1;
    return 0;
}

static char *normalize_name(const char *s)
{
    char *n = md_xstrdup(s), *w = n;
    for (; *s; s++) {
        char c = (char)tolower((unsigned char)*s);
        if (isalnum((unsigned char)c) || ((c == '_' || c == '-') && w != n)) *w++ = c;
    }
    *w = '\0';
    return n;
}

static void unset_warning(void *data, const char *name, size_t len)
{
    (void)data;
    fprintf(stderr, "WARN[0000] The \"%.*s\" variable is not set. Defaulting to a blank string.\n",
            (int)len, name);
}

/* one file: read, parse, interpolate, its services normalized */
static int load_file(struct md_compose_project *p, const char *path, struct json_object **out,
                     md_error_t **err)
{
    cleanup_free char *text = NULL;
    size_t len = 0;
    if (md_read_file(path, &text, &len, err) < 0) return -1;
    if (md_yaml_load(text, len, path, out, err) < 0) return -1;
    struct md_compose_interp ip = {.env = p->env, .where = path, .unset = unset_warning};
    if (md_compose_interpolate(*out, &ip, err) < 0) return -1;
    if (json_object_object_get_ex(*out, "version", NULL)) {
        fprintf(stderr,
                "WARN[0000] %s: the attribute `version` is obsolete, it will be ignored, please "
                "remove it to avoid potential confusion\n",
                path);
        json_object_object_del(*out, "version");
    }
    static const char *const top[] = {"name",    "services", "networks", "volumes",
                                      "secrets", "configs",  "include",  NULL};
    json_object_object_foreach(md_compose_mapping(*out), k, v)
    {
        (void)v;
        int known = strncmp(k, "x-", 2) == 0;
        for (const char *const *t = top; *t && !known; t++)
            known = strcmp(k, *t) == 0;
        if (!known)
            return md_error(err, 0, "%s: (root) Additional property %s is not allowed", path, k);
        if (strcmp(k, "include") == 0)
            return md_error(err, 0, "%s: include is not supported", path);
    }
    struct json_object *svcs = json_object_object_get(*out, "services");
    if (svcs && !json_object_is_type(svcs, json_type_object))
        return md_error(err, 0, "%s: services must be a mapping", path);
    json_object_object_foreach(md_compose_mapping(svcs), name, svc)
    {
        if (md_compose_normalize_service(p, name, svc, err) < 0) return -1;
    }
    return 0;
}

/* ---- merging: the specification's rules for a later file over an earlier one */

static int appended(const char *key)
{
    static const char *const keys[] = {
        "ports",     "expose",   "dns",          "dns_search", "cap_add",     "cap_drop",
        "devices",   "tmpfs",    "secrets",      "configs",    "extra_hosts", "security_opt",
        "group_add", "profiles", "volumes_from", "dns_opt",    NULL};
    for (const char *const *k = keys; *k; k++)
        if (strcmp(key, *k) == 0) return 1;
    return 0;
}

static const char *target_of(struct json_object *mount)
{
    struct json_object *t = json_object_object_get(mount, "target");
    return t ? json_object_get_string(t) : "";
}

/* volumes: one per target, the later file's wins */
static void merge_volumes(struct json_object *dst, struct json_object *src)
{
    for (size_t i = 0; i < json_object_array_length(src); i++) {
        struct json_object *m = json_object_array_get_idx(src, i);
        size_t j = 0;
        for (; j < json_object_array_length(dst); j++)
            if (strcmp(target_of(json_object_array_get_idx(dst, j)), target_of(m)) == 0) break;
        json_object_array_put_idx(dst, j, json_object_get(m));
    }
}

static void merge(struct json_object *dst, struct json_object *src, int in_service)
{
    json_object_object_foreach(md_compose_mapping(src), k, v)
    {
        struct json_object *d = json_object_object_get(dst, k);
        if (d && json_object_is_type(d, json_type_object) &&
            json_object_is_type(v, json_type_object)) {
            merge(d, v, 0);
        } else if (in_service && d && strcmp(k, "volumes") == 0 &&
                   json_object_is_type(v, json_type_array)) {
            merge_volumes(d, v);
        } else if (in_service && d && appended(k) && json_object_is_type(v, json_type_array) &&
                   json_object_is_type(d, json_type_array)) {
            for (size_t i = 0; i < json_object_array_length(v); i++)
                json_object_array_add(d, json_object_get(json_object_array_get_idx(v, i)));
        } else {
            json_object_object_add(dst, k, json_object_get(v));
        }
    }
}

static void merge_files(struct json_object *model, struct json_object *file)
{
    json_object_object_foreach(md_compose_mapping(file), k, v)
    {
        struct json_object *d = json_object_object_get(model, k);
        if (strcmp(k, "services") == 0 && d) {
            json_object_object_foreach(md_compose_mapping(v), name, svc)
            {
                struct json_object *have = json_object_object_get(d, name);
                if (have)
                    merge(have, svc, 1);
                else
                    json_object_object_add(d, name, json_object_get(svc));
            }
        } else if (d && json_object_is_type(d, json_type_object) &&
                   json_object_is_type(v, json_type_object)) {
            merge(d, v, 0);
        } else {
            json_object_object_add(model, k, json_object_get(v));
        }
    }
}

void md_compose_project_free(struct md_compose_project *p)
{
    free(p->name);
    free(p->dir);
    md_strv_free(p->files);
    md_strv_free(p->env);
    json_object_put(p->model);
    json_object_put(p->disabled);
    memset(p, 0, sizeof(*p));
}

struct json_object *md_compose_service(struct md_compose_project *p, const char *name)
{
    struct json_object *svcs = json_object_object_get(p->model, "services");
    return svcs ? json_object_object_get(svcs, name) : NULL;
}

int md_compose_finish_model(struct md_compose_project *p, char **profiles, md_error_t **err);

int md_compose_project_load(const struct md_compose_opts *o, struct md_compose_project *p,
                            md_error_t **err)
{
    memset(p, 0, sizeof(*p));
    if (find_files(o, p, err) < 0) return -1;
    char real[PATH_MAX];
    if (o->project_dir) {
        if (realpath(o->project_dir, real) == NULL)
            return md_error(err, errno, "project directory %s", o->project_dir);
        p->dir = md_xstrdup(real);
    } else {
        cleanup_free char *copy = md_xstrdup(p->files[0]);
        p->dir = md_xstrdup(dirname(copy));
    }
    if (load_env(o, p, err) < 0) return -1;
    p->model = json_object_new_object();
    json_object_object_add(p->model, "services", json_object_new_object());
    for (char **f = p->files; *f; f++) {
        if (access(*f, R_OK) < 0) return md_error(err, errno, "open %s", *f);
        struct json_object *file = NULL;
        if (load_file(p, *f, &file, err) < 0) {
            json_object_put(file);
            return -1;
        }
        merge_files(p->model, file);
        json_object_put(file);
    }
    const char *env_name = md_compose_env_get(p->env, "COMPOSE_PROJECT_NAME", 20);
    struct json_object *top_name = json_object_object_get(p->model, "name");
    cleanup_free char *dir_copy = md_xstrdup(p->dir);
    const char *name = o->project_name         ? o->project_name
                       : env_name && *env_name ? env_name
                       : top_name              ? json_object_get_string(top_name)
                                               : basename(dir_copy);
    p->name = normalize_name(name);
    if (p->name[0] == '\0')
        return md_error(err, 0,
                        "invalid project name \"%s\": must consist only of lowercase "
                        "alphanumeric characters, hyphens, and underscores as well as "
                        "start with a letter or number",
                        name);
    json_object_object_add(p->model, "name", json_object_new_string(p->name));
    cleanup_strv char **profiles = md_strv_dup(o->profiles);
    const char *envp = md_compose_env_get(p->env, "COMPOSE_PROFILES", 16);
    if (!o->profiles && envp && *envp) {
        cleanup_free char *copy = md_xstrdup(envp);
        for (char *t = strtok(copy, ","); t; t = strtok(NULL, ","))
            md_strv_append(&profiles, t);
    }
    return md_compose_finish_model(p, profiles, err);
}
