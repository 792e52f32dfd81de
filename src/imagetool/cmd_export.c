/* `mydocker export [-o FILE] CONTAINER`: flags, usage and output; the tar is
 * export.c's. */
#include <getopt.h>
#include <stdio.h>

#include "export.h"
#include "cli/getopt.h"
#include "tool.h"
#include "util/error.h"

static int export_to(int fd, void *ctr, md_error_t **err)
{
    return md_ctr_export(ctr, fd, err);
}

int md_cmd_export(int argc, char **argv)
{
    static const struct option lo[] = {
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {0}};
    int c;
    const char *file = NULL;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":o:h", lo, NULL)) != -1) {
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
    if (md_tool_to_output(file, export_to, argv[optind], &err) < 0)
        return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    return 0;
}
