/* The container's summary: summary.json beside container.json, the members of the record
 * that a list of containers reads (ps, its filters, the API's list, info). A list of 1,000
 * containers parsed 1,000 full records (2.7 kB each, mostly HostConfig defaults): json-c's
 * objects for them were most of `ps -a`'s time and memory. The record stays the truth: the
 * summary is written after it, and removed when that fails, so a reader falls back to the
 * record rather than read a stale summary. */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* top-level members taken whole; Config and HostConfig are cut to what lists read */
static const char *const top[] = {
    "Id",     "Created",         "Path",     "Args",         "Image", "Name", "State",
    "Mounts", "NetworkSettings", "image_id", "RestartCount", NULL};
static const char *const config[] = {"Image",        "Cmd",         "Entrypoint", "Labels",
                                     "ExposedPorts", "Healthcheck", NULL};
static const char *const hostconfig[] = {"NetworkMode", "PortBindings", "AutoRemove", NULL};

static void take(struct json_object *from, struct json_object *to, const char *const *keys)
{
    struct json_object *v;
    for (; *keys; keys++)
        if (json_object_object_get_ex(from, *keys, &v))
            json_object_object_add(to, *keys, json_object_get(v));
}

static void take_part(struct json_object *rec, struct json_object *to, const char *key,
                      const char *const *keys)
{
    struct json_object *from;
    if (!json_object_object_get_ex(rec, key, &from) || !json_object_is_type(from, json_type_object))
        return;
    struct json_object *part = json_object_new_object();
    take(from, part, keys);
    json_object_object_add(to, key, part);
}

struct json_object *md_ctr_summary_of(struct json_object *record)
{
    struct json_object *s = json_object_new_object();
    take(record, s, top);
    take_part(record, s, "Config", config);
    take_part(record, s, "HostConfig", hostconfig);
    return s;
}

static int write_json(const char *dir, const char *name, struct json_object *o, md_error_t **err)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    /* plain, as docker's config.v2.json: every list parses every record it shows */
    const char *text =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return md_write_file_atomic(path, text, strlen(text), 0600, 0, err);
}

int md_ctr_write_record(const char *dir, struct json_object *record, md_error_t **err)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/summary.json", dir);
    /* gone while the record changes: a reader (or a crash here) never pairs a new record
     * with an old summary */
    if (unlink(path) < 0 && errno != ENOENT) return md_error(err, errno, "remove %s", path);
    int r = write_json(dir, "container.json", record, err);
    if (r < 0) return r;
    struct json_object *s = md_ctr_summary_of(record);
    write_json(dir, "summary.json", s, NULL);
    json_object_put(s);
    return 0;
}

/* The API server reads every summary for each list it answers: it keeps the parsed ones and
 * reads a file again only when a stat says it is another (a summary is replaced by a rename:
 * another inode). The server has a thread per connection: one lock, and each caller gets its
 * own copy (json-c's reference counts are not atomic). */
struct cached {
    char path[256]; /* "" : a free slot */
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    off_t size;
    struct json_object *obj;
};

#define CACHE_SLOTS 16384 /* open addressing, at most half full */

static struct {
    int on;
    pthread_mutex_t mu;
    struct cached *v;
    size_t n;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

void md_ctr_summary_cache_enable(void)
{
    cache.on = 1;
}

static struct json_object *read_file(const char *path)
{
    cleanup_free char *text = NULL;
    return md_read_file(path, &text, NULL, NULL) < 0 ? NULL : json_tokener_parse(text);
}

static int same_file(const struct cached *e, const struct stat *st)
{
    return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
           e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* the path's slot, or the free one where it goes; under the lock */
static struct cached *slot(const char *path)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = path; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    for (size_t i = h % CACHE_SLOTS;; i = (i + 1) % CACHE_SLOTS)
        if (cache.v[i].path[0] == '\0' || strcmp(cache.v[i].path, path) == 0) return &cache.v[i];
}

static struct json_object *cache_get(const char *path, const struct stat *st)
{
    struct json_object *copy = NULL;
    pthread_mutex_lock(&cache.mu);
    struct cached *e = cache.v ? slot(path) : NULL;
    if (e && e->path[0] && same_file(e, st) && json_object_deep_copy(e->obj, &copy, NULL) < 0)
        copy = NULL;
    pthread_mutex_unlock(&cache.mu);
    return copy;
}

/* st: taken before the read, so a file replaced meanwhile is read again next time */
static void cache_put(const char *path, const struct stat *st, struct json_object *obj)
{
    struct json_object *keep = NULL;
    if (strlen(path) >= sizeof(cache.v->path) || json_object_deep_copy(obj, &keep, NULL) < 0)
        return;
    pthread_mutex_lock(&cache.mu);
    if (cache.v == NULL) cache.v = calloc(CACHE_SLOTS, sizeof(*cache.v));
    if (cache.v && cache.n >= CACHE_SLOTS / 2) { /* removed containers' entries: start over */
        for (size_t k = 0; k < CACHE_SLOTS; k++)
            json_object_put(cache.v[k].obj);
        memset(cache.v, 0, CACHE_SLOTS * sizeof(*cache.v));
        cache.n = 0;
    }
    struct cached *e = cache.v ? slot(path) : NULL;
    if (e) {
        if (e->path[0] == '\0') cache.n++;
        json_object_put(e->obj);
        *e = (struct cached){.dev = st->st_dev,
                             .ino = st->st_ino,
                             .mtime = st->st_mtim,
                             .size = st->st_size,
                             .obj = keep};
        snprintf(e->path, sizeof(e->path), "%s", path);
        keep = NULL;
    }
    pthread_mutex_unlock(&cache.mu);
    json_object_put(keep);
}

struct json_object *md_ctr_summary_read(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/summary.json", dir);
    struct stat st;
    if (!cache.on) return read_file(path);
    if (stat(path, &st) < 0) return NULL;
    struct json_object *o = cache_get(path, &st);
    if (o) return o;
    o = read_file(path);
    if (o) cache_put(path, &st, o);
    return o;
}
