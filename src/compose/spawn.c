/* The sibling binaries compose runs (mydocker for logs, exec, run, top, port; mydocker-image
 * for build, pull, push, rmi): one way to start them and one to wait for them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compose/compose_int.h"
#include "compose/up.h"
#include "engine/start.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

char *md_compose_sibling(const char *tool)
{
    return md_self_path(tool);
}

pid_t md_compose_spawn(const char *tool, char *const *args, int out)
{
    cleanup_free char *path = md_compose_sibling(tool);
    fflush(stdout);
    pid_t pid = fork();
    if (pid != 0) return pid;
    if (out == MD_COMPOSE_OUT_STDERR) {
        dup2(STDERR_FILENO, STDOUT_FILENO);
    } else if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
    }
    size_t n = md_strv_len(args);
    char **argv = md_xcalloc(n + 2, sizeof(char *));
    argv[0] = (char *)tool;
    memcpy(argv + 1, args, n * sizeof(char *));
    execv(path ? path : tool, argv);
    fprintf(stderr, "mydocker: exec %s: %s\n", path ? path : tool, strerror(errno));
    _exit(127);
}

int md_compose_wait(pid_t pid)
{
    int st = 0;
    if (pid < 0) return MD_COMPOSE_FAILED;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return MD_COMPOSE_FAILED;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int md_compose_tool(const char *tool, char *const *args, int quiet)
{
    return md_compose_wait(md_compose_spawn(tool, args, quiet ? MD_COMPOSE_OUT_STDERR : -1));
}
