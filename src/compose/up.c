/* `compose up` and `compose create`: networks and volumes, then each service in dependency
 * order (waiting on health or completion where depends_on asks), its containers made to match
 * the model: kept when their config hash is the model's, recreated when it is not, added or
 * removed to the scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compose/cmds.h"
#include "compose/compose_int.h"
#include "compose/parallel.h"
#include "compose/up.h"
#include "engine/health.h"
#include "engine/lifecycle.h"
#include "engine/volume_store.h"
#include "image/store.h"
#include "net/net.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static char *label(const char *k, const char *v)
{
    char *s = NULL;
    if (asprintf(&s, "%s=%s", k, v) < 0) md_oom();
    return s;
}

static void add_label(char ***l, const char *k, const char *v)
{
    cleanup_free char *s = label(k, v);
    md_strv_append(l, s);
}

static int network_up(struct md_compose_project *p, const char *key, struct json_object *def,
                      md_error_t **err)
{
    const char *name = json_object_get_string(md_compose_get(def, "name"));
    struct md_network *n = NULL;
    char *exists = md_network_resolve(name);
    free(exists);
    if (exists) return 0;
    if (json_object_get_boolean(md_compose_get(def, "external")))
        return md_error(err, 0, "network %s declared as external, but could not be found", name);
    struct json_object *ipam = md_compose_get(md_compose_get(def, "ipam"), "config"), *cfg = NULL;
    if (json_object_is_type(ipam, json_type_array) && json_object_array_length(ipam))
        cfg = json_object_array_get_idx(ipam, 0);
    cleanup_strv char **labels = NULL;
    add_label(&labels, "com.docker.compose.project", p->name);
    add_label(&labels, "com.docker.compose.network", key);
    json_object_object_foreach(md_compose_mapping(md_compose_get(def, "labels")), lk, lv)
    {
        add_label(&labels, lk, json_object_get_string(lv));
    }
    struct md_network_create o = {
        .name = name,
        .driver = md_compose_get(def, "driver")
                      ? json_object_get_string(md_compose_get(def, "driver"))
                      : NULL,
        .subnet = md_compose_get(cfg, "subnet")
                      ? json_object_get_string(md_compose_get(cfg, "subnet"))
                      : NULL,
        .gateway = md_compose_get(cfg, "gateway")
                       ? json_object_get_string(md_compose_get(cfg, "gateway"))
                       : NULL,
        .internal = json_object_get_boolean(md_compose_get(def, "internal")),
        .labels = labels};
    char *id = NULL;
    md_compose_progress("Network", name, "Creating");
    int r = md_network_create(&o, &id, err);
    free(id);
    (void)n;
    md_compose_progress("Network", name, r == 0 ? "Created" : "Error");
    return r;
}

static int volume_up(struct md_compose_project *p, const char *key, struct json_object *def,
                     md_error_t **err)
{
    const char *name = json_object_get_string(md_compose_get(def, "name"));
    struct json_object *have = md_volume_inspect(name);
    json_object_put(have);
    if (have) return 0;
    if (json_object_get_boolean(md_compose_get(def, "external")))
        return md_error(err, 0, "external volume \"%s\" not found", name);
    cleanup_strv char **labels = NULL, **opts = NULL;
    add_label(&labels, "com.docker.compose.project", p->name);
    add_label(&labels, "com.docker.compose.volume", key);
    json_object_object_foreach(md_compose_mapping(md_compose_get(def, "labels")), lk, lv)
    {
        add_label(&labels, lk, json_object_get_string(lv));
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(def, "driver_opts")), ok, ov)
    {
        add_label(&opts, ok, json_object_get_string(ov));
    }
    struct md_volume_opts o = {.driver = md_compose_get(def, "driver")
                                             ? json_object_get_string(md_compose_get(def, "driver"))
                                             : NULL,
                               .labels = labels,
                               .driver_opts = opts};
    md_compose_progress("Volume", name, "Creating");
    int r = md_volume_create(name, 0, &o, NULL, err);
    md_compose_progress("Volume", name, r == 0 ? "Created" : "Error");
    return r;
}

int md_compose_resources_up(struct md_compose_project *p, md_error_t **err)
{
    json_object_object_foreach(md_compose_mapping(md_compose_get(p->model, "networks")), nk, nd)
    {
        if (network_up(p, nk, nd, err) < 0) return -1;
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(p->model, "volumes")), vk, vd)
    {
        if (volume_up(p, vk, vd, err) < 0) return -1;
    }
    return 0;
}

/* ---- depends_on conditions */

/* 1 met, 0 not yet, < 0 never will be */
static int condition_met(const char *cond, struct md_compose_ctr *x, md_error_t **err)
{
    struct md_ctr *c = x->c;
    md_ctr_read_and_settle(c);
    int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED;
    if (strcmp(cond, "service_completed_successfully") == 0) {
        if (live || c->status == MD_CTR_CREATED) return 0;
        if (c->exit_code == 0) return 1;
        return md_error(err, 0, "service \"%s\" didn't complete successfully: exit %d", x->service,
                        c->exit_code);
    }
    if (strcmp(cond, "service_healthy") == 0) {
        const char *h = md_health_status(c->record);
        if (h == NULL)
            return md_error(err, 0, "container %s has no healthcheck configured", c->name);
        if (strcmp(h, "healthy") == 0) return 1;
        if (strcmp(h, "unhealthy") == 0 || (!live && c->status != MD_CTR_CREATED))
            return md_error(err, 0, "dependency failed to start: container %s is unhealthy",
                            c->name);
        return 0;
    }
    return 1;
}

static int wait_dependencies(struct md_compose_project *p, struct json_object *svc,
                             md_error_t **err)
{
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "depends_on")), dep, dv)
    {
        const char *cond = json_object_get_string(md_compose_get(dv, "condition"));
        if (strcmp(cond, "service_started") == 0) continue;
        struct md_compose_ctrs l;
        md_compose_find(p->name, dep, 0, &l);
        for (size_t i = 0; i < l.n; i++) {
            md_compose_progress("Container", l.v[i].c->name, "Waiting");
            int r;
            while ((r = condition_met(cond, &l.v[i], err)) == 0) {
                struct md_ctr *again = NULL;
                usleep(100000);
                if (md_ctr_load_id(l.v[i].c->id, &again, NULL) < 0) break;
                md_ctr_free(l.v[i].c);
                l.v[i].c = again;
            }
            md_compose_progress("Container", l.v[i].c->name, r > 0 ? "Healthy" : "Error");
            if (r < 0) {
                md_compose_ctrs_free(&l);
                return -1;
            }
        }
        md_compose_ctrs_free(&l);
    }
    return 0;
}

/* ---- one service */

static int wanted_scale(const struct md_compose_up_opts *o, const char *service,
                        struct json_object *svc)
{
    for (char **s = o->scale; s && *s; s++) {
        size_t n = strcspn(*s, "=");
        if (strncmp(*s, service, n) == 0 && service[n] == '\0') return atoi(*s + n + 1);
    }
    struct json_object *r = md_compose_get(md_compose_get(svc, "deploy"), "replicas");
    if (r == NULL) r = md_compose_get(svc, "scale");
    return r ? json_object_get_int(r) : 1;
}

void md_compose_ctr_name(struct md_compose_project *p, const char *service, struct json_object *svc,
                         int number, char *out, size_t len)
{
    struct json_object *cn = md_compose_get(svc, "container_name");
    if (cn)
        snprintf(out, len, "%s", json_object_get_string(cn));
    else
        snprintf(out, len, "%s-%s-%d", p->name, service, number);
}

/* the first network's name and aliases (the service's name, then its own) */
void md_compose_spec_network(struct md_compose_project *p, const char *service,
                             struct json_object *svc, struct md_compose_ctr_spec *spec)
{
    struct json_object *mode = md_compose_get(svc, "network_mode");
    if (mode) {
        spec->network = json_object_get_string(mode);
        return;
    }
    json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "networks")), key, cfg)
    {
        spec->network = md_compose_resource_name(p->model, "networks", key);
        md_strv_append(&spec->aliases, service);
        struct json_object *al = md_compose_get(cfg, "aliases");
        for (size_t i = 0; al && i < json_object_array_length(al); i++)
            md_strv_append(&spec->aliases,
                           json_object_get_string(json_object_array_get_idx(al, i)));
        struct json_object *ip = md_compose_get(cfg, "ipv4_address");
        spec->ip = ip ? json_object_get_string(ip) : NULL;
        break;
    }
}

void md_compose_spec_labels(struct md_compose_project *p, const char *service, const char *hash,
                            int number, int oneoff, char ***labels)
{
    char num[16];
    snprintf(num, sizeof(num), "%d", number);
    cleanup_free char *files = md_strv_join(p->files, ",");
    add_label(labels, "com.docker.compose.project", p->name);
    add_label(labels, "com.docker.compose.service", service);
    add_label(labels, "com.docker.compose.container-number", num);
    add_label(labels, "com.docker.compose.oneoff", oneoff ? "True" : "False");
    add_label(labels, "com.docker.compose.config-hash", hash);
    add_label(labels, "com.docker.compose.project.working_dir", p->dir);
    add_label(labels, "com.docker.compose.project.config_files", files);
    add_label(labels, "com.docker.compose.version", MD_COMPOSE_VERSION);
}

static int create_one(struct md_compose_project *p, const char *service, struct json_object *svc,
                      const char *hash, int number, int start, md_error_t **err)
{
    char name[256], id[65];
    md_compose_ctr_name(p, service, svc, number, name, sizeof(name));
    cleanup_free char *image = md_compose_image_name(p, service, svc);
    struct md_compose_ctr_spec spec = {.name = name, .image = image};
    md_compose_spec_labels(p, service, hash, number, 0, &spec.labels);
    md_compose_spec_network(p, service, svc, &spec);
    md_compose_progress("Container", name, "Creating");
    int r = md_compose_create(p, service, svc, &spec, start, id, err);
    md_strv_free(spec.labels);
    md_strv_free(spec.aliases);
    return r;
}

int md_compose_remove_ctr(struct md_ctr *c, int timeout, int volumes, md_error_t **err)
{
    md_compose_progress("Container", c->name, "Stopping");
    int r = md_engine_stop(c, timeout, err);
    if (r == 0) md_compose_progress("Container", c->name, "Stopped");
    md_compose_progress("Container", c->name, "Removing");
    md_ctr_read_and_settle(c);
    if (r == 0) r = md_engine_rm(c, 1, NULL, err);
    if (r == 0 && volumes) md_engine_remove_anon_volumes(c, NULL);
    md_compose_progress("Container", c->name, r == 0 ? "Removed" : "Error");
    return r;
}

/* the image the service's name points to now is not the container's (a build or a pull since) */
static int image_changed(struct md_compose_project *p, const char *service, struct json_object *svc,
                         struct md_ctr *c)
{
    cleanup_free char *image = md_compose_image_name(p, service, svc), *id = NULL;
    struct json_object *have = md_compose_get(c->record, "Image");
    if (md_image_resolve(image, &id, NULL, NULL) < 0 || have == NULL) return 0;
    const char *a = id, *b = json_object_get_string(have);
    if (strncmp(a, "sha256:", 7) == 0) a += 7;
    if (strncmp(b, "sha256:", 7) == 0) b += 7;
    return strcmp(a, b) != 0;
}

/* the containers there: kept, started, recreated; then the missing numbers made */
static int is_stale(struct md_compose_project *p, const char *service, struct json_object *svc,
                    const struct md_compose_up_opts *o, struct md_compose_ctr *x, const char *hash)
{
    return o->force_recreate || (!o->no_recreate && (strcmp(x->hash ? x->hash : "", hash) ||
                                                     image_changed(p, service, svc, x->c)));
}

/* nothing to make, remove, recreate or start: the service is as the model says */
static int settled(struct md_compose_project *p, const char *service, struct json_object *svc,
                   const struct md_compose_up_opts *o)
{
    cleanup_free char *hash = md_compose_config_hash(svc);
    int scale = wanted_scale(o, service, svc), ok = 1;
    struct md_compose_ctrs l;
    md_compose_find(p->name, service, 0, &l);
    ok = (int)l.n == scale;
    for (size_t i = 0; ok && i < l.n; i++) {
        struct md_compose_ctr *x = &l.v[i];
        int live = x->c->status == MD_CTR_RUNNING || x->c->status == MD_CTR_PAUSED;
        ok = x->number == (int)i + 1 && !is_stale(p, service, svc, o, x, hash) &&
             (live || !o->start);
    }
    md_compose_ctrs_free(&l);
    return ok;
}

static int converge(struct md_compose_project *p, const char *service, struct json_object *svc,
                    const struct md_compose_up_opts *o, md_error_t **err)
{
    cleanup_free char *hash = md_compose_config_hash(svc);
    int scale = wanted_scale(o, service, svc), r = 0;
    struct md_compose_ctrs l;
    md_compose_find(p->name, service, 0, &l);
    char *have = md_xcalloc((size_t)scale + 2, 1);
    for (size_t i = 0; r == 0 && i < l.n; i++) {
        struct md_compose_ctr *x = &l.v[i];
        int stale = is_stale(p, service, svc, o, x, hash);
        if (x->number < 1 || x->number > scale || have[x->number]) {
            r = md_compose_remove_ctr(x->c, o->timeout, 1, err);
        } else if (stale) {
            r = md_compose_remove_ctr(x->c, o->timeout, 1, err);
            if (r == 0) r = create_one(p, service, svc, hash, x->number, o->start, err);
            have[x->number] = 1;
        } else {
            have[x->number] = 1;
            int live = x->c->status == MD_CTR_RUNNING || x->c->status == MD_CTR_PAUSED;
            if (live || !o->start)
                md_compose_progress("Container", x->c->name, live ? "Running" : "Created");
            else
                r = md_compose_start_id(x->c->id, x->c->name, err);
        }
    }
    for (int n = 1; r == 0 && n <= scale; n++)
        if (!have[n]) r = create_one(p, service, svc, hash, n, o->start, err);
    free(have);
    md_compose_ctrs_free(&l);
    return r;
}

static void orphans(struct md_compose_project *p, const struct md_compose_up_opts *o)
{
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 0, &l);
    cleanup_strv char **names = NULL;
    for (size_t i = 0; i < l.n; i++) {
        if (md_compose_service(p, l.v[i].service)) continue;
        md_error_t *err = NULL;
        if (o->remove_orphans && md_compose_remove_ctr(l.v[i].c, o->timeout, 0, &err) < 0)
            md_compose_report(&err);
        md_strv_append(&names, l.v[i].c->name);
    }
    if (names && !o->remove_orphans) {
        cleanup_free char *all = md_strv_join(names, " ");
        fprintf(stderr,
                "WARN[0000] Found orphan containers ([%s]) for this project. If you removed "
                "or renamed this service in your compose file, you can run this command "
                "with the --remove-orphans flag to clean it up.\n",
                all);
    }
    md_compose_ctrs_free(&l);
}

struct up_args {
    struct md_compose_project *p;
    const struct md_compose_up_opts *o;
};

/* one service, in a process of its own beside the others of its level */
static int up_service(const char *service, void *data)
{
    struct up_args *a = data;
    struct json_object *svc = md_compose_service(a->p, service);
    md_error_t *err = NULL;
    if ((a->o->start && wait_dependencies(a->p, svc, &err) < 0) ||
        converge(a->p, service, svc, a->o, &err) < 0)
        return md_compose_report(&err), -1;
    return 0;
}

int md_compose_up(struct md_compose_project *p, const struct md_compose_up_opts *o,
                  md_error_t **err)
{
    cleanup_strv char **order = NULL;
    if (md_compose_order(p, o->services, o->no_deps, &order, err) < 0) return -1;
    if (md_compose_resources_up(p, err) < 0) return -1;
    for (char **s = order; *s; s++) {
        struct json_object *svc = md_compose_service(p, *s);
        if (!o->no_build && md_compose_ensure_image(p, *s, svc, o->build, err) < 0) return -1;
    }
    /* what is settled is said here; the rest is worked on a dependency level at a time */
    cleanup_strv char **work = NULL;
    for (char **s = order; *s; s++) {
        struct json_object *svc = md_compose_service(p, *s);
        if (settled(p, *s, svc, o) && up_service(*s, &(struct up_args){p, o}) == 0) continue;
        md_strv_append(&work, *s);
    }
    struct up_args a = {p, o};
    if (work && md_compose_parallel_services(p, work, up_service, &a) < 0)
        return MD_COMPOSE_REPORTED; /* each failure said why */
    orphans(p, o);
    return 0;
}
