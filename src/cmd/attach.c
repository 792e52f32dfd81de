/* attach: this terminal to a detached container's stdio, through its
 * monitor's socket. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "store/ctr.h"
#include "engine/lifecycle.h"
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

/* Ctrl-P Ctrl-Q detaches (only with a tty, as docker). Returns 1 on detach. */
static int forward_input(int sock, int tty, int *state)
{
    char buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n <= 0) return -1;
    for (ssize_t i = 0; tty && i < n; i++) {
        if (*state == 0 && buf[i] == 0x10)
            *state = 1;
        else if (*state == 1 && buf[i] == 0x11)
            return 1;
        else
            *state = 0;
    }
    md_write_all(sock, buf, (size_t)n);
    return 0;
}

static int relay(int sock, int tty, int no_stdin)
{
    static char buf[1 << 17];
    size_t have = 0;
    int in_open = !no_stdin, state = 0;
    for (;;) {
        struct pollfd p[2] = {{sock, POLLIN, 0}, {in_open ? STDIN_FILENO : -1, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (p[1].revents) {
            int r = forward_input(sock, tty, &state);
            if (r == 1) return 1;
            if (r < 0) {
                in_open = 0;
                shutdown(sock, SHUT_WR);
            }
        }
        if (p[0].revents) {
            ssize_t n = read(sock, buf + have, sizeof(buf) - have);
            if (n <= 0) return 0;
            if (tty) {
                md_write_all(STDOUT_FILENO, buf, (size_t)n);
            } else {
                have += (size_t)n;
                demux(sock, buf, &have);
            }
        }
    }
}

int cmd_attach(int argc, char **argv)
{
    static const struct option lo[] = {{"no-stdin", no_argument, NULL, 'n'},
                                       {"sig-proxy", required_argument, NULL, 's'},
                                       {"detach-keys", required_argument, NULL, 'k'},
                                       {NULL, 0, NULL, 0}};
    int no_stdin = 0, ch;
    optind = 0;
    opterr = 0;
    while ((ch = md_getopt_long(argc, argv, "", lo, NULL)) != -1)
        if (ch == 'n') no_stdin = 1;
    if (optind != argc - 1) {
        fprintf(stderr, "mydocker: \"attach\" requires exactly 1 argument.\n");
        return 1;
    }
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
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
    const char *tty_s = md_ctr_str(c, "Config.Tty");
    (void)tty_s;
    struct json_object *cfg = NULL;
    int tty = 0;
    if (json_object_object_get_ex(c->record, "Config", &cfg) &&
        json_object_object_get_ex(cfg, "Tty", &cfg))
        tty = json_object_get_boolean(cfg);
    struct md_tty_saved saved = {.fd = -1};
    if (tty && !no_stdin) md_tty_raw(STDIN_FILENO, &saved);
    int r = relay(sock, tty, no_stdin);
    md_tty_restore(&saved);
    int code = 0;
    if (r == 1) {
        fputs("\r\nread escape sequence\r\n", stderr);
    } else {
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
