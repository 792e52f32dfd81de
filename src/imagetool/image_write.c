#include "imagetool/image_write.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "image/store.h"
#include "manifest.h"
#include "tarwrite.h"
#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

char *const md_image_mount_points[] = {"etc/hosts", "etc/hostname", "etc/resolv.conf", NULL};

struct writer {
    const struct md_image_write *w;
    char blob_tmp[PATH_MAX];
    char diff_hex[MD_SHA256_HEX_LEN + 1];
    long long tar_size;
    char *layer_dir;
    char *config, *manifest;
    char config_hex[MD_SHA256_HEX_LEN + 1], manifest_hex[MD_SHA256_HEX_LEN + 1];
};

static int tar_layer(struct writer *c, md_error_t **err)
{
    char dir[PATH_MAX];
    if (md_image_path(dir, sizeof(dir), "blobs/sha256") < 0 ||
        snprintf(c->blob_tmp, sizeof(c->blob_tmp), "%s/.tmp-%d-layer", dir, (int)getpid()) >=
            (int)sizeof(c->blob_tmp))
        return md_error(err, ENAMETOOLONG, "layer");
    cleanup_close int fd = open(c->blob_tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return c->blob_tmp[0] = '\0', md_error(err, errno, "create %s", c->blob_tmp);
    int r = md_tar_dir(c->w->layer_fd, c->w->tar_flags, c->w->exclude, fd, c->diff_hex,
                       &c->tar_size, err);
    if (r == 0 && fsync(fd) < 0) r = md_error(err, errno, "fsync %s", c->blob_tmp);
    char diff_id[80];
    snprintf(diff_id, sizeof(diff_id), "sha256:%s", c->diff_hex);
    if (r == 0) r = md_unpack_blob(fd, diff_id, &c->layer_dir, NULL, err);
    return r;
}

static json_object *array_in(json_object *o, const char *key)
{
    json_object *a;
    if (json_object_object_get_ex(o, key, &a) && json_object_is_type(a, json_type_array)) return a;
    a = json_object_new_array();
    json_object_object_add(o, key, a);
    return a;
}

static void add_history(struct writer *c, const char *created)
{
    const struct md_image_write *w = c->w;
    json_object *e = json_object_new_object();
    json_object_object_add(e, "created", json_object_new_string(created));
    if (w->created_by)
        json_object_object_add(e, "created_by", json_object_new_string(w->created_by));
    if (w->author) json_object_object_add(e, "author", json_object_new_string(w->author));
    if (w->comment) json_object_object_add(e, "comment", json_object_new_string(w->comment));
    if (w->layer_fd < 0) json_object_object_add(e, "empty_layer", json_object_new_boolean(1));
    json_object_array_add(array_in(w->root, "history"), e);
}

static int finish_config(struct writer *c, md_error_t **err)
{
    json_object *root = c->w->root, *rootfs;
    char created[64];
    if (c->w->created)
        snprintf(created, sizeof(created), "%s", c->w->created);
    else
        md_rfc3339_now(created, sizeof(created));
    json_object_object_add(root, "created", json_object_new_string(created));
    if (!json_object_object_get_ex(root, "rootfs", &rootfs)) {
        rootfs = json_object_new_object();
        json_object_object_add(rootfs, "type", json_object_new_string("layers"));
        json_object_object_add(root, "rootfs", rootfs);
    }
    if (c->w->layer_fd >= 0) {
        char diff_id[80];
        snprintf(diff_id, sizeof(diff_id), "sha256:%s", c->diff_hex);
        json_object_array_add(array_in(rootfs, "diff_ids"), json_object_new_string(diff_id));
    } else {
        array_in(rootfs, "diff_ids");
    }
    if (!c->w->no_history) add_history(c, created);
    c->config = strdup(json_object_to_json_string_ext(root, JSON_COMPACT));
    return c->config ? md_sha256_buf(c->config, strlen(c->config), c->config_hex, err)
                     : md_error(err, ENOMEM, "image config");
}

static json_object *desc(const char *mt, const char *digest, long long size)
{
    json_object *d = json_object_new_object();
    json_object_object_add(d, "mediaType", json_object_new_string(mt));
    json_object_object_add(d, "digest", json_object_new_string(digest));
    json_object_object_add(d, "size", json_object_new_int64(size));
    return d;
}

static int parent_layers(struct writer *c, json_object *layers, md_error_t **err)
{
    if (c->w->parent_id == NULL) return 0;
    cleanup_free char *text = NULL;
    size_t len;
    int r = md_store_read_blob(c->w->parent_id, &text, &len, err);
    json_object *parent = r == 0 ? json_tokener_parse(text) : NULL;
    if (r == 0 && parent == NULL) r = md_error(err, 0, "image %s: bad config", c->w->parent_id);
    md_layer_src_t *l = NULL;
    size_t n = 0;
    if (r == 0) r = md_image_layer_srcs(c->w->parent_id, parent, &l, &n, err);
    for (size_t i = 0; r == 0 && i < n; i++) {
        const char *mt = strcmp(l[i].media_type, MT_DOCKER_LAYER_GZIP) == 0 ? MT_OCI_LAYER_GZIP
                                                                            : l[i].media_type;
        json_object_array_add(layers, desc(mt, l[i].digest, l[i].size));
    }
    if (r == 0) md_layer_srcs_free(l, n);
    json_object_put(parent);
    return r;
}

static int build_manifest(struct writer *c, md_error_t **err)
{
    json_object *m = json_object_new_object(), *layers = json_object_new_array();
    char d[80];
    json_object_object_add(m, "schemaVersion", json_object_new_int(2));
    json_object_object_add(m, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
    snprintf(d, sizeof(d), "sha256:%s", c->config_hex);
    json_object_object_add(m, "config", desc(MT_OCI_CONFIG, d, (long long)strlen(c->config)));
    json_object_object_add(m, "layers", layers);
    int r = parent_layers(c, layers, err);
    if (r == 0 && c->w->layer_fd >= 0) {
        snprintf(d, sizeof(d), "sha256:%s", c->diff_hex);
        json_object_array_add(layers, desc(MT_OCI_LAYER, d, c->tar_size));
    }
    if (r == 0) c->manifest = strdup(json_object_to_json_string_ext(m, JSON_COMPACT));
    json_object_put(m);
    if (r < 0) return r;
    if (c->manifest == NULL) return md_error(err, ENOMEM, "manifest");
    return md_sha256_buf(c->manifest, strlen(c->manifest), c->manifest_hex, err);
}

/* the blob and the unpacked layer into place (or dropped: the store has them already) */
static int place_layer(struct writer *c, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_blob_path(path, sizeof(path), c->diff_hex) < 0)
        return md_error(err, ENAMETOOLONG, "layer");
    if ((md_path_exists(path) ? unlink(c->blob_tmp) : rename(c->blob_tmp, path)) < 0)
        return md_error(err, errno, "place blob %s", path);
    c->blob_tmp[0] = '\0';
    if (md_image_layer_path(path, sizeof(path), c->diff_hex) < 0)
        return md_error(err, ENAMETOOLONG, "layer");
    if ((md_path_exists(path) ? md_rm_rf(c->layer_dir, NULL) : rename(c->layer_dir, path)) < 0)
        return md_error(err, errno, "place layer %s", path);
    free(c->layer_dir);
    c->layer_dir = NULL;
    return 0;
}

static int store(struct writer *c, md_error_t **err)
{
    char id[80], man[80];
    cleanup_close int lock = md_image_store_lock(err);
    if (lock < 0) return lock;
    int r = c->w->layer_fd >= 0 ? place_layer(c, err) : 0;
    if (r == 0) r = md_store_put_blob(c->config, strlen(c->config), c->config_hex, err);
    if (r == 0) r = md_store_put_blob(c->manifest, strlen(c->manifest), c->manifest_hex, err);
    snprintf(id, sizeof(id), "sha256:%s", c->config_hex);
    snprintf(man, sizeof(man), "sha256:%s", c->manifest_hex);
    if (r == 0) r = md_image_register(id, man, -1, c->w->tag, err);
    return r;
}

int md_image_write(const struct md_image_write *w, char id[72], md_error_t **err)
{
    struct writer c = {.w = w};
    int r = md_image_store_init(err);
    if (r == 0 && w->layer_fd >= 0) r = tar_layer(&c, err);
    if (r == 0) r = finish_config(&c, err);
    if (r == 0) r = build_manifest(&c, err);
    if (r == 0) r = store(&c, err);
    if (r == 0) snprintf(id, 72, "sha256:%s", c.config_hex);
    if (c.blob_tmp[0]) unlink(c.blob_tmp);
    if (c.layer_dir) md_rm_rf(c.layer_dir, NULL);
    free(c.layer_dir), free(c.config), free(c.manifest);
    return r;
}
