/* write(2) until everything is written, header-only: the monitor is built
 * from libc alone (src/monitor, util/jsonlog.c) and shares this copy with
 * the library (util/fs.c md_write_all). */
#ifndef MD_UTIL_WRITE_ALL_H
#define MD_UTIL_WRITE_ALL_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/* 0, or -errno (-EIO for a write that wrote nothing) */
static inline int md_write_all_fd(int fd, const void *buf, size_t len)
{
    const char *b = buf;
    while (len > 0) {
        ssize_t n = write(fd, b, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        if (n == 0) return -EIO;
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

#endif
