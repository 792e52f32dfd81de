/* A service's container as `run` flags: the engine's own parser (cli/run_opts.c) then checks
 * and carries them, so compose and `mydocker run` cannot differ on what a flag means. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose_int.h"
#include "compose/up.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void add(char ***v, const char *flag, const char *value)
{
    md_strv_append(v, flag);
    if (value) md_strv_append(v, value);
}

/* flag "k=v" */
static void add_kv(char ***v, const char *flag, const char *k, const char *val)
{
    cleanup_free char *s = NULL;
    if (asprintf(&s, "%s=%s", k, val) < 0) md_oom();
    add(v, flag, s);
}

/* flags whose value is the member as it is (a string or a number) */
static void scalars(struct json_object *svc, char ***v)
{
    static const char *const map[][2] = {
        {"hostname", "--hostname"},
        {"user", "--user"},
        {"working_dir", "--workdir"},
        {"restart", "--restart"},
        {"shm_size", "--shm-size"},
        {"stop_signal", "--stop-signal"},
        {"mem_limit", "--memory"},
        {"memswap_limit", "--memory-swap"},
        {"mem_reservation", "--memory-reservation"},
        {"cpus", "--cpus"},
        {"cpu_shares", "--cpu-shares"},
        {"cpuset", "--cpuset-cpus"},
        {"pids_limit", "--pids-limit"},
        {"platform", "--platform"},
        {"domainname", "--domainname"},
        {"ipc", "--ipc"},
        {"pid", "--pid"},
        {"uts", "--uts"},
        {"userns_mode", "--userns"},
        {"oom_score_adj", "--oom-score-adj"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        struct json_object *m = md_compose_get(svc, map[i][0]);
        if (m) add(v, map[i][1], json_object_get_string(m));
    }
    static const char *const bools[][2] = {{"init", "--init"},
                                           {"read_only", "--read-only"},
                                           {"privileged", "--privileged"},
                                           {"stdin_open", "--interactive"},
                                           {"tty", "--tty"}};
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
        if (json_object_get_boolean(md_compose_get(svc, bools[i][0]))) add(v, bools[i][1], NULL);
    long long grace =
        md_compose_duration(md_compose_text(md_compose_get(svc, "stop_grace_period")));
    if (grace >= 0) {
        char s[32];
        snprintf(s, sizeof(s), "%lld", (grace + 999999999) / 1000000000);
        add(v, "--stop-timeout", s);
    }
}

/* flags given once per member of a list */
static void lists(struct json_object *svc, char ***v)
{
    static const char *const map[][2] = {
        {"expose", "--expose"},
        {"tmpfs", "--tmpfs"},
        {"cap_add", "--cap-add"},
        {"cap_drop", "--cap-drop"},
        {"dns", "--dns"},
        {"dns_search", "--dns-search"},
        {"dns_opt", "--dns-option"},
        {"security_opt", "--security-opt"},
        {"group_add", "--group-add"},
        {"devices", "--device"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        struct json_object *l = md_compose_get(svc, map[i][0]);
        for (size_t j = 0; l && j < json_object_array_length(l); j++)
            add(v, map[i][1], md_compose_text(json_object_array_get_idx(l, j)));
    }
    struct json_object *hosts = md_compose_get(svc, "extra_hosts");
    for (size_t j = 0; hosts && j < json_object_array_length(hosts); j++) {
        cleanup_free char *h = md_xstrdup(md_compose_text(json_object_array_get_idx(hosts, j)));
        char *eq = strchr(h, '=');
        if (eq) *eq = ':';
        add(v, "--add-host", h);
    }
}

static void maps(struct json_object *svc, char ***v)
{
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "environment")), k, val)
    {
        if (val)
            add_kv(v, "--env", k, md_compose_text(val)); /* KEY with no value anywhere: unset */
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "labels")), lk, lv)
    {
        add_kv(v, "--label", lk, md_compose_text(lv));
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "sysctls")), sk, sv)
    {
        add_kv(v, "--sysctl", sk, md_compose_text(sv));
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "annotations")), ak, av)
    {
        add_kv(v, "--annotation", ak, md_compose_text(av));
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "ulimits")), uk, uv)
    {
        cleanup_free char *u = NULL;
        int r = json_object_is_type(uv, json_type_object)
                    ? asprintf(&u, "%s=%s:%s", uk, md_compose_text(md_compose_get(uv, "soft")),
                               md_compose_text(md_compose_get(uv, "hard")))
                    : asprintf(&u, "%s=%s", uk, md_compose_text(uv));
        if (r < 0) md_oom();
        add(v, "--ulimit", u);
    }
    struct json_object *log = md_compose_get(svc, "logging");
    if (md_compose_get(log, "driver"))
        add(v, "--log-driver", md_compose_text(md_compose_get(log, "driver")));
    json_object_object_foreach(md_compose_mapping(md_compose_get(log, "options")), ok, ov)
    {
        add_kv(v, "--log-opt", ok, md_compose_text(ov));
    }
}

static void ports(struct json_object *svc, char ***v)
{
    struct json_object *l = md_compose_get(svc, "ports");
    for (size_t i = 0; l && i < json_object_array_length(l); i++) {
        struct json_object *p = json_object_array_get_idx(l, i);
        const char *ip = md_compose_text(md_compose_get(p, "host_ip")),
                   *pub = md_compose_text(md_compose_get(p, "published"));
        char s[160];
        if (*pub)
            snprintf(s, sizeof(s), "%s%s%s:%s/%s", *ip ? ip : "", *ip ? ":" : "", pub,
                     md_compose_text(md_compose_get(p, "target")),
                     md_compose_text(md_compose_get(p, "protocol")));
        else
            snprintf(s, sizeof(s), "%s/%s", md_compose_text(md_compose_get(p, "target")),
                     md_compose_text(md_compose_get(p, "protocol")));
        add(v, "--publish", s);
    }
}

static void volumes(struct md_compose_project *p, struct json_object *svc, char ***v)
{
    struct json_object *l = md_compose_get(svc, "volumes");
    for (size_t i = 0; l && i < json_object_array_length(l); i++) {
        struct json_object *m = json_object_array_get_idx(l, i);
        const char *type = md_compose_text(md_compose_get(m, "type")),
                   *target = md_compose_text(md_compose_get(m, "target"));
        int ro = json_object_get_boolean(md_compose_get(m, "read_only"));
        if (strcmp(type, "tmpfs") == 0) {
            struct json_object *size = md_compose_get(md_compose_get(m, "tmpfs"), "size");
            cleanup_free char *t = NULL;
            if (asprintf(&t, "%s%s%s", target, size ? ":size=" : "",
                         size ? md_compose_text(size) : "") < 0)
                md_oom();
            add(v, "--tmpfs", t);
            continue;
        }
        const char *src = md_compose_text(md_compose_get(m, "source"));
        if (strcmp(type, "volume") == 0 && *src)
            src = md_compose_resource_name(p->model, "volumes", src);
        cleanup_free char *spec = NULL;
        if (asprintf(&spec, "%s%s%s%s", src, *src ? ":" : "", target, ro ? ":ro" : "") < 0)
            md_oom();
        add(v, "--volume", spec);
    }
}

/* file-backed secrets (/run/secrets/NAME) and configs (/NAME or their target), read-only */
static void files(struct md_compose_project *p, struct json_object *svc, const char *kind,
                  char ***v)
{
    struct json_object *l = md_compose_get(svc, kind);
    for (size_t i = 0; l && i < json_object_array_length(l); i++) {
        struct json_object *e = json_object_array_get_idx(l, i);
        const char *name = json_object_is_type(e, json_type_object)
                               ? md_compose_text(md_compose_get(e, "source"))
                               : md_compose_text(e);
        const char *target = md_compose_text(md_compose_get(e, "target"));
        struct json_object *def = md_compose_get(md_compose_get(p->model, kind), name);
        cleanup_free char *src =
            md_compose_abs_path(p, md_compose_text(md_compose_get(def, "file")));
        cleanup_free char *spec = NULL;
        int secret = strcmp(kind, "secrets") == 0;
        if (asprintf(&spec, "%s:%s%s%s:ro", src,
                     *target == '/' ? ""
                     : secret       ? "/run/secrets/"
                                    : "/",
                     *target ? target : name, "") < 0)
            md_oom();
        add(v, "--volume", spec);
    }
}

/* healthcheck: CMD-SHELL as it is, CMD's words quoted for the shell, NONE or disable */
static void health(struct json_object *svc, char ***v)
{
    struct json_object *hc = md_compose_get(svc, "healthcheck"), *t = md_compose_get(hc, "test");
    if (hc == NULL) return;
    const char *kind = t ? md_compose_text(json_object_array_get_idx(t, 0)) : "";
    if (json_object_get_boolean(md_compose_get(hc, "disable")) || strcmp(kind, "NONE") == 0) {
        add(v, "--no-healthcheck", NULL);
        return;
    }
    if (strcmp(kind, "CMD-SHELL") == 0) {
        add(v, "--health-cmd", md_compose_text(json_object_array_get_idx(t, 1)));
    } else if (strcmp(kind, "CMD") == 0) {
        cleanup_free char *cmd = md_xstrdup("");
        for (size_t i = 1; i < json_object_array_length(t); i++) {
            char *n = NULL;
            if (asprintf(&n, "%s%s'%s'", cmd, i > 1 ? " " : "",
                         md_compose_text(json_object_array_get_idx(t, i))) < 0)
                md_oom();
            free(cmd);
            cmd = n;
        }
        add(v, "--health-cmd", cmd);
    }
    static const char *const d[][2] = {{"interval", "--health-interval"},
                                       {"timeout", "--health-timeout"},
                                       {"start_period", "--health-start-period"},
                                       {"start_interval", "--health-start-interval"},
                                       {"retries", "--health-retries"}};
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        if (md_compose_get(hc, d[i][0]))
            add(v, d[i][1], md_compose_text(md_compose_get(hc, d[i][0])));
}

static void deploy(struct json_object *svc, char ***v)
{
    struct json_object *res = md_compose_get(md_compose_get(svc, "deploy"), "resources");
    struct json_object *lim = md_compose_get(res, "limits"),
                       *rsv = md_compose_get(res, "reservations");
    if (md_compose_get(lim, "cpus")) add(v, "--cpus", md_compose_text(md_compose_get(lim, "cpus")));
    if (md_compose_get(lim, "memory"))
        add(v, "--memory", md_compose_text(md_compose_get(lim, "memory")));
    if (md_compose_get(lim, "pids"))
        add(v, "--pids-limit", md_compose_text(md_compose_get(lim, "pids")));
    if (md_compose_get(rsv, "memory"))
        add(v, "--memory-reservation", md_compose_text(md_compose_get(rsv, "memory")));
}

char **md_compose_run_argv(struct md_compose_project *p, const char *service,
                           struct json_object *svc, const struct md_compose_ctr_spec *spec)
{
    char **v = NULL;
    md_strv_append(&v, "run");
    if (!spec->attached) add(&v, "--detach", NULL);
    add(&v, "--name", spec->name);
    for (char **l = spec->labels; l && *l; l++)
        add(&v, "--label", *l);
    if (spec->network) add(&v, "--network", spec->network);
    for (char **a = spec->aliases; a && *a; a++)
        add(&v, "--network-alias", *a);
    if (spec->ip) add(&v, "--ip", spec->ip);
    if (!spec->oneoff) ports(svc, &v);
    scalars(svc, &v);
    lists(svc, &v);
    maps(svc, &v);
    volumes(p, svc, &v);
    files(p, svc, "secrets", &v);
    files(p, svc, "configs", &v);
    health(svc, &v);
    deploy(svc, &v);
    for (char **e = spec->extra; e && *e; e++)
        md_strv_append(&v, *e);
    struct json_object *ep =
        md_strv_contains(spec->extra, "--entrypoint") ? NULL : md_compose_get(svc, "entrypoint");
    if (ep)
        add(&v, "--entrypoint",
            json_object_array_length(ep) ? md_compose_text(json_object_array_get_idx(ep, 0)) : "");
    md_strv_append(&v, spec->image);
    for (size_t i = 1; ep && i < json_object_array_length(ep); i++)
        md_strv_append(&v, md_compose_text(json_object_array_get_idx(ep, i)));
    struct json_object *cmd = md_compose_get(svc, "command");
    if (spec->command) {
        for (char **c = spec->command; *c; c++)
            md_strv_append(&v, *c);
    } else {
        for (size_t i = 0; cmd && i < json_object_array_length(cmd); i++)
            md_strv_append(&v, md_compose_text(json_object_array_get_idx(cmd, i)));
    }
    (void)service;
    return v;
}
