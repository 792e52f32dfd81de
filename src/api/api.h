/* The Docker Engine API server (`mydocker system service`, build/mydocker-api): a front end on
 * the engine, as the CLI is; it holds no state of its own (docs/api.md). */
#ifndef MD_API_API_H
#define MD_API_API_H

#include <json-c/json.h>
#include <microhttpd.h>
#include <stddef.h>

#define MD_API_VERSION "1.41"
#define MD_API_MIN_VERSION "1.24"

/* one request: what the router hands a handler */
struct api_req {
    struct MHD_Connection *conn;
    const char *method, *path; /* the path without its /vX.Y prefix */
    const char *id;            /* the {id} or {name} of the route, when it has one */
    const char *body;          /* the request body, NUL-terminated ("" when none) */
    size_t body_len;
};

typedef enum MHD_Result (*api_handler)(struct api_req *r);

/* libmicrohttpd's callbacks (http.c) */
enum MHD_Result api_dispatch(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **con_cls);
void api_request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe);

/* responses (http.c) */
enum MHD_Result api_json(struct api_req *r, unsigned status, struct json_object *doc);
enum MHD_Result api_error(struct api_req *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum MHD_Result api_empty(struct api_req *r, unsigned status);
enum MHD_Result api_bytes(struct api_req *r, unsigned status, const char *type, char *data,
                          size_t len);
/* 101 and the connection to fn (attach, exec start: docker's raw stream) */
enum MHD_Result api_upgrade(struct api_req *r, MHD_UpgradeHandler fn, void *cls);
/* 200 and a body fn produces as it goes (wait, logs, events, stats); done frees cls */
enum MHD_Result api_stream(struct api_req *r, const char *type, MHD_ContentReaderCallback fn,
                           void *cls, MHD_ContentReaderFreeCallback done);
/* docker's status for an engine error: 404 for "No such", 409 for conflicts, else 500 */
unsigned api_status_of(const char *msg);
const char *api_query(struct api_req *r, const char *key);
/* ?filters= (docker's JSON, either form) as "KEY=VALUE" pairs (none: an empty list); -1 with *msg
 * when it is not JSON */
int api_filter_pairs(struct api_req *r, char ***pairs, char **msg);
/* the same as filters of the accepted keys; -1 with *msg */
struct md_filters;
int api_filters(struct api_req *r, const char *const *accepted, struct md_filters *f, char **msg);
int api_query_bool(struct api_req *r, const char *key, int def);
void api_add_headers(struct MHD_Response *resp);

/* handlers */
enum MHD_Result api_ping(struct api_req *r);
enum MHD_Result api_version(struct api_req *r);
enum MHD_Result api_info(struct api_req *r);
enum MHD_Result api_containers_list(struct api_req *r);
enum MHD_Result api_container_inspect(struct api_req *r);
enum MHD_Result api_container_create(struct api_req *r);
enum MHD_Result api_container_start(struct api_req *r);
enum MHD_Result api_container_stop(struct api_req *r);
enum MHD_Result api_container_restart(struct api_req *r);
enum MHD_Result api_container_kill(struct api_req *r);
enum MHD_Result api_container_delete(struct api_req *r);
enum MHD_Result api_container_wait(struct api_req *r);
enum MHD_Result api_container_logs(struct api_req *r);
enum MHD_Result api_container_attach(struct api_req *r);
enum MHD_Result api_container_resize(struct api_req *r);
enum MHD_Result api_exec_create(struct api_req *r);
enum MHD_Result api_exec_start(struct api_req *r);
enum MHD_Result api_exec_inspect(struct api_req *r);
enum MHD_Result api_exec_resize(struct api_req *r);
enum MHD_Result api_networks_list(struct api_req *r);
enum MHD_Result api_network_inspect(struct api_req *r);
enum MHD_Result api_network_create(struct api_req *r);
enum MHD_Result api_network_delete(struct api_req *r);
enum MHD_Result api_network_connect(struct api_req *r);
enum MHD_Result api_network_disconnect(struct api_req *r);
enum MHD_Result api_volumes_list(struct api_req *r);
enum MHD_Result api_volume_create(struct api_req *r);
enum MHD_Result api_volume_inspect(struct api_req *r);
enum MHD_Result api_volume_delete(struct api_req *r);
enum MHD_Result api_container_pause(struct api_req *r);
enum MHD_Result api_container_rename(struct api_req *r);
enum MHD_Result api_image_tag(struct api_req *r);
enum MHD_Result api_image_delete(struct api_req *r);
enum MHD_Result api_events(struct api_req *r);
enum MHD_Result api_archive_get(struct api_req *r);
enum MHD_Result api_archive_put(struct api_req *r);
enum MHD_Result api_container_stats(struct api_req *r);
enum MHD_Result api_build(struct api_req *r);
enum MHD_Result api_prune(struct api_req *r);
enum MHD_Result api_system_df(struct api_req *r);
/* shared documents: a container's list entry, the images' list entries */
struct md_ctr;
struct json_object *api_container_summary(struct md_ctr *c);
struct json_object *api_image_entries(void);
enum MHD_Result api_container_update(struct api_req *r);
enum MHD_Result api_container_changes(struct api_req *r);
enum MHD_Result api_container_export(struct api_req *r);
enum MHD_Result api_image_history(struct api_req *r);
enum MHD_Result api_image_get(struct api_req *r);
enum MHD_Result api_image_load(struct api_req *r);
enum MHD_Result api_image_push(struct api_req *r);
enum MHD_Result api_auth(struct api_req *r);
enum MHD_Result api_container_top(struct api_req *r);
enum MHD_Result api_images_list(struct api_req *r);
enum MHD_Result api_image_inspect(struct api_req *r);
enum MHD_Result api_image_create(struct api_req *r);

/* create's JSON to the engine's options (create.c) */
struct md_run_opts;
int api_run_opts(struct json_object *body, const char *name, struct md_run_opts *o, char **errmsg);

/* attach sessions (attach.c): a client attached before the start gets the container's output
 * from its first byte, and its exit code reaches wait */
int api_session_start(const char *id, int *handled, char **errmsg);
int api_session_wait(const char *id, int *code);
/* a session for a container id (or its prefix) exists */
int api_session_wait_known(const char *ref);

#endif
