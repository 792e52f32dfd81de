/* __attribute__((cleanup)) helpers: a resource declared with one of these is
 * released on every return path, so error paths cannot leak it. */
#ifndef MD_CLEANUP_H
#define MD_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

static inline void md_freep(void *p)
{
    free(*(void **)p);
}
static inline void md_closep(int *fd)
{
    if (*fd >= 0) close(*fd);
}
static inline void md_fclosep(FILE **f)
{
    if (*f) fclose(*f);
}
static inline void md_closedirp(DIR **d)
{
    if (*d) closedir(*d);
}
static inline void md_strvfreep(char ***v)
{
    if (*v) {
        for (char **p = *v; *p; p++)
            free(*p);
        free(*v);
    }
}

#define cleanup_free __attribute__((cleanup(md_freep)))
#define cleanup_close __attribute__((cleanup(md_closep)))
#define cleanup_fclose __attribute__((cleanup(md_fclosep)))
#define cleanup_dir __attribute__((cleanup(md_closedirp)))
#define cleanup_strv __attribute__((cleanup(md_strvfreep)))

/* Hand ownership out of a cleanup variable. */
static inline int md_steal_fd(int *fd)
{
    int r = *fd;
    *fd = -1;
    return r;
}
static inline void *md_steal_ptr(void *pp)
{
    void **p = pp;
    void *r = *p;
    *p = NULL;
    return r;
}

#endif
