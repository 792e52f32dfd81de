/* `mydocker pull [-q] [--platform P] NAME[:TAG|@DIGEST]`: flags, usage and
 * output; the pull itself is pull.c's. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cli/getopt.h"
#include "cmd_progress.h"
#include "pull.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/error.h"

int md_cmd_pull(int argc, char **argv)
{
    static const struct option lo[] = {{"quiet", no_argument, NULL, 'q'},
                                       {"platform", required_argument, NULL, 'P'},
                                       {"all-tags", no_argument, NULL, 'a'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    int c, quiet = 0;
    const char *platform = NULL;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":qah", lo, NULL)) != -1) {
        if (c == 'q')
            quiet = 1;
        else if (c == 'P')
            platform = optarg;
        else if (c == 'a')
            return md_tool_usage_error("pull", "--all-tags is not supported");
        else if (c == 'h')
            return printf("Usage:  mydocker pull [OPTIONS] NAME[:TAG|@DIGEST]\n\n"
                          "Download an image from a registry\n\nOptions:\n"
                          "      --platform string   Set platform if server is multi-platform "
                          "capable\n"
                          "  -q, --quiet             Suppress verbose output\n"),
                   0;
        else
            return md_tool_bad_flag("pull", c, argc, argv);
    }
    if (argc - optind != 1)
        return md_tool_usage_error("pull", "\"pull\" requires exactly 1 argument.");
    signal(SIGPIPE, SIG_IGN);
    md_error_t *err = NULL;
    struct md_progress_term term;
    struct md_pull_opts o = {.platform = platform,
                             .progress = md_progress_term_init(&term, stdout, quiet)};
    cleanup_free char *canonical = NULL;
    int r = md_image_pull(argv[optind], &o, &canonical, &err);
    md_progress_term_free(&term);
    if (r < 0) {
        md_error_report(&err);
        return MD_TOOL_EXIT_FAIL;
    }
    printf("%s\n", canonical);
    return 0;
}
