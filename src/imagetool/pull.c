/* Pulling an image: manifest (an index picks the platform's) -> config -> layers. Every
 * manifest and blob is hashed and compared with its digest before anything
 * uses it; layers download in parallel into temp names carrying our pid, and
 * each verified blob is unpacked by a worker process while the others are
 * still arriving (its diff_id checked against the config). Only then, under
 * image/lock, are the blobs and layer dirs renamed to their digests and the
 * image recorded: an interrupted pull leaves only temp names, which garbage
 * collection removes once we are gone. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/events.h"
#include "digest.h"
#include "image/store.h"
#include "layer.h"
#include "manifest.h"
#include "progress.h"
#include "pull.h"
#include "registry.h"
#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MAX_MANIFEST (4u << 20)
#define MAX_CONFIG (16u << 20)
#define PARALLEL_DOWNLOADS 4
#define PARALLEL_UNPACKS 2

struct layer {
    const md_desc_t *desc;
    char diff_id[72];
    int line, need_blob, need_unpack, dup_of;
    char tmp_blob[PATH_MAX];
    int fd;
    md_unpack_job_t job;
    int unpacking, unpacked;
};

struct pull {
    md_image_ref_t ref;
    const char *platform;
    md_reg_t *reg;
    md_progress_t prog;
    char *top_text, *top_digest; /* what the tag or digest names (maybe an index) */
    size_t top_len;
    char *man_text, *man_digest; /* the platform's manifest */
    size_t man_len;
    md_manifest_t man;
    char *config;
    size_t config_len;
    json_object *config_doc;
    struct layer *layers;
    size_t n;
    int downloaded;
};

static int blob_exists(const char *digest)
{
    char path[PATH_MAX];
    return md_image_blob_path(path, sizeof(path), digest) == 0 && md_path_exists(path);
}

static int layer_exists(const char *diff_id)
{
    char path[PATH_MAX];
    return md_image_layer_path(path, sizeof(path), diff_id) == 0 && md_path_exists(path);
}

/* GET a manifest by tag or digest; its digest is computed from the bytes and
 * must equal the one asked for (or the one the registry announces). */
static int fetch_manifest(struct pull *p, const char *reference, char **text, size_t *len,
                          char **digest, char **ctype, md_error_t **err)
{
    char url[256], hex[MD_SHA256_HEX_LEN + 1];
    snprintf(url, sizeof(url), "/manifests/%s", reference);
    md_reg_req_t q = {.method = "GET",
                      .url = url,
                      .accept = MT_ACCEPT_ALL,
                      .body_fd = -1,
                      .max_body = MAX_MANIFEST};
    md_reg_resp_t resp = {0};
    int r = md_reg_do(p->reg, &q, &resp, err);
    if (r == 0 && resp.status == 404) {
        r = md_error(err, 0, "manifest for %s:%s not found: manifest unknown", p->ref.familiar,
                     reference);
    } else if (r == 0 && resp.status != 200) {
        cleanup_free char *t = md_reg_error_text(&resp);
        r = md_error(err, 0, "%s", t ? t : "error");
    }
    if (r == 0) r = md_sha256_buf(resp.body, resp.len, hex, err);
    const char *want = strncmp(reference, "sha256:", 7) == 0 ? reference : resp.digest;
    if (r == 0 && want && (strncmp(want, "sha256:", 7) != 0 || strcmp(want + 7, hex) != 0))
        r = md_error(err, 0, "manifest %s: digest mismatch (content is sha256:%s)", want, hex);
    if (r == 0 && (asprintf(digest, "sha256:%s", hex) < 0 ||
                   (*ctype = resp.content_type ? strdup(resp.content_type) : NULL, 0))) {
        *digest = NULL;
        r = md_error(err, ENOMEM, "manifest");
    }
    if (r == 0) {
        *text = md_steal_ptr(&resp.body);
        *len = resp.len;
    }
    md_reg_resp_clear(&resp);
    return r;
}

static int resolve_manifest(struct pull *p, md_error_t **err)
{
    cleanup_free char *ctype = NULL, *ctype2 = NULL;
    const char *reference = p->ref.digest ? p->ref.digest : p->ref.tag;
    int r = fetch_manifest(p, reference, &p->top_text, &p->top_len, &p->top_digest, &ctype, err);
    if (r == 0) r = md_manifest_parse(p->top_text, p->top_len, ctype, &p->man, err);
    if (r < 0 || !p->man.is_index) {
        if (r == 0) {
            p->man_text = strndup(p->top_text, p->top_len);
            p->man_len = p->top_len;
            p->man_digest = strdup(p->top_digest);
            if (p->man_text == NULL || p->man_digest == NULL) r = md_error(err, ENOMEM, "pull");
        }
        return r;
    }
    md_desc_t d = {0};
    r = md_index_select(&p->man, p->platform, &d, err);
    md_manifest_clear(&p->man);
    if (r == 0)
        r = fetch_manifest(p, d.digest, &p->man_text, &p->man_len, &p->man_digest, &ctype2, err);
    if (r == 0) r = md_manifest_parse(p->man_text, p->man_len, ctype2, &p->man, err);
    if (r == 0 && p->man.is_index)
        r = md_error(err, 0, "manifest %s: an index inside an index", d.digest);
    md_desc_clear(&d);
    return r;
}

static int load_config(struct pull *p, md_error_t **err)
{
    const char *digest = p->man.config.digest;
    char hex[MD_SHA256_HEX_LEN + 1];
    int r = -1;
    if (blob_exists(digest) && md_store_read_blob(digest, &p->config, &p->config_len, NULL) == 0 &&
        md_sha256_buf(p->config, p->config_len, hex, NULL) == 0 && strcmp(hex, digest + 7) == 0)
        r = 0;
    if (r < 0) {
        free(p->config);
        p->config = NULL;
        r = md_reg_get_blob_mem(p->reg, digest, MAX_CONFIG, &p->config, &p->config_len, err);
    }
    if (r < 0) return r;
    json_object *rootfs, *ids;
    p->config_doc = json_tokener_parse(p->config);
    if (p->config_doc == NULL || !json_object_object_get_ex(p->config_doc, "rootfs", &rootfs) ||
        !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
        !json_object_is_type(ids, json_type_array))
        return md_error(err, 0, "image config %s: no rootfs.diff_ids", digest);
    if (json_object_array_length(ids) != p->man.n)
        return md_error(err, 0, "image config %s: %zu diff_ids for %zu layers", digest,
                        json_object_array_length(ids), p->man.n);
    return 0;
}

static int plan_layers(struct pull *p, md_error_t **err)
{
    json_object *ids =
        json_object_object_get(json_object_object_get(p->config_doc, "rootfs"), "diff_ids");
    p->n = p->man.n;
    if ((p->layers = calloc(p->n ? p->n : 1, sizeof(*p->layers))) == NULL)
        return md_error(err, ENOMEM, "pull");
    for (size_t i = 0; i < p->n; i++) {
        struct layer *l = &p->layers[i];
        const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
        l->desc = &p->man.layers[i];
        l->fd = -1;
        l->dup_of = -1;
        if (d == NULL || strncmp(d, "sha256:", 7) != 0 || !md_image_is_hex(d + 7, 64))
            return md_error(err, 0, "image config: bad diff_id");
        if (!md_layer_type_ok(l->desc->media_type))
            return md_error(err, 0, "layer %s: unsupported media type %s", l->desc->digest,
                            l->desc->media_type);
        snprintf(l->diff_id, sizeof(l->diff_id), "%s", d);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->layers[j].desc->digest, l->desc->digest) == 0) l->dup_of = (int)j;
        if (l->dup_of >= 0) continue;
        l->need_blob = !blob_exists(l->desc->digest);
        l->need_unpack = !layer_exists(l->diff_id);
        l->line =
            md_progress_add(&p->prog, l->desc->digest,
                            l->need_blob || l->need_unpack ? "Pulling fs layer" : "Already exists");
    }
    return 0;
}

static int running_unpacks(struct pull *p)
{
    int n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += p->layers[i].unpacking;
    return n;
}

static int reap(struct pull *p, int nohang, md_error_t **err)
{
    for (size_t i = 0; i < p->n; i++) {
        struct layer *l = &p->layers[i];
        if (!l->unpacking) continue;
        int r = md_unpack_wait(&l->job, nohang, err);
        if (r == 0) continue;
        l->unpacking = 0;
        if (r < 0) return r;
        l->unpacked = 1;
        md_progress_status(&p->prog, l->line, "Pull complete");
        if (!nohang) return 0; /* one slot freed is enough */
    }
    return 0;
}

static int start_unpack(struct pull *p, struct layer *l, md_error_t **err)
{
    int r = 0;
    while (r == 0 && running_unpacks(p) >= PARALLEL_UNPACKS)
        r = reap(p, 0, err);
    if (r < 0) return r;
    md_progress_status(&p->prog, l->line, "Extracting");
    if ((r = md_unpack_start(&l->job, l->fd, l->diff_id, err)) == 0) l->unpacking = 1;
    return r;
}

static void on_progress(md_blob_dl_t *dl, void *arg)
{
    struct pull *p = arg;
    struct layer *l = dl->user;
    md_progress_bar(&p->prog, l->line, "Downloading", dl->done, dl->size);
}

static int on_done(md_blob_dl_t *dl, void *arg, md_error_t **err)
{
    struct pull *p = arg;
    struct layer *l = dl->user;
    md_progress_status(&p->prog, l->line, "Verifying Checksum");
    md_progress_status(&p->prog, l->line, "Download complete");
    p->downloaded = 1;
    if (l->need_unpack) return start_unpack(p, l, err);
    md_progress_status(&p->prog, l->line, "Pull complete"); /* its layer dir was here */
    return 0;
}

static int on_tick(void *arg, md_error_t **err)
{
    return reap(arg, 1, err);
}

static int open_tmp_blob(struct layer *l, md_error_t **err)
{
    char dir[PATH_MAX];
    if (md_image_path(dir, sizeof(dir), "blobs/sha256") < 0 ||
        snprintf(l->tmp_blob, sizeof(l->tmp_blob), "%s/.tmp-%d-%s", dir, (int)getpid(),
                 l->desc->digest + 7) >= (int)sizeof(l->tmp_blob))
        return md_error(err, ENAMETOOLONG, "blob path");
    l->fd = open(l->tmp_blob, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (l->fd < 0) {
        int e = errno;
        l->tmp_blob[0] = '\0';
        return md_error(err, e, "create %s", dir);
    }
    return 0;
}

static int fetch_layers(struct pull *p, md_error_t **err)
{
    md_blob_dl_t *dls = calloc(p->n ? p->n : 1, sizeof(*dls));
    size_t nd = 0;
    int r = dls ? 0 : md_error(err, ENOMEM, "pull");
    for (size_t i = 0; r == 0 && i < p->n; i++) {
        struct layer *l = &p->layers[i];
        if (l->dup_of >= 0) continue;
        if (l->need_blob) {
            if ((r = open_tmp_blob(l, err)) < 0) break;
            dls[nd++] = (md_blob_dl_t){
                .digest = l->desc->digest, .size = l->desc->size, .fd = l->fd, .user = l};
            md_progress_status(&p->prog, l->line, "Waiting");
        } else if (l->need_unpack) { /* the blob is here, the layer dir is not */
            char path[PATH_MAX];
            md_image_blob_path(path, sizeof(path), l->desc->digest);
            if ((l->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                r = md_error(err, errno, "open %s", path);
            else
                r = start_unpack(p, l, err);
        }
    }
    md_blob_cb_t cb = {.progress = on_progress, .done = on_done, .tick = on_tick, .arg = p};
    if (r == 0) r = md_reg_fetch_blobs(p->reg, dls, nd, PARALLEL_DOWNLOADS, &cb, err);
    while (r == 0 && running_unpacks(p) > 0)
        r = reap(p, 0, err);
    free(dls);
    return r;
}

/* ---- commit (image/lock held) ---- */

static int place_layer(struct layer *l, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_blob_path(path, sizeof(path), l->desc->digest) < 0)
        return md_error(err, ENAMETOOLONG, "blob path");
    if (l->tmp_blob[0]) {
        if (md_path_exists(path) ? unlink(l->tmp_blob) < 0 : rename(l->tmp_blob, path) < 0)
            return md_error(err, errno, "place blob %s", path);
        l->tmp_blob[0] = '\0';
    }
    if (md_image_layer_path(path, sizeof(path), l->diff_id) < 0)
        return md_error(err, ENAMETOOLONG, "layer path");
    if (l->job.dir) {
        if (md_path_exists(path) ? md_rm_rf(l->job.dir, err) < 0 : rename(l->job.dir, path) < 0)
            return md_error(err, errno, "place layer %s", path);
        free(l->job.dir);
        l->job.dir = NULL;
    }
    if (md_path_exists(path)) return 0;
    /* collected by a concurrent rmi between our look and the lock: unpack now */
    char blob[PATH_MAX];
    md_image_blob_path(blob, sizeof(blob), l->desc->digest);
    cleanup_close int fd = open(blob, O_RDONLY | O_CLOEXEC);
    cleanup_free char *dir = NULL;
    if (fd < 0) return md_error(err, errno, "layer %s vanished during the pull", l->diff_id);
    int r = md_unpack_blob(fd, l->diff_id, &dir, NULL, err);
    if (r == 0 && rename(dir, path) < 0) r = md_error(err, errno, "place layer %s", path);
    if (r < 0 && dir) md_rm_rf(dir, NULL);
    return r;
}

static int commit(struct pull *p, const char *tag, long long *size, md_error_t **err)
{
    cleanup_close int lock = md_image_store_lock(err);
    if (lock < 0) return lock;
    int r = 0;
    *size = 0;
    for (size_t i = 0; r == 0 && i < p->n; i++) {
        if (p->layers[i].dup_of >= 0) continue;
        long long one = 0;
        char dir[PATH_MAX];
        r = place_layer(&p->layers[i], err);
        if (r == 0 && md_image_layer_path(dir, sizeof(dir), p->layers[i].diff_id) == 0 &&
            (r = md_layer_du(dir, &one, err)) == 0)
            *size += one;
    }
    if (r == 0) r = md_store_put_blob(p->config, p->config_len, p->man.config.digest + 7, err);
    if (r == 0) r = md_store_put_blob(p->man_text, p->man_len, p->man_digest + 7, err);
    if (r == 0) r = md_store_put_blob(p->top_text, p->top_len, p->top_digest + 7, err);
    if (r == 0) r = md_image_register(p->man.config.digest, p->top_digest, *size, tag, err);
    cleanup_free char *rd = NULL;
    if (r == 0 && asprintf(&rd, "%s@%s", p->ref.familiar, p->top_digest) < 0)
        r = md_error(err, ENOMEM, "pull");
    if (r == 0) r = md_image_add_repo_digest(p->man.config.digest, rd, err);
    return r;
}

static void pull_free(struct pull *p)
{
    for (size_t i = 0; p->layers && i < p->n; i++) {
        struct layer *l = &p->layers[i];
        md_unpack_abort(&l->job);
        if (l->fd >= 0) close(l->fd);
        if (l->tmp_blob[0]) unlink(l->tmp_blob);
    }
    free(p->layers);
    md_reg_close(p->reg);
    md_progress_free(&p->prog);
    md_manifest_clear(&p->man);
    json_object_put(p->config_doc);
    free(p->top_text), free(p->top_digest), free(p->man_text), free(p->man_digest), free(p->config);
    md_image_ref_clear(&p->ref);
}

/* The id the reference named before, to tell "up to date" from "newer". */
static char *current_id(const char *name)
{
    char *id = NULL;
    return md_image_resolve(name, &id, NULL, NULL) == 0 ? id : NULL;
}

static int do_pull(struct pull *p, const char *name, const md_progress_sink_t *sink,
                   char **canonical, md_error_t **err)
{
    int r = md_image_ref_parse(name, &p->ref, err);
    if (r < 0) return r;
    cleanup_free char *tag = NULL, *before = NULL;
    if (p->ref.tag && !p->ref.digest && asprintf(&tag, "%s:%s", p->ref.familiar, p->ref.tag) < 0)
        return md_error(err, ENOMEM, "pull");
    md_progress_init(&p->prog, sink);
    md_progress_line(&p->prog, "%s: Pulling from %s", p->ref.digest ? p->ref.digest : p->ref.tag,
                     p->ref.path);
    before = current_id(name);
    if ((r = md_image_store_init(err)) < 0 || (r = md_reg_open(&p->ref, "pull", &p->reg, err)) < 0)
        return r;
    if ((r = resolve_manifest(p, err)) < 0 || (r = load_config(p, err)) < 0 ||
        (r = plan_layers(p, err)) < 0 || (r = fetch_layers(p, err)) < 0)
        return r;
    long long size;
    if ((r = commit(p, tag, &size, err)) < 0) return r;
    int fresh = p->downloaded || before == NULL || strcmp(before, p->man.config.digest) != 0;
    md_progress_line(&p->prog, "Digest: %s", p->top_digest);
    md_progress_line(&p->prog, "Status: %s for %s%s%s",
                     fresh ? "Downloaded newer image" : "Image is up to date", p->ref.familiar,
                     tag ? ":" : "@", tag ? p->ref.tag : p->ref.digest);
    if (canonical && asprintf(canonical, "%s/%s%s%s", p->ref.domain, p->ref.path, tag ? ":" : "@",
                              tag ? p->ref.tag : p->ref.digest) < 0)
        return md_error(err, ENOMEM, "pull");
    return 0;
}

int md_image_pull(const char *name, const struct md_pull_opts *o, char **canonical,
                  md_error_t **err)
{
    struct pull p = {.platform = o ? o->platform : NULL};
    if (canonical) *canonical = NULL;
    int r = do_pull(&p, name, o ? &o->progress : NULL, canonical, err);
    pull_free(&p);
    if (r == 0) md_image_event("pull", canonical && *canonical ? *canonical : name, NULL);
    return r;
}
