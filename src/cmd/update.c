/* update: change a container's resource limits (live when it runs, and in
 * its saved config so a restart keeps them) and its restart policy. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "engine/cgctl.h"

enum { OPT_RESTART = 2048, OPT_HELP };

static void usage(void)
{
    fputs("Usage:  mydocker update [OPTIONS] CONTAINER [CONTAINER...]\n"
          "\n"
          "Update configuration of one or more containers\n"
          "\n"
          "Options:\n"
          "      --blkio-weight uint16    Block IO (relative weight), between 10 and 1000\n"
          "      --cpu-period int         Limit CPU CFS (Completely Fair Scheduler) period\n"
          "      --cpu-quota int          Limit CPU CFS (Completely Fair Scheduler) quota\n"
          "  -c, --cpu-shares int         CPU shares (relative weight)\n"
          "      --cpus decimal           Number of CPUs\n"
          "      --cpuset-cpus string     CPUs in which to allow execution (0-3, 0,1)\n"
          "      --cpuset-mems string     MEMs in which to allow execution (0-3, 0,1)\n"
          "  -m, --memory bytes           Memory limit\n"
          "      --memory-reservation bytes\n"
          "                               Memory soft limit\n"
          "      --memory-swap bytes      Swap limit equal to memory plus swap: -1 to enable\n"
          "                               unlimited swap\n"
          "      --pids-limit int         Tune container pids limit (set -1 for unlimited)\n"
          "      --restart string         Restart policy to apply when a container exits\n",
          stdout);
}

static int parse(int argc, char **argv, struct md_res_opts *res, const char **restart,
                 md_error_t **err)
{
    static const struct option lo[] = {
        MD_RES_UPDATE_LONG_OPTIONS,
        {"restart", required_argument, NULL, OPT_RESTART},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, "+:m:c:", lo, NULL)) != -1) {
        int r = 0;
        if (c == OPT_HELP) {
            usage();
            return 1;
        } else if (c == OPT_RESTART) {
            *restart = optarg;
        } else if (c == '?' || c == ':') {
            return md_error(err, 0, "%s: %s\nSee 'mydocker update --help'.",
                            c == ':' ? "flag needs an argument" : "unknown flag", argv[optind - 1]);
        } else {
            r = md_res_opt_parse(res, c, optarg, err);
        }
        if (r < 0) return r;
    }
    if (optind >= argc)
        return md_error(err, 0,
                        "\"update\" requires at least 1 argument.\n"
                        "See 'mydocker update --help'.");
    if (!md_res_opts_any(res) && *restart == NULL)
        return md_error(err, 0, "you must provide one or more flags when using this command");
    return 0;
}

int cmd_update(int argc, char **argv)
{
    struct md_res_opts res = {0};
    const char *restart = NULL;
    md_error_t *err = NULL;
    int r = parse(argc, argv, &res, &restart, &err);
    if (r != 0) {
        md_res_opts_free(&res);
        return r == 1 ? 0 : md_error_report(&err);
    }
    int failed = 0;
    for (int i = optind; i < argc; i++) {
        struct md_ctr *c = NULL;
        r = md_ctr_load(argv[i], &c, &err);
        if (r == 0) r = md_engine_update(c, &res, restart, &md_cli_warn, &err);
        if (r < 0) {
            md_error_report(&err);
            failed = 1;
        } else {
            puts(argv[i]);
        }
        md_ctr_free(c);
    }
    md_res_opts_free(&res);
    return failed;
}
