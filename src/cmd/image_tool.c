#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/opts.h"
#include "engine/start.h"
#include "util/cleanup.h"

/* The helper lives next to this binary; resolve through /proc/self/exe so a
 * symlinked or relative mydocker still finds it. Only host-side tools go this
 * way: nothing re-executes the host binary into a container. */
int md_image_tool_path(char *buf, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0) {
        fprintf(stderr, "mydocker: readlink /proc/self/exe: %s\n", strerror(errno));
        return -1;
    }
    self[n] = '\0';
    snprintf(buf, len, "%s/mydocker-image", dirname(self));
    return 0;
}

int md_exec_sibling(const char *tool, char **argv)
{
    cleanup_free char *path = md_self_path(tool);
    if (path == NULL) return MD_EXIT_ENGINE;
    fflush(stdout);
    execv(path, argv);
    fprintf(stderr, "mydocker: exec %s: %s\n", path, strerror(errno));
    return MD_EXIT_ENGINE;
}

/* compose is a binary of its own (build/mydocker-compose, docs/compose.md): libyaml and
 * libcrypto stay out of this one, which every `run` loads */
int cmd_compose(int argc, char **argv)
{
    (void)argc;
    return md_exec_sibling("mydocker-compose", argv);
}

int cmd_image_tool(int argc, char **argv)
{
    char tool[PATH_MAX + 32];
    if (md_image_tool_path(tool, sizeof(tool)) < 0) return MD_EXIT_ENGINE;
    (void)argc;
    execv(tool, argv - 0);
    fprintf(stderr, "mydocker: exec %s: %s\n", tool, strerror(errno));
    return MD_EXIT_ENGINE;
}

int md_cli_pull_image(const char *image, const char *platform, int quiet)
{
    char tool[PATH_MAX + 32];
    if (md_image_tool_path(tool, sizeof(tool)) < 0) return MD_EXIT_ENGINE;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "mydocker: fork: %s\n", strerror(errno));
        return MD_EXIT_ENGINE;
    }
    if (pid == 0) {
        /* docker run shows the pull on stderr (stdout is the container's);
         * -q shows nothing, not even pull -q's reference */
        int null = quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
        dup2(null >= 0 ? null : STDERR_FILENO, STDOUT_FILENO);
        char *argv[8];
        int n = 0;
        argv[n++] = "pull";
        if (platform) argv[n++] = "--platform", argv[n++] = (char *)platform;
        if (quiet) argv[n++] = "-q";
        argv[n++] = (char *)image;
        argv[n] = NULL;
        execv(tool, argv);
        fprintf(stderr, "mydocker: exec %s: %s\n", tool, strerror(errno));
        _exit(MD_EXIT_ENGINE);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return MD_EXIT_ENGINE;
    /* the tool has printed why; docker's run exits 125 when its pull fails */
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : MD_EXIT_ENGINE;
}

int md_cli_create_pulling(struct md_run_opts *o, char id[65],
                          int (*fn)(struct md_run_opts *o, char id[65], md_error_t **err),
                          md_error_t **err)
{
    const char *pull = o->pull ? o->pull : "missing";
    if (o->rootfs || o->image == NULL) return fn(o, id, err);
    if (strcmp(pull, "always") == 0) {
        int rc = md_cli_pull_image(o->image, o->platform, o->quiet);
        if (rc != 0) return rc; /* already reported */
    }
    int r = fn(o, id, err);
    if (r != MD_ENGINE_NO_IMAGE || strcmp(pull, "missing") != 0) return r;
    /* docker's CLI: the create said "no such image"; say so, pull, create again */
    fprintf(stderr, "%s\n", (*err)->msg);
    md_error_free(err);
    int rc = md_cli_pull_image(o->image, o->platform, o->quiet);
    return rc != 0 ? rc : fn(o, id, err);
}
