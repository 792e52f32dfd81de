/* Images as a docker-archive (docker save), as `docker
 * save` wrote it before its OCI layout years (and as docker, podman and
 * skopeo all read it):
 *
 *   <v1id>/VERSION, <v1id>/json, <v1id>/layer.tar   one dir per layer (uncompressed tar)
 *   <config hex>.json                               the image config, byte for byte
 *   manifest.json   [{"Config": "<hex>.json", "RepoTags": [...], "Layers": ["<v1id>/layer.tar",
 * ...]}] repositories    {"busybox": {"latest": "<top v1id>"}}
 *
 * The config is copied unchanged, so `load` gives back the same image id. A
 * <v1id> is a chain: sha256("<parent v1id> <diff_id>"), so equal layers under
 * different parents stay apart. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "image/store.h"
#include "layer.h"
#include "manifest.h"
#include "save.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

#define BUF_SIZE (1 << 20)

struct save {
    struct archive *a;
    json_object *manifest, *repos;
    char **written; /* v1 ids already in the archive */
    char *buf;
    time_t now;
};

static int fail(struct save *s, const char *what, md_error_t **err)
{
    const char *m = archive_error_string(s->a);
    int e = archive_errno(s->a);
    return md_error(err, e > 0 ? e : 0, "write %s%s%s", what, m ? ": " : "", m ? m : "");
}

static int add_header(struct save *s, const char *name, mode_t type, long long size,
                      md_error_t **err)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
    archive_entry_set_mtime(e, s->now, 0);
    int r = archive_write_header(s->a, e) < ARCHIVE_WARN ? fail(s, name, err) : 0;
    archive_entry_free(e);
    return r;
}

static int add_mem(struct save *s, const char *name, const char *data, size_t len, md_error_t **err)
{
    int r = add_header(s, name, AE_IFREG, (long long)len, err);
    if (r == 0 && len && archive_write_data(s->a, data, len) < 0) r = fail(s, name, err);
    return r;
}

static int add_fd(struct save *s, const char *name, int fd, long long size, md_error_t **err)
{
    int r = add_header(s, name, AE_IFREG, size, err);
    if (r < 0 || lseek(fd, 0, SEEK_SET) < 0) return r < 0 ? r : md_error(err, errno, "seek");
    for (long long left = size; left > 0;) {
        ssize_t n = read(fd, s->buf, left < BUF_SIZE ? (size_t)left : BUF_SIZE);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return md_error(err, n < 0 ? errno : EIO, "read layer for %s", name);
        if (archive_write_data(s->a, s->buf, (size_t)n) < 0) return fail(s, name, err);
        left -= n;
    }
    return 0;
}

/* The uncompressed tar of a layer: its blob as is when that is the tar
 * (digest == diff_id), else decompressed into an unlinked temp file; either
 * way its digest is checked against the diff_id. */
static int layer_tar(const md_layer_src_t *l, int *out, long long *size, md_error_t **err)
{
    char path[PATH_MAX], dir[PATH_MAX], hex[MD_SHA256_HEX_LEN + 1];
    if (l->size < 0) return md_error(err, 0, "layer %s: its blob is missing", l->diff_id);
    if (md_image_blob_path(path, sizeof(path), l->digest) < 0)
        return md_error(err, ENAMETOOLONG, "blob path");
    cleanup_close int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return md_error(err, errno, "open %s", path);
    if (strcmp(l->digest, l->diff_id) == 0) {
        *size = l->size;
        *out = md_steal_fd(&in);
        return 0;
    }
    if (md_image_path(dir, sizeof(dir), "blobs/sha256") < 0)
        return md_error(err, ENAMETOOLONG, "path");
    cleanup_close int tmp = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (tmp < 0) return md_error(err, errno, "temp file in %s", dir);
    int r = md_layer_decompress(in, tmp, hex, size, err);
    if (r == 0 && strcmp(hex, l->diff_id + 7) != 0)
        r = md_error(err, 0, "layer %s: blob %s does not unpack to it", l->diff_id, l->digest);
    if (r == 0) *out = md_steal_fd(&tmp);
    return r;
}

static int add_layer(struct save *s, const md_layer_src_t *l, const char *v1id, const char *parent,
                     md_error_t **err)
{
    char name[128];
    for (char **w = s->written; w && *w; w++)
        if (strcmp(*w, v1id) == 0) return 0;
    cleanup_close int fd = -1;
    long long size = 0;
    int r = layer_tar(l, &fd, &size, err);
    json_object *j = json_object_new_object();
    json_object_object_add(j, "id", json_object_new_string(v1id));
    if (parent) json_object_object_add(j, "parent", json_object_new_string(parent));
    const char *js = json_object_to_json_string_ext(j, JSON_COMPACT);
    snprintf(name, sizeof(name), "%s/", v1id);
    if (r == 0) r = add_header(s, name, AE_IFDIR, 0, err);
    snprintf(name, sizeof(name), "%s/VERSION", v1id);
    if (r == 0) r = add_mem(s, name, "1.0", 3, err);
    snprintf(name, sizeof(name), "%s/json", v1id);
    if (r == 0) r = add_mem(s, name, js, strlen(js), err);
    snprintf(name, sizeof(name), "%s/layer.tar", v1id);
    if (r == 0) r = add_fd(s, name, fd, size, err);
    json_object_put(j);
    if (r == 0 && md_strv_append(&s->written, v1id) < 0) r = md_error(err, ENOMEM, "save");
    return r;
}

/* "busybox:latest" -> repositories["busybox"]["latest"] = top */
static void add_repo_tag(json_object *repos, const char *tag, const char *top)
{
    cleanup_free char *repo = strdup(tag);
    char *colon = repo ? strrchr(repo, ':') : NULL;
    if (colon == NULL || strchr(colon, '/')) return;
    *colon = '\0';
    json_object *r;
    if (!json_object_object_get_ex(repos, repo, &r)) {
        r = json_object_new_object();
        json_object_object_add(repos, repo, r);
    }
    json_object_object_add(r, colon + 1, json_object_new_string(top));
}

static int save_image(struct save *s, const char *ref, md_error_t **err)
{
    cleanup_free char *id = NULL, *name = NULL, *config = NULL;
    size_t clen;
    int r = md_image_resolve(ref, &id, &name, err);
    if (r < 0) return r;
    r = md_store_read_blob(id, &config, &clen, err);
    json_object *cdoc = r == 0 ? json_tokener_parse(config) : NULL;
    md_layer_src_t *layers = NULL;
    size_t n = 0;
    if (r == 0 && cdoc == NULL) r = md_error(err, 0, "image %s: bad config", ref);
    if (r == 0) r = md_image_layer_srcs(id, cdoc, &layers, &n, err);
    json_object *entry = json_object_new_object(), *lpaths = json_object_new_array();
    json_object *tags = json_object_new_array();
    char cname[80], parent[MD_SHA256_HEX_LEN + 1] = "", v1id[MD_SHA256_HEX_LEN + 1];
    snprintf(cname, sizeof(cname), "%s.json", id + 7);
    if (r == 0) r = add_mem(s, cname, config, clen, err);
    for (size_t i = 0; r == 0 && i < n; i++) {
        char chain[200], path[100];
        snprintf(chain, sizeof(chain), "%s %s", parent, layers[i].diff_id);
        if ((r = md_sha256_buf(chain, strlen(chain), v1id, err)) < 0) break;
        r = add_layer(s, &layers[i], v1id, *parent ? parent : NULL, err);
        snprintf(path, sizeof(path), "%s/layer.tar", v1id);
        json_object_array_add(lpaths, json_object_new_string(path));
        memcpy(parent, v1id, sizeof(parent));
    }
    /* a name with '@' is a digest reference: docker saves it untagged */
    if (r == 0 && name && !strchr(name, '@')) {
        json_object_array_add(tags, json_object_new_string(name));
        if (n) add_repo_tag(s->repos, name, parent);
    }
    json_object_object_add(entry, "Config", json_object_new_string(cname));
    json_object_object_add(entry, "RepoTags", tags);
    json_object_object_add(entry, "Layers", lpaths);
    json_object_array_add(s->manifest, entry);
    md_layer_srcs_free(layers, n);
    json_object_put(cdoc);
    return r < 0 ? md_error_prefix(err, "save %s", ref), r : 0;
}

static int save_all(struct save *s, char **refs, int n, int fd, md_error_t **err)
{
    s->a = archive_write_new();
    s->buf = md_xmalloc(BUF_SIZE);
    s->manifest = json_object_new_array();
    s->repos = json_object_new_object();
    s->now = time(NULL);
    int r = s->a && s->buf ? 0 : md_error(err, ENOMEM, "save");
    if (r == 0 && (archive_write_set_format_pax_restricted(s->a) != ARCHIVE_OK ||
                   archive_write_open_fd(s->a, fd) != ARCHIVE_OK))
        r = fail(s, "archive", err);
    for (int i = 0; r == 0 && i < n; i++)
        r = save_image(s, refs[i], err);
    const char *m = json_object_to_json_string_ext(s->manifest, JSON_COMPACT);
    if (r == 0) r = add_mem(s, "manifest.json", m, strlen(m), err);
    const char *rp = json_object_to_json_string_ext(s->repos, JSON_COMPACT);
    if (r == 0 && json_object_object_length(s->repos) > 0)
        r = add_mem(s, "repositories", rp, strlen(rp), err);
    if (r == 0 && archive_write_close(s->a) != ARCHIVE_OK) r = fail(s, "archive", err);
    if (s->a) archive_write_free(s->a);
    json_object_put(s->manifest);
    json_object_put(s->repos);
    md_strv_free(s->written);
    free(s->buf);
    return r;
}

int md_image_save(char **refs, int n, int fd, md_error_t **err)
{
    struct save s = {0};
    return save_all(&s, refs, n, fd, err);
}
