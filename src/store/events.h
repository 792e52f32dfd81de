/* docker's event stream without a daemon: every state change appends one
 * line of docker's event JSON to <lib root>/events.log (O_APPEND, one
 * write), which `mydocker events` replays and follows. The log turns over at
 * MD_EVENTS_MAX bytes (events.log.1 keeps the previous part). Writing never
 * fails a command: an event that cannot be written is lost, as docker's are
 * when no one listens. */
#ifndef MD_STORE_EVENTS_H
#define MD_STORE_EVENTS_H

#include <stddef.h>

struct json_object;
struct md_ctr;

#define MD_EVENTS_MAX (4 << 20)

/* type: container, image, network, volume; attrs (owned, may be NULL) */
void md_event(const char *type, const char *action, const char *id, struct json_object *attrs);
/* A container's event: attributes image, name, its labels, then extra (owned, may be NULL) */
void md_event_container(const struct md_ctr *c, const char *action, struct json_object *extra);
/* The same with one more attribute, a number ("signal", "exitCode") */
void md_event_container_num(const struct md_ctr *c, const char *action, const char *key, long v);
/* An image's event: Actor.ID is the image (a reference or an id), name its
 * "name" attribute (NULL: the same) */
void md_image_event(const char *action, const char *id, const char *name);
/* "<lib root>/events.log" (and ".1") into buf */
int md_events_path(char *buf, size_t len, int previous);

#endif
