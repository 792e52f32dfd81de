/* NULL-terminated string vectors (argv, env, lists of ids). Allocation
 * failure aborts (util/xalloc.h), so appending cannot fail. */
#ifndef MD_UTIL_STRV_H
#define MD_UTIL_STRV_H

#include <stddef.h>

size_t md_strv_len(char *const *v);
/* a deep copy; NULL gives an empty vector */
char **md_strv_dup(char *const *v);
/* copies s; returns 0 (kept int for callers that chain it with other steps) */
int md_strv_append(char ***v, const char *s);
void md_strv_free(char **v);
/* s is one of v's strings (v may be NULL) */
int md_strv_contains(char *const *v, const char *s);
/* the strings joined by sep (a new string; "" for none) */
char *md_strv_join(char *const *v, const char *sep);

#endif
