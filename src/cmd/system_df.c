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

struct usage {
    const char *type;
    long long total, active, size, reclaimable;
    int percent; /* docker shows "(N%)" for images and volumes */
};

/* containers: count, running, writable layers; the ids of images in use */
static void containers(struct usage *u, char ***images_used)
{
    cleanup_strv char **ids = md_ctr_list_ids();
    for (char **id = ids; id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_id(*id, &c, NULL) < 0) continue;
        long long size = md_ctr_rw_size(c);
        int running = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED ||
                      c->status == MD_CTR_RESTARTING;
        u->total++;
        u->active += running;
        u->size += size;
        if (!running) u->reclaimable += size;
        const char *img = md_ctr_str(c, "Image");
        if (img && img[0]) md_strv_append(images_used, img);
        md_ctr_free(c);
    }
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

int md_system_df(int argc, char **argv)
{
    static const struct option lo[] = {{"format", required_argument, NULL, 'F'},
                                       {NULL, 0, NULL, 0}};
    const char *fmt = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, ":", lo, NULL)) != -1) {
        if (c == 'F') {
            fmt = optarg;
            continue;
        }
        /* -v (per-object detail) is not built: refused, not ignored */
        fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker system df --help'.\n",
                MD_FLAG_NAME(argv[optind - 1]));
        return MD_EXIT_ENGINE;
    }
    struct usage u[4] = {{"Images", 0, 0, 0, 0, 1},
                         {"Containers", 0, 0, 0, 0, 0},
                         {"Local Volumes", 0, 0, 0, 0, 1},
                         {"Build Cache", 0, 0, 0, 0, 0}};
    cleanup_strv char **used = NULL;
    containers(&u[1], &used);
    images(&u[0], used);
    volumes(&u[2]);
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
