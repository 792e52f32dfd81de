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

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

int md_tty_raw(int fd, struct md_tty_saved *saved)
{
    saved->fd = -1;
    if (!isatty(fd) || tcgetattr(fd, &saved->tio) < 0)
        return 0;
    struct termios raw = saved->tio;
    cfmakeraw(&raw);
    /* keep output post-processing of the host terminal untouched: the pty
     * inside already turned \n into \r\n */
    if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
        return -errno;
    saved->fd = fd;
    return 0;
}

void md_tty_restore(struct md_tty_saved *saved)
{
    if (saved->fd >= 0)
        tcsetattr(saved->fd, TCSADRAIN, &saved->tio);
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
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return md_error(err, errno, "sigprocmask");
    return 0;
}

/* Copy what is available; returns 0 on data, 1 on EOF/EIO (slave gone). */
static int pump(int from, int to)
{
    char buf[16384];
    ssize_t n = read(from, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0)
        return 1;
    md_write_all(to, buf, (size_t)n);
    return 0;
}

static void drain(int master)
{
    if (master < 0)
        return;
    int fl = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, fl | O_NONBLOCK);
    char buf[16384];
    ssize_t n;
    while ((n = read(master, buf, sizeof(buf))) > 0)
        md_write_all(STDOUT_FILENO, buf, (size_t)n);
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
    sigset_t set;
    forward_mask(&set);
    cleanup_close int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0)
        return md_error(err, errno, "signalfd");
    int master = c->pty_master, in_open = forward_stdin && master >= 0;
    for (;;) {
        struct pollfd p[4] = {{c->pidfd, POLLIN, 0}, {sigfd, POLLIN, 0},
                              {master, POLLIN, 0}, {in_open ? STDIN_FILENO : -1, POLLIN, 0}};
        if (poll(p, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            return md_error(err, errno, "poll");
        }
        if (p[1].revents)
            handle_signal(sigfd, c);
        if (p[2].revents && pump(master, STDOUT_FILENO))
            master = -1;
        if (p[3].revents && pump(STDIN_FILENO, c->pty_master)) {
            /* end of input: the pty's EOF character, as a typed ^D would */
            if (md_write_all(c->pty_master, "\x04", 1) < 0) {
            }
            in_open = 0;
        }
        if (p[0].revents)
            break;
    }
    drain(master);
    return md_container_wait(c, status, err);
}
