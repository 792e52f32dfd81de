/* _ping, version, info */
#include <string.h>

#include "api/api.h"
#include "cli/docs.h"
#include "engine/hostinfo.h"
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
