/* `mydocker export [-o FILE] CONTAINER`: the container's merged filesystem as
 * one flat tar. Running: read through /proc/<pid>/root; stopped: its overlay
 * mounted in a private mount namespace (ctrroot.c). Other mounts inside the
 * container (/proc, /sys, /dev, bound files, volumes) are not descended into:
 * their mount points are written empty, as docker exports the container's
 * own filesystem only. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrroot.h"
#include "tarwrite.h"
#include "tool.h"
#include "util/cleanup.h"

static int export_root(int rootfd, void *arg, md_error_t **err)
{
    int out = *(int *)arg;
    return md_tar_dir(rootfd, MD_TAR_ONE_MOUNT, NULL, out, NULL, NULL, err);
}

static int do_export(const char *ctr, const char *file, md_error_t **err)
{
    if (file == NULL) {
        if (isatty(1))
            return md_error(err, 0,
                            "cowardly refusing to save to a terminal. Use the -o flag or redirect");
        int out = 1;
        return md_ctr_with_root(ctr, export_root, &out, err);
    }
    cleanup_free char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp-%d", file, (int)getpid()) < 0)
        return md_error(err, ENOMEM, "export");
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) return md_error(err, errno, "open %s", tmp);
    int r = md_ctr_with_root(ctr, export_root, &out, err);
    if (close(out) < 0 && r == 0) r = md_error(err, errno, "close %s", tmp);
    if (r == 0 && rename(tmp, file) < 0) r = md_error(err, errno, "rename %s", file);
    if (r < 0) unlink(tmp);
    return r;
}

int md_cmd_export(int argc, char **argv)
{
    static const struct option lo[] = {
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {0}};
    int c;
    const char *file = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1) {
        if (c == 'o')
            file = optarg;
        else if (c == 'h')
            return printf("Usage:  mydocker export [OPTIONS] CONTAINER\n\n"
                          "Export a container's filesystem as a tar archive\n\nOptions:\n"
                          "  -o, --output string   Write to a file, instead of STDOUT\n"),
                   0;
        else
            return md_tool_bad_flag("export", c, argc, argv);
    }
    if (argc - optind != 1)
        return md_tool_usage_error("export", "\"export\" requires exactly 1 argument.");
    md_error_t *err = NULL;
    if (do_export(argv[optind], file, &err) < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    return 0;
}
