#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/jsonlog.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

int md_tty_raw(int fd, struct md_tty_saved *saved)
{
    saved->fd = -1;
    if (!isatty(fd) || tcgetattr(fd, &saved->tio) < 0) return 0;
    struct termios raw = saved->tio;
    cfmakeraw(&raw);
    /* keep output post-processing of the host terminal untouched: the pty
     * inside already turned \n into \r\n */
    if (tcsetattr(fd, TCSADRAIN, &raw) < 0) return -errno;
    saved->fd = fd;
    return 0;
}

void md_tty_restore(struct md_tty_saved *saved)
{
    if (saved->fd >= 0) tcsetattr(saved->fd, TCSADRAIN, &saved->tio);
    saved->fd = -1;
}

void md_tty_copy_winsize(int from_fd, int master)
{
    struct winsize ws;
    if (master >= 0 && ioctl(from_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
        ioctl(master, TIOCSWINSZ, &ws);
}

static void forward_mask(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(set, forwarded[i]);
}

int md_io_block_signals(md_error_t **err)
{
    sigset_t set;
    forward_mask(&set);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return md_error(err, errno, "sigprocmask");
    return 0;
}

/* Output of the container: copied to our stdout/stderr and to the log. */
struct out_src {
    int fd;     /* pty master or pipe read end, -1 when done */
    int stream; /* 1 stdout, 2 stderr */
};

/* Copy what is available; returns 0 on data (or none yet), 1 on EOF/EIO. */
static int pump_out(struct out_src *o, struct md_jsonlog *log)
{
    char buf[16384];
    ssize_t n = read(o->fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
    if (n <= 0) return 1;
    md_write_all(o->stream == 2 ? STDERR_FILENO : STDOUT_FILENO, buf, (size_t)n);
    if (log) md_jsonlog_write(log, o->stream, buf, (size_t)n);
    return 0;
}

static int pump_in(int to)
{
    char buf[16384];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
    if (n <= 0) return 1;
    /* a reader that has gone (EPIPE) ends the relay of stdin */
    return md_write_all(to, buf, (size_t)n) < 0 ? 1 : 0;
}

int md_stdio_relay_setup(struct md_stdio_relay *r, int relay_in, md_error_t **err)
{
    *r = (struct md_stdio_relay)MD_STDIO_RELAY_INIT;
    for (int fd = relay_in ? 0 : 1; fd < 3; fd++) {
        if (!isatty(fd)) continue;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) return md_error(err, errno, "stdio pipe");
        /* ours: the write end of stdin, the read ends of stdout/stderr */
        int ours = fd == 0 ? p[1] : p[0];
        r->child[fd] = fd == 0 ? p[0] : p[1];
        *(fd == 0 ? &r->in_w : fd == 1 ? &r->out_r : &r->err_r) = ours;
        if ((r->saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0 || dup2(r->child[fd], fd) < 0)
            return md_error(err, errno, "stdio pipe");
    }
    if (r->in_w >= 0) signal(SIGPIPE, SIG_IGN); /* the container may close its stdin */
    return 0;
}

void md_stdio_relay_restore(struct md_stdio_relay *r)
{
    for (int fd = 0; fd < 3; fd++) {
        if (r->saved[fd] >= 0) {
            dup2(r->saved[fd], fd);
            close(r->saved[fd]);
            r->saved[fd] = -1;
        }
        if (r->child[fd] >= 0) close(r->child[fd]);
        r->child[fd] = -1;
    }
}

void md_stdio_relay_close(struct md_stdio_relay *r)
{
    md_stdio_relay_restore(r);
    int *fds[] = {&r->in_w, &r->out_r, &r->err_r};
    for (int i = 0; i < 3; i++) {
        if (*fds[i] >= 0) close(*fds[i]);
        *fds[i] = -1;
    }
}

/* PID 1 is gone, and with it every process of its pid namespace: what is
 * left in the pipes or the pty can be read without blocking for long. */
static void drain(struct out_src *o, struct md_jsonlog *log)
{
    if (o->fd < 0) return;
    int fl = fcntl(o->fd, F_GETFL);
    fcntl(o->fd, F_SETFL, fl | O_NONBLOCK);
    char buf[16384];
    ssize_t n;
    while ((n = read(o->fd, buf, sizeof(buf))) > 0) {
        md_write_all(o->stream == 2 ? STDERR_FILENO : STDOUT_FILENO, buf, (size_t)n);
        if (log) md_jsonlog_write(log, o->stream, buf, (size_t)n);
    }
}

static void handle_signal(int sigfd, struct md_container *c)
{
    struct signalfd_siginfo si;
    while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGWINCH)
            md_tty_copy_winsize(STDIN_FILENO, c->pty_master);
        else
            md_container_signal(c, (int)si.ssi_signo);
    }
}

int md_io_wait(struct md_container *c, int forward_stdin, int *status, md_error_t **err)
{
    struct md_io_out out = {-1, -1, NULL, -1};
    return md_io_wait_out(c, forward_stdin, &out, status, err);
}

int md_io_wait_out(struct md_container *c, int forward_stdin, const struct md_io_out *out,
                   int *status, md_error_t **err)
{
    sigset_t set;
    forward_mask(&set);
    cleanup_close int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0) return md_error(err, errno, "signalfd");
    struct out_src src[2] = {{c->pty_master >= 0 ? c->pty_master : out->out_fd, 1},
                             {c->pty_master >= 0 ? -1 : out->err_fd, 2}};
    int in_to = c->pty_master >= 0 ? c->pty_master : out->in_fd > 0 ? out->in_fd : -1;
    int in_open = forward_stdin && in_to >= 0;
    for (;;) {
        struct pollfd p[5] = {{c->pidfd, POLLIN, 0},
                              {sigfd, POLLIN, 0},
                              {src[0].fd, POLLIN, 0},
                              {src[1].fd, POLLIN, 0},
                              {in_open ? STDIN_FILENO : -1, POLLIN, 0}};
        if (poll(p, 5, -1) < 0) {
            if (errno == EINTR) continue;
            return md_error(err, errno, "poll");
        }
        if (p[1].revents) handle_signal(sigfd, c);
        for (int i = 0; i < 2; i++)
            if (p[2 + i].revents && pump_out(&src[i], out->log)) src[i].fd = -1;
        if (p[4].revents && pump_in(in_to)) {
            /* end of input: the pty's EOF character, as a typed ^D would;
             * a pipe is closed */
            if (c->pty_master >= 0 && md_write_all(c->pty_master, "\x04", 1) < 0) {
            }
            if (c->pty_master < 0) close(in_to);
            in_open = 0;
        }
        if (p[0].revents) break;
    }
    if (in_open && c->pty_master < 0)
        close(in_to); /* the stdin pipe is ours to close (md_io_out.in_fd) */
    drain(&src[0], out->log);
    drain(&src[1], out->log);
    if (out->log) md_jsonlog_flush(out->log);
    return md_container_wait(c, status, err);
}
