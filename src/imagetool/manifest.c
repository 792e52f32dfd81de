/* Manifests and indexes (OCI and docker v2 schema 2), platform selection, and
 * the blobs behind a local image. */
#include "manifest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/time.h"
#include "util/xalloc.h"

void md_desc_clear(md_desc_t *d)
{
    free(d->media_type);
    free(d->digest);
    memset(d, 0, sizeof(*d));
}

void md_manifest_clear(md_manifest_t *m)
{
    free(m->media_type);
    md_desc_clear(&m->config);
    for (size_t i = 0; i < m->n; i++)
        md_desc_clear(&m->layers[i]);
    free(m->layers);
    json_object_put(m->doc);
    memset(m, 0, sizeof(*m));
}

static const char *str_field(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int valid_digest(const char *d)
{
    return d && strncmp(d, "sha256:", 7) == 0 && md_image_is_hex(d + 7, 64);
}

static int parse_desc(json_object *o, md_desc_t *d, const char *what, md_error_t **err)
{
    json_object *sz;
    const char *mt = str_field(o, "mediaType"), *dg = str_field(o, "digest");
    if (!valid_digest(dg))
        return md_error(err, 0, "manifest: %s has %s digest %s", what, dg ? "an unsupported" : "no",
                        dg ? dg : "");
    d->media_type = strdup(mt ? mt : "");
    d->digest = strdup(dg);
    d->size = json_object_object_get_ex(o, "size", &sz) ? json_object_get_int64(sz) : -1;
    if (d->media_type == NULL || d->digest == NULL) return md_error(err, ENOMEM, "manifest");
    if (d->size < 0) return md_error(err, 0, "manifest: %s %s has no size", what, dg);
    return 0;
}

static int parse_list(md_manifest_t *m, const char *key, const char *what, md_error_t **err)
{
    json_object *arr;
    if (!json_object_object_get_ex(m->doc, key, &arr) || !json_object_is_type(arr, json_type_array))
        return md_error(err, 0, "manifest: no %s", key);
    m->n = json_object_array_length(arr);
    if ((m->layers = calloc(m->n ? m->n : 1, sizeof(md_desc_t))) == NULL)
        return md_error(err, ENOMEM, "manifest");
    for (size_t i = 0; i < m->n; i++) {
        int r = parse_desc(json_object_array_get_idx(arr, i), &m->layers[i], what, err);
        if (r < 0) return r;
    }
    return 0;
}

int md_manifest_parse(const char *text, size_t len, const char *content_type, md_manifest_t *out,
                      md_error_t **err)
{
    memset(out, 0, sizeof(*out));
    json_tokener *tok = json_tokener_new();
    out->doc = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
    int bad = tok == NULL || json_tokener_get_error(tok) != json_tokener_success;
    json_tokener_free(tok);
    if (bad || !json_object_is_type(out->doc, json_type_object)) {
        md_manifest_clear(out);
        return md_error(err, 0, "manifest: not valid JSON");
    }
    const char *mt = str_field(out->doc, "mediaType");
    if (mt == NULL && content_type) mt = content_type;
    if (mt == NULL) /* OCI allows leaving it out: tell by the fields */
        mt =
            json_object_object_get_ex(out->doc, "manifests", NULL) ? MT_OCI_INDEX : MT_OCI_MANIFEST;
    size_t mtlen = strcspn(mt, "; ");
    out->media_type = strndup(mt, mtlen);
    int r = out->media_type ? 0 : md_error(err, ENOMEM, "manifest");
    if (r < 0) {
    } else if (strcmp(out->media_type, MT_OCI_INDEX) == 0 ||
               strcmp(out->media_type, MT_DOCKER_LIST) == 0) {
        out->is_index = 1;
        r = parse_list(out, "manifests", "entry", err);
    } else if (strcmp(out->media_type, MT_OCI_MANIFEST) == 0 ||
               strcmp(out->media_type, MT_DOCKER_MANIFEST) == 0) {
        json_object *cfg;
        if (!json_object_object_get_ex(out->doc, "config", &cfg))
            r = md_error(err, 0, "manifest: no config");
        if (r == 0) r = parse_desc(cfg, &out->config, "config", err);
        if (r == 0) r = parse_list(out, "layers", "layer", err);
    } else if (strncmp(out->media_type, MT_DOCKER_SCHEMA1, strlen(MT_DOCKER_SCHEMA1)) == 0 ||
               strcmp(out->media_type, "application/json") == 0) {
        r = md_error(err, 0, "manifest: docker schema 1 images are not supported");
    } else {
        r = md_error(err, 0, "manifest: unsupported media type %s", out->media_type);
    }
    if (r < 0) md_manifest_clear(out);
    return r;
}

void md_host_platform(const char **arch, const char **variant)
{
    static struct utsname u;
    static const struct {
        const char *machine, *arch, *variant;
    } map[] = {
        {"x86_64", "amd64", NULL},    {"aarch64", "arm64", NULL}, {"armv7l", "arm", "v7"},
        {"armv6l", "arm", "v6"},      {"i686", "386", NULL},      {"i386", "386", NULL},
        {"ppc64le", "ppc64le", NULL}, {"s390x", "s390x", NULL},   {"riscv64", "riscv64", NULL},
    };
    *arch = "amd64";
    *variant = NULL;
    if (uname(&u) < 0) return;
    *arch = u.machine;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(u.machine, map[i].machine) == 0) {
            *arch = map[i].arch;
            *variant = map[i].variant;
        }
}

int md_index_select(const md_manifest_t *index, const char *platform, md_desc_t *out,
                    md_error_t **err)
{
    char os[32] = "linux", arch[32], variant[32] = "";
    const char *ha, *hv;
    md_host_platform(&ha, &hv);
    snprintf(arch, sizeof(arch), "%s", ha);
    if (hv) snprintf(variant, sizeof(variant), "%s", hv);
    if (platform && sscanf(platform, "%31[^/]/%31[^/]/%31s", os, arch, variant) < 2)
        return md_error(err, 0, "invalid platform %s (want os/arch[/variant])", platform);
    json_object *arr = json_object_object_get(index->doc, "manifests");
    int best = -1, best_score = 0;
    for (size_t i = 0; i < index->n; i++) {
        json_object *p = json_object_object_get(json_object_array_get_idx(arr, i), "platform");
        const char *eo = str_field(p, "os"), *ea = str_field(p, "architecture");
        const char *ev = str_field(p, "variant");
        if (!eo || !ea || strcmp(eo, os) != 0 || strcmp(ea, arch) != 0) continue;
        int score = 1 + (ev && *variant && strcmp(ev, variant) == 0);
        if (ev && *variant && strcmp(ev, variant) != 0) continue;
        if (score > best_score) best = (int)i, best_score = score;
    }
    if (best < 0)
        return md_error(err, 0, "no matching manifest for %s/%s%s%s in the manifest list entries",
                        os, arch, *variant ? "/" : "", variant);
    const md_desc_t *d = &index->layers[best];
    out->media_type = strdup(d->media_type);
    out->digest = strdup(d->digest);
    out->size = d->size;
    if (out->media_type == NULL || out->digest == NULL) return md_error(err, ENOMEM, "manifest");
    return 0;
}

int md_layer_type_ok(const char *mt)
{
    static const char *ok[] = {MT_OCI_LAYER,
                               MT_OCI_LAYER_GZIP,
                               MT_OCI_LAYER_ZSTD,
                               MT_DOCKER_LAYER_GZIP,
                               "application/vnd.docker.image.rootfs.diff.tar",
                               "application/vnd.oci.image.layer.nondistributable.v1.tar",
                               "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                               "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(mt, ok[i]) == 0) return 1;
    return 0;
}

/* ---- blobs of the store ---- */

int md_store_read_blob(const char *digest, char **out, size_t *len, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_blob_path(path, sizeof(path), digest) < 0)
        return md_error(err, ENAMETOOLONG, "blob path");
    return md_read_file(path, out, len, err);
}

int md_store_put_blob(const char *text, size_t len, const char *hex, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_blob_path(path, sizeof(path), hex) < 0)
        return md_error(err, ENAMETOOLONG, "blob path");
    if (md_path_exists(path)) return 0;
    return md_write_file_atomic(path, text, len, 0644, 1, err);
}

void md_rfc3339_now(char *buf, size_t len)
{
    cleanup_free char *t = md_time_rfc3339_nano(md_now_ns());
    snprintf(buf, len, "%s", t ? t : "");
}

/* ---- the manifest of a local image ---- */

static int record_manifest(const char *id, char **digest, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_path(path, sizeof(path), "repositories.json") < 0)
        return md_error(err, ENAMETOOLONG, "store path");
    json_object *repos = json_object_from_file(path), *rec, *m;
    *digest = NULL;
    if (repos == NULL) return -ENOENT;
    if (repos && json_object_object_get_ex(repos, id, &rec) &&
        json_object_object_get_ex(rec, "manifest", &m))
        *digest = md_xstrdup(json_object_get_string(m));
    json_object_object_foreach(repos, key, val)
    {
        (void)key;
        if (*digest) break;
        const char *eid = str_field(val, "id");
        if (eid && strcmp(eid, id) == 0 && json_object_object_get_ex(val, "manifest", &m))
            *digest = strdup(json_object_get_string(m));
    }
    json_object_put(repos);
    return *digest ? 0 : -ENOENT;
}

/* An index: the entry (stored locally) whose config is id. */
static int index_entry_for(const md_manifest_t *idx, const char *id, char **text, char **digest)
{
    for (size_t i = 0; i < idx->n; i++) {
        cleanup_free char *t = NULL;
        size_t len;
        md_manifest_t m;
        if (md_store_read_blob(idx->layers[i].digest, &t, &len, NULL) < 0 ||
            md_manifest_parse(t, len, idx->layers[i].media_type, &m, NULL) < 0)
            continue;
        int match = !m.is_index && strcmp(m.config.digest, id) == 0;
        md_manifest_clear(&m);
        if (match) {
            *digest = strdup(idx->layers[i].digest);
            *text = md_steal_ptr(&t);
            return *digest ? 0 : -ENOMEM;
        }
    }
    return -ENOENT;
}

int md_local_manifest(const char *id, char **text, char **digest, md_error_t **err)
{
    cleanup_free char *d = NULL, *t = NULL;
    size_t len;
    int r = record_manifest(id, &d, err);
    if (r < 0) return r;
    if (md_store_read_blob(d, &t, &len, NULL) < 0) return -ENOENT;
    md_manifest_t m;
    if (md_manifest_parse(t, len, NULL, &m, NULL) < 0) return -ENOENT;
    if (m.is_index) {
        r = index_entry_for(&m, id, text, digest);
        md_manifest_clear(&m);
        return r == -ENOMEM ? md_error(err, ENOMEM, "manifest") : r;
    }
    r = strcmp(m.config.digest, id) == 0 ? 0 : -ENOENT;
    md_manifest_clear(&m);
    if (r == 0) {
        *text = md_steal_ptr(&t);
        *digest = md_steal_ptr(&d);
    }
    return r;
}

static int blob_size(const char *digest, long long *size)
{
    char path[PATH_MAX];
    struct stat st;
    if (md_image_blob_path(path, sizeof(path), digest) < 0 || stat(path, &st) < 0) return -1;
    *size = st.st_size;
    return 0;
}

/* Layer i: the manifest's blob when present, else the uncompressed one. */
static int fill_src(md_layer_src_t *s, const char *diff_id, const md_manifest_t *m, size_t i,
                    md_error_t **err)
{
    char dir[PATH_MAX];
    snprintf(s->diff_id, sizeof(s->diff_id), "%s", diff_id);
    if (md_image_layer_path(dir, sizeof(dir), diff_id) < 0 || (s->layer_dir = strdup(dir)) == NULL)
        return md_error(err, ENOMEM, "layers");
    long long sz;
    s->size = -1;
    if (m && i < m->n && blob_size(m->layers[i].digest, &sz) == 0 && sz == m->layers[i].size) {
        snprintf(s->digest, sizeof(s->digest), "%s", m->layers[i].digest);
        s->media_type = md_xstrdup(m->layers[i].media_type);
        s->size = sz;
    } else {
        snprintf(s->digest, sizeof(s->digest), "%s", diff_id);
        s->media_type = strdup(MT_OCI_LAYER);
        if (blob_size(diff_id, &sz) == 0) s->size = sz;
    }
    return s->media_type ? 0 : md_error(err, ENOMEM, "layers");
}

int md_image_layer_srcs(const char *id, json_object *config, md_layer_src_t **out, size_t *n,
                        md_error_t **err)
{
    json_object *rootfs, *ids;
    if (!json_object_object_get_ex(config, "rootfs", &rootfs) ||
        !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
        !json_object_is_type(ids, json_type_array))
        return md_error(err, 0, "image %s: config has no rootfs.diff_ids", id);
    cleanup_free char *text = NULL, *digest = NULL;
    md_manifest_t m = {0};
    int have = md_local_manifest(id, &text, &digest, NULL) == 0 &&
               md_manifest_parse(text, strlen(text), NULL, &m, NULL) == 0;
    size_t count = json_object_array_length(ids);
    if (have && m.n != count) { /* a manifest that disagrees with the config: ignore it */
        md_manifest_clear(&m);
        have = 0;
    }
    md_layer_src_t *l = calloc(count ? count : 1, sizeof(*l));
    int r = l ? 0 : md_error(err, ENOMEM, "layers");
    for (size_t i = 0; r == 0 && i < count; i++) {
        const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
        r = valid_digest(d) ? fill_src(&l[i], d, have ? &m : NULL, i, err)
                            : md_error(err, 0, "image %s: bad diff_id", id);
    }
    md_manifest_clear(&m);
    if (r < 0) {
        md_layer_srcs_free(l, count);
        return r;
    }
    *out = l;
    *n = count;
    return 0;
}

void md_layer_srcs_free(md_layer_src_t *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++) {
        free(l[i].media_type);
        free(l[i].layer_dir);
    }
    free(l);
}
