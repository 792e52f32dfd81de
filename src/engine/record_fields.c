/* docker's inspect fields that repeat the flags and the image
 * (engine/record_fields.h). */
#include "engine/record_fields.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "engine/opts.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static struct json_object *strv_or_null(char *const *v)
{
    if (v == NULL || v[0] == NULL) return NULL;
    struct json_object *a = json_object_new_array();
    for (; *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

static struct json_object *image_field(struct json_object *cfg, const char *k)
{
    struct json_object *v = NULL;
    if (cfg) json_object_object_get_ex(cfg, k, &v);
    return json_object_get(v);
}

static struct json_object *entrypoint(const struct md_run_opts *o, struct json_object *image_cfg)
{
    if (!o->entrypoint_set) return image_field(image_cfg, "Entrypoint");
    if (o->entrypoint == NULL || o->entrypoint[0] == '\0') return NULL;
    struct json_object *a = json_object_new_array();
    json_object_array_add(a, json_object_new_string(o->entrypoint));
    return a;
}

static void config_fields(struct json_object *cfg, const struct md_run_opts *o,
                          struct json_object *image_cfg)
{
    struct json_object *user = image_field(image_cfg, "User");
    const char *wd = o->workdir;
    struct json_object *iwd = image_field(image_cfg, "WorkingDir");
    json_object_object_add(cfg, "User",
                           o->user ? json_object_new_string(o->user)
                           : user  ? user
                                   : json_object_new_string(""));
    if (o->user) json_object_put(user);
    json_object_object_add(cfg, "WorkingDir",
                           wd    ? json_object_new_string(wd)
                           : iwd ? iwd
                                 : json_object_new_string(""));
    if (wd) json_object_put(iwd);
    json_object_object_add(cfg, "Entrypoint", entrypoint(o, image_cfg));
    json_object_object_add(cfg, "Volumes", image_field(image_cfg, "Volumes"));
}

static struct json_object *ulimits(const struct md_run_opts *o)
{
    if (o->n_ulimits == 0) return NULL;
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < o->n_ulimits; i++) {
        struct json_object *u = json_object_new_object();
        json_object_object_add(u, "Name", json_object_new_string(o->ulimits[i].name));
        json_object_object_add(u, "Hard", json_object_new_int64((int64_t)o->ulimits[i].hard));
        json_object_object_add(u, "Soft", json_object_new_int64((int64_t)o->ulimits[i].soft));
        json_object_array_add(a, u);
    }
    return a;
}

/* --tmpfs /path[:opts] as docker's map */
static struct json_object *tmpfs(const struct md_run_opts *o)
{
    if (o->tmpfs == NULL || o->tmpfs[0] == NULL) return NULL;
    struct json_object *m = json_object_new_object();
    for (char **t = o->tmpfs; *t; t++) {
        const char *colon = strchr(*t, ':');
        cleanup_free char *path = md_xstrndup(*t, colon ? (size_t)(colon - *t) : strlen(*t));
        json_object_object_add(m, path, json_object_new_string(colon ? colon + 1 : ""));
    }
    return m;
}

/* --device HOST[:CONTAINER[:PERMS]] as docker's list */
static struct json_object *devices(const struct md_run_opts *o)
{
    struct json_object *a = json_object_new_array();
    for (char **d = o->devices; d && *d; d++) {
        cleanup_free char *s = md_xstrdup(*d);
        char *f[3] = {s, NULL, NULL};
        for (int i = 1; i < 3 && f[i - 1]; i++)
            if ((f[i] = strchr(f[i - 1], ':')) != NULL) *f[i]++ = '\0';
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "PathOnHost", json_object_new_string(f[0]));
        json_object_object_add(e, "PathInContainer", json_object_new_string(f[1] ? f[1] : f[0]));
        json_object_object_add(e, "CgroupPermissions", json_object_new_string(f[2] ? f[2] : "rwm"));
        json_object_array_add(a, e);
    }
    return a;
}

static struct json_object *security_opt(const struct md_run_opts *o)
{
    struct json_object *a = json_object_new_array();
    if (o->no_new_privs) json_object_array_add(a, json_object_new_string("no-new-privileges"));
    if (o->seccomp_unconfined)
        json_object_array_add(a, json_object_new_string("seccomp=unconfined"));
    if (json_object_array_length(a) == 0) {
        json_object_put(a);
        return NULL;
    }
    return a;
}

static void host_fields(struct json_object *hc, const struct md_run_opts *o)
{
    json_object_object_add(hc, "Binds", strv_or_null(o->volumes));
    json_object_object_add(hc, "CapAdd", strv_or_null(o->cap_add));
    json_object_object_add(hc, "CapDrop", strv_or_null(o->cap_drop));
    json_object_object_add(hc, "SecurityOpt", security_opt(o));
    json_object_object_add(hc, "Ulimits", ulimits(o));
    json_object_object_add(hc, "Tmpfs", tmpfs(o));
    json_object_object_add(hc, "Devices", devices(o));
}

static void put_path(struct json_object *r, const char *k, const char *dir, const char *file)
{
    char p[4200];
    snprintf(p, sizeof(p), "%s/%s", dir, file);
    json_object_object_add(r, k, json_object_new_string(p));
}

static void graph_driver(struct json_object *r, const struct md_record_paths *p)
{
    struct json_object *g = json_object_new_object(), *d = json_object_new_object();
    json_object_object_add(g, "Name", json_object_new_string(p->lower ? "overlay2" : "none"));
    if (p->lower) {
        json_object_object_add(d, "LowerDir", json_object_new_string(p->lower));
        json_object_object_add(d, "UpperDir", json_object_new_string(p->upper));
        json_object_object_add(d, "WorkDir", json_object_new_string(p->work));
        json_object_object_add(d, "MergedDir", json_object_new_string(p->merged));
    }
    json_object_object_add(g, "Data", d);
    json_object_object_add(r, "GraphDriver", g);
}

void md_record_fields(struct json_object *record, const struct md_run_opts *o,
                      struct json_object *image_cfg, const struct md_record_paths *p)
{
    struct json_object *cfg = NULL, *hc = NULL;
    json_object_object_get_ex(record, "Config", &cfg);
    json_object_object_get_ex(record, "HostConfig", &hc);
    if (cfg) config_fields(cfg, o, image_cfg);
    if (hc) host_fields(hc, o);
    put_path(record, "ResolvConfPath", p->dir, "resolv.conf");
    put_path(record, "HostnamePath", p->dir, "hostname");
    put_path(record, "HostsPath", p->dir, "hosts");
    json_object_object_add(record, "Driver",
                           json_object_new_string(p->lower ? "overlay2" : "none"));
    json_object_object_add(record, "Platform", json_object_new_string("linux"));
    graph_driver(record, p);
}
