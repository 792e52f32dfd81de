/* docker's json-file log: one JSON object per line {"log","stream","time"},
 * entries cut at a newline or at 16 KiB, size-capped rotation (LOG -> LOG.1
 * ... LOG.(maxfile-1)). libc only: the monitor links it too. */
#ifndef MD_JSONLOG_H
#define MD_JSONLOG_H

#include <stddef.h>

#define MD_JSONLOG_LINE_MAX 16384

struct md_jsonlog_stream {
    char buf[MD_JSONLOG_LINE_MAX];
    size_t len;
};

struct md_jsonlog {
    const char *path;
    long long maxsize; /* 0: no rotation */
    int maxfile;
    int fd; /* -1 until the first entry: a silent container leaves no file */
    long long size;
    struct md_jsonlog_stream out, err;
};

void md_jsonlog_init(struct md_jsonlog *l, const char *path, long long maxsize, int maxfile);
/* Append raw output of stream 1 (stdout) or 2 (stderr). */
void md_jsonlog_write(struct md_jsonlog *l, int stream, const char *data, size_t n);
/* Write out partial lines (at the end of the stream). */
void md_jsonlog_flush(struct md_jsonlog *l);
void md_jsonlog_close(struct md_jsonlog *l);

#endif
