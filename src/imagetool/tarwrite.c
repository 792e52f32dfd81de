/* A tree to a tar stream. Every step is relative to an fd of the parent
 * directory with O_NOFOLLOW (and AT_SYMLINK_NOFOLLOW for stats), so a symlink
 * in the tree, even one swapped in while we walk, is only ever read as a
 * link, never followed out of it. */
#include "tarwrite.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

#define BUF_SIZE (256 * 1024)
#define OPAQUE_XATTR "trusted.overlay.opaque"

struct link {
    dev_t dev;
    ino_t ino;
    char *path;
};

struct tw {
    struct archive *a;
    int out_fd, flags;
    long long clamp; /* MD_TAR_SOURCE_DATE's epoch, -1 without */
    md_sha256_t hash;
    int hashing;
    long long size;
    uint64_t root_mnt;
    char *const *exclude;
    struct link *links;
    size_t nlinks, cap;
    char *buf;
    md_error_t **err;
    int io_errno;
};

static la_ssize_t on_write(struct archive *a, void *arg, const void *buf, size_t len)
{
    (void)a;
    struct tw *t = arg;
    int r = md_write_all(t->out_fd, buf, len);
    if (r < 0) {
        t->io_errno = -r;
        return -1;
    }
    if (t->hashing) md_sha256_update(&t->hash, buf, len, NULL);
    t->size += (long long)len;
    return (la_ssize_t)len;
}

static int fail(struct tw *t, const char *what)
{
    if (t->io_errno) return md_error(t->err, t->io_errno, "write tar");
    const char *m = archive_error_string(t->a);
    return md_error(t->err, 0, "tar %s: %s", what, m ? m : "error");
}

static uint64_t mnt_id(int dirfd, const char *name)
{
    struct statx sx;
    if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0) return 0;
    return sx.stx_mnt_id;
}

static int forbidden_xattr(const char *name)
{
    return strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0;
}

static void add_xattrs(struct archive_entry *e, int fd)
{
    char names[8192], val[65536];
    ssize_t n = flistxattr(fd, names, sizeof(names));
    for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
        const char *name = names + off;
        if (forbidden_xattr(name)) continue;
        ssize_t vl = fgetxattr(fd, name, val, sizeof(val));
        if (vl >= 0) archive_entry_xattr_add_entry(e, name, val, (size_t)vl);
    }
}

/* The first path of a hard-linked inode, or NULL (and remember this one). */
static const char *link_target(struct tw *t, const struct stat *st, const char *path)
{
    for (size_t i = 0; i < t->nlinks; i++)
        if (t->links[i].dev == st->st_dev && t->links[i].ino == st->st_ino) return t->links[i].path;
    if (t->nlinks == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        void *nv = realloc(t->links, cap * sizeof(*t->links));
        if (nv == NULL) return NULL;
        t->links = nv;
        t->cap = cap;
    }
    char *p = strdup(path);
    if (p) t->links[t->nlinks++] = (struct link){st->st_dev, st->st_ino, p};
    return NULL;
}

static void clamp_times(const struct tw *t, struct archive_entry *e)
{
    if (t->clamp < 0) return;
    archive_entry_unset_atime(e);
    archive_entry_unset_ctime(e);
    if (archive_entry_mtime(e) >= t->clamp) archive_entry_set_mtime(e, t->clamp, 0);
}

static int write_empty(struct tw *t, const char *path, mode_t mode, const struct stat *st)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, mode);
    archive_entry_set_size(e, 0);
    archive_entry_set_mtime(e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
    clamp_times(t, e);
    int r = archive_write_header(t->a, e) < ARCHIVE_WARN ? fail(t, path) : 0;
    archive_entry_free(e);
    return r;
}

static int copy_file(struct tw *t, int fd, const char *path)
{
    for (;;) {
        ssize_t n = read(fd, t->buf, BUF_SIZE);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return md_error(t->err, errno, "read %s", path);
        if (n == 0) return 0;
        if (archive_write_data(t->a, t->buf, (size_t)n) < 0) return fail(t, path);
    }
}

static int walk(struct tw *t, int dirfd, const char *prefix);

static void fill_entry(const struct tw *t, struct archive_entry *e, const char *path,
                       const struct stat *st)
{
    archive_entry_set_pathname(e, path);
    archive_entry_copy_stat(e, st);
    archive_entry_set_uname(e, "");
    archive_entry_set_gname(e, "");
    if (!S_ISREG(st->st_mode)) archive_entry_set_size(e, 0);
    clamp_times(t, e);
}

/* One entry (and, for a directory, what is below it). */
static int write_one(struct tw *t, int dirfd, const char *name, const char *path)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT) return 0; /* gone while we walked */
        return md_error(t->err, errno, "stat %s", path);
    }
    int other_mount = (t->flags & MD_TAR_ONE_MOUNT) && mnt_id(dirfd, name) != t->root_mnt;
    if (S_ISSOCK(st.st_mode)) return 0;
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0) && (t->flags & MD_TAR_WHITEOUTS)) {
        char wh[PATH_MAX];
        const char *slash = strrchr(path, '/');
        snprintf(wh, sizeof(wh), "%.*s.wh.%s", slash ? (int)(slash - path + 1) : 0, path, name);
        return write_empty(t, wh, 0644, &st);
    }
    if (other_mount && !S_ISDIR(st.st_mode)) return write_empty(t, path, st.st_mode & 07777, &st);
    cleanup_close int fd = -1;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
        fd = openat(dirfd, name,
                    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                        (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
        if (fd < 0) return errno == ENOENT ? 0 : md_error(t->err, errno, "open %s", path);
        if (fstat(fd, &st) < 0) return md_error(t->err, errno, "stat %s", path);
    }
    struct archive_entry *e = archive_entry_new();
    if (e == NULL) return md_error(t->err, ENOMEM, "tar");
    fill_entry(t, e, path, &st);
    char target[PATH_MAX];
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
        target[n < 0 ? 0 : n] = '\0';
        archive_entry_set_symlink(e, target);
    } else if (fd >= 0 && !other_mount) {
        add_xattrs(e, fd);
    }
    const char *first = NULL;
    if (S_ISREG(st.st_mode) && st.st_nlink > 1 && (first = link_target(t, &st, path)) != NULL) {
        archive_entry_set_hardlink(e, first);
        archive_entry_set_size(e, 0);
    }
    int r = archive_write_header(t->a, e) < ARCHIVE_WARN ? fail(t, path) : 0;
    archive_entry_free(e);
    if (r == 0 && S_ISREG(st.st_mode) && first == NULL) r = copy_file(t, fd, path);
    if (r < 0 || !S_ISDIR(st.st_mode) || other_mount) return r;
    char opq[2];
    if ((t->flags & MD_TAR_WHITEOUTS) && fgetxattr(fd, OPAQUE_XATTR, opq, sizeof(opq)) == 1 &&
        opq[0] == 'y') {
        char wh[PATH_MAX];
        snprintf(wh, sizeof(wh), "%s/.wh..wh..opq", path);
        if ((r = write_empty(t, wh, 0644, &st)) < 0) return r;
    }
    return walk(t, fd, path);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct tw *t, int dirfd, const char *prefix)
{
    int dup_fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup_fd < 0) return md_error(t->err, errno, "open %s", *prefix ? prefix : "/");
    cleanup_dir DIR *d = fdopendir(dup_fd);
    if (d == NULL) return close(dup_fd), md_error(t->err, errno, "read %s", prefix);
    cleanup_strv char **names = md_xcalloc(1, sizeof(char *));
    struct dirent *de;
    while (names && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            md_strv_append(&names, de->d_name) < 0)
            return md_error(t->err, ENOMEM, "tar");
    if (names == NULL) return md_error(t->err, ENOMEM, "tar");
    qsort(names, md_strv_len(names), sizeof(char *), cmp_name);
    for (size_t i = 0; names[i]; i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "", names[i]) >=
            (int)sizeof(path))
            return md_error(t->err, ENAMETOOLONG, "%s/%s", prefix, names[i]);
        int skip = 0;
        for (char *const *x = t->exclude; x && *x && !skip; x++)
            skip = strcmp(*x, path) == 0;
        int r = skip ? 0 : write_one(t, dirfd, names[i], path);
        if (r < 0) return r;
    }
    return 0;
}

int md_tar_dir(int dirfd, int flags, char *const *exclude, int out_fd,
               char hex[MD_SHA256_HEX_LEN + 1], long long *size, md_error_t **err)
{
    struct tw t = {.out_fd = out_fd, .flags = flags, .err = err, .exclude = exclude, .clamp = -1};
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if ((flags & MD_TAR_SOURCE_DATE) && sde && *sde) t.clamp = atoll(sde);
    t.a = archive_write_new();
    t.buf = malloc(BUF_SIZE);
    int r = t.a && t.buf ? 0 : md_error(err, ENOMEM, "tar");
    if (r == 0 && hex) {
        r = md_sha256_init(&t.hash, err);
        t.hashing = r == 0;
    }
    if (r == 0 && (flags & MD_TAR_ONE_MOUNT)) t.root_mnt = mnt_id(dirfd, "");
    if (r == 0 && (archive_write_set_format_pax_restricted(t.a) != ARCHIVE_OK ||
                   archive_write_set_bytes_in_last_block(t.a, 1) != ARCHIVE_OK ||
                   archive_write_open(t.a, &t, NULL, on_write, NULL) != ARCHIVE_OK))
        r = fail(&t, "open");
    if (r == 0) r = walk(&t, dirfd, "");
    if (r == 0 && archive_write_close(t.a) != ARCHIVE_OK) r = fail(&t, "close");
    if (t.a) archive_write_free(t.a);
    if (r == 0 && hex)
        r = md_sha256_final(&t.hash, hex, err);
    else
        md_sha256_abort(&t.hash);
    if (r == 0 && size) *size = t.size;
    for (size_t i = 0; i < t.nlinks; i++)
        free(t.links[i].path);
    free(t.links);
    free(t.buf);
    return r;
}
