#include "volumes.h"
#include "mountspec.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/cstore.h"
#include "engine/hostinfo.h"
#include "store/ctr.h"
#include "image/store.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/size.h"
#include "util/xalloc.h"
#include "util/strv.h"

void md_vmounts_free(struct md_vmount *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].type);
        free(m[i].name);
        free(m[i].source);
        free(m[i].destination);
        free(m[i].options);
    }
    free(m);
}

struct vlist {
    struct md_vmount *v;
    size_t n;
};

static struct md_vmount *vpush(struct vlist *l)
{
    struct md_vmount *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
    if (nv == NULL) return NULL;
    l->v = nv;
    memset(&nv[l->n], 0, sizeof(nv[0]));
    return &nv[l->n++];
}

static int check_dest(struct vlist *l, const char *dst, md_error_t **err)
{
    if (md_mount_dest_valid(dst, err) < 0) return -1;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].destination, dst) == 0)
            return md_error(err, 0, "Duplicate mount point: %s", dst);
    return 0;
}

/* A named (or, with name NULL, anonymous) volume at dst. */
static int add_volume(struct vlist *l, const char *name, const char *dst, int rw, int nocopy,
                      md_error_t **err)
{
    char anon[65];
    if (name == NULL && md_new_container_id(anon, err) < 0) return -1;
    struct md_vmount *m = vpush(l);
    if (m == NULL) return md_error(err, ENOMEM, "volume");
    m->type = strdup("volume");
    m->name = strdup(name ? name : anon);
    m->destination = md_xstrdup(dst);
    m->rw = rw;
    m->anonymous = name == NULL;
    int r = md_volume_create(m->name, m->anonymous, NULL, &m->source, err);
    if (r == 0) r = md_volume_mount(m->name, err); /* before the image's files are copied in */
    m->copy_up = !nocopy;
    return r;
}

static int add_bind(struct vlist *l, const char *src, const char *dst, int rw, int create,
                    md_error_t **err)
{
    struct stat st;
    if (stat(src, &st) < 0) {
        if (!create)
            return md_error(
                err, 0,
                "invalid mount config for type \"bind\": bind source path does not exist: %s", src);
        int r = md_mkdir_p(src, 0755, err); /* docker's -v creates a missing source dir */
        if (r < 0) return r;
    }
    struct md_vmount *m = vpush(l);
    if (m == NULL) return md_error(err, ENOMEM, "bind");
    m->type = md_xstrdup("bind");
    m->source = realpath(src, NULL);
    m->destination = strdup(dst);
    m->rw = rw;
    return m->source ? 0 : md_error(err, errno, "bind source %s", src);
}

static int add_tmpfs(struct vlist *l, const char *dst, const char *opts, md_error_t **err)
{
    struct md_vmount *m = vpush(l);
    if (m == NULL) return md_error(err, ENOMEM, "tmpfs");
    m->type = strdup("tmpfs");
    m->destination = strdup(dst);
    if (asprintf(&m->options, "nosuid,nodev,noexec%s%s", opts && *opts ? "," : "",
                 opts ? opts : "") < 0)
        m->options = NULL;
    m->rw =
        !(opts && (strstr(opts, "ro,") == opts || strcmp(opts, "ro") == 0 || strstr(opts, ",ro")));
    return 0;
}

/* a parsed -v or --mount (mountspec.c) into the list */
static int add_req(struct vlist *l, const struct md_mount_req *q, md_error_t **err)
{
    int r = check_dest(l, q->destination, err);
    if (r < 0) return r;
    switch (q->kind) {
    case MD_MOUNT_BIND:
        return add_bind(l, q->source, q->destination, q->rw, q->create_source, err);
    case MD_MOUNT_TMPFS:
        return add_tmpfs(l, q->destination, q->tmpfs_opts, err);
    default:
        return add_volume(l, q->source, q->destination, q->rw, q->nocopy, err);
    }
}

typedef int mount_parser(const char *spec, struct md_mount_req *out, md_error_t **err);

/* -v (md_volume_flag_parse) or --mount (md_mount_flag_parse) */
static int add_flag(struct vlist *l, mount_parser *parse, const char *spec, md_error_t **err)
{
    struct md_mount_req q;
    int r = parse(spec, &q, err);
    if (r == 0) r = add_req(l, &q, err);
    md_mount_req_clear(&q);
    return r;
}

static int add_volumes_from(struct vlist *l, const char *spec, md_error_t **err)
{
    cleanup_free char *s = md_xstrdup(spec);
    char *mode = strchr(s, ':');
    if (mode) *mode++ = '\0';
    struct md_ctr *c = NULL;
    int r = md_ctr_load(s, &c, err);
    if (r < 0) return r;
    struct json_object *mounts = NULL;
    json_object_object_get_ex(c->record, "Mounts", &mounts);
    for (size_t i = 0; r == 0 && mounts && i < json_object_array_length(mounts); i++) {
        struct json_object *m = json_object_array_get_idx(mounts, i), *v;
        const char *type =
            json_object_object_get_ex(m, "Type", &v) ? json_object_get_string(v) : "";
        const char *dst =
            json_object_object_get_ex(m, "Destination", &v) ? json_object_get_string(v) : NULL;
        int rw = mode ? strcmp(mode, "ro") != 0
                      : (json_object_object_get_ex(m, "RW", &v) && json_object_get_boolean(v));
        if (check_dest(l, dst, NULL) < 0) continue; /* our own mounts win */
        if (strcmp(type, "volume") == 0 && json_object_object_get_ex(m, "Name", &v))
            r = add_volume(l, json_object_get_string(v), dst, rw, 1, err);
        else if (strcmp(type, "bind") == 0 && json_object_object_get_ex(m, "Source", &v))
            r = add_bind(l, json_object_get_string(v), dst, rw, 0, err);
    }
    md_ctr_free(c);
    return r;
}

static int add_image_volumes(struct vlist *l, struct json_object *ic, md_error_t **err)
{
    struct json_object *vols = NULL;
    if (ic == NULL || !json_object_object_get_ex(ic, "Volumes", &vols) ||
        !json_object_is_type(vols, json_type_object))
        return 0;
    json_object_object_foreach(vols, dst, val)
    {
        (void)val;
        if (check_dest(l, dst, NULL) < 0) continue; /* covered by a mount the user gave */
        int r = add_volume(l, NULL, dst, 1, 0, err);
        if (r < 0) return r;
    }
    return 0;
}

static int by_depth(const void *a, const void *b)
{
    const struct md_vmount *x = a, *y = b;
    size_t dx = 0, dy = 0;
    for (const char *p = x->destination; *p; p++)
        dx += *p == '/';
    for (const char *p = y->destination; *p; p++)
        dy += *p == '/';
    return dx < dy ? -1 : dx > dy;
}

int md_volumes_resolve(const struct md_run_opts *o, struct json_object *ic, struct md_vmount **out,
                       size_t *n, md_error_t **err)
{
    struct vlist l = {0};
    int r = 0;
    for (char **v = o->volumes; r == 0 && v && *v; v++)
        r = add_flag(&l, md_volume_flag_parse, *v, err);
    for (char **v = o->mounts; r == 0 && v && *v; v++)
        r = add_flag(&l, md_mount_flag_parse, *v, err);
    for (char **v = o->tmpfs; r == 0 && v && *v; v++) {
        cleanup_free char *s = md_xstrdup(*v);
        char *opts = strchr(s, ':');
        if (opts) *opts++ = '\0';
        r = check_dest(&l, s, err);
        if (r == 0) r = add_tmpfs(&l, s, opts, err);
    }
    for (char **v = o->volumes_from; r == 0 && v && *v; v++)
        r = add_volumes_from(&l, *v, err);
    if (r == 0) r = add_image_volumes(&l, ic, err);
    if (r < 0) {
        /* anonymous volumes made for this container die with the failure */
        for (size_t i = 0; i < l.n; i++)
            if (l.v[i].anonymous) md_volume_remove(l.v[i].name, 1, NULL);
        md_vmounts_free(l.v, l.n);
        return r;
    }
    if (l.n > 1) qsort(l.v, l.n, sizeof(*l.v), by_depth);
    *out = l.v;
    *n = l.n;
    return 0;
}

/* mount_setattr(2) (5.12) makes a read-only bind recursively read-only:
 * without it, a mount below a `:ro` source (a USB disk under /srv) stays
 * writable in the container. The host's answer is probed once per boot. */
static int have_mount_setattr(void)
{
    static int known = -1;
    if (known < 0) {
        struct md_hostinfo hi;
        md_hostinfo_get(&hi);
        known = hi.mount_setattr;
    }
    return known;
}

void md_vmounts_to_spec(const struct md_vmount *m, size_t n, struct json_object *mounts)
{
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_new_object(), *opts = json_object_new_array();
        int tmpfs = strcmp(m[i].type, "tmpfs") == 0;
        json_object_object_add(e, "destination", json_object_new_string(m[i].destination));
        json_object_object_add(e, "type", json_object_new_string(tmpfs ? "tmpfs" : "bind"));
        json_object_object_add(e, "source", json_object_new_string(tmpfs ? "tmpfs" : m[i].source));
        if (!tmpfs) {
            json_object_array_add(opts, json_object_new_string("rbind"));
            json_object_array_add(opts, json_object_new_string("rprivate"));
        }
        if (m[i].copy_up) json_object_array_add(opts, json_object_new_string(MD_MOUNT_OPT_COPYUP));
        cleanup_free char *o = tmpfs && m[i].options ? strdup(m[i].options) : NULL;
        for (char *save = NULL, *t = o ? strtok_r(o, ",", &save) : NULL; t;
             t = strtok_r(NULL, ",", &save))
            json_object_array_add(opts, json_object_new_string(t));
        json_object_array_add(opts, json_object_new_string(m[i].rw ? "rw" : "ro"));
        /* docker (25+): `:ro` binds and volumes are read-only all the way down */
        if (!tmpfs && !m[i].rw && have_mount_setattr())
            json_object_array_add(opts, json_object_new_string("rro"));
        json_object_object_add(e, "options", opts);
        json_object_array_add(mounts, e);
    }
}

struct json_object *md_vmounts_record(const struct md_vmount *m, size_t n)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "Type", json_object_new_string(m[i].type));
        if (m[i].name) {
            json_object_object_add(e, "Name", json_object_new_string(m[i].name));
            json_object_object_add(e, "Driver", json_object_new_string("local"));
        }
        json_object_object_add(e, "Source", json_object_new_string(m[i].source ? m[i].source : ""));
        json_object_object_add(e, "Destination", json_object_new_string(m[i].destination));
        json_object_object_add(e, "Mode", json_object_new_string(m[i].options ? m[i].options : ""));
        json_object_object_add(e, "RW", json_object_new_boolean(m[i].rw));
        json_object_object_add(
            e, "Propagation",
            json_object_new_string(strcmp(m[i].type, "bind") == 0 ? "rprivate" : ""));
        json_object_object_add(e, "Anonymous", json_object_new_boolean(m[i].anonymous));
        json_object_array_add(a, e);
    }
    return a;
}
