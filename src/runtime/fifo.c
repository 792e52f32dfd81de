#include "fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

struct rec {
    int32_t exit_code, errnum;
};

/* While created, the init is PID 1 of its namespace and would ignore
 * every signal it has no handler for: `kill` of a created container
 * (SIGTERM from podman stop, containerd's delete) must end it, as it ends
 * runc's waiting init. */
static const int fatal_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM};

static void die_by_signal(int sig)
{
    _exit(128 + sig);
}

static void created_signals(int on)
{
    struct sigaction sa = {.sa_handler = on ? die_by_signal : SIG_DFL};
    for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
        sigaction(fatal_signals[i], &sa, NULL);
}

int md_fifo_child_prepare(const char *path, struct md_fifo_child *f, md_error_t **err)
{
    f->write_fd = -1;
    /* from the start, not only once READY: `create` returns at READY and a
     * signal may come before we block */
    created_signals(1);
    f->path_fd = open(path, O_PATH | O_CLOEXEC);
    if (f->path_fd < 0) return md_error(err, errno, "open exec fifo %s", path);
    f->fd_dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (f->fd_dir < 0) return md_error(err, errno, "open /proc/self/fd");
    return 0;
}

int md_fifo_child_wait(struct md_fifo_child *f, md_error_t **err)
{
    char name[16];
    snprintf(name, sizeof(name), "%d", f->path_fd);
    int fd;
    do
        fd = openat(f->fd_dir, name, O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    created_signals(0);
    if (fd < 0) return md_error(err, errno, "open exec fifo for writing");
    close(f->path_fd);
    close(f->fd_dir);
    f->path_fd = f->fd_dir = -1;
    f->write_fd = fd;
    if (write(fd, "0", 1) != 1) return md_error(err, errno, "write exec fifo");
    return 0;
}

void md_fifo_child_error(struct md_fifo_child *f, md_error_t **err)
{
    if (f->write_fd >= 0 && err && *err) {
        const char *m = (*err)->msg ? (*err)->msg : "container init failed";
        size_t ml = strlen(m);
        char *buf = malloc(sizeof(struct rec) + ml);
        if (buf) {
            struct rec r = {(*err)->exit_code, (*err)->errnum};
            memcpy(buf, &r, sizeof(r));
            memcpy(buf + sizeof(r), m, ml);
            /* `start` may be gone: that must not kill us before our exit code */
            signal(SIGPIPE, SIG_IGN);
            md_write_all(f->write_fd, buf, sizeof(r) + ml);
            free(buf);
        }
    }
}

static int record_error(const char *buf, size_t len, md_error_t **err)
{
    struct rec r = {MD_EXIT_ENGINE, 0};
    if (len < sizeof(r)) return md_error(err, 0, "container init failed");
    memcpy(&r, buf, sizeof(r));
    md_error_code(err, r.exit_code, 0, "%.*s", (int)(len - sizeof(r)), buf + sizeof(r));
    if (err && *err) (*err)->errnum = r.errnum;
    return r.errnum > 0 ? -r.errnum : -1;
}

/* Read what is there; returns 1 at EOF, 0 otherwise, < 0 on error. */
static int drain(int fd, char **buf, size_t *len, size_t *cap)
{
    for (;;) {
        if (*len + 4096 > *cap) {
            char *n = realloc(*buf, *cap * 2 + 4096);
            if (n == NULL) return -ENOMEM;
            *buf = n;
            *cap = *cap * 2 + 4096;
        }
        ssize_t n = read(fd, *buf + *len, *cap - *len);
        if (n > 0) {
            *len += (size_t)n;
            continue;
        }
        if (n == 0) return 1;
        if (errno == EINTR) continue;
        return errno == EAGAIN ? 0 : -errno;
    }
}

int md_fifo_start(const char *path, int pidfd, md_error_t **err)
{
    /* non-blocking: an init that died before opening its end must not
     * leave us blocked in open(2) forever */
    cleanup_close int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open exec fifo %s", path);
    cleanup_free char *buf = NULL;
    size_t len = 0, cap = 0;
    int exited = 0;
    for (;;) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return md_error(err, errno, "poll exec fifo");
        }
        exited = exited || (p[1].revents != 0);
        int eof = 0;
        if (p[0].revents || exited) {
            eof = drain(fd, &buf, &len, &cap);
            if (eof < 0) return md_error(err, -eof, "read exec fifo");
        }
        /* EOF only counts once the init has connected (sent '0'): before
         * that, a reader of a fifo without writers reads 0 bytes too */
        if (len > 0 && (eof || exited)) break;
        if (exited || (eof && (p[0].revents & POLLHUP)))
            return md_error(err, 0, "container init exited before it was started");
    }
    if (buf[0] != '0') return md_error(err, 0, "exec fifo: unexpected data");
    if (len > 1) return record_error(buf + 1, len - 1, err);
    return 0;
}
