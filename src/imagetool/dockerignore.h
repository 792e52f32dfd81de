/* .dockerignore: docker's rules. One pattern a line (# comments, blank lines), cleaned as a
 * path (a leading "/" dropped), "!" for an exception; "*", "?", "[...]" within a path element,
 * "**" across any number of them; a pattern that matches a directory excludes what is below
 * it; the last pattern that matches decides. */
#ifndef MD_IMAGETOOL_DOCKERIGNORE_H
#define MD_IMAGETOOL_DOCKERIGNORE_H

#include <stddef.h>

#include "util/error.h"

struct md_ignore {
    char **patterns;
    int *negate;
    size_t n;
};

/* CONTEXT/.dockerignore, none when it does not exist */
int md_ignore_load(const char *context, struct md_ignore *ig, md_error_t **err);
/* The rules from text (tests, and the loader) */
void md_ignore_parse(const char *text, struct md_ignore *ig);
/* 1 when relpath (relative to the context, no leading "./") is excluded */
int md_ignore_excluded(const struct md_ignore *ig, const char *relpath);
/* 1 when an exception might bring back something below the excluded dir relpath */
int md_ignore_has_exceptions(const struct md_ignore *ig);
void md_ignore_free(struct md_ignore *ig);
/* filepath.Clean of a relative path, without a leading "/" or "./"; *escapes (when not NULL)
 * is set when a ".." climbs above the start */
char *md_path_clean_rel(const char *s, int *escapes);
/* docker's path.Match with "**": 1 on a match */
int md_ignore_match(const char *pattern, const char *path);

#endif
