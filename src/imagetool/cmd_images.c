/* `images`, `rmi` and `tag`, printing exactly what docker prints. */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/getopt.h"
#include "cli/table.h"
#include "progress.h"
#include "util/time.h"
#include "image/store.h"
#include "layer.h"
#include "tool.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* ---- images ---- */

enum { COLS = 6 };

struct table {
    char *(*rows)[COLS];
    size_t n;
    int ncols; /* 5, or 6 with --digests */
};

static int table_add(struct table *t, const char *cells[COLS])
{
    char *(*nr)[COLS] = md_xrealloc(t->rows, (t->n + 1) * sizeof(*nr));
    if (nr == NULL) return -1;
    t->rows = nr;
    for (int c = 0; c < COLS; c++)
        if ((t->rows[t->n][c] = strdup(c < t->ncols ? cells[c] : "")) == NULL) return -1;
    t->n++;
    return 0;
}

/* docker's tabwriter: minwidth 10, padding 3, last column bare (cli/table.c) */
static int table_print(const struct table *t)
{
    cleanup_free char ***rows = calloc(t->n ? t->n : 1, sizeof(*rows));
    if (rows == NULL) return -1;
    for (size_t r = 0; r < t->n; r++)
        rows[r] = t->rows[r];
    md_table_write(stdout, rows, t->n, (size_t)t->ncols, 10, 3, "\n");
    return 0;
}

static void table_free(struct table *t)
{
    for (size_t r = 0; r < t->n; r++)
        for (int c = 0; c < COLS; c++)
            free(t->rows[r][c]);
    free(t->rows);
}

static long long image_size(const md_image_info_t *info)
{
    if (info->size >= 0) return info->size;
    md_image_t *img = NULL;
    long long total = 0, one;
    if (md_image_lookup(info->id, &img, NULL) < 0) return 0;
    for (char **d = img->layer_dirs; *d; d++)
        if (md_layer_du(*d, &one, NULL) == 0) total += one;
    md_image_free(img);
    return total;
}

struct images_opts {
    int quiet, no_trunc, digests;
    const char *repo, *tag; /* filter */
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

static int add_row(struct table *t, const struct images_opts *o, const char *repo, const char *tag,
                   const char *digest, const char *id, const char *created, const char *size)
{
    if (o->digests) return table_add(t, (const char *[COLS]){repo, tag, digest, id, created, size});
    return table_add(t, (const char *[COLS]){repo, tag, id, created, size});
}

/* Repositories known only by digest (pulled by digest, never tagged). */
static int add_digest_rows(struct table *t, const struct images_opts *o,
                           const md_image_info_t *info, const char *id, const char *created,
                           const char *size)
{
    for (char **d = info->digests; d && *d; d++) {
        cleanup_free char *repo = strdup(*d);
        if (repo == NULL) return -1;
        char *at = strchr(repo, '@');
        if (at == NULL) continue;
        *at = '\0';
        int tagged = 0;
        size_t n = strlen(repo);
        for (char **tg = info->tags; *tg && !tagged; tg++)
            tagged = strncmp(*tg, repo, n) == 0 && (*tg)[n] == ':';
        if (!tagged && tag_matches(o, repo, "<none>") &&
            add_row(t, o, repo, "<none>", at + 1, id, created, size) < 0)
            return -1;
    }
    return 0;
}

static int add_image_rows(struct table *t, const struct images_opts *o, const md_image_info_t *info,
                          time_t now)
{
    char id[80], created[64] = "N/A", size[32];
    snprintf(id, sizeof(id), "%.*s", o->no_trunc ? 80 : 12, o->no_trunc ? info->id : info->id + 7);
    if (info->created > 0) {
        cleanup_free char *d = md_human_duration(((int64_t)now - info->created) * 1000000000LL);
        snprintf(created, sizeof(created), "%s ago", d ? d : "N/A");
    }
    md_human_size(image_size(info), size, sizeof(size));
    if (info->tags[0] == NULL && (info->digests == NULL || info->digests[0] == NULL) &&
        o->repo == NULL)
        return add_row(t, o, "<none>", "<none>", "<none>", id, created, size);
    for (char **tg = info->tags; *tg; tg++) {
        cleanup_free char *repo = strdup(*tg);
        if (repo == NULL) return -1;
        char *sep = strchr(repo, '@');
        const char *tag = "<none>";
        if (sep == NULL && (sep = strrchr(repo, ':')) != NULL) tag = sep + 1;
        if (sep) *sep = '\0';
        if (tag_matches(o, repo, tag) &&
            add_row(t, o, repo, tag, repo_digest(info, repo), id, created, size) < 0)
            return -1;
    }
    return add_digest_rows(t, o, info, id, created, size);
}

static int parse_images_args(int argc, char **argv, struct images_opts *o, md_image_ref_t *ref)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},    {"all", no_argument, NULL, 'a'},
        {"no-trunc", no_argument, NULL, 'T'}, {"digests", no_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},     {0},
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":qah", longopts, NULL)) != -1) {
        if (c == 'q')
            o->quiet = 1;
        else if (c == 'T')
            o->no_trunc = 1;
        else if (c == 'D')
            o->digests = 1;
        else if (c == 'h') {
            printf("Usage:  mydocker images [OPTIONS] [REPOSITORY[:TAG]]\n\nList images\n\n"
                   "Options:\n  -a, --all         Show all images\n"
                   "      --digests     Show digests\n"
                   "      --no-trunc    Don't truncate output\n"
                   "  -q, --quiet       Only show image IDs\n");
            return -1;
        } else if (c == '?' || c == ':')
            return md_tool_bad_flag("images", c, argc, argv);
    }
    if (argc - optind > 1) {
        fprintf(stderr, "%s: \"images\" requires at most 1 argument.\nSee '%s images --help'.\n",
                md_progname, md_progname);
        return MD_TOOL_EXIT_FAIL;
    }
    if (optind < argc) {
        md_error_t *err = NULL;
        const char *arg = argv[optind], *colon = strrchr(arg, ':');
        if (md_image_ref_parse(arg, ref, &err) < 0) return md_error_report(&err), MD_TOOL_EXIT_FAIL;
        o->repo = ref->familiar;
        o->tag = colon && !strchr(colon, '/') ? ref->tag : NULL;
    }
    return 0;
}

int md_cmd_images(int argc, char **argv)
{
    struct images_opts o = {0};
    md_image_ref_t ref = {0};
    int r = parse_images_args(argc, argv, &o, &ref);
    md_image_info_t *list = NULL;
    size_t n = 0;
    md_error_t *err = NULL;
    if (r == 0 && md_image_list(&list, &n, &err) < 0)
        r = (md_error_report(&err), MD_TOOL_EXIT_FAIL);
    struct table t = {.ncols = o.digests ? 6 : 5};
    const char *header[COLS] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"};
    const char *header_d[COLS] = {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"};
    if (r == 0 && !o.quiet && table_add(&t, o.digests ? header_d : header) < 0)
        r = MD_TOOL_EXIT_FAIL;
    time_t now = time(NULL);
    for (size_t i = 0; r == 0 && i < n; i++)
        if (add_image_rows(&t, &o, &list[i], now) < 0) r = MD_TOOL_EXIT_FAIL;
    if (r == 0 && o.quiet)
        for (size_t i = 0; i < t.n; i++)
            printf("%s\n", t.rows[i][o.digests ? 3 : 2]);
    else if (r == 0 && table_print(&t) < 0)
        r = MD_TOOL_EXIT_FAIL;
    table_free(&t);
    md_image_list_free(list, n);
    md_image_ref_clear(&ref);
    return r < 0 ? 0 : r;
}

/* ---- rmi, tag ---- */

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
        for (size_t l = 0; lines && lines[l]; l++)
            printf("%s\n", lines[l]);
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
    return 0;
}
