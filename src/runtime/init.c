/* --init: the small PID 1 that reaps orphans and forwards signals to the
 * payload, a fork of the child after its privileges are dropped (docs/protocol.md). */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
    if (child_pid > 0) kill(child_pid, sig);
}

static void init_loop(pid_t payload)
{
    int status = 0, code = 0;
    for (;;) {
        pid_t w = waitpid(-1, &status, 0);
        if (w < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (w == payload) {
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
    }
    _exit(code);
}

int md_mini_init(int sock, md_error_t **err)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return md_error(err, errno, "init: fork");
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return 0;
    }
    /* The init is a copy of mydocker that never execs: keep /proc/1/exe and
     * /proc/1/mem out of the container's reach (CVE-2019-5736). */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    close(sock);
    /* the init never execs, so close-on-exec does not help: nothing of the
     * caller's (a host directory fd, a lock) may stay reachable via /proc/1/fd.
     * The seccomp filter is loaded already, and a profile older than
     * close_range refuses it: then one close() per fd. */
    if (syscall(SYS_close_range, 3, ~0U, 0) < 0) {
        struct rlimit rl;
        int max =
            getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
        for (int fd = 3; fd < max; fd++)
            close(fd);
    }
    child_pid = pid;
    struct sigaction sa = {.sa_handler = forward};
    for (int s = 1; s < NSIG; s++)
        if (s != SIGCHLD && s != SIGKILL && s != SIGSTOP) sigaction(s, &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    init_loop(pid);
    return 0;
}
