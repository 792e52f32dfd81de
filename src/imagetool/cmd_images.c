/* `images`, `rmi` and `tag`, printing exactly what docker prints. */
#include <fnmatch.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/events.h"
#include "cli/filters.h"
#include "cli/format.h"
#include "cli/getopt.h"
#include "cli/table.h"
#include "progress.h"
#include "util/time.h"
#include "image/store.h"
#include "layer.h"
#include "imagetool/build.h"
#include "util/strv.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* ---- images ---- */

struct images_opts {
    int quiet, no_trunc, digests, all;
    const char *repo, *tag; /* the REPOSITORY[:TAG] argument */
    const char *format;
    struct md_filters filters;
};

/* One row: the fields docker's image formatter has. */
struct row_ctx {
    const struct images_opts *o;
    const md_image_info_t *info;
    struct json_object *rows;
    char id[80], created[64], created_at[64], size[32];
};

static int tag_matches(const struct images_opts *o, const char *repo, const char *tag)
{
    return o->repo == NULL ||
           (strcmp(o->repo, repo) == 0 && (o->tag == NULL || strcmp(o->tag, tag) == 0));
}

/* The registry digest recorded for repo, or "<none>". */
static const char *repo_digest(const md_image_info_t *info, const char *repo)
{
    size_t n = strlen(repo);
    for (char **d = info->digests; d && *d; d++)
        if (strncmp(*d, repo, n) == 0 && (*d)[n] == '@') return *d + n + 1;
    return "<none>";
}

/* reference=PATTERN: path.Match against "repo:tag", or against "repo" when
 * the pattern has no tag (docker's reference.FamiliarMatch) */
static int f_reference(const char *pattern, void *ctx)
{
    const char *const *rt = ctx;
    cleanup_free char *full = NULL;
    if (asprintf(&full, "%s:%s", rt[0], rt[1]) < 0) md_oom();
    if (fnmatch(pattern, full, FNM_PATHNAME) == 0) return 1;
    const char *slash = strrchr(pattern, '/');
    return strchr(slash ? slash : pattern, ':') == NULL &&
           fnmatch(pattern, rt[0], FNM_PATHNAME) == 0;
}

static void add_row(struct row_ctx *c, const char *repo, const char *tag, const char *digest)
{
    const char *rt[2] = {repo, tag};
    if (!tag_matches(c->o, repo, tag) ||
        !md_filters_any(&c->o->filters, "reference", f_reference, rt))
        return;
    struct json_object *r = json_object_new_object();
    const char *kv[][2] = {
        {"Containers", "N/A"},
        {"CreatedAt", c->created_at},
        {"CreatedSince", c->created},
        {"Digest", digest},
        {"ID", c->id},
        {"Repository", repo},
        {"SharedSize", "N/A"},
        {"Size", c->size},
        {"Tag", tag},
        {"UniqueSize", "N/A"},
        {"VirtualSize", c->size},
    };
    for (size_t i = 0; i < sizeof(kv) / sizeof(*kv); i++)
        json_object_object_add(r, kv[i][0], json_object_new_string(kv[i][1]));
    json_object_array_add(c->rows, r);
}

/* Repositories known only by digest (pulled by digest, never tagged). */
static void add_digest_rows(struct row_ctx *c)
{
    const md_image_info_t *info = c->info;
    for (char **d = info->digests; d && *d; d++) {
        cleanup_free char *repo = md_xstrdup(*d);
        char *at = strchr(repo, '@');
        if (at == NULL) continue;
        *at = '\0';
        int tagged = 0;
        size_t n = strlen(repo);
        for (char **tg = info->tags; *tg && !tagged; tg++)
            tagged = strncmp(*tg, repo, n) == 0 && (*tg)[n] == ':';
        if (!tagged) add_row(c, repo, "<none>", at + 1);
    }
}

static void add_image_rows(struct row_ctx *c)
{
    const md_image_info_t *info = c->info;
    int full = c->o->no_trunc;
    snprintf(c->id, sizeof(c->id), "%.*s", full ? 80 : 12, full ? info->id : info->id + 7);
    snprintf(c->created, sizeof(c->created), "N/A");
    snprintf(c->created_at, sizeof(c->created_at), "N/A");
    if (info->created > 0) {
        cleanup_free char *ago = md_time_ago((int64_t)info->created * 1000000000LL);
        snprintf(c->created, sizeof(c->created), "%s", ago ? ago : "N/A");
        md_time_utc_text((int64_t)info->created * 1000000000LL, c->created_at,
                         sizeof(c->created_at));
    }
    md_human_size(md_image_size(info), c->size, sizeof(c->size));
    if (info->tags[0] == NULL && (info->digests == NULL || info->digests[0] == NULL))
        add_row(c, "<none>", "<none>", "<none>");
    for (char **tg = info->tags; *tg; tg++) {
        cleanup_free char *repo = md_xstrdup(*tg);
        char *sep = strchr(repo, '@');
        const char *tag = "<none>";
        if (sep == NULL && (sep = strrchr(repo, ':')) != NULL) tag = sep + 1;
        if (sep) *sep = '\0';
        add_row(c, repo, tag, repo_digest(info, repo));
    }
    add_digest_rows(c);
}

/* ---- image filters: dangling, label, before, since (reference is per row) ---- */

struct when {
    const md_image_info_t *info;
    int before;
    md_error_t **err;
};

static int f_dangling(const char *v, void *ctx)
{
    const md_image_info_t *info = ctx;
    return (md_filter_bool(v) == 1) == (info->tags[0] == NULL);
}

static int f_when(const char *ref, void *ctx)
{
    struct when *w = ctx;
    md_image_t *img = NULL;
    if (*w->err || md_image_lookup(ref, &img, w->err) < 0) return 0;
    struct json_object *c = NULL;
    json_object_object_get_ex(img->config, "created", &c);
    int64_t t = md_parse_rfc3339(json_object_get_string(c));
    md_image_free(img);
    int64_t mine = (int64_t)w->info->created * 1000000000LL + w->info->created_nsec;
    return w->before ? mine < t : mine > t;
}

static int image_selected(const struct md_filters *f, const md_image_info_t *info, md_error_t **err)
{
    struct when before = {info, 1, err}, since = {info, 0, err};
    int64_t created = (int64_t)info->created * 1000000000LL + info->created_nsec;
    return md_filters_any(f, "dangling", f_dangling, (void *)info) &&
           md_filters_any(f, "before", f_when, &before) &&
           md_filters_any(f, "since", f_when, &since) && md_filters_until(f, created) &&
           md_tool_labels_match(f, info->id);
}

static int check_filters(const struct md_filters *f, md_error_t **err)
{
    for (size_t i = 0; f->keys && f->keys[i]; i++)
        if (strcmp(f->keys[i], "dangling") == 0 && md_filter_bool(f->values[i]) < 0)
            return md_error_code(err, 1, 0, "Invalid filter 'dangling=%s'", f->values[i]);
    return md_filters_check_until(f, err);
}

static int parse_images_flag(int c, struct images_opts *o, md_error_t **err)
{
    static const char *const keys[] = {"dangling", "label",     "label!", "before",
                                       "since",    "reference", "until",  NULL};
    switch (c) {
    case 'q':
        o->quiet = 1;
        return 0;
    case 'T':
        o->no_trunc = 1;
        return 0;
    case 'D':
        o->digests = 1;
        return 0;
    case 'a':
        o->all = 1; /* the build cache's images too, as docker's intermediate ones */
        return 0;
    case 'F':
        o->format = optarg;
        return 0;
    case 'f':
        return md_filters_add(&o->filters, optarg, keys, err) < 0 ? -1 : 0;
    }
    return 1;
}

static const char images_usage[] =
    "Usage:  mydocker images [OPTIONS] [REPOSITORY[:TAG]]\n\nList images\n\n"
    "Options:\n  -a, --all             Show all images\n"
    "      --digests         Show digests\n"
    "  -f, --filter filter   Filter output based on conditions provided\n"
    "      --format string   Format output using a custom template\n"
    "      --no-trunc        Don't truncate output\n"
    "  -q, --quiet           Only show image IDs\n";

static int parse_images_args(int argc, char **argv, struct images_opts *o, md_image_ref_t *ref)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},        {"all", no_argument, NULL, 'a'},
        {"no-trunc", no_argument, NULL, 'T'},     {"digests", no_argument, NULL, 'D'},
        {"filter", required_argument, NULL, 'f'}, {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    int c;
    md_error_t *err = NULL;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":qahf:", longopts, NULL)) != -1) {
        int r = parse_images_flag(c, o, &err);
        if (r < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
        if (r == 0) continue;
        if (c == 'h') return printf("%s", images_usage), -1;
        return md_tool_bad_flag("images", c, argc, argv);
    }
    if (check_filters(&o->filters, &err) < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
    if (argc - optind > 1) {
        fprintf(stderr, "%s: \"images\" requires at most 1 argument.\nSee '%s images --help'.\n",
                md_progname, md_progname);
        return MD_TOOL_EXIT_FAIL;
    }
    if (optind < argc) {
        const char *arg = argv[optind], *colon = strrchr(arg, ':');
        if (md_image_ref_parse(arg, ref, &err) < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
        o->repo = ref->familiar;
        o->tag = colon && !strchr(colon, '/') ? ref->tag : NULL;
    }
    return 0;
}

static const struct md_format_head image_heads[] = {
    {"Repository", "REPOSITORY"},
    {"Tag", "TAG"},
    {"Digest", "DIGEST"},
    {"ID", "IMAGE ID"},
    {"CreatedSince", "CREATED"},
    {"CreatedAt", "CREATED AT"},
    {"Size", "SIZE"},
    {"SharedSize", "SHARED SIZE"},
    {"UniqueSize", "UNIQUE SIZE"},
    {"VirtualSize", "VIRTUAL SIZE"},
    {"Containers", "CONTAINERS"},
    {NULL, NULL},
};

static int print_images(const struct images_opts *o, struct json_object *rows, md_error_t **err)
{
    const char *fmt = o->format;
    if (fmt == NULL || strcmp(fmt, "table") == 0)
        fmt = o->quiet ? "{{.ID}}"
              : o->digests
                  ? "table "
                    "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
                  : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    size_t n = json_object_array_length(rows);
    struct json_object **v = md_xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_object_array_get_idx(rows, i);
    int r = md_format_rows(fmt, v, n, image_heads, err);
    free(v);
    return r;
}

int md_cmd_images(int argc, char **argv)
{
    struct images_opts o = {0};
    md_image_ref_t ref = {0};
    int r = parse_images_args(argc, argv, &o, &ref); /* -1: --help */
    md_image_info_t *list = NULL;
    size_t n = 0;
    md_error_t *err = NULL;
    struct row_ctx c = {.o = &o, .rows = json_object_new_array()};
    if (r == 0) md_image_list(&list, &n, &err);
    cleanup_strv char **cached = o.all ? NULL : md_build_cache_images();
    for (size_t i = 0; r == 0 && err == NULL && i < n; i++) {
        c.info = &list[i];
        if (list[i].tags[0] == NULL && md_strv_contains(cached, list[i].id)) continue;
        if (image_selected(&o.filters, &list[i], &err) && err == NULL) add_image_rows(&c);
    }
    if (r == 0 && err == NULL) print_images(&o, c.rows, &err);
    if (err) r = (md_error_report(&err), MD_TOOL_EXIT_FAIL);
    json_object_put(c.rows);
    md_filters_free(&o.filters);
    md_image_list_free(list, n);
    md_image_ref_clear(&ref);
    return r < 0 ? 0 : r;
}

/* ---- rmi, tag ---- */

/* docker's untag and delete events, from rmi's report lines */
static void removal_event(const char *line)
{
    if (strncmp(line, "Untagged: ", 10) == 0) md_image_event("untag", line + 10, NULL);
    if (strncmp(line, "Deleted: ", 9) == 0) md_image_event("delete", line + 9, NULL);
}

int md_cmd_rmi(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"force", no_argument, NULL, 'f'},
        {"no-prune", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    int c, force = 0, status = 0;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":fh", longopts, NULL)) != -1) {
        if (c == 'f')
            force = 1;
        else if (c == 'h')
            return printf("Usage:  mydocker rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
                          "Remove one or more images\n\nOptions:\n"
                          "  -f, --force      Force removal of the image\n"),
                   0;
        else if (c == '?' || c == ':')
            return md_tool_bad_flag("rmi", c, argc, argv);
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: \"rmi\" requires at least 1 argument.\nSee '%s rmi --help'.\n",
                md_progname, md_progname);
        return MD_TOOL_EXIT_FAIL;
    }
    for (int i = optind; i < argc; i++) {
        cleanup_strv char **lines = NULL;
        md_error_t *err = NULL;
        int r = md_image_remove(argv[i], force, &lines, &err);
        for (size_t l = 0; lines && lines[l]; l++) {
            printf("%s\n", lines[l]);
            removal_event(lines[l]);
        }
        fflush(stdout);
        if (r < 0) {
            md_error_report(&err);
            status = MD_TOOL_EXIT_FAIL;
        }
    }
    return status;
}

int md_cmd_tag(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return printf("Usage:  mydocker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
                      "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n"),
               0;
    if (argc != 3) {
        fprintf(stderr, "%s: \"tag\" requires exactly 2 arguments.\nSee '%s tag --help'.\n",
                md_progname, md_progname);
        return MD_TOOL_EXIT_FAIL;
    }
    md_error_t *err = NULL;
    if (md_image_tag(argv[1], argv[2], &err) < 0) {
        md_error_report(&err);
        return MD_TOOL_EXIT_FAIL;
    }
    cleanup_free char *id = NULL, *name = md_image_normalize_ref(argv[2], NULL);
    if (md_image_resolve(argv[2], &id, NULL, NULL) == 0) md_image_event("tag", id, name);
    return 0;
}
