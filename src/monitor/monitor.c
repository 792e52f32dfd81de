/* mydocker-monitor: the parent of a detached container (conmon's job, no
 * daemon). The engine creates the container in a forked process and then
 * execs this small binary in that same process, so the container stays its
 * child while the engine's memory image is dropped (libc only, < 1 MB RSS).
 *
 * It relays the container's stdout/stderr (pipes, or a pty master) into
 * docker's json-file log, serves `attach` clients on a unix socket, reaps the
 * container, and then execs `mydocker container-exited` (the engine) to
 * record the exit, remove the cgroup, honour --rm and restart policies.
 *
 * usage: mydocker-monitor ID RUNDIR LOGFILE MAXSIZE MAXFILE PIDFD OUTFD ERRFD INFD TTY ENGINE
 *        LISTENFD EXITFD
 *   fds are inherited; -1 when absent. TTY=1: OUTFD is a pty master (also the input).
 *   LISTENFD: RUNDIR/attach.sock, listening already (made by the engine before the start is
 *   reported, so that an attach right behind `run -d` finds it).
 *   EXITFD: gets "STATUS\n" once the container is reaped, before `container-exited` runs (which
 *   may remove the container with --rm): how a `run` attached through us learns its code. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/write_all.h"
#include "util/jsonlog.h"

#define MAX_CLIENTS 16

struct stream {
    int fd;
    int no; /* 1 stdout, 2 stderr */
};

static struct {
    const char *id, *rundir, *engine;
    struct md_jsonlog log;
    int pidfd, infd, tty, listenfd, exitfd;
    int clients[MAX_CLIENTS];
    int client_in[MAX_CLIENTS]; /* still sending input (not shut down for writing) */
    struct stream out, err;
} m;

static int write_all(int fd, const char *b, size_t n)
{
    return md_write_all_fd(fd, b, n) < 0 ? -1 : 0;
}

/* Attach clients get a docker-style frame: [stream, 0, 0, 0, size BE32] + data
 * (raw bytes for a tty). */
static void to_clients(int stream_no, const char *data, size_t n)
{
    unsigned char hdr[8] = {(unsigned char)stream_no,
                            0,
                            0,
                            0,
                            (unsigned char)(n >> 24),
                            (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8),
                            (unsigned char)n};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (m.clients[i] < 0) continue;
        if ((!m.tty && write_all(m.clients[i], (char *)hdr, 8) < 0) ||
            write_all(m.clients[i], data, n) < 0) {
            close(m.clients[i]);
            m.clients[i] = -1;
        }
    }
}

/* Returns 1 at end of stream, 2 when nothing is available now. */
static int pump(struct stream *s, int stream_no)
{
    static char buf[65536];
    ssize_t n = read(s->fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 2;
    if (n <= 0) {
        close(s->fd);
        s->fd = -1;
        return 1;
    }
    to_clients(stream_no, buf, (size_t)n);
    md_jsonlog_write(&m.log, s->no, buf, (size_t)n);
    return 0;
}

static void accept_client(void)
{
    int c = accept4(m.listenfd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) return;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (m.clients[i] < 0) {
            m.clients[i] = c;
            m.client_in[i] = 1;
            return;
        }
    }
    close(c);
}

static void client_input(int i)
{
    char buf[4096];
    ssize_t n = read(m.clients[i], buf, sizeof(buf));
    if (n <= 0) {
        /* the client's input ended; it still gets the output */
        m.client_in[i] = 0;
        return;
    }
    int in = m.tty ? m.out.fd : m.infd;
    if (in >= 0) write_all(in, buf, (size_t)n);
}

static int wait_container(void)
{
    int st = 0;
    while (waitpid(-1, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void loop(void)
{
    for (;;) {
        struct pollfd p[4 + MAX_CLIENTS];
        p[0] = (struct pollfd){m.pidfd, POLLIN, 0};
        p[1] = (struct pollfd){m.out.fd, POLLIN, 0};
        p[2] = (struct pollfd){m.err.fd, POLLIN, 0};
        p[3] = (struct pollfd){m.listenfd, POLLIN, 0};
        for (int i = 0; i < MAX_CLIENTS; i++)
            p[4 + i] = (struct pollfd){m.client_in[i] ? m.clients[i] : -1, POLLIN, 0};
        if (poll(p, 4 + MAX_CLIENTS, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        /* a client connected before the start is accepted before any output is read */
        if (p[3].revents) accept_client();
        if (p[1].revents) pump(&m.out, 1);
        if (p[2].revents) pump(&m.err, 2);
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (p[4 + i].revents && m.clients[i] >= 0) client_input(i);
        if (p[0].revents) return;
    }
}

/* After PID 1 is gone every process of its pid namespace is gone too, so the
 * pipes reach EOF (a pty master reports EIO) without waiting on strangers. */
static void drain(void)
{
    for (int s = 0; s < 2; s++) {
        struct stream *st = s ? &m.err : &m.out;
        if (st->fd < 0) continue;
        fcntl(st->fd, F_SETFL, fcntl(st->fd, F_GETFL) | O_NONBLOCK);
        while (st->fd >= 0 && pump(st, s + 1) == 0)
            ;
    }
}

static void record_exit(int status)
{
    char path[4200], tmp[4300], text[64];
    snprintf(path, sizeof(path), "%s/exit", m.rundir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int n =
        snprintf(text, sizeof(text), "%d %lld.%09ld\n", status, (long long)ts.tv_sec, ts.tv_nsec);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        write_all(fd, text, (size_t)n);
        close(fd);
        rename(tmp, path);
    }
}

static int fdarg(const char *s)
{
    int fd = atoi(s);
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 14) {
        fprintf(stderr, "mydocker-monitor: internal program, started by mydocker\n");
        return 2;
    }
    m.id = argv[1];
    m.rundir = argv[2];
    md_jsonlog_init(&m.log, argv[3], atoll(argv[4]), atoi(argv[5]));
    m.pidfd = fdarg(argv[6]);
    m.out = (struct stream){.fd = fdarg(argv[7]), .no = 1};
    m.err = (struct stream){.fd = fdarg(argv[8]), .no = 2};
    m.infd = fdarg(argv[9]);
    m.tty = atoi(argv[10]);
    m.engine = argv[11];
    for (int i = 0; i < MAX_CLIENTS; i++)
        m.clients[i] = -1;
    signal(SIGPIPE, SIG_IGN);
    /* SIGTERM to the monitor must not orphan the container's bookkeeping */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    m.listenfd = fdarg(argv[12]);
    m.exitfd = fdarg(argv[13]);
    loop();
    drain();
    md_jsonlog_close(&m.log);
    int status = wait_container();
    record_exit(status);
    if (m.exitfd >= 0) {
        char text[16];
        int n = snprintf(text, sizeof(text), "%d\n", status);
        write_all(m.exitfd, text, (size_t)n);
        close(m.exitfd);
    }
    if (m.listenfd >= 0) {
        char sock[4200];
        snprintf(sock, sizeof(sock), "%s/attach.sock", m.rundir);
        unlink(sock);
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (m.clients[i] >= 0) close(m.clients[i]);
    char code[16];
    snprintf(code, sizeof(code), "%d", status);
    execl(m.engine, m.engine, "container-exited", m.id, code, (char *)NULL);
    return 0;
}
