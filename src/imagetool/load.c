/* Loading images from a docker-archive (manifest.json) or an OCI
 * image layout (oci-layout + index.json + blobs/sha256/), plain or compressed.
 *
 * The archive is read once: every regular file goes into a temp blob in the
 * store while its sha256 is computed, so nothing is trusted by name. Then the
 * images are assembled: each config must parse and each layer must unpack to
 * the diff_id its config names (an OCI blob must also match the digest its
 * path claims). Under image/lock the blobs and layer dirs are renamed to
 * their digests and the images recorded; the temp files go in any case. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "image/store.h"
#include "layer.h"
#include "load.h"
#include "manifest.h"
#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

#define BUF_SIZE (1 << 20)
#define MAX_JSON (16u << 20)

static int fail_ar(struct archive *a, const char *what, md_error_t **err)
{
    const char *m = archive_error_string(a);
    return md_error(err, 0, "%s: %s", what, m ? m : "archive error");
}

static char *normalize(const char *name)
{
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    while (*name == '/')
        name++;
    char *s = strdup(name);
    size_t n = s ? strlen(s) : 0;
    while (n > 0 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

static int add_file(struct load *l, struct archive *a, const char *name, md_error_t **err)
{
    struct load_file *nf = realloc(l->files, (l->n + 1) * sizeof(*nf));
    if (nf == NULL) return md_error(err, ENOMEM, "load");
    l->files = nf;
    struct load_file *f = &l->files[l->n];
    memset(f, 0, sizeof(*f));
    if ((f->name = normalize(name)) == NULL) return md_error(err, ENOMEM, "load");
    l->n++;
    if (snprintf(f->tmp, sizeof(f->tmp), "%s/.tmp-%d-load-%zu", l->dir, (int)getpid(), l->n) >=
        (int)sizeof(f->tmp))
        return md_error(err, ENAMETOOLONG, "load");
    cleanup_close int fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return f->tmp[0] = '\0', md_error(err, errno, "create %s", f->tmp);
    md_sha256_t h;
    int r = md_sha256_init(&h, err);
    for (la_ssize_t n; r == 0 && (n = archive_read_data(a, l->buf, BUF_SIZE)) != 0;) {
        if (n < 0)
            r = fail_ar(a, name, err);
        else if (md_write_all(fd, l->buf, (size_t)n) < 0)
            r = md_error(err, errno, "write %s", f->tmp);
        else
            r = md_sha256_update(&h, l->buf, (size_t)n, err);
        f->size += n;
    }
    if (r == 0)
        r = md_sha256_final(&h, f->hex, err);
    else
        md_sha256_abort(&h);
    return r;
}

static int add_link(struct load *l, const char *name, const char *target, int hard,
                    md_error_t **err)
{
    cleanup_free char *n = normalize(name), *t = NULL;
    if (n == NULL) return md_error(err, ENOMEM, "load");
    if (hard || target[0] == '/') {
        t = normalize(target);
    } else { /* relative to the link's directory */
        char *slash = strrchr(n, '/');
        if (asprintf(&t, "%.*s%s", slash ? (int)(slash - n + 1) : 0, n, target) < 0) t = NULL;
    }
    if (t == NULL) return md_error(err, ENOMEM, "load");
    struct load_file *nf = realloc(l->files, (l->n + 1) * sizeof(*nf));
    if (nf == NULL) return md_error(err, ENOMEM, "load");
    l->files = nf;
    memset(&nf[l->n], 0, sizeof(*nf));
    nf[l->n].name = md_steal_ptr(&n);
    nf[l->n].link = md_steal_ptr(&t);
    l->n++;
    return 0;
}

static int read_archive(struct load *l, int fd, md_error_t **err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    if (a == NULL) return md_error(err, ENOMEM, "load");
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_tar(a);
    int r =
        archive_read_open_fd(a, fd, BUF_SIZE) == ARCHIVE_OK ? 0 : fail_ar(a, "read archive", err);
    int ar;
    while (r == 0 && (ar = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
        if (ar < ARCHIVE_WARN) {
            r = fail_ar(a, "read archive", err);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (name == NULL) continue;
        if (archive_entry_hardlink(e))
            r = add_link(l, name, archive_entry_hardlink(e), 1, err);
        else if (archive_entry_filetype(e) == AE_IFLNK)
            r = add_link(l, name, archive_entry_symlink(e), 0, err);
        else if (archive_entry_filetype(e) == AE_IFREG)
            r = add_file(l, a, name, err);
    }
    archive_read_free(a);
    if (r == 0 && l->n == 0) r = md_error(err, 0, "archive is empty");
    return r;
}

struct load_file *md_load_find(struct load *l, const char *name)
{
    cleanup_free char *want = normalize(name);
    for (int hops = 0; want && hops < 16; hops++) {
        struct load_file *f = NULL;
        for (size_t i = 0; i < l->n && !f; i++)
            if (strcmp(l->files[i].name, want) == 0) f = &l->files[i];
        if (f == NULL || f->link == NULL) return f;
        free(want);
        want = md_xstrdup(f->link);
    }
    return NULL;
}

int md_load_read_json(struct load *l, struct load_file *f, char **text, json_object **doc,
                      md_error_t **err)
{
    size_t len;
    if (f->size > MAX_JSON) return md_error(err, EFBIG, "%s: too large", f->name);
    int r = md_read_file(f->tmp, text, &len, err);
    if (r < 0) return r;
    if ((*doc = json_tokener_parse(*text)) == NULL) {
        free(*text);
        *text = NULL;
        return md_error(err, 0, "%s: not valid JSON", f->name);
    }
    return 0;
}

/* ---- layers ---- */

int md_load_unpack(struct load *l, struct load_file *f, const char *diff_id, md_error_t **err)
{
    if (f->layer_dir || f->layer_ok) return 0;
    char path[PATH_MAX];
    if (md_image_layer_path(path, sizeof(path), diff_id) == 0 && md_path_exists(path)) {
        /* the store has this layer; still check the file is what the config says */
        cleanup_close int fd = open(f->tmp, O_RDONLY | O_CLOEXEC);
        char hex[MD_SHA256_HEX_LEN + 1];
        long long size;
        cleanup_close int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || null < 0) return md_error(err, errno, "open %s", f->tmp);
        int r = md_layer_decompress(fd, null, hex, &size, err);
        if (r == 0 && strcmp(hex, diff_id + 7) != 0)
            r = md_error(err, 0, "layer %s: content has digest sha256:%s", f->name, hex);
        f->layer_ok = r == 0;
        return r;
    }
    cleanup_close int fd = open(f->tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", f->tmp);
    int r = md_unpack_blob(fd, diff_id, &f->layer_dir, NULL, err);
    if (r < 0) return md_error_prefix(err, "layer %s", f->name);
    snprintf(f->diff_id, sizeof(f->diff_id), "%s", diff_id);
    return 0;
}

/* Lock held: every used file to blobs/<its hex>, layer dirs to layers/<diff_id>. */
int md_load_place(struct load *l, struct load_file *f, md_error_t **err)
{
    char path[PATH_MAX];
    if (f->tmp[0]) {
        if (md_image_blob_path(path, sizeof(path), f->hex) < 0)
            return md_error(err, ENAMETOOLONG, "blob path");
        if (md_path_exists(path) ? unlink(f->tmp) < 0 : rename(f->tmp, path) < 0)
            return md_error(err, errno, "place blob %s", path);
        f->tmp[0] = '\0';
    }
    if (f->layer_dir) {
        if (md_image_layer_path(path, sizeof(path), f->diff_id) < 0)
            return md_error(err, ENAMETOOLONG, "layer path");
        if (md_path_exists(path) ? md_rm_rf(f->layer_dir, err) < 0 : rename(f->layer_dir, path) < 0)
            return md_error(err, errno, "place layer %s", path);
        free(f->layer_dir);
        f->layer_dir = NULL;
    }
    (void)l;
    return 0;
}

static void load_free(struct load *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct load_file *f = &l->files[i];
        if (f->tmp[0]) unlink(f->tmp);
        if (f->layer_dir) md_rm_rf(f->layer_dir, NULL);
        free(f->layer_dir);
        free(f->name);
        free(f->link);
    }
    free(l->files);
    free(l->buf);
    md_strv_free(l->report);
}

static int do_load(struct load *l, int fd, md_error_t **err)
{
    int r = md_image_store_init(err);
    if (r < 0) return r;
    if (md_image_path(l->dir, sizeof(l->dir), "blobs/sha256") < 0)
        return md_error(err, ENAMETOOLONG, "store path");
    if ((l->buf = malloc(BUF_SIZE)) == NULL) return md_error(err, ENOMEM, "load");
    if ((r = read_archive(l, fd, err)) < 0) return r;
    if (md_load_find(l, "manifest.json")) return md_load_docker(l, err);
    if (md_load_find(l, "index.json") && md_load_find(l, "oci-layout")) return md_load_oci(l, err);
    return md_error(err, 0,
                    "not an image archive: no manifest.json, nor oci-layout and index.json");
}

int md_image_load(int fd, char ***report, md_error_t **err)
{
    struct load l = {0};
    int r = do_load(&l, fd, err);
    if (r == 0 && report) {
        *report = l.report ? l.report : md_strv_dup(NULL);
        l.report = NULL;
    }
    load_free(&l);
    return r;
}
