/* `mydocker cp [-a] [-L] CONTAINER:SRC HOSTDEST` and `cp HOSTSRC CONTAINER:DEST`:
 * flags, usage and the CONTAINER: split; the copy is cp.c's. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cp.h"
#include "cli/getopt.h"
#include "tool.h"
#include "util/error.h"

/* "name:path" -> container part; a host path with ':' must start with '/' or '.' */
static const char *container_part(const char *arg, char *name, size_t len)
{
    if (arg[0] == '/' || arg[0] == '.') return NULL;
    const char *colon = strchr(arg, ':');
    if (colon == NULL || (size_t)(colon - arg) >= len || colon == arg) return NULL;
    snprintf(name, len, "%.*s", (int)(colon - arg), arg);
    return colon + 1;
}

int md_cmd_cp(int argc, char **argv)
{
    static const struct option lo[] = {{"archive", no_argument, NULL, 'a'},
                                       {"follow-link", no_argument, NULL, 'L'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    struct md_cp_opts c = {0};
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = md_getopt_long(argc, argv, ":aLh", lo, NULL)) != -1) {
        if (ch == 'a')
            c.archive = 1;
        else if (ch == 'L')
            c.follow = 1;
        else if (ch == 'h')
            return printf("Usage:  mydocker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH\n"
                          "        mydocker cp [OPTIONS] SRC_PATH CONTAINER:DEST_PATH\n\n"
                          "Copy files/folders between a container and the local filesystem\n\n"
                          "Options:\n  -a, --archive       Archive mode (copy all uid/gid "
                          "information)\n"
                          "  -L, --follow-link   Always follow symbol link in SRC_PATH\n"),
                   0;
        else
            return md_tool_bad_flag("cp", ch, argc, argv);
    }
    if (argc - optind != 2)
        return md_tool_usage_error("cp", "\"cp\" requires exactly 2 arguments.");
    char sname[256], dname[256];
    const char *sp = container_part(argv[optind], sname, sizeof(sname));
    const char *dp = container_part(argv[optind + 1], dname, sizeof(dname));
    if ((sp == NULL) == (dp == NULL))
        return md_tool_usage_error("cp", "%s",
                                   sp ? "copying between containers is not supported"
                                      : "must specify at least one container source");
    c.to_container = dp != NULL;
    c.ctr_path = sp ? (*sp ? sp : "/") : (*dp ? dp : "/");
    c.host_path = sp ? argv[optind + 1] : argv[optind];
    md_error_t *err = NULL;
    int r = md_ctr_copy(sp ? sname : dname, &c, &err);
    if (r < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    return 0;
}
