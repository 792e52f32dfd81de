/* `image inspect`, `history`, `image prune`, and the `image SUBCOMMAND`
 * dispatcher (`image ls|pull|push|rm|tag|save|load|import|history|inspect|prune`). */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/getopt.h"
#include "util/time.h"
#include "util/size.h"
#include "store/events.h"
#include "cli/filters.h"
#include "store/ctr.h"
#include "cli/format.h"
#include "image/store.h"
#include "layer.h"
#include "manifest.h"
#include "progress.h"
#include "imagetool/build.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

static json_object *jstr(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static const char *cfg_str(json_object *cfg, const char *key)
{
    return json_object_get_string(json_object_object_get(cfg, key));
}

static md_image_info_t *find_info(md_image_info_t *list, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].id, id) == 0) return &list[i];
    return NULL;
}

static long long layers_size(json_object *cfg)
{
    json_object *ids = json_object_object_get(json_object_object_get(cfg, "rootfs"), "diff_ids");
    long long total = 0, one;
    for (size_t i = 0; ids && i < json_object_array_length(ids); i++) {
        char dir[4096];
        if (md_image_layer_path(dir, sizeof(dir),
                                json_object_get_string(json_object_array_get_idx(ids, i))) == 0 &&
            md_layer_du(dir, &one, NULL) == 0)
            total += one;
    }
    return total;
}

/* docker's image inspect document */
static json_object *image_doc(const char *id, json_object *cfg, const md_image_info_t *info)
{
    json_object *d = json_object_new_object(), *tags = json_object_new_array();
    json_object *digests = json_object_new_array(), *c;
    for (char **t = info ? info->tags : NULL; t && *t; t++)
        json_object_array_add(tags, jstr(*t));
    for (char **t = info ? info->digests : NULL; t && *t; t++)
        json_object_array_add(digests, jstr(*t));
    json_object_object_add(d, "Id", jstr(id));
    json_object_object_add(d, "RepoTags", tags);
    json_object_object_add(d, "RepoDigests", digests);
    json_object_object_add(d, "Parent", jstr(""));
    json_object_object_add(d, "Comment", jstr(cfg_str(cfg, "comment")));
    json_object_object_add(d, "Created", jstr(cfg_str(cfg, "created")));
    json_object_object_add(d, "DockerVersion", jstr(cfg_str(cfg, "docker_version")));
    json_object_object_add(d, "Author", jstr(cfg_str(cfg, "author")));
    c = json_object_object_get(cfg, "config");
    json_object_object_add(d, "Config", c ? json_object_get(c) : NULL);
    json_object_object_add(d, "Architecture", jstr(cfg_str(cfg, "architecture")));
    if (cfg_str(cfg, "variant"))
        json_object_object_add(d, "Variant", jstr(cfg_str(cfg, "variant")));
    json_object_object_add(d, "Os", jstr(cfg_str(cfg, "os")));
    long long size = info && info->size >= 0 ? info->size : layers_size(cfg);
    json_object_object_add(d, "Size", json_object_new_int64(size));
    json_object *gd = json_object_new_object(), *data = json_object_new_object();
    json_object *ids = json_object_object_get(json_object_object_get(cfg, "rootfs"), "diff_ids");
    cleanup_free char *lower = strdup("");
    for (size_t i = ids ? json_object_array_length(ids) : 0; lower && i > 0; i--) {
        char dir[4096], *nl = NULL;
        md_image_layer_path(dir, sizeof(dir),
                            json_object_get_string(json_object_array_get_idx(ids, i - 1)));
        if (asprintf(&nl, "%s%s%s", lower, *lower ? ":" : "", dir) < 0) nl = NULL;
        free(lower);
        lower = nl;
    }
    json_object_object_add(data, "LowerDir", jstr(lower));
    json_object_object_add(gd, "Data", data);
    json_object_object_add(gd, "Name", jstr("overlay2"));
    json_object_object_add(d, "GraphDriver", gd);
    json_object *rootfs = json_object_new_object();
    json_object_object_add(rootfs, "Type", jstr("layers"));
    json_object_object_add(rootfs, "Layers", ids ? json_object_get(ids) : json_object_new_array());
    json_object_object_add(d, "RootFS", rootfs);
    json_object *meta = json_object_new_object();
    json_object_object_add(meta, "LastTagTime", jstr("0001-01-01T00:00:00Z"));
    json_object_object_add(d, "Metadata", meta);
    return d;
}

static int load_config(const char *ref, char **id, json_object **cfg, md_error_t **err)
{
    cleanup_free char *text = NULL;
    size_t len;
    int r = md_image_resolve(ref, id, NULL, err);
    if (r == 0) r = md_store_read_blob(*id, &text, &len, err);
    if (r == 0 && (*cfg = json_tokener_parse(text)) == NULL)
        r = md_error(err, 0, "image %s: bad config", ref);
    return r;
}

static int cmd_inspect(int argc, char **argv)
{
    static const struct option lo[] = {
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0}};
    int c, status = 0;
    const char *fmt = NULL;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":f:h", lo, NULL)) != -1) {
        if (c == 'f')
            fmt = optarg;
        else if (c == 'h')
            return printf("Usage:  mydocker image inspect [OPTIONS] IMAGE [IMAGE...]\n\n"
                          "Display detailed information on one or more images\n\nOptions:\n"
                          "  -f, --format string   Format output using a Go template\n"),
                   0;
        else
            return md_tool_bad_flag("image inspect", c, argc, argv);
    }
    if (optind >= argc)
        return md_tool_usage_error("image inspect", "\"inspect\" requires at least 1 argument.");
    md_image_info_t *list = NULL;
    size_t n = 0;
    md_image_list(&list, &n, NULL);
    json_object *out = json_object_new_array();
    for (int i = optind; i < argc; i++) {
        cleanup_free char *id = NULL;
        json_object *cfg = NULL;
        md_error_t *err = NULL;
        if (load_config(argv[i], &id, &cfg, &err) < 0) {
            md_error_free(&err);
            fprintf(stderr, "Error: No such image: %s\n", argv[i]);
            status = MD_TOOL_EXIT_FAIL;
            continue;
        }
        json_object *doc = image_doc(id, cfg, find_info(list, n, id));
        json_object_put(cfg);
        char *line = NULL;
        if (fmt == NULL) {
            json_object_array_add(out, doc);
            continue;
        }
        if (md_template_render(fmt, doc, &line, &err) < 0)
            status = (md_error_report(&err), MD_TOOL_EXIT_FAIL);
        else
            printf("%s\n", line);
        free(line);
        json_object_put(doc);
    }
    if (fmt == NULL)
        printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_SPACED |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(out);
    md_image_list_free(list, n);
    return status;
}

/* ---- history ---- */

struct history_opts {
    int no_trunc, quiet, human;
    const char *format;
};

/* one history entry as docker's formatter sees it */
static json_object *history_row(json_object *h, const char *id, long long size,
                                const struct history_opts *o)
{
    char sz[32], by[64];
    const char *created = cfg_str(h, "created"), *cb = cfg_str(h, "created_by");
    int64_t t = created ? md_parse_rfc3339(created) : 0;
    cleanup_free char *ago = t > 0 ? md_time_ago(t) : NULL;
    if (o->human)
        md_human_size(size, sz, sizeof(sz));
    else
        snprintf(sz, sizeof(sz), "%lld", size);
    cb = cb ? cb : "";
    if (!o->no_trunc && strlen(cb) > 45)
        snprintf(by, sizeof(by), "%.44s…", cb);
    else
        snprintf(by, sizeof(by), "%s", cb);
    json_object *r = json_object_new_object();
    json_object_object_add(r, "ID", json_object_new_string(id));
    json_object_object_add(
        r, "CreatedSince",
        json_object_new_string(o->human ? (ago ? ago : "N/A") : (created ? created : "")));
    json_object_object_add(r, "CreatedAt", json_object_new_string(created ? created : ""));
    json_object_object_add(r, "CreatedBy", json_object_new_string(o->no_trunc ? cb : by));
    json_object_object_add(r, "Size", json_object_new_string(sz));
    json_object_object_add(
        r, "Comment", json_object_new_string(cfg_str(h, "comment") ? cfg_str(h, "comment") : ""));
    return r;
}

static int history_args(int argc, char **argv, struct history_opts *o)
{
    static const struct option lo[] = {
        {"no-trunc", no_argument, NULL, 'T'},    {"quiet", no_argument, NULL, 'q'},
        {"human", optional_argument, NULL, 'H'}, {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},        {0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":qH::h", lo, NULL)) != -1) {
        if (c == 'T' || c == 'q') {
            *(c == 'T' ? &o->no_trunc : &o->quiet) = 1;
        } else if (c == 'F') {
            o->format = optarg;
        } else if (c == 'H') {
            if (optarg && optarg[0] == '=') optarg++; /* "-H=false", as pflag takes it */
            o->human = optarg == NULL || strcmp(optarg, "true") == 0;
            if (optarg && !o->human && strcmp(optarg, "false") != 0)
                return md_tool_usage_error(
                    "history", "invalid argument \"%s\" for \"-H, --human\" flag", optarg);
        } else if (c == 'h') {
            printf("Usage:  mydocker history [OPTIONS] IMAGE\n\nShow the history of an image\n\n"
                   "Options:\n      --format string   Format output using a custom template\n"
                   "  -H, --human           Print sizes and dates in human readable format "
                   "(default true)\n      --no-trunc        Don't truncate output\n"
                   "  -q, --quiet           Only show image IDs\n");
            return -1;
        } else {
            return md_tool_bad_flag("history", c, argc, argv);
        }
    }
    if (argc - optind != 1)
        return md_tool_usage_error("history", "\"history\" requires exactly 1 argument.");
    return 0;
}

static const struct md_format_head history_heads[] = {{"ID", "IMAGE"},
                                                      {"CreatedSince", "CREATED"},
                                                      {"CreatedAt", "CREATED AT"},
                                                      {"CreatedBy", "CREATED BY"},
                                                      {"Size", "SIZE"},
                                                      {"Comment", "COMMENT"},
                                                      {NULL, NULL}};

static int cmd_history(int argc, char **argv)
{
    struct history_opts o = {.human = 1};
    int r = history_args(argc, argv, &o);
    if (r != 0) return r < 0 ? 0 : r;
    cleanup_free char *id = NULL;
    json_object *cfg = NULL;
    md_error_t *err = NULL;
    if (load_config(argv[optind], &id, &cfg, &err) < 0)
        return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    json_object *hist = json_object_object_get(cfg, "history");
    json_object *ids = json_object_object_get(json_object_object_get(cfg, "rootfs"), "diff_ids");
    size_t nh = hist ? json_object_array_length(hist) : 0,
           layer = ids ? json_object_array_length(ids) : 0, n = 0;
    json_object **rows = calloc(nh + 1, sizeof(*rows));
    char shown[80];
    snprintf(shown, sizeof(shown), "%.*s", o.no_trunc ? 71 : 12, o.no_trunc ? id : id + 7);
    for (size_t i = nh; rows && i > 0; i--) { /* newest first; empty_layer entries have no layer */
        json_object *h = json_object_array_get_idx(hist, i - 1);
        long long size = 0;
        if (!json_object_get_boolean(json_object_object_get(h, "empty_layer")) && layer > 0) {
            char dir[4096];
            md_image_layer_path(dir, sizeof(dir),
                                json_object_get_string(json_object_array_get_idx(ids, --layer)));
            md_layer_du(dir, &size, NULL);
        }
        rows[n++] = history_row(h, i == nh ? shown : "<missing>", size, &o);
    }
    const char *fmt =
        o.format && strcmp(o.format, "table") != 0 ? o.format
        : o.quiet                                  ? "{{.ID}}"
                  : "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
    r = md_format_rows(fmt, rows, n, history_heads, &err) < 0
            ? (md_error_report(&err), MD_TOOL_EXIT_FAIL)
            : 0;
    for (size_t i = 0; i < n; i++)
        json_object_put(rows[i]);
    free(rows);
    json_object_put(cfg);
    return r;
}

/* ---- prune ---- */

static int prune_wanted(const md_image_info_t *info, const struct md_filters *f, int all,
                        char *const *cached)
{
    cleanup_strv char **users = NULL;
    if (!all && (info->tags[0] || (info->digests && info->digests[0]))) return 0;
    if (!all && md_strv_contains(cached, info->id)) return 0; /* builder prune's */
    if (md_image_users(info->id, &users, NULL) < 0 || (users && users[0])) return 0;
    /* label=, label!= on the image's config labels, until= on its creation */
    return md_filters_until(f, (int64_t)info->created * 1000000000LL) &&
           md_tool_labels_match(f, info->id);
}

/* docker's "Deleted Images:" block; returns the bytes freed */
static long long prune_section(const struct md_filters *f, int all, int *status)
{
    md_image_info_t *list = NULL;
    size_t n = 0;
    md_error_t *err = NULL;
    if (md_image_list(&list, &n, &err) < 0) {
        md_error_report(&err);
        *status = MD_TOOL_EXIT_FAIL;
        return 0;
    }
    long long reclaimed = 0;
    int header = 0;
    cleanup_strv char **cached = md_build_cache_images();
    for (size_t i = 0; i < n; i++) {
        cleanup_strv char **lines = NULL;
        if (!prune_wanted(&list[i], f, all, cached)) continue;
        if (md_image_remove(list[i].id, 1, &lines, &err) < 0) {
            md_error_report(&err);
            *status = MD_TOOL_EXIT_FAIL;
            continue;
        }
        if (!header++) printf("Deleted Images:\n");
        for (size_t l = 0; lines && lines[l]; l++) {
            if (strncmp(lines[l], "Untagged: ", 10) == 0) {
                printf("untagged: %s\n", lines[l] + 10);
                md_image_event("untag", lines[l] + 10, NULL);
            } else if (strncmp(lines[l], "Deleted: ", 9) == 0) {
                printf("deleted: %s\n", lines[l] + 9);
                md_image_event("delete", lines[l] + 9, NULL);
            }
        }
        reclaimed += list[i].size > 0 ? list[i].size : 0;
    }
    if (header) putchar('\n');
    md_image_list_free(list, n);
    return reclaimed;
}

static int cmd_prune(int argc, char **argv)
{
    static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"filter", required_argument, NULL, 'F'},
                                       {"section", no_argument, NULL, 's'}, /* system prune's */
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    static const char *const keys[] = {"label", "label!", "until", "dangling", NULL};
    int c, all = 0, force = 0, section = 0, status = 0;
    struct md_filters f = {0};
    md_error_t *err = NULL;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":afh", lo, NULL)) != -1) {
        if (c == 'a' || c == 'f' || c == 's')
            *(c == 'a' ? &all : c == 'f' ? &force : &section) = 1;
        else if (c == 'F' && md_filters_add(&f, optarg, keys, &err) < 0)
            return md_filters_free(&f), md_error_report(&err), MD_TOOL_EXIT_FAIL;
        else if (c == 'h')
            return md_filters_free(&f),
                   printf(
                       "Usage:  mydocker image prune [OPTIONS]\n\nRemove unused "
                       "images\n\nOptions:\n"
                       "  -a, --all             Remove all unused images, not just dangling ones\n"
                       "      --filter filter   Provide filter values (e.g. "
                       "\"until=<timestamp>\")\n"
                       "  -f, --force           Do not prompt for confirmation\n"),
                   0;
        else if (c != 'F')
            return md_filters_free(&f), md_tool_bad_flag("image prune", c, argc, argv);
    }
    if (md_filters_check_until(&f, &err) < 0)
        return md_filters_free(&f), md_error_report(&err), MD_TOOL_EXIT_FAIL;
    /* docker: dangling=false means every unused image, as -a */
    for (size_t i = 0; f.keys && f.keys[i]; i++)
        if (strcmp(f.keys[i], "dangling") == 0) all |= md_filter_bool(f.values[i]) == 0;
    if (!force) {
        printf(
            "WARNING! This will remove all %s images.\nAre you sure you want to continue? [y/N] ",
            all ? "images without at least one container associated to them" : "dangling");
        fflush(stdout);
        char ans[16] = "";
        if (fgets(ans, sizeof(ans), stdin) == NULL || (ans[0] != 'y' && ans[0] != 'Y'))
            return md_filters_free(&f), 0;
    }
    long long reclaimed = prune_section(&f, all, &status);
    char sz[32];
    md_size_decimal(sz, sizeof(sz), (double)reclaimed, 3);
    if (section)
        printf("reclaimed %lld\n", reclaimed);
    else
        printf("Total reclaimed space: %s\n", sz);
    md_filters_free(&f);
    return status;
}

int md_cmd_history(int argc, char **argv)
{
    return cmd_history(argc, argv);
}

int md_cmd_image(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } sub[] = {{"inspect", cmd_inspect}, {"history", cmd_history}, {"prune", cmd_prune},
               {"ls", md_cmd_images},    {"list", md_cmd_images},  {"pull", md_cmd_pull},
               {"push", md_cmd_push},    {"rm", md_cmd_rmi},       {"tag", md_cmd_tag},
               {"save", md_cmd_save},    {"load", md_cmd_load},    {"import", md_cmd_import}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("Usage:  mydocker image COMMAND\n\nManage images\n\nCommands:\n");
        for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
            printf("  %s\n", sub[i].name);
        return argc < 2 ? MD_EXIT_ENGINE : 0;
    }
    for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
        if (strcmp(argv[1], sub[i].name) == 0) return sub[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "mydocker: 'image %s' is not a mydocker command.\n", argv[1]);
    return MD_EXIT_ENGINE;
}
