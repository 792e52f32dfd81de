/* The commands the server runs for what the CLI already does (`mydocker cp`, `diff`, `top`,
 * the prunes, `mydocker-image` pull/push/save/load/history/login/build, tar): one way to run
 * them, their stdin fed from a buffer, stdout and stderr read as they come (a full pipe on one
 * must not stall the other) */
#include "api/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/start.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct sink {
    char *buf;
    size_t len, cap;
};

static int drain(int fd, struct sink *s)
{
    if (s->cap - s->len < 65536) {
        s->cap = s->cap * 2 + 65536;
        s->buf = realloc(s->buf, s->cap + 1);
        if (s->buf == NULL) md_oom();
    }
    ssize_t n = read(fd, s->buf + s->len, s->cap - s->len);
    if (n > 0) s->len += (size_t)n;
    return n > 0 || (n < 0 && errno == EINTR) ? 0 : -1;
}

/* both pipes to their ends; err NULL: stderr went to stdout's pipe */
static void collect(int o, int e, struct sink *out, struct sink *err)
{
    while (o >= 0 || e >= 0) {
        struct pollfd p[2] = {{o, POLLIN, 0}, {e, POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR) break;
        if (p[0].revents && drain(o, out) < 0) close(o), o = -1;
        if (p[1].revents && drain(e, err) < 0) close(e), e = -1;
    }
}

int api_run(char *const *argv, const char *in, size_t in_len, char **out, size_t *out_len,
            char **err)
{
    int o[2], e[2] = {-1, -1}, i[2];
    if (pipe2(o, O_CLOEXEC) < 0) return -1;
    if ((err && pipe2(e, O_CLOEXEC) < 0) || pipe2(i, O_CLOEXEC) < 0) {
        close(o[0]), close(o[1]);
        if (e[0] >= 0) close(e[0]), close(e[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(i[0], 0), dup2(o[1], 1), dup2(err ? e[1] : o[1], 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(i[0]), close(o[1]);
    if (err) close(e[1]);
    /* the input from a child of ours: a large tar must not block against our reads */
    pid_t feeder = pid > 0 && in_len ? fork() : -1;
    if (feeder == 0) {
        md_write_all(i[1], in, in_len);
        _exit(0);
    }
    close(i[1]);
    struct sink so = {0}, se = {0};
    collect(o[0], err ? e[0] : -1, &so, &se);
    if (feeder > 0) waitpid(feeder, NULL, 0);
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) st = -1;
    if (so.buf) so.buf[so.len] = '\0';
    if (se.buf) se.buf[se.len] = '\0';
    *out = so.buf;
    if (out_len) *out_len = so.len;
    if (err)
        *err = se.buf;
    else
        free(se.buf);
    if (st < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* argv[0] named as a sibling of the server's binary, the rest as given */
static int sibling(const char *name, char *const *args, const char *in, size_t in_len, char **out,
                   size_t *out_len, char **err)
{
    cleanup_free char *bin =
        strcmp(name, "mydocker") == 0 ? md_engine_binary() : md_self_path(name);
    cleanup_strv char **argv = md_strv_dup(NULL);
    md_strv_append(&argv, bin ? bin : name);
    for (char *const *a = args; a && *a; a++)
        md_strv_append(&argv, *a);
    return api_run(argv, in, in_len, out, out_len, err);
}

int api_mydocker(char *const *args, const char *in, size_t in_len, char **out, size_t *out_len,
                 char **err)
{
    return sibling("mydocker", args, in, in_len, out, out_len, err);
}

int api_image_tool(char *const *args, const char *in, size_t in_len, char **out, size_t *out_len,
                   char **err)
{
    return sibling("mydocker-image", args, in, in_len, out, out_len, err);
}
