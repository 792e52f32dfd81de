#include "strv.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

size_t md_strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

char **md_strv_dup(char *const *v)
{
    size_t n = md_strv_len(v);
    char **r = md_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        r[i] = md_xstrdup(v[i]);
    return r;
}

int md_strv_append(char ***v, const char *s)
{
    size_t n = md_strv_len(*v);
    char **nv = md_xrealloc(*v, (n + 2) * sizeof(char *));
    nv[n] = md_xstrdup(s);
    nv[n + 1] = NULL;
    *v = nv;
    return 0;
}

void md_strv_free(char **v)
{
    if (v == NULL) return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

int md_strv_contains(char *const *v, const char *s)
{
    for (; v && *v; v++)
        if (strcmp(*v, s) == 0) return 1;
    return 0;
}

char *md_strv_join(char *const *v, const char *sep)
{
    size_t len = 1, sl = strlen(sep);
    for (char *const *p = v; p && *p; p++)
        len += strlen(*p) + sl;
    char *out = md_xmalloc(len), *w = out;
    for (char *const *p = v; p && *p; p++) {
        if (p != v) w = stpcpy(w, sep);
        w = stpcpy(w, *p);
    }
    *w = '\0';
    return out;
}
