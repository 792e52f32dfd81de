/* The last step of the child (execve with a PATH search in the container's
 * environment) and --init, the small PID 1 that reaps and forwards signals. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "sync.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_path(char **envp)
{
    for (char **e = envp; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0) return *e + 5;
    return DEFAULT_PATH;
}

static int exec_error(const char *cmd, int e, int searched, md_error_t **err)
{
    if (e == ENOENT && searched)
        return md_error_code(err, MD_EXIT_NOT_FOUND, 0,
                             "exec: \"%s\": executable file not found in $PATH", cmd);
    if (e == ENOENT || e == ENOTDIR)
        return md_error_code(err, MD_EXIT_NOT_FOUND, e, "exec: \"%s\": stat %s", cmd, cmd);
    struct stat st;
    if (e == EACCES && stat(cmd, &st) == 0 && S_ISDIR(st.st_mode))
        return md_error_code(err, MD_EXIT_CANNOT_INVOKE, 0, "exec: \"%s\": is a directory", cmd);
    return md_error_code(err, MD_EXIT_CANNOT_INVOKE, e, "exec: \"%s\"", cmd);
}

int md_exec_path(char **argv, char **envp, md_error_t **err)
{
    static char *empty[] = {NULL};
    const char *cmd = argv[0];
    if (envp == NULL) envp = empty;
    if (strchr(cmd, '/') != NULL) {
        execve(cmd, argv, envp);
        return exec_error(cmd, errno, 0, err);
    }
    const char *path = env_path(envp);
    int seen_eacces = 0, last = ENOENT;
    size_t cl = strlen(cmd);
    while (*path) {
        const char *end = strchrnul(path, ':');
        size_t dl = (size_t)(end - path);
        char *full = malloc(dl + cl + 2);
        if (full == NULL) return md_error(err, ENOMEM, "exec");
        memcpy(full, dl ? path : ".", dl ? dl : 1);
        size_t off = dl ? dl : 1;
        full[off] = '/';
        memcpy(full + off + 1, cmd, cl + 1);
        execve(full, argv, envp);
        last = errno;
        free(full);
        if (last == EACCES)
            seen_eacces = 1;
        else if (last != ENOENT && last != ENOTDIR)
            return exec_error(cmd, last, 1, err);
        path = *end ? end + 1 : end;
    }
    return exec_error(cmd, seen_eacces ? EACCES : ENOENT, 1, err);
}

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
