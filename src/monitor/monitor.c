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
 *   fds are inherited; -1 when absent. TTY=1: OUTFD is a pty master (also the input). */
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

#define MAX_CLIENTS 16
#define LINE_MAX_BYTES 16384

struct stream {
    int fd;
    const char *name; /* "stdout" / "stderr" */
    char buf[LINE_MAX_BYTES];
    size_t len;
};

static struct {
    const char *id, *rundir, *logpath, *engine;
    long long maxsize;
    int maxfile;
    int logfd;
    long long logsize;
    int pidfd, infd, tty, listenfd;
    int clients[MAX_CLIENTS];
    int client_in[MAX_CLIENTS]; /* still sending input (not shut down for writing) */
    struct stream out, err;
} m;

static int write_all(int fd, const char *b, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static void open_log(void)
{
    m.logfd = open(m.logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat st;
    m.logsize = (m.logfd >= 0 && fstat(m.logfd, &st) == 0) ? st.st_size : 0;
}

/* docker's rotation: LOG -> LOG.1 -> ... -> LOG.(maxfile-1), the oldest dropped */
static void rotate(void)
{
    if (m.maxsize <= 0 || m.logsize < m.maxsize)
        return;
    close(m.logfd);
    char from[4200], to[4200];
    for (int i = m.maxfile - 1; i >= 1; i--) {
        snprintf(to, sizeof(to), "%s.%d", m.logpath, i);
        if (i == 1)
            snprintf(from, sizeof(from), "%s", m.logpath);
        else
            snprintf(from, sizeof(from), "%s.%d", m.logpath, i - 1);
        rename(from, to);
    }
    if (m.maxfile <= 1)
        unlink(m.logpath);
    open_log();
}

static size_t json_escape(const char *s, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\r') {
            out[o++] = '\\';
            out[o++] = 'r';
        } else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(out + o, "\\u00", 4);
            out[o + 4] = hex[c >> 4];
            out[o + 5] = hex[c & 15];
            o += 6;
        } else {
            out[o++] = (char)c; /* UTF-8 passes through as bytes */
        }
    }
    return o;
}

static void log_entry(const char *stream, const char *data, size_t n)
{
    static char line[LINE_MAX_BYTES * 6 + 256];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t o = (size_t)snprintf(line, sizeof(line), "{\"log\":\"");
    o += json_escape(data, n, line + o);
    o += (size_t)snprintf(line + o, sizeof(line) - o,
                          "\",\"stream\":\"%s\",\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\"}\n",
                          stream, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                          tm.tm_min, tm.tm_sec, ts.tv_nsec);
    if (m.logfd >= 0 && write_all(m.logfd, line, o) == 0)
        m.logsize += (long long)o;
    rotate();
}

/* Attach clients get a docker-style frame: [stream, 0, 0, 0, size BE32] + data
 * (raw bytes for a tty). */
static void to_clients(int stream_no, const char *data, size_t n)
{
    unsigned char hdr[8] = {(unsigned char)stream_no, 0, 0, 0, (unsigned char)(n >> 24),
                            (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (m.clients[i] < 0)
            continue;
        if ((!m.tty && write_all(m.clients[i], (char *)hdr, 8) < 0) ||
            write_all(m.clients[i], data, n) < 0) {
            close(m.clients[i]);
            m.clients[i] = -1;
        }
    }
}

/* Entries end at a newline, or at 16 KiB without one, as docker's do. */
static void flush_lines(struct stream *s, int all)
{
    size_t start = 0;
    for (size_t i = 0; i < s->len; i++) {
        if (s->buf[i] == '\n') {
            log_entry(s->name, s->buf + start, i + 1 - start);
            start = i + 1;
        }
    }
    if ((all || (start == 0 && s->len == sizeof(s->buf))) && start < s->len) {
        log_entry(s->name, s->buf + start, s->len - start);
        start = s->len;
    }
    memmove(s->buf, s->buf + start, s->len - start);
    s->len -= start;
}

/* Returns 1 at end of stream, 2 when nothing is available now. */
static int pump(struct stream *s, int stream_no)
{
    ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 2;
    if (n <= 0) {
        flush_lines(s, 1);
        close(s->fd);
        s->fd = -1;
        return 1;
    }
    to_clients(stream_no, s->buf + s->len, (size_t)n);
    s->len += (size_t)n;
    flush_lines(s, 0);
    return 0;
}

static void open_listener(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/attach.sock", m.rundir);
    unlink(sa.sun_path);
    m.listenfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (m.listenfd < 0)
        return;
    if (bind(m.listenfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(m.listenfd, 8) < 0) {
        close(m.listenfd);
        m.listenfd = -1;
    }
}

static void accept_client(void)
{
    int c = accept4(m.listenfd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0)
        return;
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
    if (in >= 0)
        write_all(in, buf, (size_t)n);
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
            if (errno == EINTR)
                continue;
            return;
        }
        if (p[1].revents)
            pump(&m.out, 1);
        if (p[2].revents)
            pump(&m.err, 2);
        if (p[3].revents)
            accept_client();
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (p[4 + i].revents && m.clients[i] >= 0)
                client_input(i);
        if (p[0].revents)
            return;
    }
}

/* After PID 1 is gone every process of its pid namespace is gone too, so the
 * pipes reach EOF (a pty master reports EIO) without waiting on strangers. */
static void drain(void)
{
    for (int s = 0; s < 2; s++) {
        struct stream *st = s ? &m.err : &m.out;
        if (st->fd < 0)
            continue;
        fcntl(st->fd, F_SETFL, fcntl(st->fd, F_GETFL) | O_NONBLOCK);
        while (st->fd >= 0 && pump(st, s + 1) == 0)
            ;
        if (st->fd >= 0)
            flush_lines(st, 1);
    }
}

static void record_exit(int status)
{
    char path[4200], tmp[4300], text[64];
    snprintf(path, sizeof(path), "%s/exit", m.rundir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int n = snprintf(text, sizeof(text), "%d %lld.%09ld\n", status, (long long)ts.tv_sec, ts.tv_nsec);
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
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 12) {
        fprintf(stderr, "mydocker-monitor: internal program, started by mydocker\n");
        return 2;
    }
    m.id = argv[1];
    m.rundir = argv[2];
    m.logpath = argv[3];
    m.maxsize = atoll(argv[4]);
    m.maxfile = atoi(argv[5]) > 0 ? atoi(argv[5]) : 1;
    m.pidfd = fdarg(argv[6]);
    m.out = (struct stream){.fd = fdarg(argv[7]), .name = "stdout"};
    m.err = (struct stream){.fd = fdarg(argv[8]), .name = "stderr"};
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
    open_log();
    open_listener();
    loop();
    drain();
    int status = wait_container();
    record_exit(status);
    if (m.listenfd >= 0) {
        char sock[4200];
        snprintf(sock, sizeof(sock), "%s/attach.sock", m.rundir);
        unlink(sock);
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (m.clients[i] >= 0)
            close(m.clients[i]);
    char code[16];
    snprintf(code, sizeof(code), "%d", status);
    execl(m.engine, m.engine, "container-exited", m.id, code, (char *)NULL);
    return 0;
}
