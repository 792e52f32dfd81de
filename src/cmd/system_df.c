/* system df: docker's disk usage summary (images, containers' writable
 * layers, local volumes, build cache), sizes measured as docker measures
 * them (util/du.h). */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/format.h"
#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "engine/volume_store.h"
#include "image/store.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/du.h"
#include "util/size.h"
#include "util/strv.h"
#include "util/xalloc.h"
#include "util/time.h"

struct usage {
    const char *type;
    long long total, active, size, reclaimable;
    int percent;              /* docker shows "(N%)" for images and volumes */
    struct json_object *rows; /* -v: one row per object, or NULL */
};

static void put(struct json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void put_size(struct json_object *o, const char *k, long long bytes)
{
    char s[32];
    md_size_decimal(s, sizeof(s), (double)bytes, 3);
    put(o, k, s);
}

/* -v's container row: docker's CONTAINER ID, IMAGE, COMMAND, LOCAL VOLUMES, SIZE, CREATED,
 * STATUS, NAMES */
static struct json_object *container_row(const struct md_ctr *c, long long size)
{
    struct json_object *r = json_object_new_object(), *mounts = NULL;
    char id[13], n[16], cmd[64];
    snprintf(id, sizeof(id), "%.12s", c->id);
    put(r, "ID", id);
    put(r, "Image", md_ctr_str(c, "Config.Image"));
    snprintf(cmd, sizeof(cmd), "\"%.20s\"", md_ctr_str(c, "Path") ? md_ctr_str(c, "Path") : "");
    put(r, "Command", cmd);
    size_t vols = 0;
    json_object_object_get_ex(c->record, "Mounts", &mounts);
    for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
        struct json_object *t = NULL;
        json_object_object_get_ex(json_object_array_get_idx(mounts, i), "Type", &t);
        vols += t && strcmp(json_object_get_string(t), "volume") == 0;
    }
    snprintf(n, sizeof(n), "%zu", vols);
    put(r, "LocalVolumes", n);
    put_size(r, "Size", size);
    cleanup_free char *created = md_time_ago(md_parse_rfc3339(md_ctr_str(c, "Created")));
    cleanup_free char *status = md_ctr_status_text(c);
    put(r, "CreatedSince", created);
    put(r, "Status", status);
    put(r, "Names", c->name);
    return r;
}

/* containers: count, running, writable layers; the ids of images in use */
static void containers(struct usage *u, char ***images_used)
{
    cleanup_strv char **ids = md_ctr_list_ids();
    for (char **id = ids; id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_summary(*id, &c, NULL) < 0) continue;
        long long size = md_ctr_rw_size(c);
        int running = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED ||
                      c->status == MD_CTR_RESTARTING;
        u->total++;
        u->active += running;
        u->size += size;
        if (!running) u->reclaimable += size;
        if (u->rows) json_object_array_add(u->rows, container_row(c, size));
        const char *img = md_ctr_str(c, "Image");
        if (img && img[0]) md_strv_append(images_used, img);
        md_ctr_free(c);
    }
}

/* -v's image row: REPOSITORY TAG IMAGE ID CREATED SIZE SHARED SIZE UNIQUE SIZE CONTAINERS
 * (no layer is counted as shared here: each image's own size is its unique size) */
static struct json_object *image_row(const md_image_info_t *info, long long size, char **used)
{
    struct json_object *r = json_object_new_object();
    cleanup_free char *repo = md_xstrdup(info->tags[0] ? info->tags[0] : "<none>:<none>");
    char *colon = strrchr(repo, ':'), id[13], n[16];
    if (colon) *colon = '\0';
    put(r, "Repository", repo);
    put(r, "Tag", colon ? colon + 1 : "<none>");
    snprintf(id, sizeof(id), "%.12s", info->id + 7);
    put(r, "ID", id);
    cleanup_free char *created =
        info->created ? md_time_ago((int64_t)info->created * 1000000000LL) : NULL;
    put(r, "CreatedSince", created ? created : "N/A");
    put_size(r, "Size", size);
    put_size(r, "SharedSize", 0);
    put_size(r, "UniqueSize", size);
    size_t users = 0;
    for (char **x = used; x && *x; x++)
        users += strcmp(*x, info->id) == 0;
    snprintf(n, sizeof(n), "%zu", users);
    put(r, "Containers", n);
    return r;
}

static void images(struct usage *u, char **used)
{
    md_image_info_t *list = NULL;
    size_t n = 0;
    if (md_image_list(&list, &n, NULL) < 0) return;
    for (size_t i = 0; i < n; i++) {
        long long size = md_image_size(&list[i]);
        int active = 0;
        for (char **x = used; x && *x && !active; x++)
            active = strcmp(*x, list[i].id) == 0;
        u->total++;
        u->active += active;
        u->size += size;
        if (!active) u->reclaimable += size;
        if (u->rows) json_object_array_add(u->rows, image_row(&list[i], size, used));
    }
    md_image_list_free(list, n);
}

static void volumes(struct usage *u)
{
    cleanup_strv char **names = md_volume_list();
    for (char **v = names; v && *v; v++) {
        cleanup_strv char **users = md_volume_users(*v);
        long long size = md_volume_size(*v);
        int active = users && users[0];
        size = size > 0 ? size : 0;
        u->total++;
        u->active += active;
        u->size += size;
        if (!active) u->reclaimable += size;
        if (u->rows) {
            struct json_object *r = json_object_new_object();
            char n[16];
            snprintf(n, sizeof(n), "%zu", md_strv_len(users));
            put(r, "Name", *v);
            put(r, "Links", n);
            put_size(r, "Size", size);
            json_object_array_add(u->rows, r);
        }
    }
}

static struct json_object *row(const struct usage *u)
{
    char size[32], rec[32], text[48];
    md_size_decimal(size, sizeof(size), (double)u->size, 3);
    md_size_decimal(rec, sizeof(rec), (double)u->reclaimable, 3);
    if (u->percent)
        snprintf(text, sizeof(text), "%s (%lld%%)", rec,
                 u->size ? u->reclaimable * 100 / u->size : 0);
    else
        snprintf(text, sizeof(text), "%s", rec);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "Type", json_object_new_string(u->type));
    char num[24];
    snprintf(num, sizeof(num), "%lld", u->total);
    json_object_object_add(o, "TotalCount", json_object_new_string(num));
    snprintf(num, sizeof(num), "%lld", u->active);
    json_object_object_add(o, "Active", json_object_new_string(num));
    json_object_object_add(o, "Size", json_object_new_string(size));
    json_object_object_add(o, "Reclaimable", json_object_new_string(text));
    return o;
}

/* docker's system df -v: a table per kind of object */
static int print_verbose(struct usage *u)
{
    static const struct md_format_head img_heads[] = {{"Repository", "REPOSITORY"},
                                                      {"Tag", "TAG"},
                                                      {"ID", "IMAGE ID"},
                                                      {"CreatedSince", "CREATED"},
                                                      {"Size", "SIZE"},
                                                      {"SharedSize", "SHARED SIZE"},
                                                      {"UniqueSize", "UNIQUE SIZE"},
                                                      {"Containers", "CONTAINERS"},
                                                      {NULL, NULL}};
    static const struct md_format_head ctr_heads[] = {{"ID", "CONTAINER ID"},
                                                      {"Image", "IMAGE"},
                                                      {"Command", "COMMAND"},
                                                      {"LocalVolumes", "LOCAL VOLUMES"},
                                                      {"Size", "SIZE"},
                                                      {"CreatedSince", "CREATED"},
                                                      {"Status", "STATUS"},
                                                      {"Names", "NAMES"},
                                                      {NULL, NULL}};
    static const struct md_format_head vol_heads[] = {
        {"Name", "VOLUME NAME"}, {"Links", "LINKS"}, {"Size", "SIZE"}, {NULL, NULL}};
    const struct md_format_head *heads[] = {img_heads, ctr_heads, vol_heads};
    static const char *const titles[] = {
        "Images space usage:", "Containers space usage:", "Local Volumes space usage:"};
    static const char *const fmts[] = {"table "
                                       "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{."
                                       "Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
                                       "table "
                                       "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{."
                                       "Size}}\t{{.CreatedSince}}\t{{.Status}}\t{{.Names}}",
                                       "table {{.Name}}\t{{.Links}}\t{{.Size}}"};
    md_error_t *err = NULL;
    int r = 0;
    for (int i = 0; i < 3 && r == 0; i++) {
        size_t n = json_object_array_length(u[i].rows);
        struct json_object **v = calloc(n + 1, sizeof(*v));
        for (size_t k = 0; v && k < n; k++)
            v[k] = json_object_array_get_idx(u[i].rows, k);
        printf("%s%s\n\n", i ? "\n" : "", titles[i]);
        fflush(stdout);
        r = md_format_rows(fmts[i], v, n, heads[i], &err);
        free(v);
    }
    printf("\nBuild cache usage: 0B\n");
    for (int i = 0; i < 3; i++)
        json_object_put(u[i].rows);
    return r < 0 ? md_error_report(&err) : 0;
}

int md_system_df(int argc, char **argv)
{
    static const struct option lo[] = {{"format", required_argument, NULL, 'F'},
                                       {"verbose", no_argument, NULL, 'v'},
                                       {NULL, 0, NULL, 0}};
    const char *fmt = NULL;
    int c, verbose = 0;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":v", lo, NULL)) != -1) {
        if (c == 'F' || c == 'v') {
            if (c == 'F') fmt = optarg;
            verbose |= c == 'v';
            continue;
        }
        const char *a = argv[optind - 1];
        if (a[1] != '-')
            fprintf(stderr, "mydocker: unknown shorthand flag: '%c' in %s\n", optopt, a);
        else
            fprintf(stderr, "mydocker: unknown flag: %.*s\n", MD_FLAG_NAME(a));
        fputs("See 'mydocker system df --help'.\n", stderr);
        return MD_EXIT_ENGINE;
    }
    struct usage u[4] = {{"Images", 0, 0, 0, 0, 1, NULL},
                         {"Containers", 0, 0, 0, 0, 0, NULL},
                         {"Local Volumes", 0, 0, 0, 0, 1, NULL},
                         {"Build Cache", 0, 0, 0, 0, 0, NULL}};
    for (int i = 0; verbose && i < 3; i++)
        u[i].rows = json_object_new_array();
    cleanup_strv char **used = NULL;
    containers(&u[1], &used);
    images(&u[0], used);
    volumes(&u[2]);
    if (verbose && fmt == NULL) return print_verbose(u);
    struct json_object *rows[4];
    for (int i = 0; i < 4; i++)
        rows[i] = row(&u[i]);
    static const struct md_format_head heads[] = {
        {"Type", "TYPE"}, {"TotalCount", "TOTAL"},        {"Active", "ACTIVE"},
        {"Size", "SIZE"}, {"Reclaimable", "RECLAIMABLE"}, {NULL, NULL}};
    md_error_t *err = NULL;
    int r = md_format_rows(
        fmt ? fmt : "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
        rows, 4, heads, &err);
    for (int i = 0; i < 4; i++)
        json_object_put(rows[i]);
    return r < 0 ? md_error_report(&err) : 0;
}
