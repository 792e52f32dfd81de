/* GET /events: docker's event stream from the engine's journal (store/events.h): since, until,
 * filters (type, event, container, image, network, volume, label); without until it follows
 * what comes next, as dockerd's */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/filters.h"
#include "store/events.h"
#include "util/cleanup.h"
#include "util/time.h"
#include "util/xalloc.h"

struct stream {
    FILE *in;
    int previous_done, follow;
    int64_t since, until;
    struct md_filters f;
    char *buf;
    size_t len, off;
};

static const char *attr(struct json_object *e, const char *path1, const char *path2)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(e, path1, &v)) return NULL;
    if (path2 && !json_object_object_get_ex(v, path2, &v)) return NULL;
    return json_object_get_string(v);
}

static int f_type(const char *v, void *e)
{
    const char *t = attr(e, "Type", NULL);
    return t && strcmp(t, v) == 0;
}

/* "health_status" matches "health_status: healthy", as docker's */
static int f_event(const char *v, void *e)
{
    const char *a = attr(e, "Action", NULL);
    return a && (strcmp(a, v) == 0 || (strncmp(a, v, strlen(v)) == 0 && a[strlen(v)] == ':'));
}

static int actor_is(struct json_object *e, const char *type, const char *v)
{
    const char *t = attr(e, "Type", NULL), *id = attr(e, "Actor", "ID");
    struct json_object *a = NULL, *name = NULL;
    json_object_object_get_ex(e, "Actor", &a);
    json_object_object_get_ex(a, "Attributes", &a);
    json_object_object_get_ex(a, "name", &name);
    return t && strcmp(t, type) == 0 &&
           ((id && strncmp(id, v, strlen(v)) == 0) ||
            (name && !strcmp(json_object_get_string(name), v)));
}

static int f_container(const char *v, void *e)
{
    return actor_is(e, "container", v);
}
static int f_network(const char *v, void *e)
{
    return actor_is(e, "network", v);
}
static int f_volume(const char *v, void *e)
{
    return actor_is(e, "volume", v);
}
static int f_image(const char *v, void *e)
{
    struct json_object *a = NULL, *i = NULL;
    json_object_object_get_ex(e, "Actor", &a);
    json_object_object_get_ex(a, "Attributes", &a);
    return (json_object_object_get_ex(a, "image", &i) &&
            strcmp(json_object_get_string(i), v) == 0) ||
           actor_is(e, "image", v);
}

static int wanted(struct stream *s, struct json_object *e)
{
    struct json_object *tn = NULL, *a = NULL;
    int64_t t = json_object_object_get_ex(e, "timeNano", &tn) ? json_object_get_int64(tn) : 0;
    if (s->since && t < s->since) return 0;
    if (s->until && t > s->until) return 0;
    json_object_object_get_ex(e, "Actor", &a);
    json_object_object_get_ex(a, "Attributes", &a);
    const struct md_filters *f = &s->f;
    return md_filters_any(f, "type", f_type, e) && md_filters_any(f, "event", f_event, e) &&
           md_filters_any(f, "container", f_container, e) &&
           md_filters_any(f, "network", f_network, e) && md_filters_any(f, "volume", f_volume, e) &&
           md_filters_any(f, "image", f_image, e) && md_filters_labels(f, a);
}

static int open_next(struct stream *s)
{
    char path[4200];
    if (s->in) fclose(s->in);
    s->in = NULL;
    if (!s->previous_done) {
        s->previous_done = 1;
        if (md_events_path(path, sizeof(path), 1) == 0) s->in = fopen(path, "re");
        if (s->in) return 1;
    }
    if (md_events_path(path, sizeof(path), 0) == 0) s->in = fopen(path, "re");
    s->previous_done = 2;
    return s->in != NULL;
}

static ssize_t body(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stream *s = cls;
    (void)pos;
    char *line = NULL;
    size_t cap = 0;
    while (s->off >= s->len) {
        if (s->in == NULL && !open_next(s)) {
            if (!s->follow) return MHD_CONTENT_READER_END_OF_STREAM;
            usleep(100000);
            continue;
        }
        ssize_t n = getline(&line, &cap, s->in);
        if (n > 0) {
            struct json_object *e = json_tokener_parse(line);
            if (e && wanted(s, e)) {
                free(s->buf);
                s->buf = md_xstrdup(line);
                s->len = (size_t)n;
                s->off = 0;
            }
            json_object_put(e);
            continue;
        }
        clearerr(s->in);
        if (s->previous_done == 1) { /* the turned-over part is read: the current log next */
            open_next(s);
            continue;
        }
        if (!s->follow || (s->until && md_now_ns() > s->until)) {
            free(line);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        usleep(100000);
    }
    free(line);
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(out, s->buf + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    if (s->in) fclose(s->in);
    md_filters_free(&s->f);
    free(s->buf);
    free(s);
}

enum MHD_Result api_events(struct api_req *r)
{
    static const char *const keys[] = {"type",   "event", "container", "image", "network",
                                       "volume", "label", "label!",    NULL};
    struct stream *s = calloc(1, sizeof(*s));
    if (s == NULL) md_oom();
    cleanup_free char *msg = NULL;
    if (api_filters(r, keys, &s->f, &msg) < 0) {
        free(s);
        return api_error(r, MHD_HTTP_BAD_REQUEST, "%s", msg);
    }
    const char *since = api_query(r, "since"), *until = api_query(r, "until");
    int64_t now = md_now_ns();
    if ((since && *since && md_parse_timestamp(since, now, &s->since) < 0) ||
        (until && *until && md_parse_timestamp(until, now, &s->until) < 0)) {
        stream_free(s);
        return api_error(r, MHD_HTTP_BAD_REQUEST, "failed to parse value as time or duration");
    }
    /* without since, only what comes next; without until, it follows */
    if (!(since && *since)) s->since = now;
    s->follow = !(until && *until) || s->until > now;
    return api_stream(r, "application/json", body, s, stream_free);
}
