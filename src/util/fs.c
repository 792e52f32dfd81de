#include "fs.h"
#include "util/write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

int md_mkdir_p(const char *path, mode_t mode, md_error_t **err)
{
    cleanup_free char *p = strdup(path);
    if (p == NULL) return md_error(err, ENOMEM, "mkdir %s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST) return md_error(err, errno, "mkdir %s", p);
        *s = '/';
    }
    struct stat st;
    if (mkdir(p, mode) < 0 && (errno != EEXIST || stat(p, &st) < 0 || !S_ISDIR(st.st_mode)))
        return md_error(err, errno == EEXIST ? ENOTDIR : errno, "mkdir %s", p);
    return 0;
}

int md_write_all(int fd, const void *buf, size_t len)
{
    return md_write_all_fd(fd, buf, len);
}

int md_read_exact(int fd, void *buf, size_t len)
{
    char *b = buf;
    while (len > 0) {
        ssize_t n = read(fd, b, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (n == 0) return -EPIPE;
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

int md_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, int sync,
                         md_error_t **err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)getpid()) >= (int)sizeof(tmp))
        return md_error(err, ENAMETOOLONG, "write %s", path);
    cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return md_error(err, errno, "create %s", tmp);
    int r = md_write_all(fd, data, len);
    if (r == 0 && sync && fsync(fd) < 0) r = -errno;
    if (r < 0) {
        unlink(tmp);
        return md_error(err, -r, "write %s", tmp);
    }
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return md_error(err, e, "rename %s", path);
    }
    return 0;
}

int md_read_fd(int fd, char **out, size_t *len, md_error_t **err)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL) return md_error(err, ENOMEM, "read");
    for (;;) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                return md_error(err, ENOMEM, "read");
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            free(buf);
            return md_error(err, e, "read");
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *out = buf;
    if (len) *len = n;
    return 0;
}

int md_read_file(const char *path, char **out, size_t *len, md_error_t **err)
{
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", path);
    int r = md_read_fd(fd, out, len, err);
    if (r < 0) md_error_prefix(err, "%s", path);
    return r;
}

/* Another process may delete the same tree at the same time (two deleters sweeping the
 * containers' trash): what it removed first is gone, not an error. */
static int rm_rf_at(int dirfd, const char *name, md_error_t **err)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return 0;
    if (errno != EISDIR && errno != EPERM) return md_error(err, errno, "remove %s", name);
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return 0;
    if (fd < 0) return md_error(err, errno, "open %s", name);
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return md_error(err, errno, "opendir %s", name);
    }
    int r = 0;
    struct dirent *de;
    while (r == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        r = rm_rf_at(fd, de->d_name, err);
    }
    closedir(d);
    if (r < 0) return r;
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return md_error(err, errno, "remove %s", name);
    return 0;
}

int md_rm_rf(const char *path, md_error_t **err)
{
    int r = rm_rf_at(AT_FDCWD, path, err);
    if (r < 0) md_error_prefix(err, "remove %s", path);
    return r;
}

int md_openat_in_root(int rootfd, const char *path, int flags, mode_t mode, md_error_t **err)
{
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    while (*path == '/')
        path++;
    if (*path == '\0') path = ".";
    int fd;
    /* RESOLVE_IN_ROOT fails with EAGAIN when a rename or mount anywhere on
     * the system raced with the lookup: just look again */
    do
        fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    if (fd < 0) return md_error(err, errno, "open %s", path);
    return fd;
}

int md_path_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

int md_lock_file(const char *path, int exclusive, int nonblock, md_error_t **err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return md_error(err, errno, "open lock %s", path);
    int op = (exclusive ? LOCK_EX : LOCK_SH) | (nonblock ? LOCK_NB : 0);
    while (flock(fd, op) < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        close(fd);
        return md_error(err, e, "lock %s", path);
    }
    return fd;
}
