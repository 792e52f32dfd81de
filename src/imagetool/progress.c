/* Progress events of pull and push; drawing them is the front end's job. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/size.h"
#include "util/xalloc.h"

void md_progress_init(md_progress_t *p, const md_progress_sink_t *sink)
{
    memset(p, 0, sizeof(*p));
    if (sink) p->sink = *sink;
}

void md_human_size(long long bytes, char *buf, size_t len)
{
    md_size_decimal(buf, len, (double)bytes, 3);
}

static void emit(md_progress_t *p, const char *id, const char *status, long long cur,
                 long long total)
{
    struct md_progress_event ev = {.id = id, .status = status, .current = cur, .total = total};
    if (p->sink.fn) p->sink.fn(p->sink.data, &ev);
}

int md_progress_add(md_progress_t *p, const char *digest, const char *status)
{
    p->ids = md_xrealloc(p->ids, (p->n + 1) * sizeof(*p->ids));
    const char *hex = strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
    snprintf(p->ids[p->n], sizeof(p->ids[p->n]), "%.12s", hex);
    int i = (int)p->n++;
    emit(p, p->ids[i], status, 0, 0);
    return i;
}

void md_progress_status(md_progress_t *p, int i, const char *status)
{
    if (i >= 0 && (size_t)i < p->n) emit(p, p->ids[i], status, 0, 0);
}

void md_progress_bar(md_progress_t *p, int i, const char *action, long long done, long long total)
{
    if (i >= 0 && (size_t)i < p->n) emit(p, p->ids[i], action, done, total);
}

void md_progress_line(md_progress_t *p, const char *fmt, ...)
{
    if (p->sink.fn == NULL) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    emit(p, NULL, line, 0, 0);
}

void md_progress_free(md_progress_t *p)
{
    free(p->ids);
    p->ids = NULL;
    p->n = 0;
}
