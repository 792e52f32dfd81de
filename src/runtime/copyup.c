/* docker's volume copy-up: an empty volume mounted over a directory of the
 * image starts with that directory's content. Everything is fd-relative:
 * the source comes from the image (untrusted), so no path from it is ever
 * followed as a symlink. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int copy_file(int sfd, int dfd, const char *name, const struct stat *st)
{
    cleanup_close int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_close int out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                   st->st_mode & 07777);
    if (in < 0 || out < 0) return -errno;
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (md_write_all(out, buf, (size_t)n) < 0) return -errno;
    return n < 0 ? -errno : 0;
}

static int copy_entry(int sfd, int dfd, const char *name, int depth);

static int copy_dir(int sfd, int dfd, int depth)
{
    int fd = dup(sfd);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (d == NULL) {
        if (fd >= 0) close(fd);
        return -errno;
    }
    int r = 0;
    struct dirent *de;
    while (r == 0 && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            r = copy_entry(sfd, dfd, de->d_name, depth);
    closedir(d);
    return r;
}

static int copy_entry(int sfd, int dfd, const char *name, int depth)
{
    struct stat st;
    if (depth > 256) return -ELOOP;
    if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
    int r = 0;
    if (S_ISDIR(st.st_mode)) {
        if (mkdirat(dfd, name, st.st_mode & 07777) < 0 && errno != EEXIST) return -errno;
        cleanup_close int s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_close int d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s2 < 0 || d2 < 0) return -errno;
        r = copy_dir(s2, d2, depth + 1);
    } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
        if (n < 0) return -errno;
        target[n] = '\0';
        r = symlinkat(target, dfd, name) < 0 ? -errno : 0;
    } else if (S_ISREG(st.st_mode)) {
        r = copy_file(sfd, dfd, name, &st);
    } else {
        r = mknodat(dfd, name, st.st_mode, st.st_rdev) < 0 ? -errno : 0;
    }
    if (r == 0 && fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) r = -errno;
    return r;
}

static int dir_is_empty(int fd)
{
    int d2 = dup(fd);
    DIR *d = d2 < 0 ? NULL : fdopendir(d2);
    if (d == NULL) return 0;
    struct dirent *de;
    int empty = 1;
    while (empty && (de = readdir(d)) != NULL)
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    closedir(d);
    return empty;
}

int md_copy_dir_fd(int sfd, int dfd, md_error_t **err)
{
    int r = copy_dir(sfd, dfd, 0);
    return r < 0 ? md_error(err, -r, "copy directory content") : 0;
}

int md_copy_up(int rootfd, const char *path, const char *dst, md_error_t **err)
{
    cleanup_close int dfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return md_error(err, errno, "volume %s", dst);
    if (!dir_is_empty(dfd)) return 0;
    md_error_t *ignored = NULL;
    cleanup_close int sfd = md_openat_in_root(rootfd, path, O_RDONLY | O_DIRECTORY, 0, &ignored);
    md_error_free(&ignored);
    if (sfd < 0) return 0; /* nothing in the image there */
    struct stat st;
    if (fstat(sfd, &st) == 0 &&
        (fchmod(dfd, st.st_mode & 07777) < 0 || fchown(dfd, st.st_uid, st.st_gid) < 0))
        return md_error(err, errno, "volume %s", dst);
    int r = copy_dir(sfd, dfd, 0);
    return r < 0 ? md_error(err, -r, "copy image content into volume at %s", path) : 0;
}
