#include "imagetool/build_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* what the cache key sees of an entry: its path, type and mode, owner, and size (the content
 * follows for files); not its times, as docker's */
static void hash_entry(struct md_copy *c, const char *rel, const struct stat *st, mode_t mode)
{
    char meta[128];
    int n = snprintf(meta, sizeof(meta), "%o %u:%u %lld", (unsigned)(st->st_mode & S_IFMT) | mode,
                     c->chown ? c->uid : 0, c->chown ? c->gid : 0, (long long)st->st_size);
    md_sha256_update(c->hash, rel, strlen(rel) + 1, NULL);
    md_sha256_update(c->hash, meta, (size_t)n + 1, NULL);
}

static int set_meta(struct md_copy *c, const char *dst, const struct stat *st, mode_t mode,
                    md_error_t **err)
{
    uid_t uid = c->chown ? c->uid : 0;
    gid_t gid = c->chown ? c->gid : 0;
    struct timespec t[2] = {st->st_atim, st->st_mtim};
    if (lchown(dst, uid, gid) < 0 || (!S_ISLNK(st->st_mode) && chmod(dst, mode) < 0) ||
        utimensat(AT_FDCWD, dst, t, AT_SYMLINK_NOFOLLOW) < 0)
        return md_error(err, errno, "set the owner and mode of %s", dst);
    return 0;
}

static int copy_file(struct md_copy *c, const char *src, const char *dst, md_error_t **err)
{
    cleanup_close int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return md_error(err, errno, "open %s", src);
    if (dst) unlink(dst); /* a later source replaces an earlier one */
    cleanup_close int out = dst ? open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
    if (dst && out < 0) return md_error(err, errno, "create %s", dst);
    static char buf[1 << 16];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        md_sha256_update(c->hash, buf, (size_t)n, NULL);
        if (dst && md_write_all(out, buf, (size_t)n) < 0)
            return md_error(err, errno, "write %s", dst);
    }
    return n < 0 ? md_error(err, errno, "read %s", src) : 0;
}

static int copy_dir(struct md_copy *c, const char *src, const char *rel, const char *dst,
                    md_error_t **err);

int md_copy_entry(struct md_copy *c, const char *src, const char *rel, const char *dst,
                  md_error_t **err)
{
    struct stat st;
    if (lstat(src, &st) < 0) return md_error(err, errno, "stat %s", src);
    mode_t mode = c->chmod ? c->mode : st.st_mode & 07777;
    hash_entry(c, rel, &st, mode);
    int r = 0;
    if (S_ISDIR(st.st_mode)) {
        if (dst && mkdir(dst, 0755) < 0 && errno != EEXIST)
            return md_error(err, errno, "mkdir %s", dst);
        r = copy_dir(c, src, rel, dst, err);
    } else if (dst == NULL && S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(src, target, sizeof(target) - 1);
        md_sha256_update(c->hash, target, n > 0 ? (size_t)n : 0, NULL);
    } else if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(src, target, sizeof(target) - 1);
        if (n < 0) return md_error(err, errno, "readlink %s", src);
        target[n] = '\0';
        md_sha256_update(c->hash, target, (size_t)n, NULL);
        unlink(dst);
        if (symlink(target, dst) < 0) return md_error(err, errno, "symlink %s", dst);
    } else if (S_ISREG(st.st_mode)) {
        r = copy_file(c, src, dst, err);
    } else {
        return 0; /* devices, fifos and sockets of a context are not copied */
    }
    return r == 0 && dst ? set_meta(c, dst, &st, mode, err) : r;
}

static int copy_dir(struct md_copy *c, const char *src, const char *rel, const char *dst,
                    md_error_t **err)
{
    struct dirent **names = NULL;
    int n = scandir(src, &names, NULL, alphasort); /* sorted: the same hash every time */
    if (n < 0) return md_error(err, errno, "read %s", src);
    int r = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (r < 0 || !strcmp(name, ".") || !strcmp(name, "..")) continue;
        cleanup_free char *s = NULL, *d = NULL, *cr = NULL;
        if (asprintf(&s, "%s/%s", src, name) < 0 || (dst && asprintf(&d, "%s/%s", dst, name) < 0) ||
            asprintf(&cr, "%s%s%s", rel, *rel ? "/" : "", name) < 0)
            md_oom();
        struct stat st;
        /* an excluded directory is still entered when an exception may bring back its files */
        int skip = c->ignore && md_ignore_excluded(c->ignore, cr);
        if (skip && md_ignore_has_exceptions(c->ignore) && lstat(s, &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            if (d && mkdir(d, 0755) < 0 && errno != EEXIST) r = md_error(err, errno, "mkdir %s", d);
            if (r == 0) r = copy_dir(c, s, cr, d, err);
            if (d) rmdir(d); /* kept only when something came back */
            continue;
        }
        if (!skip) r = md_copy_entry(c, s, cr, d, err);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return r;
}

/* ---- paths inside an image ---- */

static char *join(const char *a, const char *b)
{
    char *s = NULL;
    if (asprintf(&s, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b) < 0) md_oom();
    return s;
}

char *md_view_resolve(const char *view, const char *path)
{
    cleanup_free char *todo = md_xstrdup(path);
    char *done = md_xstrdup("/");
    for (int links = 0; links < 40;) {
        char *p = todo + strspn(todo, "/");
        if (*p == '\0') break;
        size_t n = strcspn(p, "/");
        cleanup_free char *elem = strndup(p, n), *rest = md_xstrdup(p + n);
        if (strcmp(elem, "..") == 0) {
            char *slash = strrchr(done, '/');
            if (slash && slash != done)
                *slash = '\0';
            else
                done[1] = '\0';
        } else if (strcmp(elem, ".") != 0) {
            char *next = join(done, elem), *real = join(view, next + 1), target[PATH_MAX];
            ssize_t t = readlink(real, target, sizeof(target) - 1);
            free(real);
            if (t > 0) {
                target[t] = '\0';
                free(next);
                links++;
                free(todo);
                if (asprintf(&todo, "%s%s", target, rest) < 0) md_oom();
                if (target[0] == '/') done[1] = '\0';
                continue;
            }
            free(done);
            done = next;
        }
        free(todo);
        todo = md_steal_ptr(&rest);
    }
    return done;
}

int md_stage_parents(const char *staging, const char *view, const char *dir, md_error_t **err)
{
    cleanup_free char *copy = md_xstrdup(dir);
    cleanup_free char *at = md_xstrdup(staging), *img = md_xstrdup("");
    for (char *save = NULL, *e = strtok_r(copy, "/", &save); e; e = strtok_r(NULL, "/", &save)) {
        char *next = join(at, e), *inimg = NULL;
        if (asprintf(&inimg, "%s/%s", img, e) < 0) md_oom();
        free(at), free(img);
        at = next, img = inimg;
        if (mkdir(at, 0755) < 0 && errno != EEXIST) return md_error(err, errno, "mkdir %s", at);
        cleanup_free char *there = NULL;
        if (asprintf(&there, "%s%s", view, img) < 0) md_oom();
        struct stat st;
        if (view && stat(there, &st) == 0 && S_ISDIR(st.st_mode)) {
            struct timespec t[2] = {st.st_atim, st.st_mtim};
            if (chown(at, st.st_uid, st.st_gid) < 0 || chmod(at, st.st_mode & 07777) < 0 ||
                utimensat(AT_FDCWD, at, t, 0) < 0)
                return md_error(err, errno, "set the owner and mode of %s", at);
        }
    }
    return 0;
}
