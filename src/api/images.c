/* images: list (the store's), inspect and pull through the image tool, as the CLI does
 * (`mydocker-image` links libcurl and libarchive; this server does not) */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api.h"
#include "api/proc.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/time.h"
#include "util/xalloc.h"

static struct json_object *strv_json(char *const *v)
{
    struct json_object *a = json_object_new_array();
    for (; v && *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

/* GET /images/json's entries, docker's shape */
struct json_object *api_image_entries(void)
{
    md_image_info_t *list = NULL;
    size_t n = 0;
    struct json_object *out = json_object_new_array();
    if (md_image_list(&list, &n, NULL) < 0) return out;
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_new_object();
        long long size = md_image_size(&list[i]);
        cleanup_strv char **users = NULL;
        md_image_users(list[i].id, &users, NULL);
        json_object_object_add(e, "Id", json_object_new_string(list[i].id));
        json_object_object_add(e, "ParentId", json_object_new_string(""));
        json_object_object_add(e, "RepoTags", strv_json(list[i].tags));
        json_object_object_add(e, "RepoDigests", strv_json(list[i].digests));
        json_object_object_add(e, "Created", json_object_new_int64(list[i].created));
        json_object_object_add(e, "Size", json_object_new_int64(size));
        json_object_object_add(e, "VirtualSize", json_object_new_int64(size));
        json_object_object_add(e, "SharedSize", json_object_new_int(-1));
        json_object_object_add(e, "Labels", json_object_new_object());
        json_object_object_add(e, "Containers", json_object_new_int((int)md_strv_len(users)));
        json_object_array_add(out, e);
    }
    md_image_list_free(list, n);
    return out;
}

/* `mydocker-image ARGS...` (args[0] names it), stdout and stderr collected; a tar on stdout
 * (save) keeps the messages apart */
static int image_tool_in(char *const *args, const char *in, size_t in_len, char **out, size_t *len)
{
    cleanup_free char *err = NULL;
    return api_image_tool(args + 1, in, in_len, out, len,
                          strcmp(args[1], "save") == 0 ? &err : NULL);
}

static int image_tool(char *const *args, char **out, size_t *len)
{
    return image_tool_in(args, NULL, 0, out, len);
}

enum MHD_Result api_image_inspect(struct api_req *r)
{
    char *args[] = {"mydocker-image", "image", "inspect", (char *)r->id, NULL};
    cleanup_free char *out = NULL;
    size_t len = 0;
    int st = image_tool(args, &out, &len);
    struct json_object *all = st == 0 && out ? json_tokener_parse(out) : NULL;
    if (all == NULL || !json_object_is_type(all, json_type_array) ||
        json_object_array_length(all) == 0) {
        json_object_put(all);
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such image: %s", r->id);
    }
    struct json_object *doc = json_object_get(json_object_array_get_idx(all, 0));
    json_object_put(all);
    return api_json(r, MHD_HTTP_OK, doc);
}

/* POST /images/create?fromImage=NAME&tag=TAG: a pull, reported as docker's JSON messages */
enum MHD_Result api_image_create(struct api_req *r)
{
    const char *from = api_query(r, "fromImage"), *tag = api_query(r, "tag");
    if (from == NULL || *from == '\0')
        return api_error(r, MHD_HTTP_BAD_REQUEST, "import from a source is not supported yet");
    cleanup_free char *ref = NULL, *out = NULL;
    int digest = tag && strncmp(tag, "sha256:", 7) == 0;
    if (asprintf(&ref, "%s%s%s", from, tag && *tag ? (digest ? "@" : ":") : "", tag ? tag : "") < 0)
        md_oom();
    char *args[] = {"mydocker-image", "pull", ref, NULL};
    size_t len = 0;
    int st = image_tool(args, &out, &len);
    char *buf = NULL;
    size_t size = 0;
    FILE *o = open_memstream(&buf, &size);
    if (o == NULL) md_oom();
    for (char *save = NULL, *l = out ? strtok_r(out, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        int is_err = st != 0 && strncmp(l, "mydocker: ", 10) == 0;
        struct json_object *m = json_object_new_object();
        if (is_err) {
            struct json_object *d = json_object_new_object();
            json_object_object_add(d, "message", json_object_new_string(l + 10));
            json_object_object_add(m, "errorDetail", d);
            json_object_object_add(m, "error", json_object_new_string(l + 10));
        } else {
            json_object_object_add(m, "status", json_object_new_string(l));
        }
        fprintf(o, "%s\r\n", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
        json_object_put(m);
    }
    fclose(o);
    return api_bytes(r, MHD_HTTP_OK, "application/json", buf, size);
}

/* POST /images/{name}/tag?repo=R&tag=T */
enum MHD_Result api_image_tag(struct api_req *r)
{
    const char *repo = api_query(r, "repo"), *tag = api_query(r, "tag");
    if (repo == NULL || *repo == '\0')
        return api_error(r, MHD_HTTP_BAD_REQUEST, "repository name must be given");
    cleanup_free char *target = NULL;
    if (asprintf(&target, "%s%s%s", repo, tag && *tag ? ":" : "", tag && *tag ? tag : "") < 0)
        md_oom();
    md_error_t *err = NULL;
    if (md_image_tag(r->id, target, &err) < 0) {
        const char *m = err && err->msg ? err->msg : "tag failed";
        enum MHD_Result ret = api_error(r, api_status_of(m), "%s", m);
        md_error_free(&err);
        return ret;
    }
    return api_empty(r, MHD_HTTP_CREATED);
}

/* DELETE /images/{name}?force=: docker's [{"Untagged": ...}, {"Deleted": ...}] */
enum MHD_Result api_image_delete(struct api_req *r)
{
    cleanup_strv char **report = NULL;
    md_error_t *err = NULL;
    if (md_image_remove(r->id, api_query_bool(r, "force", 0), &report, &err) < 0) {
        const char *m = err && err->msg ? err->msg : "delete failed";
        enum MHD_Result ret = api_error(r, api_status_of(m), "%s", m);
        md_error_free(&err);
        return ret;
    }
    struct json_object *out = json_object_new_array();
    for (char **l = report; l && *l; l++) {
        const char *colon = strchr(*l, ':');
        if (colon == NULL) continue;
        struct json_object *e = json_object_new_object();
        cleanup_free char *key = strndup(*l, (size_t)(colon - *l));
        json_object_object_add(e, key ? key : "Deleted", json_object_new_string(colon + 2));
        json_object_array_add(out, e);
    }
    return api_json(r, MHD_HTTP_OK, out);
}

/* GET /images/{name}/history: `history --no-trunc -H=false` rows as docker's list */
enum MHD_Result api_image_history(struct api_req *r)
{
    char *args[] = {"mydocker-image", "history",    "--no-trunc",  "-H=false",
                    "--format",       "{{json .}}", (char *)r->id, NULL};
    cleanup_free char *out = NULL;
    size_t len = 0;
    if (image_tool(args, &out, &len) != 0)
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such image: %s", r->id);
    struct json_object *list = json_object_new_array();
    for (char *save = NULL, *l = out ? strtok_r(out, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        struct json_object *row = json_tokener_parse(l), *v, *e = json_object_new_object();
        if (row == NULL) continue;
        const char *id = json_object_object_get_ex(row, "ID", &v) ? json_object_get_string(v) : "";
        json_object_object_add(e, "Id",
                               json_object_new_string(strcmp(id, "<missing>") ? id : "<missing>"));
        const char *at =
            json_object_object_get_ex(row, "CreatedAt", &v) ? json_object_get_string(v) : "";
        json_object_object_add(e, "Created",
                               json_object_new_int64(md_parse_rfc3339(at) / 1000000000));
        json_object_object_add(e, "CreatedBy",
                               json_object_object_get_ex(row, "CreatedBy", &v)
                                   ? json_object_get(v)
                                   : json_object_new_string(""));
        json_object_object_add(e, "Tags", NULL);
        json_object_object_add(e, "Size",
                               json_object_new_int64(json_object_object_get_ex(row, "Size", &v)
                                                         ? atoll(json_object_get_string(v))
                                                         : 0));
        json_object_object_add(e, "Comment",
                               json_object_object_get_ex(row, "Comment", &v)
                                   ? json_object_get(v)
                                   : json_object_new_string(""));
        json_object_array_add(list, e);
        json_object_put(row);
    }
    return api_json(r, MHD_HTTP_OK, list);
}

/* GET /images/{name}/get and /images/get?names= (docker save; one name: libmicrohttpd hands
 * the last of repeated arguments): the tar */
enum MHD_Result api_image_get(struct api_req *r)
{
    const char *name = r->id ? r->id : api_query(r, "names");
    if (name == NULL || *name == '\0') return api_error(r, MHD_HTTP_BAD_REQUEST, "no image named");
    char *args[] = {"mydocker-image", "save", (char *)name, NULL};
    cleanup_free char *out = NULL;
    size_t len = 0;
    if (image_tool(args, &out, &len) != 0 || len < 512)
        return api_error(r, MHD_HTTP_NOT_FOUND, "No such image: %s", name);
    char *body = out;
    out = NULL;
    return api_bytes(r, MHD_HTTP_OK, "application/x-tar", body, len);
}

/* lines of the image tool as docker's JSON messages ({"status"} or {"stream"}, errors apart) */
static char *messages(const char *key, char *out, int failed, size_t *size)
{
    char *buf = NULL;
    FILE *o = open_memstream(&buf, size);
    if (o == NULL) md_oom();
    for (char *save = NULL, *l = out ? strtok_r(out, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save)) {
        struct json_object *m = json_object_new_object();
        if (failed && strncmp(l, "mydocker: ", 10) == 0) {
            struct json_object *d = json_object_new_object();
            json_object_object_add(d, "message", json_object_new_string(l + 10));
            json_object_object_add(m, "errorDetail", d);
            json_object_object_add(m, "error", json_object_new_string(l + 10));
        } else {
            cleanup_free char *line = NULL;
            if (asprintf(&line, "%s%s", l, strcmp(key, "stream") == 0 ? "\n" : "") < 0) md_oom();
            json_object_object_add(m, key, json_object_new_string(line));
        }
        fprintf(o, "%s\r\n", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
        json_object_put(m);
    }
    fclose(o);
    return buf;
}

/* POST /images/load (docker load): the body is the tar */
enum MHD_Result api_image_load(struct api_req *r)
{
    char *args[] = {"mydocker-image", "load", NULL};
    cleanup_free char *out = NULL;
    size_t len = 0, size = 0;
    int st = image_tool_in(args, r->body, r->body_len, &out, &len);
    char *buf = messages("stream", out, st != 0, &size);
    return api_bytes(r, MHD_HTTP_OK, "application/json", buf, size);
}

/* POST /images/{name}/push?tag=: the credentials are the store's (`mydocker login`) */
enum MHD_Result api_image_push(struct api_req *r)
{
    const char *tag = api_query(r, "tag");
    cleanup_free char *ref = NULL, *out = NULL;
    if (asprintf(&ref, "%s%s%s", r->id, tag && *tag ? ":" : "", tag && *tag ? tag : "") < 0)
        md_oom();
    char *args[] = {"mydocker-image", "push", ref, NULL};
    size_t len = 0, size = 0;
    int st = image_tool(args, &out, &len);
    char *buf = messages("status", out, st != 0, &size);
    return api_bytes(r, MHD_HTTP_OK, "application/json", buf, size);
}

/* POST /auth: `mydocker login` (the password on its stdin); docker's Status on success, 401
 * with the registry's words otherwise */
enum MHD_Result api_auth(struct api_req *r)
{
    struct json_object *b = json_tokener_parse(r->body), *u = NULL, *p = NULL, *s = NULL;
    json_object_object_get_ex(b, "username", &u);
    json_object_object_get_ex(b, "password", &p);
    json_object_object_get_ex(b, "serveraddress", &s);
    const char *user = u ? json_object_get_string(u) : "",
               *pass = p ? json_object_get_string(p) : "";
    cleanup_free char *server = md_xstrdup(s ? json_object_get_string(s) : "");
    json_object_put(b);
    char *args[] = {"mydocker-image",   "login", "-u", (char *)user,
                    "--password-stdin", server,  NULL};
    if (*server == '\0') args[5] = NULL;
    cleanup_free char *out = NULL;
    size_t len = 0;
    cleanup_free char *pw = NULL;
    if (asprintf(&pw, "%s\n", pass) < 0) md_oom();
    int st = image_tool_in(args, pw, strlen(pw), &out, &len);
    if (st != 0) {
        const char *m = out && strncmp(out, "mydocker: ", 10) == 0 ? out + 10
                        : out                                      ? out
                                                                   : "login failed";
        return api_error(r, MHD_HTTP_UNAUTHORIZED, "%.*s", (int)strcspn(m, "\n"), m);
    }
    struct json_object *doc = json_object_new_object();
    json_object_object_add(doc, "Status", json_object_new_string("Login Succeeded"));
    json_object_object_add(doc, "IdentityToken", json_object_new_string(""));
    return api_json(r, MHD_HTTP_OK, doc);
}

/* ?filters=: the image tool's own `images -f` (dangling, label, before, since, reference,
 * until) picks the ids, so both front ends filter alike; an invalid filter is its refusal */
static int filtered_ids(struct api_req *r, char ***ids, char **msg)
{
    cleanup_strv char **pairs = NULL, **args = NULL;
    *ids = NULL;
    if (api_filter_pairs(r, &pairs, msg) < 0) return -1;
    if (pairs[0] == NULL) return 0;
    args = md_strv_dup(NULL);
    const char *fixed[] = {"mydocker-image", "images", "-a", "-q", "--no-trunc"};
    for (size_t i = 0; i < 5; i++)
        md_strv_append(&args, fixed[i]);
    for (char **kv = pairs; *kv; kv++)
        md_strv_append(&args, "-f"), md_strv_append(&args, *kv);
    cleanup_free char *out = NULL;
    size_t len = 0;
    if (image_tool(args, &out, &len) != 0) {
        const char *m = out && strncmp(out, "mydocker: ", 10) == 0 ? out + 10 : "invalid filter";
        *msg = strndup(m, strcspn(m, "\n"));
        return -1;
    }
    *ids = md_strv_dup(NULL);
    for (char *save = NULL, *l = out ? strtok_r(out, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save))
        md_strv_append(ids, l);
    return 0;
}

enum MHD_Result api_images_list(struct api_req *r)
{
    cleanup_strv char **ids = NULL;
    cleanup_free char *msg = NULL;
    if (filtered_ids(r, &ids, &msg) < 0) return api_error(r, MHD_HTTP_BAD_REQUEST, "%s", msg);
    struct json_object *all = api_image_entries();
    if (ids == NULL) return api_json(r, MHD_HTTP_OK, all);
    struct json_object *out = json_object_new_array(), *id;
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        struct json_object *e = json_object_array_get_idx(all, i);
        if (json_object_object_get_ex(e, "Id", &id) &&
            md_strv_contains(ids, json_object_get_string(id)))
            json_object_array_add(out, json_object_get(e));
    }
    json_object_put(all);
    return api_json(r, MHD_HTTP_OK, out);
}
