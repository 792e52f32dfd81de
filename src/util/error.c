#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *md_progname = "mydocker";

static int error_vset(md_error_t **err, int exit_code, int errnum, const char *fmt, va_list ap)
{
    int ret = errnum > 0 ? -errnum : -1;
    if (err == NULL) return ret;
    char *base = NULL;
    if (vasprintf(&base, fmt, ap) < 0) base = NULL;
    md_error_t *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        free(base);
        return ret;
    }
    e->errnum = errnum;
    e->exit_code = exit_code;
    if (errnum > 0 && base != NULL) {
        if (asprintf(&e->msg, "%s: %s", base, strerror(errnum)) < 0) e->msg = NULL;
        free(base);
    } else {
        e->msg = base;
    }
    md_error_free(err);
    *err = e;
    return ret;
}

int md_error(md_error_t **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = error_vset(err, MD_EXIT_ENGINE, errnum, fmt, ap);
    va_end(ap);
    return r;
}

int md_error_code(md_error_t **err, int exit_code, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = error_vset(err, exit_code, errnum, fmt, ap);
    va_end(ap);
    return r;
}

int md_error_prefix(md_error_t **err, const char *fmt, ...)
{
    if (err == NULL || *err == NULL) return -1;
    md_error_t *e = *err;
    char *ctx = NULL, *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&ctx, fmt, ap) < 0) ctx = NULL;
    va_end(ap);
    if (ctx != NULL && asprintf(&msg, "%s: %s", ctx, e->msg ? e->msg : "error") >= 0) {
        free(e->msg);
        e->msg = msg;
    }
    free(ctx);
    return e->errnum > 0 ? -e->errnum : -1;
}

void md_error_free(md_error_t **err)
{
    if (err == NULL || *err == NULL) return;
    free((*err)->msg);
    free(*err);
    *err = NULL;
}

int md_error_report(md_error_t **err)
{
    int code = MD_EXIT_ENGINE;
    if (err != NULL && *err != NULL) {
        fprintf(stderr, "%s: %s\n", md_progname, (*err)->msg ? (*err)->msg : "unknown error");
        code = (*err)->exit_code;
        md_error_free(err);
    }
    return code;
}

void md_warn(const md_warn_t *w, const char *fmt, ...)
{
    if (w == NULL || w->fn == NULL) return;
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n >= 0) w->fn(w->data, msg);
    free(msg);
}
