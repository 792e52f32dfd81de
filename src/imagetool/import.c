/* An image from a tarball (docker import). The slow part (decompressing, hashing, unpacking) writes
 * only temp names carrying our pid; the commit (renames, config and manifest blobs,
 * repositories.json) happens under image/lock, so neither a concurrent rmi's
 * garbage collection nor a crash can leave a half-made layer under a trusted name. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/events.h"
#include "changes.h"
#include "import.h"
#include "digest.h"
#include "image/store.h"
#include "layer.h"
#include "manifest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct import_job {
    char blob_tmp[PATH_MAX]; /* uncompressed tar, until renamed to its digest */
    int blob_fd;
    char *layer_tmp; /* unpacked layer, until renamed to layers/<diffid> */
    char diff_hex[MD_SHA256_HEX_LEN + 1];
    long long tar_size;
    char *config;
    char config_hex[MD_SHA256_HEX_LEN + 1];
    char *manifest;
    char manifest_hex[MD_SHA256_HEX_LEN + 1];
};

static json_object *new_string_array(const char *s)
{
    json_object *a = json_object_new_array();
    json_object_array_add(a, json_object_new_string(s));
    return a;
}

static int build_config(const struct md_import_opts *o, struct import_job *j, md_error_t **err)
{
    char created[64], diff_id[80];
    const char *arch, *variant;
    md_rfc3339_now(created, sizeof(created));
    md_host_platform(&arch, &variant);
    snprintf(diff_id, sizeof(diff_id), "sha256:%s", j->diff_hex);
    cleanup_free char *msg = NULL;
    if (o->message ? (msg = strdup(o->message)) == NULL
                   : asprintf(&msg, "Imported from %s", o->src) < 0)
        return md_error(err, ENOMEM, "image config");

    json_object *cfg = json_object_new_object();
    json_object_object_add(cfg, "Env", new_string_array(DEFAULT_PATH));
    int r = md_changes_apply(cfg, o->changes, err);
    if (r < 0) {
        json_object_put(cfg);
        return r;
    }
    json_object *root = json_object_new_object(), *rootfs = json_object_new_object();
    json_object *hist = json_object_new_object(), *history = json_object_new_array();
    json_object_object_add(root, "architecture", json_object_new_string(arch));
    if (variant) json_object_object_add(root, "variant", json_object_new_string(variant));
    json_object_object_add(root, "os", json_object_new_string("linux"));
    json_object_object_add(root, "created", json_object_new_string(created));
    json_object_object_add(root, "comment", json_object_new_string(msg));
    json_object_object_add(root, "config", cfg);
    json_object_object_add(rootfs, "type", json_object_new_string("layers"));
    json_object_object_add(rootfs, "diff_ids", new_string_array(diff_id));
    json_object_object_add(root, "rootfs", rootfs);
    json_object_object_add(hist, "created", json_object_new_string(created));
    json_object_object_add(hist, "comment", json_object_new_string(msg));
    json_object_array_add(history, hist);
    json_object_object_add(root, "history", history);
    const char *text = json_object_to_json_string_ext(root, JSON_FLAGS);
    j->config = text ? strdup(text) : NULL;
    json_object_put(root);
    if (j->config == NULL) return md_error(err, ENOMEM, "image config");
    return md_sha256_buf(j->config, strlen(j->config), j->config_hex, err);
}

static json_object *descriptor(const char *media_type, const char *hex, long long size)
{
    char digest[80];
    snprintf(digest, sizeof(digest), "sha256:%s", hex);
    json_object *d = json_object_new_object();
    json_object_object_add(d, "mediaType", json_object_new_string(media_type));
    json_object_object_add(d, "digest", json_object_new_string(digest));
    json_object_object_add(d, "size", json_object_new_int64(size));
    return d;
}

static int build_manifest(struct import_job *j, md_error_t **err)
{
    json_object *m = json_object_new_object(), *layers = json_object_new_array();
    json_object_object_add(m, "schemaVersion", json_object_new_int(2));
    json_object_object_add(m, "mediaType",
                           json_object_new_string("application/vnd.oci.image.manifest.v1+json"));
    json_object_object_add(m, "config",
                           descriptor("application/vnd.oci.image.config.v1+json", j->config_hex,
                                      (long long)strlen(j->config)));
    json_object_array_add(
        layers, descriptor("application/vnd.oci.image.layer.v1.tar", j->diff_hex, j->tar_size));
    json_object_object_add(m, "layers", layers);
    const char *text = json_object_to_json_string_ext(m, JSON_FLAGS);
    j->manifest = text ? strdup(text) : NULL;
    json_object_put(m);
    if (j->manifest == NULL) return md_error(err, ENOMEM, "manifest");
    return md_sha256_buf(j->manifest, strlen(j->manifest), j->manifest_hex, err);
}

static int open_source(const char *src, md_error_t **err)
{
    int fd = strcmp(src, "-") == 0 ? fcntl(0, F_DUPFD_CLOEXEC, 3) : open(src, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? md_error(err, errno, "open %s", src) : fd;
}

/* Decompress the source into a temp blob, and unpack it unless that layer exists. */
static int stage_layer(const char *src, struct import_job *j, md_error_t **err)
{
    char dir[PATH_MAX], layer[PATH_MAX];
    if (md_image_path(dir, sizeof(dir), "blobs/sha256") < 0 ||
        snprintf(j->blob_tmp, sizeof(j->blob_tmp), "%s/.tmp-%d-import-XXXXXX", dir,
                 (int)getpid()) >= (int)sizeof(j->blob_tmp))
        return md_error(err, ENAMETOOLONG, "blob path");
    if ((j->blob_fd = mkostemp(j->blob_tmp, O_CLOEXEC)) < 0) {
        j->blob_tmp[0] = '\0';
        return md_error(err, errno, "create temp blob in %s", dir);
    }
    cleanup_close int in = open_source(src, err);
    if (in < 0) return in;
    int r = md_layer_decompress(in, j->blob_fd, j->diff_hex, &j->tar_size, err);
    if (r < 0) return md_error_prefix(err, "import %s", src);
    if (fsync(j->blob_fd) < 0) return md_error(err, errno, "fsync %s", j->blob_tmp);
    if (md_image_layer_path(layer, sizeof(layer), j->diff_hex) < 0)
        return md_error(err, ENAMETOOLONG, "layer path");
    if (md_path_exists(layer)) return 0; /* re-checked under the lock */
    if (lseek(j->blob_fd, 0, SEEK_SET) < 0) return md_error(err, errno, "seek %s", j->blob_tmp);
    if ((r = md_layer_unpack_tmp(j->blob_fd, &j->layer_tmp, err)) < 0)
        md_error_prefix(err, "import %s", src);
    return r;
}

static int place_blob(struct import_job *j, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_blob_path(path, sizeof(path), j->diff_hex) < 0)
        return md_error(err, ENAMETOOLONG, "blob path");
    /* content-addressed: when the name exists, the same bytes are already there */
    if (md_path_exists(path) ? unlink(j->blob_tmp) < 0 : rename(j->blob_tmp, path) < 0)
        return md_error(err, errno, "place blob %s", path);
    j->blob_tmp[0] = '\0';
    return 0;
}

static int write_blob(const char *text, const char *hex, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_blob_path(path, sizeof(path), hex) < 0)
        return md_error(err, ENAMETOOLONG, "blob path");
    if (md_path_exists(path)) return 0;
    return md_write_file_atomic(path, text, strlen(text), 0644, 1, err);
}

/* Lock held: move the unpacked layer into place (unpacking now if it was there
 * when we looked and has been collected since). */
static int place_layer(struct import_job *j, const char *layer, md_error_t **err)
{
    if (md_path_exists(layer)) return j->layer_tmp ? md_rm_rf(j->layer_tmp, err) : 0;
    if (j->layer_tmp == NULL) {
        if (lseek(j->blob_fd, 0, SEEK_SET) < 0) return md_error(err, errno, "seek %s", j->blob_tmp);
        int r = md_layer_unpack_tmp(j->blob_fd, &j->layer_tmp, err);
        if (r < 0) return r;
    }
    if (rename(j->layer_tmp, layer) < 0) return md_error(err, errno, "rename %s", layer);
    free(j->layer_tmp);
    j->layer_tmp = NULL;
    return 0;
}

static int commit(struct import_job *j, const char *tag, md_error_t **err)
{
    char layer[PATH_MAX], id[80], manifest[80];
    long long size = -1;
    cleanup_close int lock = md_image_store_lock(err);
    if (lock < 0) return lock;
    if (md_image_layer_path(layer, sizeof(layer), j->diff_hex) < 0)
        return md_error(err, ENAMETOOLONG, "layer path");
    int r = place_layer(j, layer, err);
    if (r == 0) r = place_blob(j, err);
    if (r == 0) r = md_layer_du(layer, &size, err);
    if (r == 0) r = write_blob(j->config, j->config_hex, err);
    if (r == 0) r = write_blob(j->manifest, j->manifest_hex, err);
    snprintf(id, sizeof(id), "sha256:%s", j->config_hex);
    snprintf(manifest, sizeof(manifest), "sha256:%s", j->manifest_hex);
    if (r == 0) r = md_image_register(id, manifest, size, tag, err);
    return r;
}

static void job_cleanup(struct import_job *j)
{
    if (j->blob_fd >= 0) close(j->blob_fd);
    if (j->blob_tmp[0]) unlink(j->blob_tmp);
    if (j->layer_tmp) md_rm_rf(j->layer_tmp, NULL);
    free(j->layer_tmp);
    free(j->config);
    free(j->manifest);
}

int md_image_import(const struct md_import_opts *o, char id[72], md_error_t **err)
{
    cleanup_free char *tag = NULL;
    if (o->ref && (tag = md_image_normalize_ref(o->ref, err)) == NULL) return -EINVAL;
    /* a bad -c should fail before the slow part: try the changes on a scratch config */
    json_object *scratch = json_object_new_object();
    int r = md_changes_apply(scratch, o->changes, err);
    json_object_put(scratch);
    if (r < 0 || (r = md_image_store_init(err)) < 0) return r;
    struct import_job j = {.blob_fd = -1};
    r = stage_layer(o->src, &j, err);
    if (r == 0) r = build_config(o, &j, err);
    if (r == 0) r = build_manifest(&j, err);
    if (r == 0) r = commit(&j, tag, err);
    if (r == 0) snprintf(id, 72, "sha256:%s", j.config_hex);
    if (r == 0) md_image_event("import", id, tag);
    job_cleanup(&j);
    return r;
}
