/* `mydocker push [-q] NAME[:TAG]`: flags, usage and output; the push itself
 * is push.c's. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/getopt.h"
#include "cmd_progress.h"
#include "push.h"
#include "tool.h"
#include "util/error.h"

int md_cmd_push(int argc, char **argv)
{
    static const struct option lo[] = {
        {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {0}};
    int c, quiet = 0;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":qh", lo, NULL)) != -1) {
        if (c == 'q')
            quiet = 1;
        else if (c == 'h')
            return printf("Usage:  mydocker push [OPTIONS] NAME[:TAG]\n\n"
                          "Upload an image to a registry\n\nOptions:\n"
                          "  -q, --quiet   Suppress verbose output\n"),
                   0;
        else
            return md_tool_bad_flag("push", c, argc, argv);
    }
    if (argc - optind != 1)
        return md_tool_usage_error("push", "\"push\" requires exactly 1 argument.");
    signal(SIGPIPE, SIG_IGN);
    struct md_progress_term term;
    struct md_push_opts o = {.progress = md_progress_term_init(&term, stdout, quiet)};
    const char *env = getenv("MYDOCKER_PUSH_CHUNK"); /* tests: chunked uploads of small blobs */
    if (env && atoll(env) > 0) o.chunk = atoll(env);
    md_error_t *err = NULL;
    int r = md_image_push(argv[optind], &o, &err);
    md_progress_term_free(&term);
    if (r < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    if (quiet) printf("%s\n", argv[optind]);
    return 0;
}
