/* volume create | ls | inspect | rm | prune, with docker's flags and filters */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/filters.h"
#include "cli/format.h"
#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "cmd/prune.h"
#include "engine/volume_store.h"
#include "store/cstore.h"
#include "util/cleanup.h"
#include "util/size.h"
#include "util/strv.h"

static int usage_error(const char *verb, const char *msg)
{
    fprintf(stderr, "mydocker: %s\nSee 'mydocker volume %s --help'.\n", msg, verb);
    return MD_EXIT_ENGINE;
}

/* getopt's '?' or ':' in docker's words */
static int bad_flag(const char *verb, int c, char **argv)
{
    const char *arg = argv[optind - 1];
    char msg[512];
    if (c == ':')
        snprintf(msg, sizeof(msg), "flag needs an argument: %s", arg);
    else if (strncmp(arg, "--", 2) == 0)
        snprintf(msg, sizeof(msg), "unknown flag: %.*s", MD_FLAG_NAME(arg));
    else
        snprintf(msg, sizeof(msg), "unknown shorthand flag: '%c' in %s", optopt, arg);
    return usage_error(verb, msg);
}

static int help(const char *text)
{
    fputs(text, stdout);
    return 0;
}

enum { OPT_LABEL = 1000 };

static int volume_create(int argc, char **argv)
{
    static const struct option lo[] = {
        {"driver", required_argument, NULL, 'd'}, {"label", required_argument, NULL, OPT_LABEL},
        {"opt", required_argument, NULL, 'o'},    {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {0}};
    cleanup_strv char **labels = NULL, **opts = NULL;
    struct md_volume_opts vo = {0};
    const char *name = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":d:o:h", lo, NULL)) != -1) {
        if (c == 'd')
            vo.driver = optarg;
        else if (c == OPT_LABEL)
            md_strv_append(&labels, optarg);
        else if (c == 'o')
            md_strv_append(&opts, optarg);
        else if (c == 'n')
            name = optarg;
        else if (c == 'h')
            return help("Usage:  mydocker volume create [OPTIONS] [VOLUME]\n\nCreate a volume\n\n"
                        "Options:\n  -d, --driver string   Specify volume driver name (default "
                        "\"local\")\n      --label list      Set metadata for a volume\n"
                        "  -o, --opt map         Set driver specific options (default map[])\n");
        else
            return bad_flag("create", c, argv);
    }
    if (argc - optind > 1)
        return usage_error("create", "\"mydocker volume create\" requires at most 1 argument.");
    if (optind < argc && name && strcmp(name, argv[optind]) != 0)
        return usage_error("create", "conflicting options: either specify --name or provide "
                                     "positional arg, not both");
    if (optind < argc) name = argv[optind];
    char gen[65];
    md_error_t *err = NULL;
    if (name == NULL) {
        if (md_new_container_id(gen, &err) < 0) return md_error_report(&err);
        name = gen;
    }
    vo.labels = labels;
    vo.driver_opts = opts;
    if (md_volume_create(name, 0, &vo, NULL, &err) < 0) return md_error_report(&err), 1;
    puts(name);
    return 0;
}

/* ---- ls ---- */

struct vol_ctx {
    const char *name;
    struct json_object *doc;
    int dangling;
};

static int name_has(const char *v, void *ctx)
{
    return strstr(((struct vol_ctx *)ctx)->name, v) != NULL;
}

static int driver_is(const char *v, void *ctx)
{
    (void)ctx;
    return strcmp(v, "local") == 0;
}

static int dangling_is(const char *v, void *ctx)
{
    return md_filter_bool(v) == ((struct vol_ctx *)ctx)->dangling;
}

static int is_dangling(const char *name)
{
    cleanup_strv char **users = md_volume_users(name);
    return users == NULL || users[0] == NULL;
}

static int vol_matches(const struct md_filters *f, const char *name, struct json_object *doc)
{
    struct vol_ctx x = {.name = name, .doc = doc, .dangling = -1};
    struct json_object *labels = NULL;
    json_object_object_get_ex(doc, "Labels", &labels);
    if (md_filters_has(f, "dangling")) x.dangling = is_dangling(name);
    return md_filters_any(f, "name", name_has, &x) && md_filters_any(f, "driver", driver_is, &x) &&
           md_filters_any(f, "dangling", dangling_is, &x) && md_filters_labels(f, labels);
}

static const char *const ls_filters[] = {"dangling", "name", "driver", "label", "label!", NULL};

static int add_filter(struct md_filters *f, const char *arg, const char *const *accepted)
{
    md_error_t *err = NULL;
    if (md_filters_add(f, arg, accepted, &err) < 0) return md_error_report(&err), -1;
    size_t n = md_strv_len(f->keys);
    if (strcmp(f->keys[n - 1], "dangling") == 0 && md_filter_bool(f->values[n - 1]) < 0) {
        fprintf(stderr, "mydocker: invalid filter 'dangling=%s'\n", f->values[n - 1]);
        return -1;
    }
    return 0;
}

static struct json_object *ls_row(const char *name, struct json_object *doc)
{
    struct json_object *r = json_object_new_object(), *v, *labels = NULL;
    json_object_object_add(r, "Name", json_object_new_string(name));
    json_object_object_add(r, "Driver", json_object_new_string("local"));
    json_object_object_add(r, "Scope", json_object_new_string("local"));
    if (json_object_object_get_ex(doc, "Mountpoint", &v))
        json_object_object_add(r, "Mountpoint", json_object_get(v));
    json_object_object_get_ex(doc, "Labels", &labels);
    json_object_object_add(r, "Labels", md_labels_text(labels));
    return r;
}

static int print_ls(char **names, int quiet, const char *fmt, const struct md_filters *f)
{
    size_t n = 0;
    struct json_object **rows = calloc(md_strv_len(names) + 1, sizeof(*rows));
    for (char **v = names; v && *v; v++) {
        struct json_object *doc = md_volume_inspect(*v);
        if (doc && vol_matches(f, *v, doc)) rows[n++] = ls_row(*v, doc);
        json_object_put(doc);
    }
    static const struct md_format_head heads[] = {
        {"Name", "VOLUME NAME"},      {"Driver", "DRIVER"}, {"Scope", "SCOPE"},
        {"Mountpoint", "MOUNTPOINT"}, {"Labels", "LABELS"}, {NULL, NULL}};
    int r = 0;
    md_error_t *err = NULL;
    if (quiet)
        r = md_format_rows("{{.Name}}", rows, n, heads, &err);
    else
        r = md_format_rows(fmt ? fmt : "table {{.Driver}}\t{{.Name}}", rows, n, heads, &err);
    for (size_t i = 0; i < n; i++)
        json_object_put(rows[i]);
    free(rows);
    return r < 0 ? md_error_report(&err) : 0;
}

static int volume_ls(int argc, char **argv)
{
    static const struct option lo[] = {{"quiet", no_argument, NULL, 'q'},
                                       {"filter", required_argument, NULL, 'f'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    struct md_filters f = {0};
    int c, quiet = 0, r = 0;
    const char *fmt = NULL;
    optind = 1;
    opterr = 0;
    while (r == 0 && (c = md_getopt_long(argc, argv, ":qf:h", lo, NULL)) != -1) {
        if (c == 'q')
            quiet = 1;
        else if (c == 'f')
            r = add_filter(&f, optarg, ls_filters) < 0 ? 1 : 0;
        else if (c == 'F')
            fmt = optarg;
        else if (c == 'h')
            r = help("Usage:  mydocker volume ls [OPTIONS]\n\nList volumes\n\nOptions:\n"
                     "  -f, --filter filter   Provide filter values (e.g. \"dangling=true\")\n"
                     "      --format string   Format output using a custom template\n"
                     "  -q, --quiet           Only display volume names\n") -
                1;
        else
            r = bad_flag("ls", c, argv);
    }
    if (r == 0 && optind < argc)
        r = usage_error("ls", "\"mydocker volume ls\" accepts no arguments.");
    if (r == 0) {
        cleanup_strv char **names = md_volume_list();
        r = print_ls(names, quiet, fmt, &f);
    }
    md_filters_free(&f);
    return r < 0 ? 0 : r;
}

static int volume_inspect(int argc, char **argv)
{
    static const struct option lo[] = {
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *fmt = NULL;
    int c, failed = 0;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":f:h", lo, NULL)) != -1) {
        if (c == 'f')
            fmt = optarg;
        else if (c == 'h')
            return help("Usage:  mydocker volume inspect [OPTIONS] VOLUME [VOLUME...]\n\n"
                        "Display detailed information on one or more volumes\n\nOptions:\n"
                        "  -f, --format string   Format output using a custom template\n");
        else
            return bad_flag("inspect", c, argv);
    }
    if (optind >= argc)
        return usage_error("inspect", "\"mydocker volume inspect\" requires at least 1 argument.");
    struct json_object *out = json_object_new_array();
    for (int i = optind; i < argc; i++) {
        struct json_object *v = md_volume_inspect(argv[i]);
        if (v == NULL) {
            fprintf(stderr, "mydocker: get %s: no such volume\n", argv[i]);
            failed = 1;
            continue;
        }
        json_object_object_del(v, "Anonymous");
        if (fmt) {
            cleanup_free char *line = NULL;
            md_error_t *err = NULL;
            if (md_template_render(fmt, v, &line, &err) == 0)
                puts(line);
            else
                failed = md_error_report(&err);
            json_object_put(v);
        } else {
            json_object_array_add(out, v);
        }
    }
    if (!fmt)
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(out);
    return failed;
}

static int volume_rm(int argc, char **argv)
{
    static const struct option lo[] = {
        {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0}};
    int c, force = 0, failed = 0;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":fh", lo, NULL)) != -1) {
        if (c == 'f')
            force = 1;
        else if (c == 'h')
            return help("Usage:  mydocker volume rm [OPTIONS] VOLUME [VOLUME...]\n\n"
                        "Remove one or more volumes\n\nOptions:\n"
                        "  -f, --force   Force the removal of one or more volumes\n");
        else
            return bad_flag("rm", c, argv);
    }
    if (optind >= argc)
        return usage_error("rm", "\"mydocker volume rm\" requires at least 1 argument.");
    for (int i = optind; i < argc; i++) {
        md_error_t *err = NULL;
        if (md_volume_remove(argv[i], force, &err) < 0) {
            md_error_report(&err);
            failed = 1;
        } else {
            puts(argv[i]);
        }
    }
    return failed;
}

/* ---- prune: docker's rule, anonymous volumes no container uses; -a all unused ---- */

static int confirmed(int all)
{
    printf("WARNING! This will remove %s local volumes not used by at least one container.\n"
           "Are you sure you want to continue? [y/N] ",
           all ? "all" : "anonymous");
    fflush(stdout);
    char line[64];
    if (fgets(line, sizeof(line), stdin) == NULL) {
        putchar('\n');
        return 0;
    }
    return line[0] == 'y' || line[0] == 'Y';
}

long long md_volume_prune_section(const struct md_filters *f, int all)
{
    cleanup_strv char **names = md_volume_list();
    long long total = 0;
    int header = 0;
    for (char **v = names; v && *v; v++) {
        struct json_object *o = md_volume_inspect(*v), *anon = NULL, *labels = NULL;
        int is_anon =
            o && json_object_object_get_ex(o, "Anonymous", &anon) && json_object_get_boolean(anon);
        if (o) json_object_object_get_ex(o, "Labels", &labels);
        int take = o && (all || is_anon) && md_filters_labels(f, labels) && is_dangling(*v);
        json_object_put(o);
        if (!take) continue;
        long long size = md_volume_size(*v);
        if (md_volume_remove(*v, 0, NULL) < 0) continue;
        if (!header) puts("Deleted Volumes:");
        header = 1;
        puts(*v);
        total += size > 0 ? size : 0;
    }
    if (header) putchar('\n');
    return total;
}

static int prune(const struct md_filters *f, int all)
{
    md_print_reclaimed(md_volume_prune_section(f, all));
    return 0;
}

static int volume_prune(int argc, char **argv)
{
    static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"filter", required_argument, NULL, 'F'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    static const char *const accepted[] = {"label", "label!", "all", NULL};
    struct md_filters f = {0};
    int c, all = 0, force = 0, r = 0;
    optind = 1;
    opterr = 0;
    while (r == 0 && (c = md_getopt_long(argc, argv, ":afh", lo, NULL)) != -1) {
        if (c == 'a')
            all = 1;
        else if (c == 'f')
            force = 1;
        else if (c == 'F')
            r = add_filter(&f, optarg, accepted) < 0 ? 1 : 0;
        else if (c == 'h')
            r = help("Usage:  mydocker volume prune [OPTIONS]\n\nRemove unused local volumes\n\n"
                     "Options:\n  -a, --all             Remove all unused volumes, not just "
                     "anonymous ones\n      --filter filter   Provide filter values (e.g. "
                     "\"label=<label>\")\n  -f, --force           Do not prompt for "
                     "confirmation\n") -
                1;
        else
            r = bad_flag("prune", c, argv);
    }
    if (r == 0 && optind < argc)
        r = usage_error("prune", "\"mydocker volume prune\" accepts no arguments.");
    for (size_t i = 0; r == 0 && f.keys && f.keys[i]; i++)
        if (strcmp(f.keys[i], "all") == 0) all |= md_filter_bool(f.values[i]) == 1;
    if (r == 0 && (force || confirmed(all))) r = prune(&f, all);
    md_filters_free(&f);
    return r < 0 ? 0 : r;
}

int cmd_volume(int argc, char **argv)
{
    static const struct {
        const char *n;
        int (*fn)(int, char **);
    } t[] = {{"create", volume_create},   {"ls", volume_ls}, {"list", volume_ls},
             {"inspect", volume_inspect}, {"rm", volume_rm}, {"remove", volume_rm},
             {"prune", volume_prune}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs("Usage:  mydocker volume COMMAND\n\nManage volumes\n\nCommands:\n"
              "  create      Create a volume\n"
              "  inspect     Display detailed information on one or more volumes\n"
              "  ls          List volumes\n"
              "  prune       Remove unused local volumes\n"
              "  rm          Remove one or more volumes\n",
              argc < 2 ? stderr : stdout);
        return argc < 2;
    }
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(argv[1], t[i].n) == 0) return t[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "mydocker: unknown volume command: %s\n", argv[1]);
    return 1;
}
