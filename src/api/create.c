/* POST /containers/create: docker's create JSON (Config + HostConfig) as the engine's options.
 * What is read is listed in docs/api.md; the rest of the body is not looked at. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "store/ctr.h"
#include "engine/cgctl.h"
#include "engine/create.h"
#include "engine/opts.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void collect_warning(void *data, const char *msg)
{
    json_object_array_add(data, json_object_new_string(msg));
}

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static char *str(struct json_object *o, const char *k)
{
    struct json_object *v = get(o, k);
    const char *s =
        v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    return s && *s ? md_xstrdup(s) : NULL;
}

static int boolean(struct json_object *o, const char *k)
{
    struct json_object *v = get(o, k);
    return v && json_object_get_boolean(v);
}

static char **strings(struct json_object *a)
{
    if (a == NULL || !json_object_is_type(a, json_type_array)) return NULL;
    char **v = md_strv_dup(NULL);
    for (size_t i = 0; i < json_object_array_length(a); i++)
        md_strv_append(&v, json_object_get_string(json_object_array_get_idx(a, i)));
    return v;
}

static void labels(struct json_object *cfg, struct md_run_opts *o)
{
    struct json_object *l = get(cfg, "Labels");
    if (l == NULL || !json_object_is_type(l, json_type_object)) return;
    json_object_object_foreach(l, k, v)
    {
        cleanup_free char *kv = NULL;
        if (asprintf(&kv, "%s=%s", k, json_object_get_string(v)) < 0) md_oom();
        md_strv_append(&o->labels, kv);
    }
}

/* {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]} as -p HOSTIP:HOSTPORT:80/tcp */
static int ports(struct json_object *hc, struct md_run_opts *o, md_error_t **err)
{
    struct json_object *pb = get(hc, "PortBindings");
    if (pb == NULL || !json_object_is_type(pb, json_type_object)) return 0;
    json_object_object_foreach(pb, port, binds)
    {
        for (size_t i = 0; binds && i < json_object_array_length(binds); i++) {
            struct json_object *b = json_object_array_get_idx(binds, i);
            cleanup_free char *ip = str(b, "HostIp"), *hp = str(b, "HostPort"), *spec = NULL;
            if (asprintf(&spec, "%s%s%s:%s", ip ? ip : "", ip ? ":" : "", hp ? hp : "", port) < 0)
                md_oom();
            if (md_net_opt_parse(&o->net, MD_NOPT_PUBLISH, spec, err) < 0) return -1;
        }
    }
    if (boolean(hc, "PublishAllPorts") &&
        md_net_opt_parse(&o->net, MD_NOPT_PUBLISH_ALL, NULL, err) < 0)
        return -1;
    return 0;
}

static int resources(struct json_object *hc, struct md_run_opts *o, md_error_t **err)
{
    static const struct {
        const char *key;
        int code;
        int nano; /* NanoCpus: --cpus */
    } map[] = {{"Memory", MD_ROPT_MEMORY, 0},        {"MemorySwap", MD_ROPT_MEMORY_SWAP, 0},
               {"CpuShares", MD_ROPT_CPU_SHARES, 0}, {"NanoCpus", MD_ROPT_CPUS, 1},
               {"PidsLimit", MD_ROPT_PIDS_LIMIT, 0}, {"CpuQuota", MD_ROPT_CPU_QUOTA, 0},
               {"CpuPeriod", MD_ROPT_CPU_PERIOD, 0}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        struct json_object *v = get(hc, map[i].key);
        int64_t n = v ? json_object_get_int64(v) : 0;
        if (n == 0 || (n < 0 && map[i].code != MD_ROPT_MEMORY_SWAP)) continue;
        char text[64];
        if (map[i].nano)
            snprintf(text, sizeof(text), "%.9f", (double)n / 1e9);
        else
            snprintf(text, sizeof(text), "%" PRId64, n);
        if (md_res_opt_parse(&o->res, map[i].code, text, err) < 0) return -1;
    }
    struct json_object *cs = get(hc, "CpusetCpus");
    if (cs && *json_object_get_string(cs) &&
        md_res_opt_parse(&o->res, MD_ROPT_CPUSET_CPUS, json_object_get_string(cs), err) < 0)
        return -1;
    return 0;
}

static void restart_policy(struct json_object *hc, struct md_run_opts *o)
{
    struct json_object *rp = get(hc, "RestartPolicy");
    cleanup_free char *name = str(rp, "Name");
    if (name == NULL || strcmp(name, "no") == 0) return;
    struct json_object *max = get(rp, "MaximumRetryCount");
    if (strcmp(name, "on-failure") == 0 && max && json_object_get_int(max) > 0) {
        if (asprintf(&o->restart, "on-failure:%d", json_object_get_int(max)) < 0) md_oom();
    } else {
        o->restart = md_steal_ptr(&name);
    }
}

/* Entrypoint ["a", "b"] is "a" with "b" before the command, as docker runs it */
static void command(struct json_object *cfg, struct md_run_opts *o)
{
    char **ep = strings(get(cfg, "Entrypoint")), **cmd = strings(get(cfg, "Cmd"));
    o->args = md_strv_dup(NULL);
    if (ep) {
        o->entrypoint_set = 1;
        o->entrypoint = md_xstrdup(ep[0] ? ep[0] : "");
        for (size_t i = 1; ep[0] && ep[i]; i++)
            md_strv_append(&o->args, ep[i]);
    }
    for (char **c = cmd; c && *c; c++)
        md_strv_append(&o->args, *c);
    md_strv_free(ep), md_strv_free(cmd);
}

static int host_config(struct json_object *hc, struct md_run_opts *o, md_error_t **err)
{
    o->rm = boolean(hc, "AutoRemove");
    o->privileged = boolean(hc, "Privileged");
    o->read_only = boolean(hc, "ReadonlyRootfs");
    o->init = boolean(hc, "Init");
    o->volumes = strings(get(hc, "Binds"));
    o->cap_add = strings(get(hc, "CapAdd"));
    o->cap_drop = strings(get(hc, "CapDrop"));
    char *net = str(hc, "NetworkMode");
    if (net && strcmp(net, "default") == 0) free(net), net = NULL;
    o->network = net;
    char **dns = strings(get(hc, "Dns")), **hosts = strings(get(hc, "ExtraHosts"));
    int r = 0;
    for (char **d = dns; r == 0 && d && *d; d++)
        r = md_net_opt_parse(&o->net, MD_NOPT_DNS, *d, err);
    for (char **h = hosts; r == 0 && h && *h; h++)
        r = md_net_opt_parse(&o->net, MD_NOPT_ADD_HOST, *h, err);
    md_strv_free(dns), md_strv_free(hosts);
    restart_policy(hc, o);
    if (r == 0) r = ports(hc, o, err);
    if (r == 0) r = resources(hc, o, err);
    return r;
}

/* Config.Healthcheck: Test ["CMD-SHELL", cmd] | ["CMD", args...] (quoted for the shell the
 * engine's checks run with) | ["NONE"], and the durations in ns */
static void healthcheck(struct json_object *body, struct md_run_opts *o)
{
    struct json_object *hc = get(body, "Healthcheck");
    char **test = strings(get(hc, "Test"));
    if (test && test[0] && strcmp(test[0], "NONE") == 0) o->health.none = 1;
    if (test && test[0] && test[1] && strcmp(test[0], "CMD-SHELL") == 0)
        o->health.cmd = md_xstrdup(test[1]);
    if (test && test[0] && test[1] && strcmp(test[0], "CMD") == 0) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (f == NULL) md_oom();
        for (char **a = test + 1; *a; a++) {
            fputs(a == test + 1 ? "'" : " '", f);
            for (const char *c = *a; *c; c++)
                fputs(*c == '\'' ? "'\\''" : (char[2]){*c, 0}, f);
            fputc('\'', f);
        }
        fclose(f);
        o->health.cmd = buf;
    }
    md_strv_free(test);
    struct json_object *v;
    if ((v = get(hc, "Interval"))) o->health.interval = json_object_get_int64(v);
    if ((v = get(hc, "Timeout"))) o->health.timeout = json_object_get_int64(v);
    if ((v = get(hc, "StartPeriod"))) o->health.start_period = json_object_get_int64(v);
    if ((v = get(hc, "StartInterval"))) o->health.start_interval = json_object_get_int64(v);
    if ((v = get(hc, "Retries"))) o->health.retries = json_object_get_int(v);
}

/* NetworkingConfig.EndpointsConfig: the aliases and address on the network of NetworkMode */
static int endpoints(struct json_object *body, struct md_run_opts *o, md_error_t **err)
{
    struct json_object *ec = get(get(body, "NetworkingConfig"), "EndpointsConfig");
    if (ec == NULL || !json_object_is_type(ec, json_type_object)) return 0;
    json_object_object_foreach(ec, net, cfg)
    {
        if (o->network && strcmp(net, o->network) != 0) continue;
        char **aliases = strings(get(cfg, "Aliases"));
        int r = 0;
        for (char **a = aliases; r == 0 && a && *a; a++)
            r = md_net_opt_parse(&o->net, MD_NOPT_ALIAS, *a, err);
        md_strv_free(aliases);
        cleanup_free char *ip = str(get(cfg, "IPAMConfig"), "IPv4Address");
        if (r == 0 && ip) r = md_net_opt_parse(&o->net, MD_NOPT_IP, ip, err);
        if (r < 0) return r;
    }
    return 0;
}

/* Config.ExposedPorts {"90/tcp": {}}: --expose (the image's own are the engine's) */
static int exposed(struct json_object *body, struct md_run_opts *o, md_error_t **err)
{
    struct json_object *ep = get(body, "ExposedPorts");
    if (ep == NULL || !json_object_is_type(ep, json_type_object)) return 0;
    json_object_object_foreach(ep, port, unused)
    {
        (void)unused;
        if (md_net_opt_parse(&o->net, MD_NOPT_EXPOSE, port, err) < 0) return -1;
    }
    return 0;
}

int api_run_opts(struct json_object *body, const char *name, struct md_run_opts *o, char **errmsg)
{
    memset(o, 0, sizeof(*o));
    md_error_t *err = NULL;
    o->image = str(body, "Image");
    if (o->image == NULL)
        return *errmsg = md_xstrdup("Config cannot be empty in order to create a container"), -1;
    o->name = name && *name ? md_xstrdup(name) : NULL;
    o->hostname = str(body, "Hostname");
    o->workdir = str(body, "WorkingDir");
    o->user = str(body, "User");
    o->stop_signal = str(body, "StopSignal");
    o->tty = boolean(body, "Tty");
    o->interactive = boolean(body, "OpenStdin");
    o->env = strings(get(body, "Env"));
    o->detach = 1; /* the server holds no container: a monitor does */
    labels(body, o);
    command(body, o);
    int r = host_config(get(body, "HostConfig"), o, &err);
    if (r == 0) r = endpoints(body, o, &err);
    if (r == 0) r = exposed(body, o, &err);
    healthcheck(body, o);
    if (r < 0) {
        *errmsg = md_xstrdup(err && err->msg ? err->msg : "invalid create options");
        md_error_free(&err);
    }
    return r;
}

enum MHD_Result api_container_create(struct api_req *r)
{
    struct json_object *body = json_tokener_parse(r->body);
    if (body == NULL) return api_error(r, MHD_HTTP_BAD_REQUEST, "invalid JSON in the request body");
    struct md_run_opts o;
    cleanup_free char *msg = NULL;
    int rc = api_run_opts(body, api_query(r, "name"), &o, &msg);
    json_object_put(body);
    if (rc < 0) {
        md_run_opts_free(&o);
        return api_error(r, MHD_HTTP_BAD_REQUEST, "%s", msg);
    }
    struct json_object *warnings = json_object_new_array();
    o.warn = (md_warn_t){.fn = collect_warning, .data = warnings};
    char id[65];
    md_error_t *err = NULL;
    rc = md_engine_create(&o, id, NULL, &err);
    enum MHD_Result ret;
    if (rc == MD_ENGINE_NO_IMAGE) {
        ret = api_error(r, MHD_HTTP_NOT_FOUND, "No such image: %s", o.image);
        md_error_free(&err);
        json_object_put(warnings);
    } else if (rc < 0) {
        const char *m = err && err->msg ? err->msg : "create failed";
        ret = api_error(r, api_status_of(m), "%s", m);
        md_error_free(&err);
        json_object_put(warnings);
    } else {
        struct json_object *doc = json_object_new_object();
        json_object_object_add(doc, "Id", json_object_new_string(id));
        json_object_object_add(doc, "Warnings", warnings);
        ret = api_json(r, MHD_HTTP_CREATED, doc);
    }
    md_run_opts_free(&o);
    return ret;
}

/* POST /containers/{id}/update: the resource fields and RestartPolicy of create's HostConfig */
enum MHD_Result api_container_update(struct api_req *r)
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load(r->id, &c, &err) < 0) {
        md_error_free(&err);
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", r->id);
    }
    struct json_object *body = json_tokener_parse(r->body);
    struct md_run_opts o;
    memset(&o, 0, sizeof(o));
    int rc =
        body ? resources(body, &o, &err) : md_error(&err, 0, "invalid JSON in the request body");
    if (rc == 0) restart_policy(body, &o);
    struct json_object *warnings = json_object_new_array();
    md_warn_t w = {.fn = collect_warning, .data = warnings};
    if (rc == 0) rc = md_engine_update(c, &o.res, o.restart, &w, &err);
    json_object_put(body);
    md_run_opts_free(&o);
    md_ctr_free(c);
    if (rc < 0) {
        json_object_put(warnings);
        const char *m = err && err->msg ? err->msg : "update failed";
        enum MHD_Result ret = api_error(r, api_status_of(m), "%s", m);
        md_error_free(&err);
        return ret;
    }
    struct json_object *doc = json_object_new_object();
    json_object_object_add(doc, "Warnings", warnings);
    return api_json(r, MHD_HTTP_OK, doc);
}
