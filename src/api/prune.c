/* the prune endpoints, changes and export, through the commands that do them (`mydocker
 * container|image|volume|network prune -f`, `diff`, `export`): their output as docker's
 * documents */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api.h"
#include "api/proc.h"
#include "cli/filters.h"
#include "engine/start.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/size.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* `mydocker ARGS...`: stdout collected (stderr too when err_too) */
static int mydocker(char **args, int err_too, char **out, size_t *len)
{
    cleanup_free char *ignored = NULL;
    return api_mydocker(args, NULL, 0, out, len, err_too ? NULL : &ignored);
}

/* ?filters= as --filter k=v arguments (the command refuses what it does not know) */
static void filter_args(struct api_req *r, char ***args)
{
    cleanup_strv char **pairs = NULL;
    cleanup_free char *msg = NULL;
    if (api_filter_pairs(r, &pairs, &msg) < 0) return;
    for (char **kv = pairs; *kv; kv++)
        md_strv_append(args, "--filter"), md_strv_append(args, *kv);
}

static enum MHD_Result prune(struct api_req *r, const char *what, const char *list_key)
{
    cleanup_strv char **args = md_strv_dup(NULL);
    md_strv_append(&args, what);
    md_strv_append(&args, "prune");
    md_strv_append(&args, "-f");
    if (strcmp(what, "image") == 0 && api_query(r, "filters") &&
        strstr(api_query(r, "filters"), "\"dangling\":{\"false\""))
        md_strv_append(&args, "-a");
    filter_args(r, &args);
    cleanup_free char *out = NULL;
    size_t len = 0;
    int st = mydocker(args, 1, &out, &len);
    if (st != 0) {
        const char *m = out && strncmp(out, "mydocker: ", 10) == 0 ? out + 10
                        : out                                      ? out
                                                                   : "prune failed";
        return api_error(r, api_status_of(m), "%.*s", (int)strcspn(m, "\n"), m);
    }
    struct json_object *doc = json_object_new_object(), *list = json_object_new_array();
    long long reclaimed = 0;
    int in_list = 0;
    for (char *save = NULL, *l = out ? strtok_r(out, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, "Deleted ", 8) == 0) {
            in_list = 1;
        } else if (strncmp(l, "Total reclaimed space: ", 23) == 0) {
            reclaimed = md_parse_size(l + 23);
            in_list = 0;
        } else if (in_list && strcmp(what, "image") == 0) {
            struct json_object *e = json_object_new_object();
            int untag = strncmp(l, "untagged: ", 10) == 0;
            json_object_object_add(e, untag ? "Untagged" : "Deleted",
                                   json_object_new_string(strchr(l, ' ') ? strchr(l, ' ') + 1 : l));
            json_object_array_add(list, e);
        } else if (in_list) {
            json_object_array_add(list, json_object_new_string(l));
        }
    }
    json_object_object_add(doc, list_key, list);
    if (strcmp(what, "network") != 0)
        json_object_object_add(doc, "SpaceReclaimed",
                               json_object_new_int64(reclaimed > 0 ? reclaimed : 0));
    return api_json(r, MHD_HTTP_OK, doc);
}

enum MHD_Result api_prune(struct api_req *r)
{
    if (strncmp(r->path, "/containers/", 12) == 0)
        return prune(r, "container", "ContainersDeleted");
    if (strncmp(r->path, "/images/", 8) == 0) return prune(r, "image", "ImagesDeleted");
    if (strncmp(r->path, "/volumes/", 9) == 0) return prune(r, "volume", "VolumesDeleted");
    return prune(r, "network", "NetworksDeleted");
}

/* GET /containers/{id}/changes: `diff`'s A/C/D lines as docker's {"Path", "Kind"} */
enum MHD_Result api_container_changes(struct api_req *r)
{
    char *args[] = {"diff", (char *)r->id, NULL};
    cleanup_free char *out = NULL;
    size_t len = 0;
    if (mydocker(args, 0, &out, &len) != 0)
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", r->id);
    struct json_object *list = json_object_new_array();
    for (char *save = NULL, *l = out ? strtok_r(out, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        if (strlen(l) < 3) continue;
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "Path", json_object_new_string(l + 2));
        json_object_object_add(e, "Kind",
                               json_object_new_int(l[0] == 'C'   ? 0
                                                   : l[0] == 'A' ? 1
                                                                 : 2));
        json_object_array_add(list, e);
    }
    return api_json(r, MHD_HTTP_OK, list);
}

/* GET /containers/{id}/export: its filesystem as a tar */
enum MHD_Result api_container_export(struct api_req *r)
{
    char *args[] = {"export", (char *)r->id, NULL};
    cleanup_free char *out = NULL;
    size_t len = 0;
    if (mydocker(args, 0, &out, &len) != 0 || len < 512)
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such container: %s", r->id);
    char *body = out;
    out = NULL;
    return api_bytes(r, MHD_HTTP_OK, "application/x-tar", body, len);
}
