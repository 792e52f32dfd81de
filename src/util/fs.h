/* File helpers: atomic writes, recursive mkdir/remove without following
 * symlinks, fd-relative opens confined to a root (openat2 RESOLVE_IN_ROOT). */
#ifndef MD_FS_H
#define MD_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

int md_mkdir_p(const char *path, mode_t mode, md_error_t **err);
/* Write to "<path>.tmp-<pid>", optionally fsync, rename over path. A reader
 * sees the old or the new content, never a mix, whatever is killed when. */
int md_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, int sync,
                         md_error_t **err);
/* Read a whole file; *out is NUL-terminated. */
int md_read_file(const char *path, char **out, size_t *len, md_error_t **err);
int md_read_fd(int fd, char **out, size_t *len, md_error_t **err);
/* Remove a tree; symlinks are removed, never followed; a missing path is fine.
 * Mount points inside are not crossed (EBUSY is reported). */
int md_rm_rf(const char *path, md_error_t **err);
/* Open path beneath rootfd as if rootfd were "/", so that "..", absolute
 * symlinks and symlinks pointing out of it cannot escape. */
int md_openat_in_root(int rootfd, const char *path, int flags, mode_t mode, md_error_t **err);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int md_write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes; returns 0, -errno, or -EPIPE on early EOF. */
int md_read_exact(int fd, void *buf, size_t len);
int md_path_exists(const char *path);

/* A flock(2) on a lock file, created when missing. Returns the fd (release by
 * closing it) or a negative errno. */
int md_lock_file(const char *path, int exclusive, int nonblock, md_error_t **err);

#endif
