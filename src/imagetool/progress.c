/* Progress lines for pull and push. On a terminal every layer keeps its own
 * line, and a change rewrites that line in place (cursor up, clear, print,
 * cursor back down), which is how docker draws its bars. */
#include "util/size.h"
#include "progress.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void md_progress_init(md_progress_t *p, FILE *out, int quiet)
{
    memset(p, 0, sizeof(*p));
    p->out = out;
    p->quiet = quiet;
    p->tty = !quiet && isatty(fileno(out));
}

void md_human_size(long long bytes, char *buf, size_t len)
{
    md_size_decimal(buf, len, (double)bytes, 3);
}

static void draw(md_progress_t *p, int i, const char *text)
{
    if (p->quiet) return;
    if (!p->tty) {
        fprintf(p->out, "%s: %s\n", p->ids[i], text);
        fflush(p->out);
        return;
    }
    size_t up = p->n - (size_t)i;
    fprintf(p->out, "\033[%zuA\r\033[2K%s: %s\r\033[%zuB", up, p->ids[i], text, up);
    fflush(p->out);
}

int md_progress_add(md_progress_t *p, const char *digest, const char *status)
{
    void *nv = realloc(p->ids, (p->n + 1) * sizeof(*p->ids));
    if (nv == NULL) return -1;
    p->ids = nv;
    const char *hex = strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
    snprintf(p->ids[p->n], sizeof(p->ids[p->n]), "%.12s", hex);
    int i = (int)p->n++;
    if (p->quiet) return i;
    if (p->tty) fputc('\n', p->out); /* the new line, drawn below */
    draw(p, i, status);
    return i;
}

void md_progress_status(md_progress_t *p, int i, const char *status)
{
    if (i >= 0 && (size_t)i < p->n) draw(p, i, status);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void md_progress_bar(md_progress_t *p, int i, const char *action, long long done, long long total)
{
    if (!p->tty || i < 0 || (size_t)i >= p->n) return;
    long long t = now_ms();
    if (done < total && t - p->last_ms < 100) return;
    p->last_ms = t;
    char bar[52], a[16], b[16], line[128];
    int fill = total > 0 ? (int)(50 * done / total) : 0;
    for (int k = 0; k < 50; k++)
        bar[k] = k < fill ? '=' : k == fill ? '>' : ' ';
    bar[50] = '\0';
    md_human_size(done, a, sizeof(a));
    md_human_size(total, b, sizeof(b));
    snprintf(line, sizeof(line), "%s [%s] %8s/%s", action, bar, a, b);
    draw(p, i, line);
}

void md_progress_line(md_progress_t *p, const char *fmt, ...)
{
    if (p->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->out, fmt, ap);
    va_end(ap);
    fputc('\n', p->out);
    fflush(p->out);
}

void md_progress_free(md_progress_t *p)
{
    free(p->ids);
    p->ids = NULL;
    p->n = 0;
}
