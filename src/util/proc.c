/* Facts about a process from /proc/<pid>. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

int md_proc_stat_read(pid_t pid, struct md_proc_stat *st)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    cleanup_free char *text = NULL;
    memset(st, 0, sizeof(*st));
    if (pid <= 0 || md_read_file(path, &text, NULL, NULL) < 0) return -1;
    /* the comm may hold spaces and ')': the fields follow the last ')' */
    char *open = strchr(text, '('), *close = strrchr(text, ')');
    if (open == NULL || close == NULL || close < open || close[1] == '\0') return -1;
    snprintf(st->comm, sizeof(st->comm), "%.*s", (int)(close - open - 1), open + 1);
    /* fields 3.. : state ppid pgrp session tty_nr tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime priority nice num_threads
     * itrealvalue starttime vsize rss */
    int n = sscanf(close + 2,
                   "%c %d %d %d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %ld %ld "
                   "%*d %llu %llu %ld",
                   &st->state, &st->ppid, &st->pgrp, &st->session, &st->tty_nr, &st->utime,
                   &st->stime, &st->nice, &st->threads, &st->starttime, &st->vsize, &st->rss);
    return n == 12 ? 0 : -1;
}

uint64_t md_proc_starttime(pid_t pid)
{
    struct md_proc_stat st;
    /* a zombie is as good as gone: it cannot run anything */
    if (md_proc_stat_read(pid, &st) < 0 || st.state == 'Z' || st.state == 'X') return 0;
    return st.starttime;
}

static char *helper_binary;

void md_set_helper_binary(const char *path)
{
    free(helper_binary);
    helper_binary = path ? strdup(path) : NULL;
}

const char *md_helper_binary(void)
{
    return helper_binary;
}

/* The grandchild belongs to init, not to a caller that may wait for any child; it holds none of
 * the caller's fds but keep (a pipe a shell reads to its end would wait for it) and leaves its
 * session (a ^C at the terminal is not for it). Returns in the grandchild (1), in the caller once
 * the middle process is reaped (0), or -1. */
static int detach(int keep)
{
    pid_t p = fork();
    if (p < 0) return -1;
    if (p == 0) {
        if (fork() != 0) _exit(0);
        setsid();
        if (keep > 0) close_range(0, (unsigned)keep - 1, 0);
        close_range((unsigned)keep + 1, ~0U, 0);
        int null = open("/dev/null", O_RDWR);
        if (null == 0) dup2(null, 1), dup2(null, 2);
        return 1;
    }
    while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

int md_run_detached(void (*fn)(void *), void *arg)
{
    if (helper_binary) return -1; /* threaded: a forked child may run no library code */
    int r = detach(-1);
    if (r == 1) {
        fn(arg);
        _exit(0);
    }
    return r;
}

int md_run_detached_report(int (*fn)(void *), void *arg, int *result)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -1;
    int r = detach(p[1]);
    if (r == 1) {
        int v = fn(arg);
        (void)!write(p[1], &v, sizeof(v));
        close(p[1]); /* reported: what the process's end still waits for is nobody's wait */
        _exit(0);
    }
    close(p[1]);
    if (r == 0 && md_read_exact(p[0], result, sizeof(*result)) < 0) r = -1;
    close(p[0]);
    return r;
}

int md_detached_prepare(void (*fn)(void *, const char *), void *arg)
{
    int p[2];
    /* a socket, not a pipe: a send to a helper that died is EPIPE, not the caller's SIGPIPE */
    if (helper_binary || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0) return -1;
    int r = detach(p[0]);
    if (r == 1) {
        char msg[4097];
        size_t have = 0;
        ssize_t n;
        while (
            have < sizeof(msg) - 1 &&
            ((n = read(p[0], msg + have, sizeof(msg) - 1 - have)) > 0 || (n < 0 && errno == EINTR)))
            have += n > 0 ? (size_t)n : 0;
        msg[have] = '\0';
        if (have) fn(arg, msg);
        _exit(0);
    }
    close(p[0]);
    if (r < 0) {
        close(p[1]);
        return -1;
    }
    return p[1];
}

int md_detached_send(int fd, const char *msg)
{
    size_t len = strlen(msg), off = 0;
    while (off < len) {
        ssize_t n = send(fd, msg + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += (size_t)n;
    }
    close(fd);
    return off == len ? 0 : -1;
}
