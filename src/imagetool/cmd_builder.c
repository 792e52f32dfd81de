/* `mydocker builder prune`: the build cache (build_cache.c); docker 20.10's output */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/filters.h"
#include "cli/getopt.h"
#include "imagetool/build.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/size.h"
#include "util/strv.h"
#include "util/time.h"

struct prune_flags {
    int all, force, section;
    struct md_filters f;
};

static int parse(int argc, char **argv, struct prune_flags *p)
{
    static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"filter", required_argument, NULL, 'F'},
                                       {"section", no_argument, NULL, 's'}, /* system prune's */
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    static const char *const keys[] = {"until", NULL};
    md_error_t *err = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":afh", lo, NULL)) != -1) {
        if (c == 'a' || c == 'f' || c == 's')
            *(c == 'a' ? &p->all : c == 'f' ? &p->force : &p->section) = 1;
        else if (c == 'F' && md_filters_add(&p->f, optarg, keys, &err) < 0)
            return md_error_report(&err), MD_TOOL_EXIT_FAIL;
        else if (c == 'h')
            return printf("Usage:  mydocker builder prune [OPTIONS]\n\nRemove build cache\n\n"
                          "Options:\n  -a, --all             Remove all unused build cache\n"
                          "      --filter filter   Provide filter values (e.g. "
                          "\"until=24h\")\n  -f, --force           Do not prompt for "
                          "confirmation\n"),
                   -1;
        else if (c != 'F')
            return md_tool_bad_flag("builder prune", c, argc, argv);
    }
    if (md_filters_check_until(&p->f, &err) < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    return 0;
}

static int confirmed(const struct prune_flags *p)
{
    if (p->force) return 1;
    printf("WARNING! This will remove all %s build cache. Are you sure you want to continue? "
           "[y/N] ",
           p->all ? "" : "dangling");
    fflush(stdout);
    char ans[16] = "";
    return fgets(ans, sizeof(ans), stdin) && (ans[0] == 'y' || ans[0] == 'Y');
}

static int prune(int argc, char **argv)
{
    struct prune_flags p = {0};
    int r = parse(argc, argv, &p);
    if (r != 0 || !confirmed(&p)) {
        md_filters_free(&p.f);
        return r < 0 ? 0 : r;
    }
    int64_t until = 0;
    for (size_t i = 0; p.f.keys && p.f.keys[i]; i++)
        md_parse_timestamp(p.f.values[i], md_now_ns(), &until);
    md_filters_free(&p.f);
    cleanup_strv char **deleted = NULL;
    long long reclaimed = 0;
    md_error_t *err = NULL;
    if (md_build_cache_prune(until, &deleted, &reclaimed, &err) < 0)
        return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    if (deleted[0]) printf("Deleted build cache objects:\n");
    for (char **d = deleted; *d; d++)
        printf("%.12s\n", *d + 7);
    if (deleted[0]) putchar('\n');
    char sz[32];
    md_size_decimal(sz, sizeof(sz), (double)reclaimed, 3);
    if (p.section)
        printf("reclaimed %lld\n", reclaimed);
    else
        printf("Total reclaimed space: %s\n", sz);
    return 0;
}

int md_cmd_builder(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "prune") == 0) return prune(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs("Usage:  mydocker builder COMMAND\n\nManage builds\n\nCommands:\n"
              "  prune       Remove build cache\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? MD_TOOL_EXIT_FAIL : 0;
    }
    fprintf(stderr, "mydocker: 'builder %s' is not a mydocker command (prune is)\n", argv[1]);
    return MD_TOOL_EXIT_FAIL;
}
