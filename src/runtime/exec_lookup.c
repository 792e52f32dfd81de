/* Where execve would find argv[0], checked before the container reports
 * READY, so that `create` fails on a missing command (as runc does) rather
 * than `start`. The messages and exit codes are md_exec_path's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "util/fs.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* 0 when path is an executable regular file, else an errno as execve gives */
static int executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) return errno;
    if (S_ISDIR(st.st_mode)) return EISDIR;
    if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) return EACCES;
    return 0;
}

int md_exec_lookup(char **argv, char **envp, md_error_t **err)
{
    const char *cmd = argv[0], *path = DEFAULT_PATH;
    if (strchr(cmd, '/') != NULL) {
        int e = executable(cmd);
        if (e == ENOENT || e == ENOTDIR)
            return md_error_code(err, MD_EXIT_NOT_FOUND, e, "exec: \"%s\": stat %s", cmd, cmd);
        if (e == EISDIR)
            return md_error_code(err, MD_EXIT_CANNOT_INVOKE, 0, "exec: \"%s\": is a directory",
                                 cmd);
        return e ? md_error_code(err, MD_EXIT_CANNOT_INVOKE, e, "exec: \"%s\"", cmd) : 0;
    }
    for (char **e = envp; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    int seen_eacces = 0;
    while (*path) {
        const char *end = strchrnul(path, ':');
        char full[4096];
        int dl = (int)(end - path);
        snprintf(full, sizeof(full), "%.*s/%s", dl ? dl : 1, dl ? path : ".", cmd);
        int e = executable(full);
        if (e == 0) return 0;
        if (e == EACCES) seen_eacces = 1;
        path = *end ? end + 1 : end;
    }
    if (seen_eacces) return md_error_code(err, MD_EXIT_CANNOT_INVOKE, EACCES, "exec: \"%s\"", cmd);
    return md_error_code(err, MD_EXIT_NOT_FOUND, 0,
                         "exec: \"%s\": executable file not found in $PATH", cmd);
}

/* runc sets HOME when the process has none: the user's home directory from
 * the container's /etc/passwd, "/" when the user is not there. */
int md_env_default_home(struct md_process *p, md_error_t **err)
{
    for (char **e = p->env; e && *e; e++)
        if (strncmp(*e, "HOME=", 5) == 0) return 0;
    char home[4200] = "HOME=/";
    FILE *f = fopen("/etc/passwd", "re");
    char line[4096];
    while (f && fgets(line, sizeof(line), f)) {
        /* name:pw:uid:gid:gecos:home:shell */
        char *fld[7] = {0}, *s = line;
        int n = 0;
        for (; n < 7 && s; n++) {
            fld[n] = s;
            s = strchr(s, ':');
            if (s) *s++ = '\0';
        }
        if (n >= 6 && fld[2][0] && strtoul(fld[2], NULL, 10) == p->uid && fld[5][0]) {
            snprintf(home, sizeof(home), "HOME=%s", fld[5]);
            break;
        }
    }
    if (f) fclose(f);
    if (md_strv_append(&p->env, home) < 0) return md_error(err, ENOMEM, "HOME");
    return 0;
}
