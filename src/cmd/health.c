/* `mydocker health-run ID` (internal, started by the engine with each start
 * of a container that has a healthcheck): probes the container on docker's
 * schedule with an `exec` of the check, records each result, and ends when
 * the container's PID 1 does (a pidfd: a restarted container gets a new
 * runner, this one ends with the old process). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/health.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/duration.h"
#include "util/strv.h"
#include "util/time.h"

/* docker keeps this much of a probe's output */
#define MAX_OUTPUT 4096
/* after a timeout, the probe's exec gets this long to end on SIGTERM */
#define KILL_GRACE_MS 2000

/* the probe: `exec ID ARGV...` in a child with stdout+stderr on pipe_w */
static pid_t start_probe(const char *id, char **argv, int pipe_w)
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    dup2(pipe_w, 1);
    dup2(pipe_w, 2);
    char **args = NULL;
    md_strv_append(&args, "exec");
    md_strv_append(&args, id);
    for (char **a = argv; *a; a++)
        md_strv_append(&args, *a);
    _exit(cmd_exec((int)md_strv_len(args), args));
}

static int ms_left(int64_t deadline)
{
    int64_t left = (deadline - md_now_ns()) / 1000000;
    return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* Reads the output until EOF or the deadline; 1 when the deadline passed. */
static int collect(int fd, int64_t deadline, char *out, size_t *len)
{
    char buf[4096];
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, ms_left(deadline));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) return 1;
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        size_t take = (size_t)r < MAX_OUTPUT - *len ? (size_t)r : MAX_OUTPUT - *len;
        memcpy(out + *len, buf, take);
        *len += take;
    }
}

static int reap(pid_t pid, int timed_out)
{
    int st = 0;
    if (timed_out) {
        kill(pid, SIGTERM); /* exec forwards it to the check's process */
        for (int i = 0; i < KILL_GRACE_MS / 50 && waitpid(pid, &st, WNOHANG) == 0; i++)
            usleep(50000);
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void probe(const char *id, const struct md_health_plan *p, struct md_health_result *res,
                  char *out)
{
    int fds[2];
    size_t len = 0;
    res->start_ns = md_now_ns();
    res->output = out;
    out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) < 0) {
        res->end_ns = md_now_ns();
        res->exit_code = -1;
        return;
    }
    pid_t pid = start_probe(id, p->argv, fds[1]);
    close(fds[1]);
    int timed_out = pid > 0 && collect(fds[0], res->start_ns + p->timeout, out, &len);
    close(fds[0]);
    out[len] = '\0';
    int code = pid > 0 ? reap(pid, timed_out) : -1;
    res->end_ns = md_now_ns();
    res->exit_code = timed_out ? -1 : code;
    if (timed_out) {
        char d[64];
        md_duration_text(p->timeout, d, sizeof(d));
        snprintf(out, MAX_OUTPUT + 1, "Health check exceeded timeout (%s)", d);
    }
}

/* 1 when the container's PID 1 ended within ms */
static int ended_within(int pidfd, int64_t ms)
{
    struct pollfd p = {pidfd, POLLIN, 0};
    int64_t deadline = md_now_ns() + ms * 1000000;
    for (;;) {
        int n = poll(&p, 1, ms_left(deadline));
        if (n > 0) return 1;
        if (n == 0 && ms_left(deadline) == 0) return 0;
    }
}

int cmd_health_run(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "mydocker: health-run: internal command, started by mydocker\n");
        return 2;
    }
    struct md_ctr *c = NULL;
    struct md_health_plan p;
    if (md_ctr_load_id(argv[1], &c, NULL) < 0) return 1;
    int pidfd = c->status == MD_CTR_RUNNING ? md_ctr_pidfd(c) : -1;
    int64_t started = c->started_ns;
    int active = pidfd >= 0 && md_health_plan_get(c->record, &p);
    md_ctr_free(c);
    if (!active) return 0;
    int starting = 1;
    static char out[MAX_OUTPUT + 1];
    for (;;) {
        /* docker: StartInterval while starting within the start period */
        int early = starting && md_now_ns() - started < p.start_period;
        if (ended_within(pidfd, (early ? p.start_interval : p.interval) / 1000000)) break;
        struct md_health_result res;
        probe(argv[1], &p, &res, out);
        if (res.exit_code == 0) starting = 0;
        md_error_t *err = NULL;
        md_health_record(argv[1], &res, &err);
        md_error_free(&err); /* removed meanwhile: the pidfd ends the loop */
    }
    md_health_plan_free(&p);
    close(pidfd);
    return 0;
}
