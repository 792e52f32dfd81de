/* On a terminal every layer keeps its own line, and a change rewrites that
 * line in place (cursor up, clear, print, cursor back down), which is how
 * docker draws its bars. */
#include "cmd_progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

static void draw(struct md_progress_term *t, size_t i, const char *text)
{
    if (!t->tty) {
        fprintf(t->out, "%s: %s\n", t->ids[i], text);
    } else {
        size_t up = t->n - i;
        fprintf(t->out, "\033[%zuA\r\033[2K%s: %s\r\033[%zuB", up, t->ids[i], text, up);
    }
    fflush(t->out);
}

static size_t line_of(struct md_progress_term *t, const char *id)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->ids[i], id) == 0) return i;
    t->ids = md_xrealloc(t->ids, (t->n + 1) * sizeof(*t->ids));
    snprintf(t->ids[t->n], sizeof(t->ids[t->n]), "%s", id);
    if (t->tty) fputc('\n', t->out); /* the new line, drawn below */
    return t->n++;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void bar(struct md_progress_term *t, size_t i, const struct md_progress_event *ev)
{
    long long now = now_ms();
    if (ev->current < ev->total && now - t->last_ms < 100) return;
    t->last_ms = now;
    char b[52], cur[16], tot[16], line[128];
    int fill = (int)(50 * ev->current / ev->total);
    for (int k = 0; k < 50; k++)
        b[k] = k < fill ? '=' : k == fill ? '>' : ' ';
    b[50] = '\0';
    md_human_size(ev->current, cur, sizeof(cur));
    md_human_size(ev->total, tot, sizeof(tot));
    snprintf(line, sizeof(line), "%s [%s] %8s/%s", ev->status, b, cur, tot);
    draw(t, i, line);
}

static void term_event(void *data, const struct md_progress_event *ev)
{
    struct md_progress_term *t = data;
    if (ev->id == NULL) {
        fprintf(t->out, "%s\n", ev->status);
        fflush(t->out);
        return;
    }
    if (ev->total > 0 && !t->tty) return; /* bars only on a terminal */
    size_t i = line_of(t, ev->id);
    if (ev->total > 0)
        bar(t, i, ev);
    else
        draw(t, i, ev->status);
}

md_progress_sink_t md_progress_term_init(struct md_progress_term *t, FILE *out, int quiet)
{
    memset(t, 0, sizeof(*t));
    t->out = out;
    t->tty = !quiet && isatty(fileno(out));
    return quiet ? (md_progress_sink_t){0} : (md_progress_sink_t){.fn = term_event, .data = t};
}

void md_progress_term_free(struct md_progress_term *t)
{
    free(t->ids);
    t->ids = NULL;
    t->n = 0;
}
