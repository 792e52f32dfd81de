/* The API server's start helper. A start's monitor-to-be may run no library code in a child
 * forked from the threaded server (a lock another thread held at the fork stays held), so it
 * was a posix_spawn of `mydocker __become-monitor` per start: an exec and a dynamic link of the
 * engine, over a millisecond of each `docker run`. The server spawns this helper once instead:
 * a single-threaded mydocker that receives each start (the id, the flags and the fds, by
 * SCM_RIGHTS on a SOCK_SEQPACKET pair, a message per start so that threads may send at once)
 * and forks the monitor-to-be from itself, safely. It ends with the server: at the socket's
 * end, or by PR_SET_PDEATHSIG. Without it (not spawned, or gone) a start spawns as before. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/start.h"

#define NFD 9 /* v[2..10]: out, err and in pairs, listen, exit_w, status */

struct start_msg {
    char id[65];
    int tty, interactive;
    int slot[NFD]; /* index of the fd in the message's SCM_RIGHTS, or -1 */
};

static int helper_sock = -1, helper_gone;
static pid_t helper_pid = -1;

int md_engine_start_helper_spawn(const char *self)
{
    int sv[2];
    if (self == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return -1;
    char num[16];
    snprintf(num, sizeof(num), "%d", sv[1]);
    char *argv[] = {"mydocker", "__start-helper", num, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], sv[1]); /* kept across the exec */
    pid_t pid;
    int r = posix_spawn(&pid, self, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    if (r != 0) {
        close(sv[0]);
        return -1;
    }
    helper_sock = sv[0];
    helper_pid = pid;
    return 0;
}

int md_engine_start_helper_send(const char *id, const int v[11])
{
    if (helper_sock < 0 || __atomic_load_n(&helper_gone, __ATOMIC_ACQUIRE)) return -1;
    struct start_msg m = {.tty = v[0], .interactive = v[1]};
    snprintf(m.id, sizeof(m.id), "%s", id);
    int fds[NFD], n = 0;
    for (int i = 0; i < NFD; i++) {
        m.slot[i] = v[2 + i] >= 0 ? n : -1;
        if (v[2 + i] >= 0) fds[n++] = v[2 + i];
    }
    union {
        char buf[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof(u));
    struct iovec iov = {&m, sizeof(m)};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n > 0) {
        mh.msg_control = u.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
    }
    ssize_t w;
    do
        w = sendmsg(helper_sock, &mh, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    if (w == (ssize_t)sizeof(m)) return 0;
    /* it died: reaped once, no further tries; the socket stays open (another thread may be
     * in its sendmsg, and a closed number could be reused under it) */
    if ((errno == EPIPE || errno == ECONNREFUSED) &&
        __atomic_exchange_n(&helper_gone, 1, __ATOMIC_ACQ_REL) == 0)
        while (waitpid(helper_pid, NULL, 0) < 0 && errno == EINTR)
            ;
    return -1;
}

/* one start: the child gets the fds at the numbers it received them under */
static void fork_start(const struct start_msg *m, const int *fds, int n, int sock)
{
    int v[11] = {m->tty, m->interactive};
    for (int i = 0; i < NFD; i++)
        v[2 + i] = m->slot[i] >= 0 && m->slot[i] < n ? fds[m->slot[i]] : -1;
    pid_t p = fork();
    if (p == 0) {
        close(sock);
        signal(SIGCHLD, SIG_DFL); /* the monitor waits for its container */
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        md_engine_become_monitor(m->id, v); /* forks the monitor away; does not return */
        _exit(1);
    }
    if (p < 0) { /* said on the status pipe: its end without a word would read as "started" */
        static const char msg[] = "fork of the monitor failed";
        if (v[10] >= 0) (void)!write(v[10], msg, sizeof(msg) - 1);
    }
}

int md_engine_start_helper_main(int sock)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() == 1) return 0; /* the server is gone already */
    signal(SIGCHLD, SIG_IGN);     /* each child exits once it forked its monitor: no zombie */
    fcntl(sock, F_SETFD, FD_CLOEXEC);
    for (;;) {
        struct start_msg m;
        union {
            char buf[CMSG_SPACE(sizeof(int) * NFD)];
            struct cmsghdr align;
        } u;
        struct iovec iov = {&m, sizeof(m)};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = u.buf,
                            .msg_controllen = sizeof(u.buf)};
        ssize_t r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0; /* the server closed its end */
        int fds[NFD], n = 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                if (n > NFD) n = NFD;
                memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)n);
            }
        m.id[sizeof(m.id) - 1] = '\0';
        if (r == (ssize_t)sizeof(m)) fork_start(&m, fds, n, sock);
        for (int i = 0; i < n; i++)
            close(fds[i]);
    }
}
