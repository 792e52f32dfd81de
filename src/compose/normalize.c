/* A service as written -> docker compose's normalized shape (what `config` prints and what
 * the rest of compose reads): lists or maps as the specification allows them become one form,
 * short syntaxes become long ones, relative paths become the project directory's. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"
#include "compose/compose_int.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* the keys of a service: those we carry out, and docker compose's that we refuse by name */
static const char *const supported[] = {"image",         "build",
                                        "command",       "entrypoint",
                                        "environment",   "env_file",
                                        "ports",         "expose",
                                        "volumes",       "networks",
                                        "depends_on",    "healthcheck",
                                        "restart",       "container_name",
                                        "hostname",      "user",
                                        "working_dir",   "labels",
                                        "init",          "read_only",
                                        "tmpfs",         "cap_add",
                                        "cap_drop",      "privileged",
                                        "devices",       "dns",
                                        "dns_search",    "dns_opt",
                                        "extra_hosts",   "ulimits",
                                        "sysctls",       "shm_size",
                                        "stop_signal",   "stop_grace_period",
                                        "deploy",        "mem_limit",
                                        "memswap_limit", "mem_reservation",
                                        "cpus",          "cpu_shares",
                                        "cpuset",        "pids_limit",
                                        "profiles",      "secrets",
                                        "configs",       "network_mode",
                                        "ipc",           "pid",
                                        "security_opt",  "stdin_open",
                                        "tty",           "platform",
                                        "pull_policy",   "logging",
                                        "domainname",    "group_add",
                                        "volumes_from",  "annotations",
                                        "oom_score_adj", "scale",
                                        "uts",           "userns_mode",
                                        "attach",        NULL};

/* lists of strings, where one string alone is a list of one */
static const char *const string_lists[] = {
    "expose",       "dns",       "tmpfs",   "dns_search", "profiles",     "cap_add", "cap_drop",
    "security_opt", "group_add", "devices", "dns_opt",    "volumes_from", NULL};

static int in_list(const char *k, const char *const *l)
{
    for (; *l; l++)
        if (strcmp(k, *l) == 0) return 1;
    return 0;
}

struct json_object *md_compose_str(const char *s)
{
    return json_object_new_string(s ? s : "");
}

struct json_object *md_compose_get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;
    return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v) ? v
                                                                                           : NULL;
}

const char *md_compose_text(struct json_object *v)
{
    return v ? json_object_get_string(v) : "";
}

/* ["K=V", "K"] or {K: V} -> {K: "V"} (K alone: the value of the project's environment, or null) */
int md_compose_kv_map(struct md_compose_project *p, struct json_object *in, int from_env,
                      struct json_object **out, const char *what, md_error_t **err)
{
    *out = json_object_new_object();
    if (in == NULL) return 0;
    if (json_object_is_type(in, json_type_object)) {
        json_object_object_foreach(md_compose_mapping(in), k, v)
        {
            json_object_object_add(*out, k, v ? md_compose_str(json_object_get_string(v)) : NULL);
        }
        return 0;
    }
    if (!json_object_is_type(in, json_type_array))
        return md_error(err, 0, "%s must be a mapping or a list", what);
    for (size_t i = 0; i < json_object_array_length(in); i++) {
        const char *e = md_compose_text(json_object_array_get_idx(in, i));
        const char *eq = strchr(e, '=');
        cleanup_free char *k = eq ? strndup(e, (size_t)(eq - e)) : md_xstrdup(e);
        const char *v = eq ? eq + 1 : from_env ? md_compose_env_get(p->env, k, strlen(k)) : "";
        json_object_object_add(*out, k, v ? md_compose_str(v) : NULL);
    }
    return 0;
}

static struct json_object *str_list(struct json_object *in)
{
    struct json_object *a = json_object_new_array();
    if (in && !json_object_is_type(in, json_type_array)) {
        json_object_array_add(a, md_compose_str(json_object_get_string(in)));
        return a;
    }
    for (size_t i = 0; in && i < json_object_array_length(in); i++)
        json_object_array_add(a, md_compose_str(md_compose_text(json_object_array_get_idx(in, i))));
    return a;
}

/* command, entrypoint: a string is split as a shell does; a list stays */
static int words(struct json_object *in, struct json_object **out, md_error_t **err)
{
    if (in == NULL) return *out = NULL, 0;
    if (json_object_is_type(in, json_type_string))
        return md_compose_shell_split(json_object_get_string(in), out, err);
    *out = str_list(in);
    return 0;
}

char *md_compose_abs_path(struct md_compose_project *p, const char *path)
{
    char *r = NULL;
    if (path[0] == '/') return md_xstrdup(path);
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
        const char *home = getenv("HOME");
        if (asprintf(&r, "%s%s", home ? home : "/root", path + 1) < 0) md_oom();
        return r;
    }
    if (strcmp(path, ".") == 0) return md_xstrdup(p->dir);
    if (strncmp(path, "./", 2) == 0) path += 2;
    if (asprintf(&r, "%s/%s", p->dir, path) < 0) md_oom();
    return r;
}

/* env_file entries under environment: environment's own win */
static int env_files(struct md_compose_project *p, struct json_object *svc, struct json_object *env,
                     md_error_t **err)
{
    struct json_object *ef = json_object_object_get(svc, "env_file");
    if (ef == NULL) return 0;
    struct json_object *files = str_list(ef);
    if (json_object_is_type(ef, json_type_array))
        for (size_t i = 0; i < json_object_array_length(ef); i++) {
            struct json_object *e = json_object_array_get_idx(ef, i);
            if (json_object_is_type(e, json_type_object))
                json_object_array_put_idx(
                    files, i, md_compose_str(md_compose_text(json_object_object_get(e, "path"))));
        }
    for (size_t i = 0; i < json_object_array_length(files); i++) {
        cleanup_free char *path =
            md_compose_abs_path(p, json_object_get_string(json_object_array_get_idx(files, i)));
        cleanup_strv char **kv = NULL;
        if (md_compose_read_env_file(path, &kv, err) < 0) {
            json_object_put(files);
            return -1;
        }
        for (char **e = kv; e && *e; e++) {
            char *eq = strchr(*e, '=');
            *eq = '\0';
            if (!json_object_object_get_ex(env, *e, NULL))
                json_object_object_add(env, *e, md_compose_str(eq + 1));
        }
    }
    json_object_put(files);
    json_object_object_del(svc, "env_file");
    return 0;
}

/* depends_on: [a, b] or {a: {condition: ...}} -> {a: {condition, required, restart}} */
static int depends(struct json_object *in, struct json_object **out, md_error_t **err)
{
    static const char *const conds[] = {"service_started", "service_healthy",
                                        "service_completed_successfully", NULL};
    *out = json_object_new_object();
    if (json_object_is_type(in, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(in); i++) {
            struct json_object *d = json_object_new_object();
            json_object_object_add(d, "condition", md_compose_str("service_started"));
            json_object_object_add(d, "required", json_object_new_boolean(1));
            json_object_object_add(*out, md_compose_text(json_object_array_get_idx(in, i)), d);
        }
        return 0;
    }
    json_object_object_foreach(md_compose_mapping(in), name, v)
    {
        struct json_object *d = json_object_new_object(),
                           *c = json_object_object_get(v, "condition");
        const char *cond = c ? json_object_get_string(c) : "service_started";
        if (!in_list(cond, conds))
            return md_error(err, 0, "depends_on.%s.condition: invalid condition %s", name, cond);
        struct json_object *req = json_object_object_get(v, "required"),
                           *rs = json_object_object_get(v, "restart");
        json_object_object_add(d, "condition", md_compose_str(cond));
        json_object_object_add(d, "required",
                               json_object_new_boolean(req ? json_object_get_boolean(req) : 1));
        if (rs)
            json_object_object_add(d, "restart",
                                   json_object_new_boolean(json_object_get_boolean(rs)));
        json_object_object_add(*out, name, d);
    }
    return 0;
}

/* networks: [a, b] or {a: {aliases, ipv4_address}} -> {a: {...} or null} */
static struct json_object *service_networks(struct json_object *in)
{
    struct json_object *out = json_object_new_object();
    if (json_object_is_type(in, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(in); i++)
            json_object_object_add(out, md_compose_text(json_object_array_get_idx(in, i)), NULL);
        return out;
    }
    json_object_object_foreach(md_compose_mapping(in), name, v)
    {
        json_object_object_add(out, name, v ? json_object_get(v) : NULL);
    }
    return out;
}

static int healthcheck(struct json_object *hc, md_error_t **err)
{
    struct json_object *t = json_object_object_get(hc, "test");
    if (!json_object_is_type(hc, json_type_object))
        return md_error(err, 0, "healthcheck must be a mapping");
    if (t && !json_object_is_type(t, json_type_string) && !json_object_is_type(t, json_type_array))
        return md_error(err, 0, "healthcheck.test must be a string or a list");
    if (t && json_object_is_type(t, json_type_string)) {
        struct json_object *a = json_object_new_array();
        json_object_array_add(a, md_compose_str("CMD-SHELL"));
        json_object_array_add(a, json_object_get(t));
        json_object_object_add(hc, "test", a);
    }
    static const char *const durations[] = {"interval", "timeout", "start_period", "start_interval",
                                            NULL};
    for (const char *const *d = durations; *d; d++) {
        struct json_object *v = json_object_object_get(hc, *d);
        if (v && md_compose_duration(json_object_get_string(v)) < 0)
            return md_error(err, 0, "healthcheck.%s: invalid duration %s", *d,
                            json_object_get_string(v));
    }
    return 0;
}

static int normalize_key(struct md_compose_project *p, const char *name, struct json_object *svc,
                         const char *k, struct json_object *v, md_error_t **err)
{
    struct json_object *n = NULL;
    if (strcmp(k, "command") == 0 || strcmp(k, "entrypoint") == 0) {
        if (words(v, &n, err) < 0) return -1;
    } else if (strcmp(k, "environment") == 0 || strcmp(k, "labels") == 0 ||
               strcmp(k, "sysctls") == 0 || strcmp(k, "annotations") == 0) {
        if (md_compose_kv_map(p, v, strcmp(k, "environment") == 0, &n, k, err) < 0) return -1;
    } else if (strcmp(k, "depends_on") == 0) {
        if (depends(v, &n, err) < 0) return md_error_prefix(err, "service %s", name);
    } else if (strcmp(k, "networks") == 0) {
        n = service_networks(v);
    } else if (strcmp(k, "ports") == 0) {
        if (md_compose_ports(v, &n, err) < 0) return md_error_prefix(err, "service %s", name);
    } else if (strcmp(k, "volumes") == 0) {
        if (md_compose_volumes(p, v, &n, err) < 0) return md_error_prefix(err, "service %s", name);
    } else if (strcmp(k, "build") == 0) {
        if (md_compose_build(p, v, &n, err) < 0) return md_error_prefix(err, "service %s", name);
    } else if (strcmp(k, "healthcheck") == 0) {
        if (healthcheck(v, err) < 0) return md_error_prefix(err, "service %s", name);
        return 0;
    } else if (in_list(k, string_lists)) {
        n = str_list(v);
    } else if ((strcmp(k, "secrets") == 0 || strcmp(k, "configs") == 0) &&
               !json_object_is_type(v, json_type_array)) {
        return md_error(err, 0, "services.%s.%s must be a list", name, k);
    } else if (strcmp(k, "extra_hosts") == 0 && json_object_is_type(v, json_type_object)) {
        n = json_object_new_array();
        json_object_object_foreach(md_compose_mapping(v), host, ip)
        {
            cleanup_free char *e = NULL;
            if (asprintf(&e, "%s=%s", host, md_compose_text(ip)) < 0) md_oom();
            json_object_array_add(n, md_compose_str(e));
        }
    } else {
        return 0;
    }
    json_object_object_add(svc, k, n);
    return 0;
}

int md_compose_normalize_service(struct md_compose_project *p, const char *name,
                                 struct json_object *svc, md_error_t **err)
{
    if (!json_object_is_type(svc, json_type_object))
        return md_error(err, 0, "services.%s must be a mapping", name);
    cleanup_strv char **keys = NULL;
    json_object_object_foreach(md_compose_mapping(svc), k, v)
    {
        (void)v;
        if (strncmp(k, "x-", 2) != 0 && !in_list(k, supported))
            return md_error(err, 0, "services.%s Additional property %s is not allowed", name, k);
        md_strv_append(&keys, k);
    }
    for (char **key = keys; key && *key; key++)
        if (normalize_key(p, name, svc, *key, json_object_object_get(svc, *key), err) < 0)
            return -1;
    struct json_object *env = json_object_object_get(svc, "environment");
    if (env == NULL && json_object_object_get(svc, "env_file")) {
        env = json_object_new_object();
        json_object_object_add(svc, "environment", env);
    }
    return env_files(p, svc, env, err);
}
