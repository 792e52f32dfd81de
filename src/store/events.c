/* The event log (store/events.h). */
#include "store/events.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/ctr.h"
#include "util/paths.h"
#include "util/time.h"
#include "util/write_all.h"

int md_events_path(char *buf, size_t len, int previous)
{
    int n = snprintf(buf, len, "%s/events.log%s", md_lib_root(), previous ? ".1" : "");
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void append(const char *line, size_t n)
{
    char path[4096], old[4100];
    if (md_events_path(path, sizeof(path), 0) < 0) return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    md_write_all_fd(fd, line, n);
    struct stat st;
    /* turn over: readers notice the inode change and go on with the new file */
    if (fstat(fd, &st) == 0 && st.st_size > MD_EVENTS_MAX &&
        md_events_path(old, sizeof(old), 1) == 0)
        rename(path, old);
    close(fd);
}

/* docker's message: the legacy status/id/from for containers and images,
 * Type, Action, Actor, scope, time, timeNano */
void md_event(const char *type, const char *action, const char *id, struct json_object *attrs)
{
    int64_t now = md_now_ns();
    struct json_object *e = json_object_new_object(), *actor = json_object_new_object();
    struct json_object *from = NULL;
    if (attrs) json_object_object_get_ex(attrs, "image", &from);
    if (strcmp(type, "container") == 0 || strcmp(type, "image") == 0) {
        json_object_object_add(e, "status", json_object_new_string(action));
        json_object_object_add(e, "id", json_object_new_string(id));
        if (from) json_object_object_add(e, "from", json_object_get(from));
    }
    json_object_object_add(e, "Type", json_object_new_string(type));
    json_object_object_add(e, "Action", json_object_new_string(action));
    json_object_object_add(actor, "ID", json_object_new_string(id));
    json_object_object_add(actor, "Attributes", attrs ? attrs : json_object_new_object());
    json_object_object_add(e, "Actor", actor);
    json_object_object_add(e, "scope", json_object_new_string("local"));
    json_object_object_add(e, "time", json_object_new_int64(now / 1000000000));
    json_object_object_add(e, "timeNano", json_object_new_int64(now));
    const char *text =
        json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char line[8192];
    int n = snprintf(line, sizeof(line), "%s\n", text);
    if (n > 0 && (size_t)n < sizeof(line)) append(line, (size_t)n);
    json_object_put(e);
}

void md_image_event(const char *action, const char *id, const char *name)
{
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "name", json_object_new_string(name ? name : id));
    md_event("image", action, id, a);
}

void md_event_container(const struct md_ctr *c, const char *action, struct json_object *extra)
{
    struct json_object *a = json_object_new_object(), *labels = NULL, *cfg = NULL;
    const char *image = md_ctr_str(c, "Config.Image");
    if (json_object_object_get_ex(c->record, "Config", &cfg))
        json_object_object_get_ex(cfg, "Labels", &labels);
    if (labels && json_object_is_type(labels, json_type_object)) {
        json_object_object_foreach(labels, k, v)
        {
            json_object_object_add(a, k, json_object_get(v));
        }
    }
    json_object_object_add(a, "image", json_object_new_string(image ? image : ""));
    json_object_object_add(a, "name", json_object_new_string(c->name ? c->name : ""));
    if (extra) {
        json_object_object_foreach(extra, k, v)
        {
            json_object_object_add(a, k, json_object_get(v));
        }
        json_object_put(extra);
    }
    md_event("container", action, c->id, a);
}

void md_event_container_num(const struct md_ctr *c, const char *action, const char *key, long v)
{
    char s[24];
    snprintf(s, sizeof(s), "%ld", v);
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, key, json_object_new_string(s));
    md_event_container(c, action, a);
}
