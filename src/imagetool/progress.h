/* docker-style per-layer status lines: on a terminal one line per layer,
 * redrawn in place with a progress bar; otherwise one plain line per state
 * change ("a3ed95caeb02: Pull complete"), never a bar. */
#ifndef MD_IMAGETOOL_PROGRESS_H
#define MD_IMAGETOOL_PROGRESS_H

#include <stdio.h>

typedef struct md_progress {
    FILE *out;
    int tty, quiet;
    size_t n;
    char (*ids)[16];
    long long last_ms; /* when a bar was last drawn (bars are rate-limited) */
} md_progress_t;

void md_progress_init(md_progress_t *p, FILE *out, int quiet);
/* A new line for id (the first 12 hex digits of a digest are shown); returns its index. */
int md_progress_add(md_progress_t *p, const char *digest, const char *status);
/* Change line i's status ("Download complete"); printed at once. */
void md_progress_status(md_progress_t *p, int i, const char *status);
/* A bar for line i: "Downloading [====>     ]  1.2MB/3.4MB"; drawn on a tty only,
 * at most every 100 ms. */
void md_progress_bar(md_progress_t *p, int i, const char *action, long long done, long long total);
/* A line that is not a layer ("Digest: ..."). */
void md_progress_line(md_progress_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void md_progress_free(md_progress_t *p);
/* docker's sizes: "1.23MB" (go-units HumanSize, 3 significant digits) */
void md_human_size(long long bytes, char *buf, size_t len);

#endif
