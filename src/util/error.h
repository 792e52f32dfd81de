/* One error convention for all of mydocker (see docs/errors.md).
 *
 * A function that can fail takes `md_error_t **err` as its last parameter and
 * returns a negative value (normally -errno) on failure, after filling *err
 * through md_error(). Callers add context with md_error_prefix() and pass it
 * up. Only commands (src/cmd) print, once, as "mydocker: <message>", and map
 * the error to docker's exit code. Library code never prints and never exits. */
#ifndef MD_ERROR_H
#define MD_ERROR_H

#include <stdarg.h>

/* docker's exit codes for failures that are not the command's own status */
enum {
    MD_EXIT_ENGINE = 125, /* mydocker itself failed */
    MD_EXIT_CANNOT_INVOKE = 126,
    MD_EXIT_NOT_FOUND = 127,
    MD_EXIT_KILLED = 137, /* 128 + SIGKILL: OOM, kill -9, a container found dead */
};

typedef struct md_error {
    int errnum;    /* errno-style cause, 0 when none */
    int exit_code; /* docker exit code this error maps to (125 unless set) */
    char *msg;     /* full message, without the "mydocker: " prefix */
} md_error_t;

/* Fill *err ("fmt...: strerror(errnum)" when errnum != 0). Returns -errnum, or
 * -1 when errnum is 0, so that `return md_error(err, ...)` reads naturally. */
int md_error(md_error_t **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like md_error() but with an explicit docker exit code. */
int md_error_code(md_error_t **err, int exit_code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prepend "<context>: " to an existing error; returns the same value as md_error. */
int md_error_prefix(md_error_t **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void md_error_free(md_error_t **err);
/* Print "<prog>: <msg>" on stderr, free, and return the exit code to use. */
int md_error_report(md_error_t **err);
/* Warnings (docker's "Warnings" of a create response): library code hands
 * each one-line message to the front end's sink and carries on; the CLI
 * prints "WARNING: <msg>" on stderr, the API server returns a list. A NULL
 * sink or fn drops them. */
typedef struct md_warn {
    void (*fn)(void *data, const char *msg);
    void *data;
} md_warn_t;
void md_warn(const md_warn_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Program name used in messages ("mydocker" or "mydocker-runc"). */
extern const char *md_progname;

#endif
