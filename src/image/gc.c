/* Garbage collection of blobs and unpacked layers (mark and sweep, lock held).
 * Roots are the images in repositories.json and the images of containers, so
 * that `rmi -f` never pulls the lowerdirs from under a container. Only names
 * the store itself trusts (64 hex digits) are swept, plus temp files whose
 * writer (".tmp-<pid>" in the name) is dead. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct hexset {
    char **v;
    size_t n, cap;
};

struct marks {
    struct hexset blobs, layers;
};

static int set_add(struct hexset *s, const char *digest)
{
    if (digest == NULL || strncmp(digest, MD_IMAGE_ID_PREFIX, 7) != 0 ||
        !md_image_is_hex(digest + 7, 64))
        return 0; /* not something we could have stored */
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], digest + 7) == 0) return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        char **nv = realloc(s->v, cap * sizeof(char *));
        if (nv == NULL) return -ENOMEM;
        s->v = nv;
        s->cap = cap;
    }
    if ((s->v[s->n] = strdup(digest + 7)) == NULL) return -ENOMEM;
    s->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int set_has(const struct hexset *s, const char *hex)
{
    return s->n && bsearch(&hex, s->v, s->n, sizeof(char *), cmp_str) != NULL;
}

static void set_free(struct hexset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

/* A missing blob is fine (nothing to keep); any other read error stops the
 * collection, since we could not know what it references. */
static int read_json(const char *digest, json_object **out, md_error_t **err)
{
    md_error_t *e = NULL;
    *out = NULL;
    if (md_image_read_blob_json(digest, out, &e) == 0) return 0;
    if (e && e->errnum == ENOENT) {
        md_error_free(&e);
        return 0;
    }
    md_error_move(err, &e);
    return -EIO;
}

static const char *digest_of(json_object *descriptor)
{
    json_object *d;
    return json_object_object_get_ex(descriptor, "digest", &d) ? json_object_get_string(d) : NULL;
}

static int mark_config(struct marks *m, const char *id, md_error_t **err)
{
    if (set_add(&m->blobs, id) < 0) return md_error(err, ENOMEM, "gc");
    json_object *config, *rootfs, *ids;
    int r = read_json(id, &config, err);
    if (r < 0 || config == NULL) return r;
    if (json_object_object_get_ex(config, "rootfs", &rootfs) &&
        json_object_object_get_ex(rootfs, "diff_ids", &ids)) {
        for (size_t i = 0; r == 0 && i < json_object_array_length(ids); i++) {
            const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
            /* an imported layer's blob is its uncompressed tar: digest == diff_id */
            if (set_add(&m->layers, d) < 0 || set_add(&m->blobs, d) < 0)
                r = md_error(err, ENOMEM, "gc");
        }
    }
    json_object_put(config);
    return r;
}

/* Manifests and indexes: keep what they reference (an index one level deep). */
static int mark_manifest(struct marks *m, const char *digest, int depth, md_error_t **err)
{
    if (set_add(&m->blobs, digest) < 0) return md_error(err, ENOMEM, "gc");
    json_object *man, *config, *arr;
    int r = read_json(digest, &man, err);
    if (r < 0 || man == NULL) return r;
    if (json_object_object_get_ex(man, "config", &config))
        r = mark_config(m, digest_of(config), err);
    if (r == 0 && json_object_object_get_ex(man, "layers", &arr))
        for (size_t i = 0; r == 0 && i < json_object_array_length(arr); i++)
            if (set_add(&m->blobs, digest_of(json_object_array_get_idx(arr, i))) < 0)
                r = md_error(err, ENOMEM, "gc");
    if (r == 0 && depth == 0 && json_object_object_get_ex(man, "manifests", &arr))
        for (size_t i = 0; r == 0 && i < json_object_array_length(arr); i++)
            r = mark_manifest(m, digest_of(json_object_array_get_idx(arr, i)), 1, err);
    json_object_put(man);
    return r;
}

static int mark_roots(struct marks *m, md_error_t **err)
{
    json_object *repos = NULL;
    int r = md_repos_load(&repos, err);
    if (r < 0) return r;
    json_object_object_foreach(repos, key, val)
    {
        (void)key;
        json_object *man;
        const char *id = md_repos_entry_id(val);
        if (id && (r = mark_config(m, id, err)) < 0) break;
        if (json_object_object_get_ex(val, "manifest", &man) &&
            (r = mark_manifest(m, json_object_get_string(man), 0, err)) < 0)
            break;
    }
    json_object_put(repos);
    cleanup_strv char **iids = NULL;
    if (r == 0) r = md_image_container_images(&iids, err);
    for (size_t i = 0; r == 0 && iids[i]; i++)
        r = mark_config(m, iids[i], err);
    return r;
}

/* "<anything>.tmp-<pid>[-...]" written by a process that no longer exists */
static int stale_temp(const char *name)
{
    const char *t = strstr(name, ".tmp-");
    if (t == NULL) return 0;
    char *end;
    long pid = strtol(t + 5, &end, 10);
    if (pid <= 0 || end == t + 5 || (*end != '\0' && *end != '-')) return 0;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static int sweep(const char *sub, const struct hexset *keep, int check_hex, md_error_t **err)
{
    char dir[PATH_MAX], path[PATH_MAX];
    if (md_image_path(dir, sizeof(dir), sub) < 0) return md_error(err, ENAMETOOLONG, "gc");
    cleanup_dir DIR *d = opendir(dir);
    if (d == NULL) return errno == ENOENT ? 0 : md_error(err, errno, "open %s", dir);
    int r = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        int garbage = check_hex && md_image_is_hex(n, 64) ? !set_has(keep, n) : stale_temp(n);
        if (!garbage || snprintf(path, sizeof(path), "%s/%s", dir, n) >= (int)sizeof(path))
            continue;
        md_error_t *e = NULL;
        if (md_rm_rf(path, &e) < 0 && r == 0) {
            md_error_move(err, &e);
            r = -EIO;
        }
        md_error_free(&e);
    }
    return r;
}

int md_image_gc(md_error_t **err)
{
    struct marks m = {0};
    int r = mark_roots(&m, err);
    if (r == 0) {
        if (m.blobs.n) qsort(m.blobs.v, m.blobs.n, sizeof(char *), cmp_str);
        if (m.layers.n) qsort(m.layers.v, m.layers.n, sizeof(char *), cmp_str);
        int r1 = sweep("layers", &m.layers, 1, err);
        int r2 = sweep("blobs/sha256", &m.blobs, 1, err);
        int r3 = sweep(NULL, NULL, 0, err);
        /* init layers are named by their image's id, a config blob */
        int r4 = sweep("init", &m.blobs, 1, err);
        r = r1 < 0 ? r1 : r2 < 0 ? r2 : r3 < 0 ? r3 : r4;
    }
    set_free(&m.blobs);
    set_free(&m.layers);
    return r;
}
