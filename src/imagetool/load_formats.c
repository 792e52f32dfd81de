/* The two archive formats `load` reads. Both end in load_commit(): blobs and
 * layers renamed into the store, manifest written, tags recorded. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/store.h"
#include "layer.h"
#include "load.h"
#include "manifest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

struct img {
    char id[80];
    char manifest_digest[80];
    char *manifest; /* generated manifest text (docker-archive), else NULL */
    struct load_file *config;
    struct load_file **layers;
    size_t n;
    char **tags; /* normalized */
};

static void img_clear(struct img *im)
{
    free(im->manifest);
    free(im->layers);
    md_strv_free(im->tags);
    memset(im, 0, sizeof(*im));
}

static const char *diff_id_at(json_object *config, size_t i)
{
    json_object *ids = json_object_object_get(json_object_object_get(config, "rootfs"), "diff_ids");
    const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
    return d && strncmp(d, "sha256:", 7) == 0 && md_image_is_hex(d + 7, 64) ? d : NULL;
}

static size_t diff_id_count(json_object *config)
{
    json_object *ids = json_object_object_get(json_object_object_get(config, "rootfs"), "diff_ids");
    return json_object_is_type(ids, json_type_array) ? json_object_array_length(ids) : 0;
}

static int load_config(struct load *l, struct img *im, json_object **doc, md_error_t **err)
{
    cleanup_free char *text = NULL;
    int r = md_load_read_json(l, im->config, &text, doc, err);
    if (r < 0) return r;
    snprintf(im->id, sizeof(im->id), "sha256:%s", im->config->hex);
    im->config->used = 1;
    if ((im->layers = calloc(diff_id_count(*doc) + 1, sizeof(*im->layers))) == NULL)
        return md_error(err, ENOMEM, "load");
    return 0;
}

/* The media type of a layer file from its first bytes. */
static const char *layer_media_type(const struct load_file *f)
{
    unsigned char m[4] = {0};
    cleanup_close int fd = open(f->tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, m, sizeof(m)) < 2) return MT_OCI_LAYER;
    if (m[0] == 0x1f && m[1] == 0x8b) return MT_OCI_LAYER_GZIP;
    if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) return MT_OCI_LAYER_ZSTD;
    return MT_OCI_LAYER;
}

static int gen_manifest(struct img *im, md_error_t **err)
{
    json_object *doc = json_object_new_object(), *layers = json_object_new_array();
    json_object *c = json_object_new_object();
    json_object_object_add(doc, "schemaVersion", json_object_new_int(2));
    json_object_object_add(doc, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
    json_object_object_add(c, "mediaType", json_object_new_string(MT_OCI_CONFIG));
    json_object_object_add(c, "digest", json_object_new_string(im->id));
    json_object_object_add(c, "size", json_object_new_int64(im->config->size));
    json_object_object_add(doc, "config", c);
    for (size_t i = 0; i < im->n; i++) {
        char d[80];
        json_object *o = json_object_new_object();
        snprintf(d, sizeof(d), "sha256:%s", im->layers[i]->hex);
        json_object_object_add(o, "mediaType",
                               json_object_new_string(layer_media_type(im->layers[i])));
        json_object_object_add(o, "digest", json_object_new_string(d));
        json_object_object_add(o, "size", json_object_new_int64(im->layers[i]->size));
        json_object_array_add(layers, o);
    }
    json_object_object_add(doc, "layers", layers);
    im->manifest = strdup(json_object_to_json_string_ext(doc, JSON_COMPACT));
    json_object_put(doc);
    char hex[MD_SHA256_HEX_LEN + 1];
    if (im->manifest == NULL) return md_error(err, ENOMEM, "load");
    int r = md_sha256_buf(im->manifest, strlen(im->manifest), hex, err);
    snprintf(im->manifest_digest, sizeof(im->manifest_digest), "sha256:%s", hex);
    return r;
}

static int add_tag(struct img *im, const char *name, md_error_t **err)
{
    cleanup_free char *tag = md_image_normalize_ref(name, err);
    if (tag == NULL) return -EINVAL;
    return md_strv_append(&im->tags, tag) < 0 ? md_error(err, ENOMEM, "load") : 0;
}

static int report(struct load *l, const char *what, const char *name)
{
    cleanup_free char *line = NULL;
    return asprintf(&line, "Loaded image%s: %s", what, name) < 0 ? -ENOMEM
                                                                 : md_strv_append(&l->report, line);
}

static int load_commit(struct load *l, struct img *im, md_error_t **err)
{
    cleanup_close int lock = md_image_store_lock(err);
    if (lock < 0) return lock;
    int r = 0;
    long long size = 0, one;
    for (size_t i = 0; r == 0 && i < l->n; i++)
        if (l->files[i].used) r = md_load_place(l, &l->files[i], err);
    for (size_t i = 0; r == 0 && i < im->n; i++) {
        char dir[PATH_MAX];
        if (md_image_layer_path(dir, sizeof(dir), im->layers[i]->diff_id) < 0)
            r = md_error(err, ENAMETOOLONG, "layer path");
        else if (!md_path_exists(dir))
            r = md_error(err, 0, "layer %s vanished during the load", im->layers[i]->diff_id);
        else if ((r = md_layer_du(dir, &one, err)) == 0)
            size += one;
    }
    if (r == 0 && im->manifest)
        r = md_store_put_blob(im->manifest, strlen(im->manifest), im->manifest_digest + 7, err);
    for (size_t i = 0; r == 0 && (i == 0 || im->tags[i]); i++) {
        r = md_image_register(im->id, im->manifest_digest, size, im->tags[i], err);
        if (r == 0 && (im->tags[i] ? report(l, "", im->tags[i]) : report(l, " ID", im->id)) < 0)
            r = md_error(err, ENOMEM, "load");
        if (im->tags[i] == NULL) break;
    }
    return r;
}

/* Unpack layer i (file f) of the image, checked against the config. */
static int take_layer(struct load *l, struct img *im, json_object *config, struct load_file *f,
                      md_error_t **err)
{
    const char *diff_id = diff_id_at(config, im->n);
    if (diff_id == NULL)
        return md_error(err, 0, "%s: more layers than the config's diff_ids", im->id);
    int r = md_load_unpack(l, f, diff_id, err);
    if (r < 0) return r;
    snprintf(f->diff_id, sizeof(f->diff_id), "%s", diff_id);
    f->used = 1;
    im->layers[im->n++] = f;
    return 0;
}

/* ---- docker-archive ---- */

static int docker_image(struct load *l, json_object *entry, md_error_t **err)
{
    struct img im = {0};
    json_object *cfg = NULL, *layers = NULL, *tags;
    const char *cpath = json_object_get_string(json_object_object_get(entry, "Config"));
    int r = 0;
    if (cpath == NULL || (im.config = md_load_find(l, cpath)) == NULL)
        r = md_error(err, 0, "manifest.json: config %s not in the archive", cpath ? cpath : "");
    if (r == 0) r = load_config(l, &im, &cfg, err);
    if (r == 0 && (!json_object_object_get_ex(entry, "Layers", &layers) ||
                   json_object_array_length(layers) != diff_id_count(cfg)))
        r = md_error(err, 0, "manifest.json: layers do not match the config of %s", im.id);
    for (size_t i = 0; r == 0 && i < json_object_array_length(layers); i++) {
        const char *p = json_object_get_string(json_object_array_get_idx(layers, i));
        struct load_file *f = p ? md_load_find(l, p) : NULL;
        r = f ? take_layer(l, &im, cfg, f, err)
              : md_error(err, 0, "layer %s not in the archive", p ? p : "");
    }
    if ((im.tags = calloc(1, sizeof(char *))) == NULL) r = md_error(err, ENOMEM, "load");
    if (r == 0 && json_object_object_get_ex(entry, "RepoTags", &tags))
        for (size_t i = 0; r == 0 && i < json_object_array_length(tags); i++)
            r = add_tag(&im, json_object_get_string(json_object_array_get_idx(tags, i)), err);
    if (r == 0) r = gen_manifest(&im, err);
    if (r == 0) r = load_commit(l, &im, err);
    json_object_put(cfg);
    img_clear(&im);
    return r;
}

int md_load_docker(struct load *l, md_error_t **err)
{
    cleanup_free char *text = NULL;
    json_object *doc = NULL;
    int r = md_load_read_json(l, md_load_find(l, "manifest.json"), &text, &doc, err);
    if (r < 0) return r;
    if (!json_object_is_type(doc, json_type_array) || json_object_array_length(doc) == 0)
        r = md_error(err, 0, "manifest.json: no images");
    for (size_t i = 0; r == 0 && i < json_object_array_length(doc); i++)
        r = docker_image(l, json_object_array_get_idx(doc, i), err);
    json_object_put(doc);
    return r;
}

/* ---- OCI image layout ---- */

/* blobs/sha256/<hex> of a descriptor, whose content must hash to that digest */
static struct load_file *oci_blob(struct load *l, const md_desc_t *d, md_error_t **err)
{
    char path[100];
    snprintf(path, sizeof(path), "blobs/sha256/%s", d->digest + 7);
    struct load_file *f = md_load_find(l, path);
    if (f == NULL)
        md_error(err, 0, "%s: not in the archive", path);
    else if (strcmp(f->hex, d->digest + 7) != 0) {
        md_error(err, 0, "%s: digest mismatch (content is sha256:%s)", path, f->hex);
        f = NULL;
    }
    if (f) f->used = 1;
    return f;
}

static int oci_manifest(struct load *l, const md_desc_t *d, md_manifest_t *m, md_error_t **err)
{
    struct load_file *f = oci_blob(l, d, err);
    cleanup_free char *text = NULL;
    size_t len;
    if (f == NULL) return -ENOENT;
    int r = md_read_file(f->tmp, &text, &len, err);
    return r < 0 ? r : md_manifest_parse(text, len, d->media_type, m, err);
}

/* A name from the annotations: a full reference, or a bare tag (no repository: untagged). */
static const char *oci_name(json_object *desc)
{
    json_object *ann = json_object_object_get(desc, "annotations");
    const char *n = json_object_get_string(json_object_object_get(ann, "io.containerd.image.name"));
    if (n) return n;
    n = json_object_get_string(json_object_object_get(ann, "org.opencontainers.image.ref.name"));
    return n && (strchr(n, '/') || strchr(n, ':')) ? n : NULL;
}

static int oci_image(struct load *l, const md_desc_t *top, json_object *desc, md_error_t **err)
{
    struct img im = {0};
    md_manifest_t m = {0};
    json_object *cfg = NULL;
    int r = oci_manifest(l, top, &m, err);
    snprintf(im.manifest_digest, sizeof(im.manifest_digest), "%s", top->digest);
    if (r == 0 && m.is_index) {
        md_desc_t d = {0};
        r = md_index_select(&m, NULL, &d, err);
        md_manifest_clear(&m);
        if (r == 0) r = oci_manifest(l, &d, &m, err);
        md_desc_clear(&d);
        if (r == 0 && m.is_index) r = md_error(err, 0, "index inside an index");
    }
    if (r == 0 && (im.config = oci_blob(l, &m.config, err)) == NULL) r = -ENOENT;
    if (r == 0) r = load_config(l, &im, &cfg, err);
    if (r == 0 && m.n != diff_id_count(cfg))
        r = md_error(err, 0, "%s: layers do not match the config", top->digest);
    for (size_t i = 0; r == 0 && i < m.n; i++) {
        struct load_file *f = oci_blob(l, &m.layers[i], err);
        r = f ? take_layer(l, &im, cfg, f, err) : -ENOENT;
    }
    if (r == 0 && (im.tags = calloc(1, sizeof(char *))) == NULL) r = md_error(err, ENOMEM, "load");
    if (r == 0 && oci_name(desc)) r = add_tag(&im, oci_name(desc), err);
    if (r == 0) r = load_commit(l, &im, err);
    json_object_put(cfg);
    md_manifest_clear(&m);
    img_clear(&im);
    return r;
}

int md_load_oci(struct load *l, md_error_t **err)
{
    cleanup_free char *text = NULL;
    json_object *doc = NULL, *mans;
    int r = md_load_read_json(l, md_load_find(l, "index.json"), &text, &doc, err);
    if (r < 0) return r;
    if (!json_object_object_get_ex(doc, "manifests", &mans) ||
        !json_object_is_type(mans, json_type_array) || json_object_array_length(mans) == 0)
        r = md_error(err, 0, "index.json: no manifests");
    for (size_t i = 0; r == 0 && i < json_object_array_length(mans); i++) {
        md_desc_t d = {0};
        json_object *desc = json_object_array_get_idx(mans, i);
        const char *dg = json_object_get_string(json_object_object_get(desc, "digest"));
        const char *mt = json_object_get_string(json_object_object_get(desc, "mediaType"));
        if (dg == NULL || strncmp(dg, "sha256:", 7) != 0 || !md_image_is_hex(dg + 7, 64))
            r = md_error(err, 0, "index.json: bad digest");
        else if ((d.digest = strdup(dg)) == NULL || (d.media_type = strdup(mt ? mt : "")) == NULL)
            r = md_error(err, ENOMEM, "load");
        else
            r = oci_image(l, &d, desc, err);
        md_desc_clear(&d);
    }
    json_object_put(doc);
    return r;
}
