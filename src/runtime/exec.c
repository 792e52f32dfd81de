/* The last step of the child: execve with a PATH search in the container's
 * environment, and docker's exit codes when it fails. */
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
