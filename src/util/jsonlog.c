#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jsonlog.h"
#include "util/write_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *b, size_t n)
{
    return md_write_all_fd(fd, b, n) < 0 ? -1 : 0;
}

void md_jsonlog_init(struct md_jsonlog *l, const char *path, long long maxsize, int maxfile)
{
    memset(l, 0, sizeof(*l));
    l->path = path;
    l->maxsize = maxsize;
    l->maxfile = maxfile > 0 ? maxfile : 1;
    l->fd = -1;
}

static void open_log(struct md_jsonlog *l)
{
    if (l->path == NULL || l->path[0] == '\0') return; /* --log-driver none */
    l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat st;
    l->size = (l->fd >= 0 && fstat(l->fd, &st) == 0) ? st.st_size : 0;
}

static void rotate(struct md_jsonlog *l)
{
    if (l->maxsize <= 0 || l->size < l->maxsize) return;
    close(l->fd);
    char from[4200], to[4200];
    for (int i = l->maxfile - 1; i >= 1; i--) {
        snprintf(to, sizeof(to), "%s.%d", l->path, i);
        if (i == 1)
            snprintf(from, sizeof(from), "%s", l->path);
        else
            snprintf(from, sizeof(from), "%s.%d", l->path, i - 1);
        rename(from, to);
    }
    if (l->maxfile <= 1) unlink(l->path);
    open_log(l);
}

static size_t json_escape(const char *s, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out[o++] = '\\';
            out[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(out + o, "\\u00", 4);
            out[o + 4] = hex[c >> 4];
            out[o + 5] = hex[c & 15];
            o += 6;
        } else {
            out[o++] = (char)c; /* UTF-8 passes through as bytes */
        }
    }
    return o;
}

static void entry(struct md_jsonlog *l, const char *stream, const char *data, size_t n)
{
    static char line[MD_JSONLOG_LINE_MAX * 6 + 256];
    if (l->path == NULL || l->path[0] == '\0') return; /* --log-driver none */
    if (l->fd < 0) open_log(l);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t o = (size_t)snprintf(line, sizeof(line), "{\"log\":\"");
    o += json_escape(data, n, line + o);
    o += (size_t)snprintf(
        line + o, sizeof(line) - o,
        "\",\"stream\":\"%s\",\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\"}\n", stream,
        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
    if (l->fd >= 0 && write_all(l->fd, line, o) == 0) l->size += (long long)o;
    rotate(l);
}

static void flush_lines(struct md_jsonlog *l, struct md_jsonlog_stream *s, const char *name,
                        int all)
{
    size_t start = 0;
    for (size_t i = 0; i < s->len; i++) {
        if (s->buf[i] == '\n') {
            entry(l, name, s->buf + start, i + 1 - start);
            start = i + 1;
        }
    }
    if ((all || (start == 0 && s->len == sizeof(s->buf))) && start < s->len) {
        entry(l, name, s->buf + start, s->len - start);
        start = s->len;
    }
    memmove(s->buf, s->buf + start, s->len - start);
    s->len -= start;
}

void md_jsonlog_write(struct md_jsonlog *l, int stream, const char *data, size_t n)
{
    struct md_jsonlog_stream *s = stream == 2 ? &l->err : &l->out;
    const char *name = stream == 2 ? "stderr" : "stdout";
    while (n > 0) {
        size_t room = sizeof(s->buf) - s->len, k = n < room ? n : room;
        memcpy(s->buf + s->len, data, k);
        s->len += k;
        data += k;
        n -= k;
        flush_lines(l, s, name, 0);
    }
}

void md_jsonlog_flush(struct md_jsonlog *l)
{
    flush_lines(l, &l->out, "stdout", 1);
    flush_lines(l, &l->err, "stderr", 1);
}

void md_jsonlog_close(struct md_jsonlog *l)
{
    md_jsonlog_flush(l);
    if (l->fd >= 0) close(l->fd);
    l->fd = -1;
}
