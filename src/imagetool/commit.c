/* A new image from a container. The container's overlay upper dir is the new layer: written as a
 * tar with overlay's whiteouts turned into OCI's (a char device 0:0 NAME -> ".wh.NAME",
 * trusted.overlay.opaque=y -> ".wh..wh..opq"), stored as an uncompressed blob
 * (digest == diff_id) and unpacked like any pulled layer. The new config is
 * the parent's with the container's settings (Cmd, Env, ...), the -c changes,
 * one more diff_id and one more history entry; the parent is not touched.
 * A running container is read as it runs (it is not paused). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changes.h"
#include "commit.h"
#include "digest.h"
#include "store/ctr.h"
#include "image/store.h"
#include "layer.h"
#include "manifest.h"
#include "tarwrite.h"
#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

struct commit {
    struct md_ctr *ctr;
    char *parent_id;
    json_object *parent;
    char blob_tmp[PATH_MAX];
    char diff_hex[MD_SHA256_HEX_LEN + 1];
    long long tar_size;
    char *layer_dir;
    char *config, *manifest;
    char config_hex[MD_SHA256_HEX_LEN + 1], manifest_hex[MD_SHA256_HEX_LEN + 1];
};

/* Bind-mount targets the engine creates in the upper dir: they hold nothing of
 * the container's (its writes go to the bound files), as in docker's init layer. */
static char *const mount_points[] = {"etc/hosts", "etc/hostname", "etc/resolv.conf", NULL};

static int tar_upper(struct commit *c, md_error_t **err)
{
    char dir[PATH_MAX], upper[PATH_MAX];
    if (md_image_path(dir, sizeof(dir), "blobs/sha256") < 0 ||
        snprintf(c->blob_tmp, sizeof(c->blob_tmp), "%s/.tmp-%d-commit", dir, (int)getpid()) >=
            (int)sizeof(c->blob_tmp) ||
        snprintf(upper, sizeof(upper), "%s/upper", c->ctr->dir) >= (int)sizeof(upper))
        return md_error(err, ENAMETOOLONG, "commit");
    cleanup_close int ufd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (ufd < 0) return md_error(err, errno, "open %s", upper);
    cleanup_close int fd = open(c->blob_tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return c->blob_tmp[0] = '\0', md_error(err, errno, "create %s", c->blob_tmp);
    int r = md_tar_dir(ufd, MD_TAR_WHITEOUTS, mount_points, fd, c->diff_hex, &c->tar_size, err);
    if (r == 0 && fsync(fd) < 0) r = md_error(err, errno, "fsync %s", c->blob_tmp);
    char diff_id[80];
    snprintf(diff_id, sizeof(diff_id), "sha256:%s", c->diff_hex);
    if (r == 0) r = md_unpack_blob(fd, diff_id, &c->layer_dir, NULL, err);
    return r;
}

static int has_prefix_in(json_object *env, const char *var)
{
    size_t n = strcspn(var, "=") + 1;
    for (size_t i = 0; env && i < json_object_array_length(env); i++)
        if (strncmp(json_object_get_string(json_object_array_get_idx(env, i)), var, n) == 0)
            return 1;
    return 0;
}

/* The container's settings into the image's "config"; HOSTNAME and HOME set by
 * the engine at run time stay out unless the image had them. */
static void merge_container_config(json_object *cfg, json_object *ctr_cfg)
{
    static const char *keys[] = {"User",        "ExposedPorts", "Cmd",    "Entrypoint",
                                 "Volumes",     "WorkingDir",   "Labels", "StopSignal",
                                 "Healthcheck", "Shell"};
    json_object *v, *penv = NULL;
    json_object_object_get_ex(cfg, "Env", &penv);
    json_object *env = json_object_new_array();
    if (json_object_object_get_ex(ctr_cfg, "Env", &v))
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            const char *e = json_object_get_string(json_object_array_get_idx(v, i));
            if (e == NULL || ((strncmp(e, "HOSTNAME=", 9) == 0 || strncmp(e, "HOME=", 5) == 0) &&
                              !has_prefix_in(penv, e)))
                continue;
            json_object_array_add(env, json_object_new_string(e));
        }
    json_object_object_add(cfg, "Env", env);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (!json_object_object_get_ex(ctr_cfg, keys[i], &v)) continue;
        if (v == NULL ||
            (json_object_is_type(v, json_type_string) && !*json_object_get_string(v)) ||
            (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0))
            json_object_object_del(cfg, keys[i]);
        else
            json_object_object_add(cfg, keys[i], json_object_get(v));
    }
}

static char *created_by(struct md_ctr *ctr)
{
    json_object *path = json_object_object_get(ctr->record, "Path");
    json_object *args = json_object_object_get(ctr->record, "Args");
    char *s = strdup(path ? json_object_get_string(path) : "");
    for (size_t i = 0; s && args && i < json_object_array_length(args); i++) {
        char *n = NULL;
        if (asprintf(&n, "%s %s", s, json_object_get_string(json_object_array_get_idx(args, i))) <
            0)
            n = NULL;
        free(s);
        s = n;
    }
    return s;
}

static void add_history(json_object *root, const struct md_commit_opts *o, struct md_ctr *ctr,
                        const char *created)
{
    json_object *h, *e = json_object_new_object();
    if (!json_object_object_get_ex(root, "history", &h) ||
        !json_object_is_type(h, json_type_array)) {
        h = json_object_new_array();
        json_object_object_add(root, "history", h);
    }
    cleanup_free char *by = created_by(ctr);
    json_object_object_add(e, "created", json_object_new_string(created));
    if (by) json_object_object_add(e, "created_by", json_object_new_string(by));
    if (o->author) json_object_object_add(e, "author", json_object_new_string(o->author));
    if (o->message) json_object_object_add(e, "comment", json_object_new_string(o->message));
    json_object_array_add(h, e);
}

static int build_config(struct commit *c, const struct md_commit_opts *o, md_error_t **err)
{
    json_object *root = NULL, *cfg, *rootfs, *ids;
    char created[64], diff_id[80];
    if (json_object_deep_copy(c->parent, &root, NULL) < 0) return md_error(err, ENOMEM, "commit");
    if (!json_object_object_get_ex(root, "config", &cfg)) {
        cfg = json_object_new_object();
        json_object_object_add(root, "config", cfg);
    }
    merge_container_config(cfg, json_object_object_get(c->ctr->record, "Config"));
    int r = md_changes_apply(cfg, o->changes, err);
    md_rfc3339_now(created, sizeof(created));
    snprintf(diff_id, sizeof(diff_id), "sha256:%s", c->diff_hex);
    json_object_object_add(root, "created", json_object_new_string(created));
    json_object_object_add(root, "container", json_object_new_string(c->ctr->id));
    if (o->author) json_object_object_add(root, "author", json_object_new_string(o->author));
    if (o->message) json_object_object_add(root, "comment", json_object_new_string(o->message));
    if (r == 0 && (!json_object_object_get_ex(root, "rootfs", &rootfs) ||
                   !json_object_object_get_ex(rootfs, "diff_ids", &ids)))
        r = md_error(err, 0, "image %s: config has no rootfs", c->parent_id);
    if (r == 0) {
        json_object_array_add(ids, json_object_new_string(diff_id));
        add_history(root, o, c->ctr, created);
        c->config = strdup(json_object_to_json_string_ext(root, JSON_COMPACT));
        r = c->config ? md_sha256_buf(c->config, strlen(c->config), c->config_hex, err)
                      : md_error(err, ENOMEM, "commit");
    }
    json_object_put(root);
    return r;
}

static json_object *desc(const char *mt, const char *digest, long long size)
{
    json_object *d = json_object_new_object();
    json_object_object_add(d, "mediaType", json_object_new_string(mt));
    json_object_object_add(d, "digest", json_object_new_string(digest));
    json_object_object_add(d, "size", json_object_new_int64(size));
    return d;
}

static int build_manifest(struct commit *c, md_error_t **err)
{
    md_layer_src_t *l = NULL;
    size_t n = 0;
    int r = md_image_layer_srcs(c->parent_id, c->parent, &l, &n, err);
    if (r < 0) return r;
    json_object *m = json_object_new_object(), *layers = json_object_new_array();
    char d[80];
    json_object_object_add(m, "schemaVersion", json_object_new_int(2));
    json_object_object_add(m, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
    snprintf(d, sizeof(d), "sha256:%s", c->config_hex);
    json_object_object_add(m, "config", desc(MT_OCI_CONFIG, d, (long long)strlen(c->config)));
    for (size_t i = 0; i < n; i++) {
        const char *mt = strcmp(l[i].media_type, MT_DOCKER_LAYER_GZIP) == 0 ? MT_OCI_LAYER_GZIP
                                                                            : l[i].media_type;
        json_object_array_add(layers, desc(mt, l[i].digest, l[i].size));
    }
    snprintf(d, sizeof(d), "sha256:%s", c->diff_hex);
    json_object_array_add(layers, desc(MT_OCI_LAYER, d, c->tar_size));
    json_object_object_add(m, "layers", layers);
    c->manifest = strdup(json_object_to_json_string_ext(m, JSON_COMPACT));
    json_object_put(m);
    md_layer_srcs_free(l, n);
    if (c->manifest == NULL) return md_error(err, ENOMEM, "commit");
    return md_sha256_buf(c->manifest, strlen(c->manifest), c->manifest_hex, err);
}

static int store(struct commit *c, const char *tag, md_error_t **err)
{
    char path[PATH_MAX], id[80], man[80];
    cleanup_close int lock = md_image_store_lock(err);
    if (lock < 0) return lock;
    int r = md_image_blob_path(path, sizeof(path), c->diff_hex) < 0 ? -ENAMETOOLONG : 0;
    if (r == 0 && (md_path_exists(path) ? unlink(c->blob_tmp) : rename(c->blob_tmp, path)) < 0)
        r = md_error(err, errno, "place blob %s", path);
    if (r == 0) c->blob_tmp[0] = '\0';
    if (r == 0 && md_image_layer_path(path, sizeof(path), c->diff_hex) < 0) r = -ENAMETOOLONG;
    if (r == 0 &&
        (md_path_exists(path) ? md_rm_rf(c->layer_dir, NULL) : rename(c->layer_dir, path)) < 0)
        r = md_error(err, errno, "place layer %s", path);
    if (r == 0) {
        free(c->layer_dir);
        c->layer_dir = NULL;
    }
    if (r == -ENAMETOOLONG) return md_error(err, ENAMETOOLONG, "commit");
    if (r == 0) r = md_store_put_blob(c->config, strlen(c->config), c->config_hex, err);
    if (r == 0) r = md_store_put_blob(c->manifest, strlen(c->manifest), c->manifest_hex, err);
    snprintf(id, sizeof(id), "sha256:%s", c->config_hex);
    snprintf(man, sizeof(man), "sha256:%s", c->manifest_hex);
    if (r == 0) r = md_image_register(id, man, -1, tag, err);
    return r;
}

static int do_commit(struct commit *c, const struct md_commit_opts *o, md_error_t **err)
{
    cleanup_free char *tag = NULL;
    if (o->ref && (tag = md_image_normalize_ref(o->ref, err)) == NULL) return -EINVAL;
    json_object *scratch = json_object_new_object();
    int r = md_changes_apply(scratch, o->changes, err);
    json_object_put(scratch);
    if (r < 0 || (r = md_ctr_load(o->container, &c->ctr, err)) < 0) return r;
    const char *iid = md_ctr_str(c->ctr, "image_id");
    if (iid == NULL) return md_error(err, 0, "container %s has no image", o->container);
    if ((c->parent_id = strdup(iid)) == NULL) return md_error(err, ENOMEM, "commit");
    cleanup_free char *text = NULL;
    size_t len;
    if ((r = md_store_read_blob(iid, &text, &len, err)) < 0)
        return md_error_prefix(err, "parent image");
    if ((c->parent = json_tokener_parse(text)) == NULL)
        return md_error(err, 0, "image %s: bad config", iid);
    if ((r = md_image_store_init(err)) < 0 || (r = tar_upper(c, err)) < 0 ||
        (r = build_config(c, o, err)) < 0 || (r = build_manifest(c, err)) < 0 ||
        (r = store(c, tag, err)) < 0)
        return r;
    return 0;
}

int md_image_commit(const struct md_commit_opts *o, char id[72], md_error_t **err)
{
    struct commit c = {0};
    int r = do_commit(&c, o, err);
    if (r == 0) snprintf(id, 72, "sha256:%s", c.config_hex);
    if (c.blob_tmp[0]) unlink(c.blob_tmp);
    if (c.layer_dir) md_rm_rf(c.layer_dir, NULL);
    free(c.layer_dir), free(c.config), free(c.manifest), free(c.parent_id);
    json_object_put(c.parent);
    md_ctr_free(c.ctr);
    return r;
}
