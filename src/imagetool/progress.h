/* Pull and push progress as events with the fields of docker's JSON progress
 * messages (id, status, progressDetail current/total). The library only emits
 * them; a front end draws them (cmd_progress.c: a terminal or plain lines) or
 * sends them on (the API server's JSON stream). */
#ifndef MD_IMAGETOOL_PROGRESS_H
#define MD_IMAGETOOL_PROGRESS_H

#include <stddef.h>

struct md_progress_event {
    const char *id;           /* a layer's short id (12 hex); NULL for a line about the image */
    const char *status;       /* "Downloading", "Pull complete", "Digest: sha256:..." */
    long long current, total; /* a transfer in progress when total > 0 */
};

typedef struct md_progress_sink {
    void (*fn)(void *data, const struct md_progress_event *ev);
    void *data;
} md_progress_sink_t;

typedef struct md_progress {
    md_progress_sink_t sink; /* fn NULL: events are dropped (pull -q) */
    size_t n;
    char (*ids)[16];
} md_progress_t;

void md_progress_init(md_progress_t *p, const md_progress_sink_t *sink);
/* A new layer (its digest's first 12 hex digits are its id); returns its index. */
int md_progress_add(md_progress_t *p, const char *digest, const char *status);
/* Layer i's status changes ("Download complete"). */
void md_progress_status(md_progress_t *p, int i, const char *status);
/* Layer i moved: "Downloading" with done of total bytes. */
void md_progress_bar(md_progress_t *p, int i, const char *action, long long done, long long total);
/* A line that is not about a layer ("Digest: ..."). */
void md_progress_line(md_progress_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void md_progress_free(md_progress_t *p);
/* docker's sizes: "1.23MB" (go-units HumanSize, 3 significant digits) */
void md_human_size(long long bytes, char *buf, size_t len);

#endif
