/* Allocation failure, one policy: a small allocation that fails aborts with
 * one line, as crun does (xmalloc in crun's utils.c). Linux overcommits, so
 * malloc of a few bytes fails only when the process is already lost (RLIMIT_AS,
 * a cgroup at its memory limit); unwinding every caller for it would double the
 * error paths and test none of them. Header-only: the monitor and mydocker-runc
 * use it without linking more of util. Sizes that come from input (a layer, a
 * blob, a file read whole) still go through malloc and an md_error_t. */
#ifndef MD_UTIL_XALLOC_H
#define MD_UTIL_XALLOC_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noreturn, cold)) static inline void md_oom(void)
{
    static const char msg[] = "mydocker: out of memory\n";
    /* write(2), not stdio: stdio may need the memory we do not have */
    ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)n;
    abort();
}

static inline void *md_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) md_oom();
    return p;
}

static inline void *md_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) md_oom();
    return p;
}

static inline void *md_xrealloc(void *old, size_t n)
{
    void *p = realloc(old, n ? n : 1);
    if (p == NULL) md_oom();
    return p;
}

static inline char *md_xstrdup(const char *s)
{
    char *p = strdup(s);
    if (p == NULL) md_oom();
    return p;
}

static inline char *md_xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (p == NULL) md_oom();
    return p;
}

#endif
