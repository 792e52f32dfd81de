/* _ping, version, info */
#include <string.h>

#include "api/api.h"
#include "cli/docs.h"
#include "engine/hostinfo.h"
#include "engine/volume_store.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

enum MHD_Result api_ping(struct api_req *r)
{
    int head = strcmp(r->method, "HEAD") == 0;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(head ? 0 : 2, (void *)"OK", MHD_RESPMEM_PERSISTENT);
    api_add_headers(resp);
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-cache, no-store, must-revalidate");
    enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* docker's /version: the Server side of `version`, with the API's range and a component */
enum MHD_Result api_version(struct api_req *r)
{
    struct json_object *all = md_version_doc(), *s = NULL;
    json_object_object_get_ex(all, "Server", &s);
    json_object_get(s);
    json_object_put(all);
    json_object_object_add(s, "MinAPIVersion", json_object_new_string(MD_API_MIN_VERSION));
    json_object_object_add(s, "GitCommit", json_object_new_string(""));
    json_object_object_add(s, "GoVersion", json_object_new_string(""));
    struct json_object *comp = json_object_new_array(), *engine = json_object_new_object();
    json_object_object_add(engine, "Name", json_object_new_string("Engine"));
    json_object_object_add(engine, "Version", json_object_new_string(MD_VERSION));
    /* the docker CLI prints these from the component's details */
    struct json_object *det = json_object_new_object();
    static const char *const keys[] = {"ApiVersion", "Arch",          "BuildTime",     "GitCommit",
                                       "GoVersion",  "KernelVersion", "MinAPIVersion", "Os"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct json_object *v = NULL;
        json_object_object_get_ex(s, keys[i], &v);
        json_object_object_add(det, keys[i],
                               json_object_new_string(v ? json_object_get_string(v) : ""));
    }
    json_object_object_add(det, "Experimental", json_object_new_string("false"));
    json_object_object_add(engine, "Details", det);
    json_object_array_add(comp, engine);
    json_object_object_add(s, "Components", comp);
    return api_json(r, MHD_HTTP_OK, s);
}

enum MHD_Result api_info(struct api_req *r)
{
    struct md_hostinfo hi;
    md_hostinfo_get(&hi);
    return api_json(r, MHD_HTTP_OK, md_info_doc(&hi));
}

/* GET /system/df: docker's disk usage document (the CLI's `system df`) */
enum MHD_Result api_system_df(struct api_req *r)
{
    struct json_object *doc = json_object_new_object(), *images = api_image_entries();
    long long layers = 0;
    for (size_t i = 0; i < json_object_array_length(images); i++) {
        struct json_object *s = NULL;
        json_object_object_get_ex(json_object_array_get_idx(images, i), "Size", &s);
        layers += json_object_get_int64(s);
    }
    json_object_object_add(doc, "LayersSize", json_object_new_int64(layers));
    json_object_object_add(doc, "Images", images);
    struct json_object *ctrs = json_object_new_array();
    cleanup_strv char **ids = md_ctr_list_ids();
    for (char **id = ids; id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_summary(*id, &c, NULL) < 0) continue;
        struct json_object *e = api_container_summary(c);
        json_object_object_add(e, "SizeRw", json_object_new_int64(md_ctr_rw_size(c)));
        json_object_object_add(e, "SizeRootFs", json_object_new_int64(0));
        json_object_array_add(ctrs, e);
        md_ctr_free(c);
    }
    json_object_object_add(doc, "Containers", ctrs);
    struct json_object *vols = json_object_new_array();
    cleanup_strv char **names = md_volume_list();
    for (char **n = names; n && *n; n++) {
        struct json_object *v = md_volume_inspect(*n), *u = json_object_new_object();
        if (v == NULL) continue;
        cleanup_strv char **users = md_volume_users(*n);
        json_object_object_add(u, "Size", json_object_new_int64(md_volume_size(*n)));
        json_object_object_add(u, "RefCount", json_object_new_int((int)md_strv_len(users)));
        json_object_object_add(v, "UsageData", u);
        json_object_array_add(vols, v);
    }
    json_object_object_add(doc, "Volumes", vols);
    json_object_object_add(doc, "BuildCache", json_object_new_array());
    return api_json(r, MHD_HTTP_OK, doc);
}
