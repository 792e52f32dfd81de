/* `mydocker load [-q] [-i FILE]`: flags, usage and output; the load itself
 * is load.c's. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include <string.h>

#include "image/store.h"
#include "load.h"
#include "store/events.h"
#include "cli/getopt.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/error.h"

/* docker's image "load" event for each "Loaded image: REF" / "Loaded image ID: ID" */
static void load_event(const char *line)
{
    const char *ref = strncmp(line, "Loaded image: ", 14) == 0      ? line + 14
                      : strncmp(line, "Loaded image ID: ", 17) == 0 ? line + 17
                                                                    : NULL;
    cleanup_free char *id = NULL;
    if (ref && md_image_resolve(ref, &id, NULL, NULL) == 0) md_image_event("load", id, ref);
}

int md_cmd_load(int argc, char **argv)
{
    static const struct option lo[] = {{"input", required_argument, NULL, 'i'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    int c, quiet = 0;
    const char *input = NULL;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":i:qh", lo, NULL)) != -1) {
        if (c == 'i')
            input = optarg;
        else if (c == 'q')
            quiet = 1;
        else if (c == 'h')
            return printf("Usage:  mydocker load [OPTIONS]\n\n"
                          "Load an image from a tar archive or STDIN\n\nOptions:\n"
                          "  -i, --input string   Read from tar archive file, instead of STDIN\n"
                          "  -q, --quiet          Suppress the load output\n"),
                   0;
        else
            return md_tool_bad_flag("load", c, argc, argv);
    }
    if (optind < argc) return md_tool_usage_error("load", "\"load\" accepts no arguments.");
    md_error_t *err = NULL;
    cleanup_close int fd = input ? open(input, O_RDONLY | O_CLOEXEC) : dup(0);
    if (fd < 0)
        md_error(&err, errno, "open %s", input ? input : "stdin");
    else if (!input && isatty(fd))
        md_error(&err, 0, "requested load from stdin, but stdin is empty");
    cleanup_strv char **report = NULL;
    if (err == NULL) md_image_load(fd, &report, &err);
    if (err) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    for (size_t i = 0; report[i]; i++) {
        if (!quiet) printf("%s\n", report[i]);
        load_event(report[i]);
    }
    return 0;
}
