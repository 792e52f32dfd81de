/* mydocker-image: entry point for the image commands that need libarchive or
 * libcrypto. `mydocker <cmd> ...` execs `mydocker-image <cmd> ...`, so the
 * messages speak as "mydocker". */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "tool.h"
#include "util/error.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"build", md_cmd_build, "Build an image from a Dockerfile"},
    {"builder", md_cmd_builder, "Manage builds (prune)"},
    {"images", md_cmd_images, "List images"},
    {"import", md_cmd_import, "Import the contents from a tarball to create a filesystem image"},
    {"rmi", md_cmd_rmi, "Remove one or more images"},
    {"tag", md_cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
    {"pull", md_cmd_pull, "Download an image from a registry"},
    {"push", md_cmd_push, "Upload an image to a registry"},
    {"save", md_cmd_save, "Save one or more images to a tar archive"},
    {"load", md_cmd_load, "Load an image from a tar archive or STDIN"},
    {"commit", md_cmd_commit, "Create a new image from a container's changes"},
    {"export", md_cmd_export, "Export a container's filesystem as a tar archive"},
    {"cp", md_cmd_cp, "Copy files/folders between a container and the local filesystem"},
    {"image", md_cmd_image, "Manage images"},
    {"history", md_cmd_history, "Show the history of an image"},
    {"login", md_cmd_login, "Log in to a registry"},
    {"logout", md_cmd_logout, "Log out from a registry"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage:  mydocker-image COMMAND [ARGS...]\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

static int find(const char *name)
{
    const char *slash = strrchr(name, '/');
    name = slash ? slash + 1 : name;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(name, commands[i].name) == 0) return (int)i;
    return -1;
}

/* Called either as `mydocker-image CMD ARGS...` or, by mydocker's dispatcher, with
 * argv[0] already the command name (`CMD ARGS...`), busybox style. */
int main(int argc, char **argv)
{
    md_progname = "mydocker";
    int i = argc > 0 ? find(argv[0]) : -1;
    if (i >= 0) return commands[i].fn(argc, argv);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? MD_EXIT_ENGINE : 0;
    }
    if ((i = find(argv[1])) >= 0 && strchr(argv[1], '/') == NULL)
        return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "mydocker: '%s' is not a mydocker-image command.\n", argv[1]);
    return MD_EXIT_ENGINE;
}
