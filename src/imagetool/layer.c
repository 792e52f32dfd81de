/* Layer tars with libarchive. Extraction runs with the process cwd inside the
 * destination and relative entry names, so that libarchive's secure-extract
 * checks (no "..", no absolute paths, never through a symlink) apply to every
 * entry; the whiteout conversion and the opaque-dir xattrs, which we write
 * ourselves, use per-component O_NOFOLLOW opens for the same guarantee. */
#include "layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/store.h"
#include "util/cleanup.h"
#include "util/du.h"
#include "util/fs.h"
#include "util/strv.h"

#define BUF_SIZE (256 * 1024)
#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"
#define OPAQUE_XATTR "trusted.overlay.opaque"

#define EXTRACT_FLAGS                                                                              \
    (ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR | \
     ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |                           \
     ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

static void support_filters(struct archive *a)
{
    /* An explicit list: "all" would also let uudecode & co. bid on a plain tar. */
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_filter_zstd(a);
}

static int archive_fail(md_error_t **err, struct archive *a, const char *what)
{
    const char *msg = archive_error_string(a);
    int e = archive_errno(a);
    return md_error(err, 0, "%s: %s", what, msg ? msg : e > 0 ? strerror(e) : "archive error");
}

static struct archive *open_reader(int fd, int raw, md_error_t **err)
{
    struct archive *a = archive_read_new();
    if (a == NULL) {
        md_error(err, ENOMEM, "archive reader");
        return NULL;
    }
    support_filters(a);
    if (raw)
        archive_read_support_format_raw(a);
    else
        archive_read_support_format_tar(a);
    if (archive_read_open_fd(a, fd, BUF_SIZE) != ARCHIVE_OK) {
        archive_fail(err, a, "read archive");
        archive_read_free(a);
        return NULL;
    }
    return a;
}

static int copy_hashing(struct archive *a, int out_fd, md_sha256_t *h, long long *size,
                        md_error_t **err)
{
    cleanup_free char *buf = malloc(BUF_SIZE);
    if (buf == NULL) return md_error(err, ENOMEM, "decompress");
    *size = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, BUF_SIZE);
        if (n < 0) return archive_fail(err, a, "decompress");
        if (n == 0) return 0;
        int r = md_write_all(out_fd, buf, (size_t)n);
        if (r < 0) return md_error(err, -r, "write layer blob");
        if ((r = md_sha256_update(h, buf, (size_t)n, err)) < 0) return r;
        *size += n;
    }
}

int md_layer_decompress(int in_fd, int out_fd, char hex[MD_SHA256_HEX_LEN + 1], long long *size,
                        md_error_t **err)
{
    struct archive *a = open_reader(in_fd, 1, err);
    if (a == NULL) return -EINVAL;
    struct archive_entry *entry;
    md_sha256_t h = {0};
    int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF)
        r = md_error(err, 0, "empty archive");
    else if (r < ARCHIVE_WARN)
        r = archive_fail(err, a, "read archive");
    else
        r = md_sha256_init(&h, err);
    if (r == 0) r = copy_hashing(a, out_fd, &h, size, err);
    if (r == 0 && *size == 0) r = md_error(err, 0, "empty archive");
    archive_read_free(a);
    if (r < 0) {
        md_sha256_abort(&h);
        return r;
    }
    return md_sha256_final(&h, hex, err);
}

/* ---- extraction ---- */

struct extract {
    struct archive *in, *out;
    int rootfd;
    char **opaque; /* dirs (relative, "" = root) that get trusted.overlay.opaque */
};

enum { ENTRY_SKIP, ENTRY_WRITE };

static int has_dotdot(const char *path)
{
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') return 1;
        p += n;
        while (*p == '/')
            p++;
    }
    return 0;
}

/* Drop overlay's own xattrs: a layer must not forge redirects, metacopy or
 * opacity for overlayfs; opacity comes only from .wh..wh..opq. */
static int forbidden_xattr(const char *name)
{
    return strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0;
}

static int filter_xattrs(struct archive_entry *e)
{
    int n = archive_entry_xattr_reset(e), bad = 0;
    const char *name;
    const void *val;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK)
        bad |= forbidden_xattr(name);
    if (!bad) return 0;
    struct kept {
        char *name;
        void *val;
        size_t size;
    } *keep = calloc((size_t)n, sizeof(*keep));
    if (keep == NULL) return -ENOMEM;
    int k = 0, r = 0;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK && k < n) {
        if (forbidden_xattr(name)) continue;
        keep[k] = (struct kept){strdup(name), malloc(size ? size : 1), size};
        if (keep[k].name == NULL || keep[k].val == NULL)
            r = -ENOMEM;
        else
            memcpy(keep[k].val, val, size);
        k++;
    }
    archive_entry_xattr_clear(e);
    for (int i = 0; i < k; i++) {
        if (r == 0) archive_entry_xattr_add_entry(e, keep[i].name, keep[i].val, keep[i].size);
        free(keep[i].name);
        free(keep[i].val);
    }
    free(keep);
    return r;
}

static int make_whiteout(struct archive_entry *e, const char *dir, const char *name,
                         md_error_t **err)
{
    if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return md_error(err, 0, "invalid whiteout %s%s" WH_PREFIX "%s", dir, *dir ? "/" : "", name);
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s%s%s", dir, *dir ? "/" : "", name) < 0)
        return md_error(err, ENOMEM, "whiteout");
    archive_entry_set_pathname(e, path);
    archive_entry_set_hardlink(e, NULL);
    archive_entry_set_symlink(e, NULL);
    archive_entry_set_size(e, 0);
    archive_entry_set_filetype(e, AE_IFCHR);
    archive_entry_set_perm(e, 0);
    archive_entry_set_rdev(e, 0);
    return 0;
}

/* Names: relative, no trailing '/'. Returns ENTRY_SKIP / ENTRY_WRITE or < 0. */
static int prepare_entry(struct extract *x, struct archive_entry *e, md_error_t **err)
{
    const char *orig = archive_entry_pathname(e);
    if (orig == NULL) return md_error(err, 0, "tar entry without a usable name");
    while (*orig == '/')
        orig++;
    cleanup_free char *path = strdup(orig);
    if (path == NULL) return md_error(err, ENOMEM, "extract");
    size_t len = strlen(path);
    while (len > 0 && path[len - 1] == '/')
        path[--len] = '\0';
    if (has_dotdot(path)) return md_error(err, 0, "%s: path contains '..'", orig);
    char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dir = slash ? (*slash = '\0', path) : "";
    if (strcmp(base, WH_OPAQUE) == 0)
        return md_strv_append(&x->opaque, dir) < 0 ? md_error(err, ENOMEM, "extract") : ENTRY_SKIP;
    if (strncmp(base, WH_META, strlen(WH_META)) == 0)
        return ENTRY_SKIP; /* aufs bookkeeping (.wh..wh.plnk, ...) has no overlay meaning */
    if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0) {
        if (make_whiteout(e, dir, base + strlen(WH_PREFIX), err) < 0) return -EINVAL;
    } else {
        if (slash) *slash = '/';
        archive_entry_set_pathname(e, *path ? path : ".");
    }
    const char *link = archive_entry_hardlink(e);
    if (link && *link == '/') {
        while (*link == '/')
            link++;
        cleanup_free char *rel = strdup(link);
        if (rel == NULL) return md_error(err, ENOMEM, "extract");
        archive_entry_set_hardlink(e, rel);
    }
    return filter_xattrs(e) < 0 ? md_error(err, ENOMEM, "extract") : ENTRY_WRITE;
}

static int copy_data(struct extract *x, const char *name, md_error_t **err)
{
    const void *buf;
    size_t size;
    la_int64_t off;
    for (;;) {
        int r = archive_read_data_block(x->in, &buf, &size, &off);
        if (r == ARCHIVE_EOF) return 0;
        if (r < ARCHIVE_WARN) return archive_fail(err, x->in, name);
        if (archive_write_data_block(x->out, buf, size, off) < ARCHIVE_WARN)
            return archive_fail(err, x->out, name);
    }
}

static int write_entry(struct extract *x, struct archive_entry *e, md_error_t **err)
{
    const char *name = archive_entry_pathname(e);
    cleanup_free char *n = strdup(name ? name : "?");
    if (archive_write_header(x->out, e) < ARCHIVE_WARN)
        return archive_fail(err, x->out, n ? n : "extract");
    int r = 0;
    if (archive_entry_size(e) > 0) r = copy_data(x, n ? n : "extract", err);
    if (r == 0 && archive_write_finish_entry(x->out) < ARCHIVE_WARN)
        r = archive_fail(err, x->out, n ? n : "extract");
    return r;
}

/* Open (creating when missing) dir below rootfd, one component at a time and
 * never following a symlink. */
static int open_dir_below(int rootfd, const char *dir, md_error_t **err)
{
    int fd = dup(rootfd);
    if (fd < 0) return md_error(err, errno, "dup");
    cleanup_free char *copy = strdup(dir);
    char *save = NULL;
    for (char *c = copy ? strtok_r(copy, "/", &save) : NULL; c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, ".") == 0) continue;
        if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
            int e = errno;
            close(fd);
            return md_error(err, e, "mkdir %s", dir);
        }
        int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(fd);
        if (next < 0) return md_error(err, e, "open %s", dir);
        fd = next;
    }
    return copy ? fd : (close(fd), md_error(err, ENOMEM, "open %s", dir));
}

static int apply_opaque(struct extract *x, md_error_t **err)
{
    for (size_t i = 0; x->opaque && x->opaque[i]; i++) {
        const char *dir = x->opaque[i];
        cleanup_close int fd = open_dir_below(x->rootfd, dir, err);
        if (fd < 0) return md_error_prefix(err, "opaque whiteout");
        if (fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0) < 0)
            return md_error(err, errno, "set %s on %s/", OPAQUE_XATTR, *dir ? dir : ".");
    }
    return 0;
}

static int extract_all(struct extract *x, md_error_t **err)
{
    struct archive_entry *e;
    int r = 0, ar;
    while (r == 0 && (ar = archive_read_next_header(x->in, &e)) != ARCHIVE_EOF) {
        if (ar < ARCHIVE_WARN) return archive_fail(err, x->in, "read layer");
        int act = prepare_entry(x, e, err);
        if (act < 0) return act;
        if (act == ENTRY_WRITE) r = write_entry(x, e, err);
    }
    if (r == 0 && archive_write_close(x->out) < ARCHIVE_WARN)
        r = archive_fail(err, x->out, "finish extraction");
    return r == 0 ? apply_opaque(x, err) : r;
}

int md_layer_extract(int tar_fd, const char *dest, md_error_t **err)
{
    int fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", dest);
    return md_layer_extract_at(tar_fd, fd, err);
}

int md_layer_extract_at(int tar_fd, int destfd, md_error_t **err)
{
    struct extract x = {.rootfd = destfd};
    cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int r = 0;
    if (fchdir(x.rootfd) < 0) r = md_error(err, errno, "chdir to the extraction directory");
    if (r == 0 && (x.in = open_reader(tar_fd, 0, err)) == NULL) r = -EINVAL;
    if (r == 0 && ((x.out = archive_write_disk_new()) == NULL ||
                   archive_write_disk_set_options(x.out, EXTRACT_FLAGS) != ARCHIVE_OK))
        r = md_error(err, ENOMEM, "archive writer");
    if (r == 0) r = extract_all(&x, err);
    if (x.out) archive_write_free(x.out);
    if (x.in) archive_read_free(x.in);
    md_strv_free(x.opaque);
    close(x.rootfd);
    if ((cwd >= 0 ? fchdir(cwd) : chdir("/")) < 0 && r == 0)
        r = md_error(err, errno, "restore cwd");
    return r;
}

/* The layer is about to be trusted under its digest: its files must be on disk
 * first (one syncfs instead of an fsync per file). */
static int flush_fs(const char *dir, md_error_t **err)
{
    cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) < 0) return md_error(err, errno, "sync %s", dir);
    return 0;
}

int md_layer_unpack_tmp(int tar_fd, char **tmpdir, md_error_t **err)
{
    char base[PATH_MAX], tmpl[PATH_MAX];
    if (md_image_path(base, sizeof(base), "layers") < 0 ||
        snprintf(tmpl, sizeof(tmpl), "%s/.tmp-%d-XXXXXX", base, (int)getpid()) >= (int)sizeof(tmpl))
        return md_error(err, ENAMETOOLONG, "layer dir");
    if (mkdtemp(tmpl) == NULL) return md_error(err, errno, "mkdtemp %s", tmpl);
    /* the lowerdir's own mode when the tar has no "./" entry */
    int r = chmod(tmpl, 0755) < 0 ? md_error(err, errno, "chmod %s", tmpl) : 0;
    if (r == 0) r = md_layer_extract(tar_fd, tmpl, err);
    if (r == 0) r = flush_fs(tmpl, err);
    if (r == 0 && (*tmpdir = strdup(tmpl)) == NULL) r = md_error(err, ENOMEM, "layer dir");
    if (r < 0) md_rm_rf(tmpl, NULL);
    return r;
}

/* ---- size ---- */

int md_layer_du(const char *dir, long long *size, md_error_t **err)
{
    int r = md_du(dir, 0, size);
    return r < 0 ? md_error(err, -r, "size of %s", dir) : 0;
}
