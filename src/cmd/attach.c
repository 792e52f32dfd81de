/* attach: this terminal to a detached container's stdio, through its
 * monitor's socket. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/detach_keys.h"
#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "store/ctr.h"
#include "engine/lifecycle.h"
#include "engine/start.h"
#include "runtime/io.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int connect_monitor(struct md_ctr *c)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/attach.sock", c->rundir);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* docker's stream frames: [stream, 0, 0, 0, size BE32] + payload */
static int demux(int fd, char *buf, size_t *have)
{
    while (*have >= 8) {
        size_t len = ((size_t)(unsigned char)buf[4] << 24) | ((size_t)(unsigned char)buf[5] << 16) |
                     ((size_t)(unsigned char)buf[6] << 8) | (unsigned char)buf[7];
        if (*have < 8 + len) break;
        md_write_all(buf[0] == 2 ? STDERR_FILENO : STDOUT_FILENO, buf + 8, len);
        memmove(buf, buf + 8 + len, *have - 8 - len);
        *have -= 8 + len;
    }
    (void)fd;
    return 0;
}

/* the detach sequence ends the attach (only with a tty, as docker). Returns 1 on detach. */
static int forward_input(int sock, int tty, struct md_detach_keys *k)
{
    char buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n <= 0) return -1;
    if (tty && md_detach_keys_feed(k, buf, (size_t)n)) return 1;
    md_write_all(sock, buf, (size_t)n);
    return 0;
}

/* --sig-proxy (docker's default without a tty): signals to us go to the container */
static void proxy_signal(int sigfd, struct md_ctr *c)
{
    struct signalfd_siginfo si;
    if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
        md_ctr_signal(c, (int)si.ssi_signo, NULL);
}

struct attach_io {
    int sock, tty, no_stdin, sigfd;
    struct md_detach_keys keys;
    struct md_ctr *c;
};

static int relay(struct attach_io *io)
{
    static char buf[1 << 17];
    size_t have = 0;
    int in_open = !io->no_stdin;
    for (;;) {
        struct pollfd p[3] = {{io->sock, POLLIN, 0},
                              {in_open ? STDIN_FILENO : -1, POLLIN, 0},
                              {io->sigfd, POLLIN, 0}};
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (p[2].revents) proxy_signal(io->sigfd, io->c);
        if (p[1].revents) {
            int r = forward_input(io->sock, io->tty, &io->keys);
            if (r == 1) return 1;
            if (r < 0) {
                in_open = 0;
                shutdown(io->sock, SHUT_WR);
            }
        }
        if (p[0].revents) {
            ssize_t n = read(io->sock, buf + have, sizeof(buf) - have);
            if (n <= 0) return 0;
            if (io->tty) {
                md_write_all(STDOUT_FILENO, buf, (size_t)n);
            } else {
                have += (size_t)n;
                demux(io->sock, buf, &have);
            }
        }
    }
}

static int bool_arg(const char *v)
{
    return v == NULL || strcmp(v, "true") == 0 ? 1 : strcmp(v, "false") == 0 ? 0 : -1;
}

static int attach_args(int argc, char **argv, struct md_attach_req *req)
{
    static const struct option lo[] = {{"no-stdin", no_argument, NULL, 'n'},
                                       {"sig-proxy", optional_argument, NULL, 's'},
                                       {"detach-keys", required_argument, NULL, 'k'},
                                       {NULL, 0, NULL, 0}};
    int ch;
    optind = 0;
    opterr = 0;
    struct md_detach_keys k;
    while ((ch = md_getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (ch == 'n') {
            req->no_stdin = 1;
        } else if (ch == 's' && (req->sig_proxy = bool_arg(optarg)) >= 0) {
            continue;
        } else if (ch == 'k' && md_detach_keys_parse(optarg, &k) == 0) {
            req->keys = optarg;
        } else {
            if (ch == 'k')
                fprintf(stderr, "mydocker: Invalid detach keys (%s) provided\n", optarg);
            else if (ch == 's')
                fprintf(stderr, "mydocker: invalid argument \"%s\" for \"--sig-proxy\" flag\n",
                        optarg);
            else
                fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker attach --help'.\n",
                        MD_FLAG_NAME(argv[optind - 1]));
            return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "mydocker: \"attach\" requires exactly 1 argument.\n");
        return -1;
    }
    return 0;
}

static int proxy_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    /* SIGTERM is not proxied: it ends the client, as supervisors and `timeout` expect of a
     * command (docker's client would forward it and wait for the container) */
    static const int sigs[] = {SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
        sigaddset(&set, sigs[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC);
}

int md_attach_session(struct md_attach_req *req)
{
    struct attach_io io = {
        .sock = req->sock, .tty = req->tty, .no_stdin = req->no_stdin, .sigfd = -1, .c = req->c};
    if (md_detach_keys_parse(req->keys ? req->keys : MD_DETACH_KEYS_DEFAULT, &io.keys) < 0)
        return -1;
    /* with a tty the keys reach the container through it: docker proxies no signal then */
    if (req->sig_proxy && !io.tty) io.sigfd = proxy_fd();
    struct md_tty_saved saved = {.fd = -1};
    if (io.tty && !io.no_stdin) md_tty_raw(STDIN_FILENO, &saved);
    int r = relay(&io);
    md_tty_restore(&saved);
    if (io.sigfd >= 0) close(io.sigfd);
    if (r == 1) fputs("\r\nread escape sequence\r\n", stderr);
    return r;
}

int md_attach_started(struct md_attach_req *req, struct md_attach_conn *conn)
{
    int r = md_attach_session(req);
    if (r == 1) {
        md_attach_conn_close(conn);
        return 0;
    }
    int code = md_attach_conn_status(conn);
    /* as docker's run: back once the exit is recorded (and --rm has removed it); the
     * monitor's pid is the `container-exited` it execs */
    md_engine_wait_monitor(req->c, 5000);
    return code < 0 ? MD_EXIT_ENGINE : code;
}

int md_cmd_tty_of(struct md_ctr *c)
{
    struct json_object *cfg = NULL;
    return json_object_object_get_ex(c->record, "Config", &cfg) &&
           json_object_object_get_ex(cfg, "Tty", &cfg) && json_object_get_boolean(cfg);
}

int cmd_attach(int argc, char **argv)
{
    struct md_attach_req req = {.sig_proxy = 1};
    if (attach_args(argc, argv, &req) < 0) return 1;
    md_error_t *err = NULL;
    struct md_ctr *c = NULL;
    if (md_ctr_load(argv[optind], &c, &err) < 0) return (md_error_report(&err), 1);
    if (c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED) {
        fprintf(stderr, "mydocker: You cannot attach to a stopped container, start it first\n");
        md_ctr_free(c);
        return 1;
    }
    cleanup_close int sock = connect_monitor(c);
    if (sock < 0) {
        fprintf(stderr, "mydocker: attach %s: %s\n", c->name, strerror(errno));
        md_ctr_free(c);
        return 1;
    }
    req.sock = sock;
    req.tty = md_cmd_tty_of(c);
    req.c = c;
    int r = md_attach_session(&req);
    int code = 0;
    if (r != 1) {
        md_engine_wait_recorded(c, 3000);
        code = c->exit_code;
    }
    md_ctr_free(c);
    return code;
}

int cmd_container(int argc, char **argv)
{
    static const struct md_command *table = md_commands;
    if (argc < 2) {
        fputs("Usage:  mydocker container COMMAND\n", stderr);
        return 1;
    }
    if (strcmp(argv[1], "prune") == 0) return cmd_container_prune(argc - 1, argv + 1);
    if (strcmp(argv[1], "ls") == 0 || strcmp(argv[1], "list") == 0)
        return cmd_ps(argc - 1, argv + 1);
    for (const struct md_command *t = table; t->name; t++)
        if (strcmp(t->name, argv[1]) == 0 && strcmp(t->name, "container") != 0)
            return t->fn(argc - 1, argv + 1);
    fprintf(stderr, "mydocker: unknown container command: %s\n", argv[1]);
    return 1;
}
