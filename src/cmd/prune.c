/* container prune and system prune, docker's prompts and reports; the
 * sections are shared (cmd/prune.h): system prune is the container, network,
 * (with --volumes) volume and image sections and one total. */
#include "cmd/prune.h"
#include "engine/start.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/filters.h"
#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "engine/lifecycle.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/du.h"
#include "util/size.h"
#include "util/strv.h"
#include "util/time.h"

void md_print_reclaimed(long long bytes)
{
    char sz[32];
    md_size_decimal(sz, sizeof(sz), (double)bytes, 3);
    printf("Total reclaimed space: %s\n", sz);
}

static int stopped(const struct md_ctr *c)
{
    return c->status == MD_CTR_EXITED || c->status == MD_CTR_CREATED || c->status == MD_CTR_DEAD;
}

static int prunable(const struct md_ctr *c, const struct md_filters *f)
{
    struct json_object *cfg = NULL, *labels = NULL;
    if (json_object_object_get_ex(c->record, "Config", &cfg))
        json_object_object_get_ex(cfg, "Labels", &labels);
    int64_t created = md_parse_rfc3339(md_ctr_str(c, "Created"));
    return stopped(c) && md_filters_labels(f, labels) && md_filters_until(f, created);
}

long long md_container_prune_section(const struct md_filters *f)
{
    cleanup_strv char **ids = md_ctr_list_ids();
    long long total = 0;
    int header = 0;
    for (char **id = ids; id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_id(*id, &c, NULL) < 0) continue;
        md_error_t *err = NULL;
        int take = prunable(c, f);
        long long size = take ? md_ctr_rw_size(c) : 0; /* measured before it goes */
        if (take && md_engine_rm(c, 0, &md_cli_warn, &err) == 0) {
            if (!header++) puts("Deleted Containers:");
            puts(c->id);
            total += size;
        }
        md_error_free(&err);
        md_ctr_free(c);
    }
    if (header) putchar('\n');
    return total;
}

static int ask(const char *what)
{
    printf("%sAre you sure you want to continue? [y/N] ", what);
    fflush(stdout);
    char answer[16] = "";
    return fgets(answer, sizeof(answer), stdin) != NULL && (answer[0] == 'y' || answer[0] == 'Y');
}

struct prune_opts {
    int all, force, volumes;
    struct md_filters filters;
};

static int parse(const char *cmd, int argc, char **argv, const char *const *keys, int system,
                 struct prune_opts *o)
{
    static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"volumes", no_argument, NULL, 'v'},
                                       {"filter", required_argument, NULL, 'F'},
                                       {NULL, 0, NULL, 0}};
    md_error_t *err = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, system ? ":af" : ":f", lo, NULL)) != -1) {
        if (c == 'f') {
            o->force = 1;
        } else if (system && (c == 'a' || c == 'v')) {
            *(c == 'a' ? &o->all : &o->volumes) = 1;
        } else if (c == 'F') {
            if (md_filters_add(&o->filters, optarg, keys, &err) < 0) return md_error_report(&err);
        } else {
            fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker %s --help'.\n",
                    MD_FLAG_NAME(argv[optind - 1]), cmd);
            return MD_EXIT_ENGINE;
        }
    }
    if (md_filters_check_until(&o->filters, &err) < 0) return md_error_report(&err);
    return 0;
}

int cmd_container_prune(int argc, char **argv)
{
    static const char *const keys[] = {"label", "label!", "until", NULL};
    struct prune_opts o = {0};
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        puts(
            "Usage:  mydocker container prune [OPTIONS]\n\nRemove all stopped containers\n\n"
            "Options:\n      --filter filter   Provide filter values (e.g. \"until=<timestamp>\")\n"
            "  -f, --force           Do not prompt for confirmation");
        return 0;
    }
    int r = parse("container prune", argc, argv, keys, 0, &o);
    if (r == 0 && (o.force || ask("WARNING! This will remove all stopped containers.\n")))
        md_print_reclaimed(md_container_prune_section(&o.filters));
    md_filters_free(&o.filters);
    return r;
}

/* The image and build cache sections: `mydocker-image image|builder prune --section` prints
 * docker's block and then "reclaimed N", which is read here and summed. */
static long long tool_section(const struct prune_opts *o, const char *what)
{
    char tool[4200];
    int p[2];
    if (md_image_tool_path(tool, sizeof(tool)) < 0 || pipe2(p, O_CLOEXEC) < 0) return 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        /* the filters again, as flags: every one of them reaches the image section */
        char **argv = NULL;
        const char *fixed[] = {tool, what, "prune", "-f", "--section", o->all ? "-a" : NULL};
        for (size_t i = 0; i < 6 && fixed[i]; i++)
            md_strv_append(&argv, fixed[i]);
        int builder = strcmp(what, "builder") == 0; /* the build cache knows until= only */
        for (size_t i = 0; o->filters.keys && o->filters.keys[i]; i++) {
            if (builder && strcmp(o->filters.keys[i], "until") != 0) continue;
            cleanup_free char *kv = NULL;
            if (asprintf(&kv, "%s=%s", o->filters.keys[i], o->filters.values[i]) < 0)
                _exit(MD_EXIT_ENGINE);
            md_strv_append(&argv, "--filter");
            md_strv_append(&argv, kv);
        }
        execv(tool, argv);
        _exit(MD_EXIT_ENGINE);
    }
    close(p[1]);
    cleanup_fclose FILE *in = fdopen(p[0], "r");
    char line[4096];
    long long total = 0;
    while (in && fgets(line, sizeof(line), in)) {
        if (strncmp(line, "reclaimed ", 10) == 0)
            total = atoll(line + 10);
        else
            fputs(line, stdout);
    }
    if (pid > 0) waitpid(pid, NULL, 0);
    return total;
}

static int system_prune(int argc, char **argv)
{
    static const char *const keys[] = {"label", "label!", "until", NULL};
    struct prune_opts o = {0};
    int r = parse("system prune", argc, argv, keys, 1, &o);
    char what[512];
    snprintf(what, sizeof(what),
             "WARNING! This will remove:\n  - all stopped containers\n"
             "  - all networks not used by at least one container\n%s%s\n",
             o.volumes ? "  - all anonymous volumes not used by at least one container\n" : "",
             o.all ? "  - all images without at least one container associated to them\n"
                     "  - all build cache\n"
                   : "  - all dangling images\n  - unused build cache\n");
    if (r == 0 && (o.force || ask(what))) {
        long long total = md_container_prune_section(&o.filters);
        md_network_prune_section(&o.filters);
        if (o.volumes) total += md_volume_prune_section(&o.filters, 0);
        total += tool_section(&o, "builder"); /* first: -a's images would take its images */
        total += tool_section(&o, "image");
        md_print_reclaimed(total);
    }
    md_filters_free(&o.filters);
    return r;
}

/* the API server is a binary of its own (build/mydocker-api): libmicrohttpd stays out of this
 * one, which every `run` loads */
static int api_service(int argc, char **argv)
{
    (void)argc;
    return md_exec_sibling("mydocker-api", argv);
}

int cmd_system(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs("Usage:  mydocker system COMMAND\n\nManage mydocker\n\nCommands:\n"
              "  df          Show mydocker disk usage\n"
              "  events      Get real time events from the server\n"
              "  info        Display system-wide information\n"
              "  prune       Remove unused data\n"
              "  service     Serve the Docker Engine API on a socket\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "prune") == 0) return system_prune(argc - 1, argv + 1);
    if (strcmp(argv[1], "df") == 0) return md_system_df(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0) return cmd_info(argc - 1, argv + 1);
    if (strcmp(argv[1], "events") == 0) return cmd_events(argc - 1, argv + 1);
    if (strcmp(argv[1], "service") == 0) return api_service(argc - 1, argv + 1);
    fprintf(stderr,
            "mydocker: 'system %s' is not a mydocker command.\nSee 'mydocker system --help'\n",
            argv[1]);
    return 1;
}
