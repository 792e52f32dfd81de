/* archive (docker cp): GET and HEAD /containers/{id}/archive?path= are `mydocker cp CTR:PATH -`
 * (a tar whose top entry is PATH), its first entry's header read for docker's
 * X-Docker-Container-Path-Stat; PUT ?path=DIR is `mydocker cp - CTR:DIR` with the body */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/proc.h"
#include "engine/start.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* `mydocker cp SRC DST` with in on its stdin; *out its stdout, *err its stderr */
static int cp(const char *src, const char *dst, const char *in, size_t in_len, char **out,
              size_t *out_len, char **err)
{
    char *args[] = {"cp", (char *)src, (char *)dst, NULL};
    return api_mydocker(args, in, in_len, out, out_len, err);
}

static uint64_t octal(const char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '7'; i++)
        v = v * 8 + (uint64_t)(p[i] - '0');
    return v;
}

/* the first real entry's header of a tar (pax 'x'/'g' headers skipped) */
static const char *first_header(const char *tar, size_t len)
{
    for (size_t off = 0; off + 512 <= len;) {
        const char *h = tar + off;
        if (h[156] != 'x' && h[156] != 'g' && h[156] != 'L') return h;
        off += 512 + ((octal(h + 124, 12) + 511) / 512) * 512;
    }
    return NULL;
}

/* docker's stat: name, size, Go's FileMode bits, mtime, link target; base64 of its JSON */
static char *path_stat(const char *tar, size_t len)
{
    const char *h = first_header(tar, len);
    if (h == NULL) return NULL;
    char name[101] = "", link[101] = "";
    memcpy(name, h, 100), memcpy(link, h + 157, 100);
    char *slash = strrchr(name, '/');
    while (slash && slash[1] == '\0' && slash != name) {
        *slash = '\0';
        slash = strrchr(name, '/');
    }
    uint64_t mode = octal(h + 100, 8) & 07777;
    if (h[156] == '5') mode |= 1ULL << 31; /* os.ModeDir */
    if (h[156] == '2') mode |= 1ULL << 27; /* os.ModeSymlink */
    time_t mt = (time_t)octal(h + 136, 12);
    struct tm tm;
    char when[40];
    gmtime_r(&mt, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct json_object *st = json_object_new_object();
    json_object_object_add(st, "name", json_object_new_string(slash ? slash + 1 : name));
    json_object_object_add(st, "size", json_object_new_int64((int64_t)octal(h + 124, 12)));
    json_object_object_add(st, "mode", json_object_new_int64((int64_t)mode));
    json_object_object_add(st, "mtime", json_object_new_string(when));
    json_object_object_add(st, "linkTarget", json_object_new_string(link));
    const char *text = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN);
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(text);
    char *out = md_xmalloc(4 * ((n + 2) / 3) + 1), *w = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)text[i] << 16;
        if (i + 1 < n) v |= (uint32_t)(unsigned char)text[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)text[i + 2];
        *w++ = b64[(v >> 18) & 63];
        *w++ = b64[(v >> 12) & 63];
        *w++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *w++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *w = '\0';
    json_object_put(st);
    return out;
}

static enum MHD_Result cp_error(struct api_req *r, const char *err)
{
    const char *m = err && strncmp(err, "mydocker: ", 10) == 0 ? err + 10
                    : err                                      ? err
                                                               : "copy failed";
    cleanup_free char *line = strndup(m, strcspn(m, "\n"));
    return api_error(
        r, strstr(m, "No such") || strstr(m, "no such") ? MHD_HTTP_NOT_FOUND : MHD_HTTP_BAD_REQUEST,
        "%s", line ? line : m);
}

enum MHD_Result api_archive_get(struct api_req *r)
{
    const char *path = api_query(r, "path");
    if (path == NULL || *path == '\0')
        return api_error(r, MHD_HTTP_BAD_REQUEST, "path must be given");
    cleanup_free char *src = NULL, *out = NULL, *err = NULL;
    if (asprintf(&src, "%s:%s", r->id, path) < 0) md_oom();
    size_t len = 0;
    if (cp(src, "-", NULL, 0, &out, &len, &err) != 0) return cp_error(r, err);
    cleanup_free char *stat = path_stat(out, len);
    int head = strcmp(r->method, "HEAD") == 0;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(head ? 0 : len, head ? (void *)"" : out,
                                        head ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!head) out = NULL; /* the response owns it */
    api_add_headers(resp);
    MHD_add_response_header(resp, "Content-Type", "application/x-tar");
    if (stat) MHD_add_response_header(resp, "X-Docker-Container-Path-Stat", stat);
    enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result api_archive_put(struct api_req *r)
{
    const char *path = api_query(r, "path");
    if (path == NULL || *path == '\0')
        return api_error(r, MHD_HTTP_BAD_REQUEST, "path must be given");
    cleanup_free char *dst = NULL, *out = NULL, *err = NULL;
    if (asprintf(&dst, "%s:%s", r->id, path) < 0) md_oom();
    size_t len = 0;
    if (cp("-", dst, r->body, r->body_len, &out, &len, &err) != 0) return cp_error(r, err);
    return api_empty(r, MHD_HTTP_OK);
}
