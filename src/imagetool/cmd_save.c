/* `mydocker save [-o FILE] IMAGE...`: flags, usage and output; the archive
 * is save.c's. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "image/store.h"
#include "save.h"
#include "store/events.h"
#include "cli/getopt.h"
#include "tool.h"
#include "util/error.h"

struct refs {
    char **v;
    int n;
};

static int save_refs(int fd, void *arg, md_error_t **err)
{
    struct refs *rs = arg;
    return md_image_save(rs->v, rs->n, fd, err);
}

int md_cmd_save(int argc, char **argv)
{
    static const struct option lo[] = {
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {0}};
    int c;
    const char *out = NULL;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":o:h", lo, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 'h')
            return printf("Usage:  mydocker save [OPTIONS] IMAGE [IMAGE...]\n\n"
                          "Save one or more images to a tar archive (streamed to STDOUT by "
                          "default)\n\n"
                          "Options:\n  -o, --output string   Write to a file, instead of STDOUT\n"),
                   0;
        else
            return md_tool_bad_flag("save", c, argc, argv);
    }
    if (optind >= argc)
        return md_tool_usage_error("save", "\"save\" requires at least 1 argument.");
    md_error_t *err = NULL;
    struct refs rs = {argv + optind, argc - optind};
    if (md_tool_to_output(out, save_refs, &rs, &err) < 0)
        return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    for (int i = 0; i < rs.n; i++) { /* docker's image "save" events */
        char *id = NULL;
        if (md_image_resolve(rs.v[i], &id, NULL, NULL) == 0) md_image_event("save", id, rs.v[i]);
        free(id);
    }
    return 0;
}
