#include "cli/ps_filters.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/health.h"
#include "net/net.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* ---- docker's ps filters: values of one key ORed, keys ANDed ---- */

const char *const md_ps_filter_keys[] = {
    "id",    "name",   "status",  "label",  "label!",  "exited", "ancestor", "before",
    "since", "volume", "network", "health", "publish", "expose", "is-task",  NULL};

/* "80", "80/udp", "8000-8080/tcp" against a key "80/tcp" of a ports object;
 * bound: only keys with at least one binding (published) */
static int port_match(const char *v, struct json_object *ports, int bound)
{
    char proto[8] = "tcp";
    int lo = 0, hi = 0;
    if (sscanf(v, "%d-%d", &lo, &hi) < 2) hi = lo;
    const char *slash = strchr(v, '/');
    if (slash) snprintf(proto, sizeof(proto), "%s", slash + 1);
    if (ports == NULL || !json_object_is_type(ports, json_type_object)) return 0;
    json_object_object_foreach(ports, k, b)
    {
        int port = atoi(k);
        const char *kp = strchr(k, '/');
        int ok =
            !bound || (json_object_is_type(b, json_type_array) && json_object_array_length(b) > 0);
        if (port >= lo && port <= hi && kp && strcmp(kp + 1, proto) == 0 && ok) return 1;
    }
    return 0;
}

static int f_publish(const char *v, void *c)
{
    const struct md_ctr *ctr = c;
    struct json_object *ns = NULL, *ports = NULL;
    if (ctr->status != MD_CTR_RUNNING && ctr->status != MD_CTR_PAUSED) return 0;
    json_object_object_get_ex(ctr->record, "NetworkSettings", &ns);
    json_object_object_get_ex(ns, "Ports", &ports);
    return port_match(v, ports, 1);
}

static int f_expose(const char *v, void *c)
{
    struct json_object *cfg = NULL, *ports = NULL;
    json_object_object_get_ex(((struct md_ctr *)c)->record, "Config", &cfg);
    json_object_object_get_ex(cfg, "ExposedPorts", &ports);
    return port_match(v, ports, 0);
}

/* health=starting|healthy|unhealthy|none, of running containers as docker */
static int f_health(const char *v, void *c)
{
    const struct md_ctr *ctr = c;
    const char *h = ctr->status == MD_CTR_RUNNING ? md_health_status(ctr->record) : NULL;
    return strcmp(v, h ? h : "none") == 0;
}

static int f_id(const char *v, void *c)
{
    return strncmp(((struct md_ctr *)c)->id, v, strlen(v)) == 0;
}

static int f_name(const char *v, void *c)
{
    return strstr(((struct md_ctr *)c)->name, v + (v[0] == '/')) != NULL;
}

static int f_status(const char *v, void *c)
{
    return strcmp(md_ctr_status_name(((struct md_ctr *)c)->status), v) == 0;
}

static int f_exited(const char *v, void *c)
{
    const struct md_ctr *x = c;
    return x->status == MD_CTR_EXITED && x->exit_code == atoi(v);
}

static int f_ancestor(const char *v, void *c)
{
    const char *img = md_ctr_str(c, "Config.Image"), *id = md_ctr_str(c, "image_id");
    const char *hex = strncmp(v, "sha256:", 7) == 0 ? v + 7 : v;
    if (img && (strcmp(img, v) == 0 || (strchr(v, ':') == NULL && strncmp(img, v, strlen(v)) == 0 &&
                                        img[strlen(v)] == ':')))
        return 1;
    return id && strlen(hex) >= 4 &&
           strncmp(id + 7 * (strncmp(id, "sha256:", 7) == 0), hex, strlen(hex)) == 0;
}

static int array_has(struct json_object *arr, const char *key, const char *v)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        struct json_object *k;
        if (json_object_object_get_ex(json_object_array_get_idx(arr, i), key, &k) &&
            strcmp(json_object_get_string(k), v) == 0)
            return 1;
    }
    return 0;
}

static int f_volume(const char *v, void *c)
{
    struct json_object *m = NULL;
    json_object_object_get_ex(((struct md_ctr *)c)->record, "Mounts", &m);
    return array_has(m, "Name", v) || array_has(m, "Destination", v) || array_has(m, "Source", v);
}

static int f_network(const char *v, void *c)
{
    struct json_object *ns = NULL, *nets = NULL, *x;
    json_object_object_get_ex(((struct md_ctr *)c)->record, "NetworkSettings", &ns);
    if (ns) json_object_object_get_ex(ns, "Networks", &nets);
    const char *mode = md_ctr_str(c, "HostConfig.NetworkMode");
    return (nets && json_object_object_get_ex(nets, v, &x)) || (mode && strcmp(mode, v) == 0);
}

/* before=/since=: created before / after the named container */
struct when {
    const char *created;
    int before;
};

static int f_when(const char *v, void *ctx)
{
    const struct when *w = ctx;
    struct md_ctr *ref = NULL;
    if (md_ctr_load(v, &ref, NULL) < 0) return 0;
    const char *rc = md_ctr_str(ref, "Created");
    int r =
        rc && w->created && (w->before ? strcmp(w->created, rc) < 0 : strcmp(w->created, rc) > 0);
    md_ctr_free(ref);
    return r;
}

/* is-task=true: swarm's task containers; there is no swarm here, so none are */
static int f_is_task(const char *v, void *x)
{
    (void)x;
    return strcmp(v, "false") == 0;
}

int md_ps_matches(struct md_ctr *c, const struct md_filters *f)
{
    struct json_object *labels = NULL, *cfg = NULL;
    if (json_object_object_get_ex(c->record, "Config", &cfg))
        json_object_object_get_ex(cfg, "Labels", &labels);
    struct when before = {md_ctr_str(c, "Created"), 1}, since = {before.created, 0};
    return md_filters_any(f, "id", f_id, c) && md_filters_any(f, "name", f_name, c) &&
           md_filters_any(f, "status", f_status, c) && md_filters_any(f, "exited", f_exited, c) &&
           md_filters_any(f, "ancestor", f_ancestor, c) &&
           md_filters_any(f, "volume", f_volume, c) && md_filters_any(f, "network", f_network, c) &&
           md_filters_any(f, "before", f_when, &before) &&
           md_filters_any(f, "since", f_when, &since) && md_filters_any(f, "health", f_health, c) &&
           md_filters_any(f, "publish", f_publish, c) && md_filters_any(f, "expose", f_expose, c) &&
           md_filters_any(f, "is-task", f_is_task, c) && md_filters_labels(f, labels);
}

static int value_ok(const char *k, const char *v)
{
    static const char *const st[] = {"created", "restarting", "running", "removing",
                                     "paused",  "exited",     "dead",    NULL};
    int ok = 1;
    if (strcmp(k, "status") == 0) {
        ok = 0;
        for (const char *const *s = st; *s; s++)
            ok |= strcmp(*s, v) == 0;
    } else if (strcmp(k, "health") == 0) {
        ok = !strcmp(v, "starting") || !strcmp(v, "healthy") || !strcmp(v, "unhealthy") ||
             !strcmp(v, "none");
    } else if (strcmp(k, "is-task") == 0) {
        ok = !strcmp(v, "true") || !strcmp(v, "false");
    } else if (strcmp(k, "exited") == 0) {
        char *end;
        strtol(v, &end, 10);
        ok = *v && *end == '\0';
    }
    return ok;
}

int md_ps_filter_check(const struct md_filters *f, md_error_t **err)
{
    for (size_t i = 0; f->keys && f->keys[i]; i++)
        if (!value_ok(f->keys[i], f->values[i]))
            return md_error_code(err, 1, 0, "invalid filter '%s=%s'", f->keys[i], f->values[i]);
    return 0;
}
