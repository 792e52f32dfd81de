/* The merged model made whole: profiles applied, the top-level networks and volumes named as
 * docker compose names them, the implicit default network, every reference checked, and the
 * services' dependency order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose_int.h"
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

int md_compose_finish_model(struct md_compose_project *p, char **profiles, md_error_t **err);

static int profile_active(struct json_object *svc, char **active)
{
    struct json_object *pr = md_compose_get(svc, "profiles");
    if (pr == NULL || json_object_array_length(pr) == 0) return 1;
    for (size_t i = 0; i < json_object_array_length(pr); i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(pr, i));
        if (md_strv_contains(active, name) || md_strv_contains(active, "*")) return 1;
    }
    return 0;
}

static void apply_profiles(struct md_compose_project *p, char **active)
{
    struct json_object *svcs = md_compose_get(p->model, "services");
    p->disabled = json_object_new_object();
    cleanup_strv char **off = NULL;
    json_object_object_foreach(md_compose_mapping(svcs), name, svc)
    {
        if (!profile_active(svc, active)) md_strv_append(&off, name);
    }
    for (char **n = off; n && *n; n++) {
        json_object_object_add(p->disabled, *n, json_object_get(md_compose_get(svcs, *n)));
        json_object_object_del(svcs, *n);
    }
}

const char *md_compose_resource_name(struct json_object *top, const char *kind, const char *key)
{
    struct json_object *def = md_compose_get(md_compose_get(top, kind), key);
    struct json_object *n = md_compose_get(def, "name");
    return n ? json_object_get_string(n) : key;
}

/* a top-level network or volume: {} when empty, named "<project>_<key>" unless external or
 * given a name */
static int name_resources(struct md_compose_project *p, const char *kind, md_error_t **err)
{
    struct json_object *all = md_compose_get(p->model, kind);
    if (all == NULL) return 0;
    if (!json_object_is_type(all, json_type_object))
        return md_error(err, 0, "%s must be a mapping", kind);
    json_object_object_foreach(md_compose_mapping(all), key, def)
    {
        if (def == NULL) {
            def = json_object_new_object();
            json_object_object_add(all, key, def);
        }
        if (!json_object_is_type(def, json_type_object))
            return md_error(err, 0, "%s.%s must be a mapping (%s)", kind, key,
                            json_object_get_string(def));
        struct json_object *ext = md_compose_get(def, "external");
        int external = ext && json_object_get_boolean(ext);
        if (md_compose_get(def, "name") == NULL) {
            cleanup_free char *n = NULL;
            if (external) {
                n = md_xstrdup(key);
            } else if (asprintf(&n, "%s_%s", p->name, key) < 0) {
                md_oom();
            }
            json_object_object_add(def, "name", json_object_new_string(n));
        }
    }
    return 0;
}

/* a service without networks or network_mode is on "default", which then exists */
static void default_network(struct md_compose_project *p)
{
    int used = 0;
    json_object_object_foreach(md_compose_mapping(md_compose_get(p->model, "services")), name, svc)
    {
        (void)name;
        if (md_compose_get(svc, "network_mode")) continue;
        if (md_compose_get(svc, "networks") == NULL) {
            struct json_object *nets = json_object_new_object();
            json_object_object_add(nets, "default", NULL);
            json_object_object_add(svc, "networks", nets);
        }
        if (json_object_object_get_ex(md_compose_get(svc, "networks"), "default", NULL)) used = 1;
    }
    if (!used) return;
    struct json_object *nets = md_compose_get(p->model, "networks");
    if (nets == NULL) {
        nets = json_object_new_object();
        json_object_object_add(p->model, "networks", nets);
    }
    if (md_compose_get(nets, "default") == NULL) {
        struct json_object *def = json_object_new_object();
        cleanup_free char *n = NULL;
        if (asprintf(&n, "%s_default", p->name) < 0) md_oom();
        json_object_object_add(def, "name", json_object_new_string(n));
        json_object_object_add(nets, "default", def);
    }
}

/* every name a service refers to is defined */
static int check_refs(struct md_compose_project *p, const char *name, struct json_object *svc,
                      md_error_t **err)
{
    if (!md_compose_get(svc, "image") && !md_compose_get(svc, "build"))
        return md_error(err, 0,
                        "service \"%s\" has neither an image nor a build context specified: "
                        "invalid compose project",
                        name);
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "networks")), net, nv)
    {
        (void)nv;
        if (!md_compose_get(md_compose_get(p->model, "networks"), net))
            return md_error(
                err, 0, "service \"%s\" refers to undefined network %s: invalid compose project",
                name, net);
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "depends_on")), dep, dv)
    {
        struct json_object *req = md_compose_get(dv, "required");
        if (md_compose_service(p, dep) == NULL && md_compose_get(p->disabled, dep) == NULL)
            return md_error(
                err, 0,
                "service \"%s\" depends on undefined service \"%s\": invalid compose project", name,
                dep);
        if (md_compose_service(p, dep) == NULL && (req == NULL || json_object_get_boolean(req)))
            return md_error(
                err, 0,
                "service \"%s\" depends on service \"%s\" which is not enabled by any profile",
                name, dep);
    }
    struct json_object *vols = md_compose_get(svc, "volumes");
    for (size_t i = 0; vols && i < json_object_array_length(vols); i++) {
        struct json_object *m = json_object_array_get_idx(vols, i),
                           *src = md_compose_get(m, "source");
        if (strcmp(json_object_get_string(md_compose_get(m, "type")), "volume") == 0 && src &&
            !md_compose_get(md_compose_get(p->model, "volumes"), json_object_get_string(src)))
            return md_error(err, 0,
                            "service \"%s\" refers to undefined volume %s: invalid compose project",
                            name, json_object_get_string(src));
    }
    return 0;
}

int md_compose_finish_model(struct md_compose_project *p, char **profiles, md_error_t **err)
{
    apply_profiles(p, profiles);
    default_network(p);
    if (name_resources(p, "networks", err) < 0 || name_resources(p, "volumes", err) < 0) return -1;
    json_object_object_foreach(md_compose_mapping(md_compose_get(p->model, "services")), name, svc)
    {
        if (check_refs(p, name, svc, err) < 0) return -1;
    }
    char **order = NULL; /* a cycle is the file's error, whatever the command */
    int r = md_compose_order(p, NULL, 0, &order, err);
    md_strv_free(order);
    return r;
}

/* ---- dependency order */

struct order {
    struct md_compose_project *p;
    char **done, **path;
};

static int visit(struct order *o, const char *name, md_error_t **err)
{
    if (md_strv_contains(o->done, name)) return 0;
    if (md_strv_contains(o->path, name))
        return md_error(err, 0, "dependency cycle detected: %s -> %s", name, o->path[0]);
    struct json_object *svc = md_compose_service(o->p, name);
    if (svc == NULL) return md_error(err, 0, "no such service: %s", name);
    md_strv_append(&o->path, name);
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "depends_on")), dep, dv)
    {
        (void)dv;
        if (md_compose_service(o->p, dep) && visit(o, dep, err) < 0) return -1;
    }
    free(o->path[md_strv_len(o->path) - 1]);
    o->path[md_strv_len(o->path) - 1] = NULL;
    md_strv_append(&o->done, name);
    return 0;
}

int md_compose_order(struct md_compose_project *p, char **only, int no_deps, char ***out,
                     md_error_t **err)
{
    struct order o = {.p = p};
    int r = 0;
    if (only && no_deps) {
        for (char **n = only; r == 0 && *n; n++)
            r = md_compose_service(p, *n) ? (md_strv_append(&o.done, *n), 0)
                                          : md_error(err, 0, "no such service: %s", *n);
    } else if (only) {
        for (char **n = only; r == 0 && *n; n++)
            r = visit(&o, *n, err);
    } else {
        /* sorted by name first, as docker compose lists them */
        struct json_object *svcs = md_compose_get(p->model, "services");
        cleanup_strv char **names = NULL;
        json_object_object_foreach(md_compose_mapping(svcs), name, svc)
        {
            (void)svc;
            md_strv_append(&names, name);
        }
        size_t n = md_strv_len(names);
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
                char *t = names[j];
                names[j] = names[j - 1];
                names[j - 1] = t;
            }
        for (size_t i = 0; r == 0 && i < n; i++)
            r = visit(&o, names[i], err);
    }
    md_strv_free(o.path);
    if (r < 0) {
        md_strv_free(o.done);
        return r;
    }
    *out = o.done ? o.done : md_xcalloc(1, sizeof(char *));
    return 0;
}
