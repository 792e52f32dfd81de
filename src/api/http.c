/* The HTTP side: requests gathered (body included), routed by method and path (with or
 * without docker's /vX.Y prefix), and docker's response shapes and headers. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/filters.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct pending {
    char *body;
    size_t len;
};

static const struct route {
    const char *method, *pattern;
    api_handler fn;
} routes[] = {
    {"GET", "/_ping", api_ping},
    {"HEAD", "/_ping", api_ping},
    {"GET", "/version", api_version},
    {"GET", "/info", api_info},
    {"GET", "/system/df", api_system_df},
    {"POST", "/auth", api_auth},
    {"GET", "/containers/json", api_containers_list},
    {"POST", "/containers/prune", api_prune},
    {"POST", "/images/prune", api_prune},
    {"POST", "/volumes/prune", api_prune},
    {"POST", "/networks/prune", api_prune},
    {"POST", "/containers/create", api_container_create},
    {"GET", "/containers/{}/json", api_container_inspect},
    {"POST", "/containers/{}/start", api_container_start},
    {"POST", "/containers/{}/stop", api_container_stop},
    {"POST", "/containers/{}/restart", api_container_restart},
    {"POST", "/containers/{}/kill", api_container_kill},
    {"POST", "/containers/{}/wait", api_container_wait},
    {"GET", "/containers/{}/logs", api_container_logs},
    {"GET", "/containers/{}/stats", api_container_stats},
    {"GET", "/containers/{}/top", api_container_top},
    {"GET", "/containers/{}/changes", api_container_changes},
    {"POST", "/containers/{}/update", api_container_update},
    {"GET", "/containers/{}/export", api_container_export},
    {"POST", "/containers/{}/attach", api_container_attach},
    {"DELETE", "/containers/{}", api_container_delete},
    {"POST", "/containers/{}/resize", api_container_resize},
    {"POST", "/containers/{}/pause", api_container_pause},
    {"POST", "/containers/{}/unpause", api_container_pause},
    {"POST", "/containers/{}/rename", api_container_rename},
    {"GET", "/containers/{}/archive", api_archive_get},
    {"HEAD", "/containers/{}/archive", api_archive_get},
    {"PUT", "/containers/{}/archive", api_archive_put},
    {"GET", "/events", api_events},
    {"POST", "/containers/{}/exec", api_exec_create},
    {"POST", "/exec/{}/start", api_exec_start},
    {"GET", "/exec/{}/json", api_exec_inspect},
    {"POST", "/exec/{}/resize", api_exec_resize},
    {"GET", "/networks", api_networks_list},
    {"POST", "/networks/create", api_network_create},
    {"GET", "/networks/{}", api_network_inspect},
    {"DELETE", "/networks/{}", api_network_delete},
    {"POST", "/networks/{}/connect", api_network_connect},
    {"POST", "/networks/{}/disconnect", api_network_disconnect},
    {"GET", "/volumes", api_volumes_list},
    {"POST", "/volumes/create", api_volume_create},
    {"GET", "/volumes/{}", api_volume_inspect},
    {"DELETE", "/volumes/{}", api_volume_delete},
    {"POST", "/build", api_build},
    {"GET", "/images/json", api_images_list},
    {"POST", "/images/create", api_image_create},
    {"GET", "/images/{*}/json", api_image_inspect},
    {"POST", "/images/{*}/tag", api_image_tag},
    {"GET", "/images/{*}/history", api_image_history},
    {"GET", "/images/{*}/get", api_image_get},
    {"POST", "/images/load", api_image_load},
    {"GET", "/images/get", api_image_get},
    {"POST", "/images/{*}/push", api_image_push},
    {"DELETE", "/images/{*}", api_image_delete},
};

/* "/v1.41/x" -> "/x" */
static const char *unversioned(const char *url)
{
    if (url[0] != '/' || url[1] != 'v' || !isdigit((unsigned char)url[2])) return url;
    const char *p = url + 2;
    while (isdigit((unsigned char)*p) || *p == '.')
        p++;
    return *p == '/' ? p : url;
}

/* pattern "/containers/{}/start" against path; *id gets the {} part ("{*}": it may hold '/') */
static int route_match(const char *pattern, const char *path, char **id)
{
    const char *brace = strchr(pattern, '{');
    if (brace == NULL) return strcmp(pattern, path) == 0;
    size_t pre = (size_t)(brace - pattern);
    const char *close = strchr(brace, '}');
    int any = brace[1] == '*';
    const char *suffix = close + 1;
    size_t plen = strlen(path), slen = strlen(suffix);
    if (strncmp(pattern, path, pre) != 0 || plen <= pre + slen) return 0;
    if (strcmp(path + plen - slen, suffix) != 0) return 0;
    size_t n = plen - slen - pre;
    if (!any && memchr(path + pre, '/', n)) return 0;
    *id = strndup(path + pre, n);
    return *id != NULL;
}

void api_add_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Api-Version", MD_API_VERSION);
    MHD_add_response_header(resp, "Docker-Experimental", "false");
    MHD_add_response_header(resp, "Ostype", "linux");
    MHD_add_response_header(resp, "Server", "mydocker/" MD_VERSION " (linux)");
}

enum MHD_Result api_bytes(struct api_req *r, unsigned status, const char *type, char *data,
                          size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    api_add_headers(resp);
    if (type) MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result api_upgrade(struct api_req *r, MHD_UpgradeHandler fn, void *cls)
{
    struct MHD_Response *resp = MHD_create_response_for_upgrade(fn, cls);
    api_add_headers(resp);
    MHD_add_response_header(resp, "Content-Type", "application/vnd.docker.raw-stream");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
    enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result api_stream(struct api_req *r, const char *type, MHD_ContentReaderCallback fn,
                           void *cls, MHD_ContentReaderFreeCallback done)
{
    /* chunked: the headers go out at once, the body as fn produces it (it may block: a thread
     * per connection) */
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, fn, cls, done);
    api_add_headers(resp);
    MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result api_json(struct api_req *r, unsigned status, struct json_object *doc)
{
    const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
    char *copy = NULL;
    if (asprintf(&copy, "%s\n", text) < 0) md_oom();
    json_object_put(doc);
    return api_bytes(r, status, "application/json", copy, strlen(copy));
}

enum MHD_Result api_error(struct api_req *r, unsigned status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cleanup_free char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) md_oom();
    va_end(ap);
    struct json_object *doc = json_object_new_object();
    json_object_object_add(doc, "message", json_object_new_string(msg));
    return api_json(r, status, doc);
}

enum MHD_Result api_empty(struct api_req *r, unsigned status)
{
    return api_bytes(r, status, NULL, md_xstrdup(""), 0);
}

unsigned api_status_of(const char *msg)
{
    if (msg == NULL) return MHD_HTTP_INTERNAL_SERVER_ERROR;
    if (strstr(msg, "No such") || strstr(msg, "not found")) return MHD_HTTP_NOT_FOUND;
    if (strstr(msg, "already") || strstr(msg, "in use") || strstr(msg, "is running") ||
        strstr(msg, "Conflict") || strstr(msg, "conflict") || strstr(msg, "is not running"))
        return MHD_HTTP_CONFLICT;
    if (strstr(msg, "invalid") || strstr(msg, "Invalid") || strstr(msg, "unknown"))
        return MHD_HTTP_BAD_REQUEST;
    return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

const char *api_query(struct api_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

int api_query_bool(struct api_req *r, const char *key, int def)
{
    const char *v = api_query(r, key);
    if (v == NULL) return def;
    return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0;
}

int api_filter_pairs(struct api_req *r, char ***pairs, char **msg)
{
    *pairs = md_strv_dup(NULL);
    const char *text = api_query(r, "filters");
    if (text == NULL || *text == '\0') return 0;
    struct json_object *doc = json_tokener_parse(text);
    if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
        json_object_put(doc);
        *msg = md_xstrdup("invalid filter: the filters are not JSON");
        return -1;
    }
    json_object_object_foreach(doc, key, vals)
    {
        /* {"k": {"v": true}} (docker >= 1.22) or {"k": ["v"]} */
        char **values = md_strv_dup(NULL);
        if (json_object_is_type(vals, json_type_object)) {
            json_object_object_foreach(vals, v, on)
            {
                if (json_object_get_boolean(on)) md_strv_append(&values, v);
            }
        } else if (json_object_is_type(vals, json_type_array)) {
            for (size_t i = 0; i < json_object_array_length(vals); i++)
                md_strv_append(&values, json_object_get_string(json_object_array_get_idx(vals, i)));
        }
        for (char **v = values; *v; v++) {
            cleanup_free char *kv = NULL;
            if (asprintf(&kv, "%s=%s", key, *v) < 0) md_oom();
            md_strv_append(pairs, kv);
        }
        md_strv_free(values);
    }
    json_object_put(doc);
    return 0;
}

int api_filters(struct api_req *r, const char *const *accepted, struct md_filters *f, char **msg)
{
    *f = (struct md_filters){0};
    cleanup_strv char **pairs = NULL;
    if (api_filter_pairs(r, &pairs, msg) < 0) return -1;
    md_error_t *err = NULL;
    for (char **kv = pairs; *kv; kv++)
        if (md_filters_add(f, *kv, accepted, &err) < 0) {
            *msg = md_xstrdup(err && err->msg ? err->msg : "invalid filter");
            md_error_free(&err);
            md_filters_free(f);
            return -1;
        }
    return 0;
}

static enum MHD_Result route(struct api_req *r)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        char *id = NULL;
        if (strcmp(routes[i].method, r->method) != 0 ||
            !route_match(routes[i].pattern, r->path, &id))
            continue;
        r->id = id;
        enum MHD_Result ret = routes[i].fn(r);
        free(id);
        return ret;
    }
    return api_error(r, MHD_HTTP_NOT_FOUND, "page not found");
}

enum MHD_Result api_dispatch(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **con_cls)
{
    (void)cls, (void)version;
    struct pending *p = *con_cls;
    if (p == NULL) {
        *con_cls = p = calloc(1, sizeof(*p));
        return p ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        p->body = realloc(p->body, p->len + *upload_size + 1);
        if (p->body == NULL) md_oom();
        memcpy(p->body + p->len, upload, *upload_size);
        p->len += *upload_size;
        p->body[p->len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    struct api_req r = {.conn = conn,
                        .method = method,
                        .path = unversioned(url),
                        .body = p->body ? p->body : "",
                        .body_len = p->len};
    return route(&r);
}

void api_request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    struct pending *p = *con_cls;
    if (p) free(p->body);
    free(p);
    *con_cls = NULL;
}
