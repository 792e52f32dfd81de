/* Drawing pull/push progress events as docker's CLI does: on a terminal one
 * line per layer, redrawn in place with a bar; otherwise one plain line per
 * status change ("a3ed95caeb02: Pull complete"), never a bar. */
#ifndef MD_IMAGETOOL_CMD_PROGRESS_H
#define MD_IMAGETOOL_CMD_PROGRESS_H

#include <stdio.h>

#include "progress.h"

struct md_progress_term {
    FILE *out;
    int tty;
    size_t n;
    char (*ids)[16];   /* layer ids in the order their lines were drawn */
    long long last_ms; /* when a bar was last drawn (bars are rate-limited) */
};

/* quiet: a sink that drops everything */
md_progress_sink_t md_progress_term_init(struct md_progress_term *t, FILE *out, int quiet);
void md_progress_term_free(struct md_progress_term *t);

#endif
