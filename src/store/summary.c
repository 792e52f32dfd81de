/* The container's summary: summary.json beside container.json, the members of the record
 * that a list of containers reads (ps, its filters, the API's list, info). A list of 1,000
 * containers parsed 1,000 full records (2.7 kB each, mostly HostConfig defaults): json-c's
 * objects for them were most of `ps -a`'s time and memory. The record stays the truth: the
 * summary is written after it, and removed when that fails, so a reader falls back to the
 * record rather than read a stale summary. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/ctr.h"
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
