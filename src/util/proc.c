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

/* one message, and the fd it may carry: closed first (its last close may be slow: a mount
 * namespace's teardown), then fn */
static void detached_wait(int sock, void (*fn)(void *, const char *), void *arg)
{
    char msg[4097];
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {msg, sizeof(msg) - 1};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf)};
    ssize_t n;
    while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (n <= 0) return;
    msg[n] = '\0';
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
        int held;
        memcpy(&held, CMSG_DATA(cm), sizeof(held));
        /* the sender closes its copy before its end of the socket: at EOF ours is the last */
        char c;
        while (recv(sock, &c, 1, 0) != 0 && errno == EINTR)
            ;
        close(held);
    }
    fn(arg, msg);
}

int md_detached_prepare(void (*fn)(void *, const char *), void *arg)
{
    int p[2];
    /* a socket, not a pipe: a send to a helper that died is EPIPE, not the caller's SIGPIPE */
    if (helper_binary || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0) return -1;
    int r = detach(p[0]);
    if (r == 1) {
        detached_wait(p[0], fn, arg);
        _exit(0);
    }
    close(p[0]);
    if (r < 0) {
        close(p[1]);
        return -1;
    }
    return p[1];
}

int md_detached_send(int fd, const char *msg, int pass)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {(void *)msg, strlen(msg)};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (pass >= 0) {
        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.buf;
        mh.msg_controllen = sizeof(ctl.buf);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &pass, sizeof(pass));
    }
    ssize_t n;
    while ((n = sendmsg(fd, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (pass >= 0) close(pass);
    close(fd);
    return n == (ssize_t)iov.iov_len ? 0 : -1;
}
