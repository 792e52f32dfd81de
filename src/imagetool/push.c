/* Pushing an image. For each layer blob and the config: HEAD (already there?), else POST an
 * upload session and send the bytes, in one PUT (monolithic) or, for blobs
 * above the chunk size, PATCH chunks then a closing PUT with the digest. Then
 * PUT the manifest. An image that came from a registry is pushed with its
 * manifest byte for byte, so its digest is the same everywhere. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/events.h"
#include "digest.h"
#include "image/store.h"
#include "manifest.h"
#include "progress.h"
#include "push.h"
#include "registry.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define DEFAULT_CHUNK (64LL << 20)

struct push {
    md_image_ref_t ref;
    md_reg_t *reg;
    md_progress_t prog;
    char *id, *config;
    size_t config_len;
    json_object *config_doc;
    md_layer_src_t *layers;
    size_t n;
    char *manifest, *manifest_type;
    long long chunk;
};

static int reg_fail(const md_reg_resp_t *resp, const char *what, md_error_t **err)
{
    cleanup_free char *t = md_reg_error_text(resp);
    return md_error(err, 0, "%s: %s", what, t ? t : "error");
}

static int blob_present(struct push *p, const char *digest, int *present, md_error_t **err)
{
    char url[128];
    snprintf(url, sizeof(url), "/blobs/%s", digest);
    md_reg_req_t q = {.method = "HEAD", .url = url, .body_fd = -1};
    md_reg_resp_t resp = {0};
    int r = md_reg_do(p->reg, &q, &resp, err);
    *present = r == 0 && resp.status == 200;
    md_reg_resp_clear(&resp);
    return r;
}

/* location + "digest=<d>" with the right separator */
static char *with_digest(const char *location, const char *digest)
{
    char *url = NULL;
    return asprintf(&url, "%s%sdigest=%s", location, strchr(location, '?') ? "&" : "?", digest) < 0
               ? NULL
               : url;
}

static int start_upload(struct push *p, char **location, md_error_t **err)
{
    md_reg_req_t q = {.method = "POST", .url = "/blobs/uploads/", .body_fd = -1};
    md_reg_resp_t resp = {0};
    int r = md_reg_do(p->reg, &q, &resp, err);
    if (r == 0 && (resp.status != 202 || resp.location == NULL))
        r = reg_fail(&resp, "start upload", err);
    if (r == 0) *location = md_steal_ptr(&resp.location);
    md_reg_resp_clear(&resp);
    return r;
}

/* PATCH the blob in chunks; *location follows the registry's answers. */
static int send_chunks(struct push *p, char **location, int fd, long long size, int line,
                       md_error_t **err)
{
    for (long long off = 0; off < size; off += p->chunk) {
        long long len = size - off < p->chunk ? size - off : p->chunk;
        char range[96];
        snprintf(range, sizeof(range), "Content-Range: %lld-%lld", off, off + len - 1);
        md_reg_req_t q = {.method = "PATCH",
                          .url = *location,
                          .body_fd = fd,
                          .body_off = off,
                          .body_len = (size_t)len,
                          .content_type = "application/octet-stream",
                          .extra_header = range};
        md_reg_resp_t resp = {0};
        int r = md_reg_do(p->reg, &q, &resp, err);
        if (r == 0 && (resp.status != 202 || resp.location == NULL))
            r = reg_fail(&resp, "upload chunk", err);
        if (r == 0) {
            free(*location);
            *location = md_steal_ptr(&resp.location);
        }
        md_reg_resp_clear(&resp);
        if (r < 0) return r;
        md_progress_bar(&p->prog, line, "Pushing", off + len, size);
    }
    return 0;
}

static int upload_blob(struct push *p, const char *digest, int fd, long long size, int line,
                       md_error_t **err)
{
    cleanup_free char *location = NULL, *url = NULL;
    int r = start_upload(p, &location, err);
    int chunked = size > p->chunk;
    if (r == 0 && chunked) r = send_chunks(p, &location, fd, size, line, err);
    if (r == 0 && (url = with_digest(location, digest)) == NULL) r = md_error(err, ENOMEM, "push");
    if (r < 0) return r;
    md_reg_req_t q = {.method = "PUT",
                      .url = url,
                      .body_fd = chunked ? -1 : fd,
                      .body_len = chunked ? 0 : (size_t)size,
                      .content_type = "application/octet-stream"};
    md_reg_resp_t resp = {0};
    r = md_reg_do(p->reg, &q, &resp, err);
    if (r == 0 && resp.status != 201) r = reg_fail(&resp, digest, err);
    md_reg_resp_clear(&resp);
    return r;
}

static int push_one(struct push *p, const char *digest, const char *text, size_t text_len, int show,
                    md_error_t **err)
{
    int line = show ? md_progress_add(&p->prog, digest, "Preparing") : -1;
    int present = 0;
    int r = blob_present(p, digest, &present, err);
    if (r < 0 || present) {
        if (r == 0) md_progress_status(&p->prog, line, "Layer already exists");
        return r;
    }
    md_progress_status(&p->prog, line, "Pushing");
    char path[PATH_MAX];
    cleanup_close int fd = -1;
    long long size = (long long)text_len;
    if (text == NULL) {
        if (md_image_blob_path(path, sizeof(path), digest) < 0)
            return md_error(err, ENAMETOOLONG, "blob path");
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            return md_error(err, errno, "open %s", path);
        if ((size = lseek(fd, 0, SEEK_END)) < 0) return md_error(err, errno, "size of %s", path);
        r = upload_blob(p, digest, fd, size, line, err);
    } else {
        /* small in-memory blob (the config): a memory body */
        cleanup_free char *location = NULL, *url = NULL;
        r = start_upload(p, &location, err);
        if (r == 0 && (url = with_digest(location, digest)) == NULL)
            r = md_error(err, ENOMEM, "push");
        md_reg_req_t q = {.method = "PUT",
                          .url = url,
                          .body = text,
                          .body_len = text_len,
                          .body_fd = -1,
                          .content_type = "application/octet-stream"};
        md_reg_resp_t resp = {0};
        if (r == 0) r = md_reg_do(p->reg, &q, &resp, err);
        if (r == 0 && resp.status != 201) r = reg_fail(&resp, digest, err);
        md_reg_resp_clear(&resp);
    }
    if (r == 0) md_progress_status(&p->prog, line, "Pushed");
    return r;
}

/* The stored manifest when it describes exactly our blobs; else a new OCI one. */
static int choose_manifest(struct push *p, md_error_t **err)
{
    cleanup_free char *text = NULL, *digest = NULL;
    md_manifest_t m;
    if (md_local_manifest(p->id, &text, &digest, NULL) == 0 &&
        md_manifest_parse(text, strlen(text), NULL, &m, NULL) == 0) {
        int same = m.n == p->n;
        for (size_t i = 0; same && i < p->n; i++)
            same = strcmp(m.layers[i].digest, p->layers[i].digest) == 0;
        p->manifest_type = same ? strdup(m.media_type) : NULL;
        md_manifest_clear(&m);
        if (same) {
            p->manifest = md_steal_ptr(&text);
            return p->manifest_type ? 0 : md_error(err, ENOMEM, "push");
        }
    }
    json_object *doc = json_object_new_object(), *layers = json_object_new_array(), *c;
    json_object_object_add(doc, "schemaVersion", json_object_new_int(2));
    json_object_object_add(doc, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
    c = json_object_new_object();
    json_object_object_add(c, "mediaType", json_object_new_string(MT_OCI_CONFIG));
    json_object_object_add(c, "digest", json_object_new_string(p->id));
    json_object_object_add(c, "size", json_object_new_int64((int64_t)p->config_len));
    json_object_object_add(doc, "config", c);
    for (size_t i = 0; i < p->n; i++) {
        json_object *l = json_object_new_object();
        const char *mt = p->layers[i].media_type;
        if (strcmp(mt, MT_DOCKER_LAYER_GZIP) == 0) mt = MT_OCI_LAYER_GZIP;
        json_object_object_add(l, "mediaType", json_object_new_string(mt));
        json_object_object_add(l, "digest", json_object_new_string(p->layers[i].digest));
        json_object_object_add(l, "size", json_object_new_int64(p->layers[i].size));
        json_object_array_add(layers, l);
    }
    json_object_object_add(doc, "layers", layers);
    p->manifest = strdup(json_object_to_json_string_ext(doc, JSON_COMPACT));
    p->manifest_type = strdup(MT_OCI_MANIFEST);
    json_object_put(doc);
    return p->manifest && p->manifest_type ? 0 : md_error(err, ENOMEM, "push");
}

static int put_manifest(struct push *p, char hex[MD_SHA256_HEX_LEN + 1], md_error_t **err)
{
    char url[256];
    snprintf(url, sizeof(url), "/manifests/%s", p->ref.tag);
    md_reg_req_t q = {.method = "PUT",
                      .url = url,
                      .body = p->manifest,
                      .body_len = strlen(p->manifest),
                      .body_fd = -1,
                      .content_type = p->manifest_type};
    md_reg_resp_t resp = {0};
    int r = md_sha256_buf(p->manifest, strlen(p->manifest), hex, err);
    if (r == 0) r = md_reg_do(p->reg, &q, &resp, err);
    if (r == 0 && resp.status != 201) r = reg_fail(&resp, "put manifest", err);
    md_reg_resp_clear(&resp);
    return r;
}

static int load_image(struct push *p, const char *name, md_error_t **err)
{
    int r = md_image_resolve(name, &p->id, NULL, err);
    if (r < 0) return md_error_prefix(err, "An image does not exist locally with the tag"), r;
    if ((r = md_store_read_blob(p->id, &p->config, &p->config_len, err)) < 0) return r;
    if ((p->config_doc = json_tokener_parse(p->config)) == NULL)
        return md_error(err, 0, "image %s: bad config", p->id);
    if ((r = md_image_layer_srcs(p->id, p->config_doc, &p->layers, &p->n, err)) < 0) return r;
    for (size_t i = 0; i < p->n; i++)
        if (p->layers[i].size < 0)
            return md_error(err, 0, "image %s: the blob of layer %s is missing", name,
                            p->layers[i].diff_id);
    return 0;
}

static int do_push(struct push *p, const char *name, md_error_t **err)
{
    int r = md_image_ref_parse(name, &p->ref, err);
    if (r < 0) return r;
    if (p->ref.digest) return md_error(err, 0, "cannot push a digest reference");
    if ((r = load_image(p, name, err)) < 0 || (r = choose_manifest(p, err)) < 0) return r;
    md_progress_line(&p->prog, "The push refers to repository [%s/%s]", p->ref.domain, p->ref.path);
    if ((r = md_reg_open(&p->ref, "pull,push", &p->reg, err)) < 0) return r;
    for (size_t i = p->n; r == 0 && i > 0; i--) { /* docker lists the top layer first */
        int dup = 0;
        for (size_t j = p->n; j > i; j--)
            dup |= strcmp(p->layers[j - 1].digest, p->layers[i - 1].digest) == 0;
        if (!dup) r = push_one(p, p->layers[i - 1].digest, NULL, 0, 1, err);
    }
    if (r == 0) r = push_one(p, p->id, p->config, p->config_len, 0, err);
    char hex[MD_SHA256_HEX_LEN + 1];
    if (r == 0) r = put_manifest(p, hex, err);
    if (r < 0) return r;
    md_progress_line(&p->prog, "%s: digest: sha256:%s size: %zu", p->ref.tag, hex,
                     strlen(p->manifest));
    /* remember the digest (docker's RepoDigests) and keep the manifest we sent */
    cleanup_free char *rd = NULL;
    if (asprintf(&rd, "%s@sha256:%s", p->ref.familiar, hex) < 0)
        return md_error(err, ENOMEM, "push");
    cleanup_close int lock = md_image_store_lock(err);
    if (lock < 0) return lock;
    if ((r = md_store_put_blob(p->manifest, strlen(p->manifest), hex, err)) < 0) return r;
    return md_image_add_repo_digest(p->id, rd, err);
}

int md_image_push(const char *name, const struct md_push_opts *o, md_error_t **err)
{
    struct push p = {.chunk = o && o->chunk > 0 ? o->chunk : DEFAULT_CHUNK};
    md_progress_init(&p.prog, o ? &o->progress : NULL);
    int r = do_push(&p, name, err);
    if (r == 0) md_image_event("push", name, NULL);
    md_reg_close(p.reg);
    md_progress_free(&p.prog);
    md_image_ref_clear(&p.ref);
    md_layer_srcs_free(p.layers, p.n);
    json_object_put(p.config_doc);
    free(p.id), free(p.config), free(p.manifest), free(p.manifest_type);
    return r;
}
