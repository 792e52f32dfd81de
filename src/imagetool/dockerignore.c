#include "imagetool/dockerignore.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* a single element's wildcard at p against s up to the next '/' of either */
static int match_here(const char *p, const char *s);

static int match_star_star(const char *p, const char *s)
{
    /* "**" then "/rest": rest at s, or after any '/' of s; "**" at the end: anything */
    if (*p == '\0') return 1;
    if (*p != '/') return match_here(p, s) || (*s && match_star_star(p, s + 1));
    for (const char *q = s;; q++) {
        if (match_here(p + 1, q)) return 1;
        q = strchr(q, '/');
        if (q == NULL) return 0;
    }
}

static int match_here(const char *p, const char *s)
{
    for (; *p; p++, s++) {
        if (p[0] == '*' && p[1] == '*') return match_star_star(p + 2, s);
        if (*p == '*') {
            for (const char *q = s;; q++) {
                if (match_here(p + 1, q)) return 1;
                if (*q == '\0' || *q == '/') return 0;
            }
        }
        if (*s == '\0') return 0;
        if (*p == '[') {
            const char *end = strchr(p + 1, ']');
            if (end == NULL || *s == '/') return 0;
            cleanup_free char *cls = strndup(p, (size_t)(end - p) + 1);
            char one[2] = {*s, '\0'};
            if (cls == NULL || fnmatch(cls, one, 0) != 0) return 0;
            p = end;
            continue;
        }
        if (*p == '\\' && p[1]) p++;
        if (*p == '?' ? *s == '/' : *p != *s) return 0;
    }
    return *s == '\0';
}

int md_ignore_match(const char *pattern, const char *path)
{
    return match_here(pattern, path);
}

char *md_path_clean_rel(const char *s, int *escapes)
{
    cleanup_strv char **parts = md_strv_dup(NULL);
    cleanup_free char *copy = md_xstrdup(s);
    if (escapes) *escapes = 0;
    for (char *save = NULL, *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        size_t n = md_strv_len(parts);
        if (strcmp(t, ".") == 0) continue;
        if (strcmp(t, "..") == 0) {
            if (n == 0 && escapes) *escapes = 1;
            if (n) {
                free(parts[n - 1]);
                parts[n - 1] = NULL;
            }
            continue;
        }
        md_strv_append(&parts, t);
    }
    return md_strv_join(parts, "/");
}

void md_ignore_parse(const char *text, struct md_ignore *ig)
{
    *ig = (struct md_ignore){.patterns = md_strv_dup(NULL)};
    cleanup_free char *copy = md_xstrdup(text);
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(l);
        while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
            l[--n] = '\0';
        l += strspn(l, " \t");
        if (*l == '\0' || *l == '#') continue;
        int neg = *l == '!';
        cleanup_free char *c = md_path_clean_rel(l + neg, NULL);
        if (*c == '\0') continue;
        md_strv_append(&ig->patterns, c);
        ig->negate = realloc(ig->negate, (ig->n + 1) * sizeof(int));
        if (ig->negate == NULL) md_oom();
        ig->negate[ig->n++] = neg;
    }
}

int md_ignore_load(const char *context, struct md_ignore *ig, md_error_t **err)
{
    cleanup_free char *path = NULL, *text = NULL;
    if (asprintf(&path, "%s/.dockerignore", context) < 0) md_oom();
    if (!md_path_exists(path)) {
        md_ignore_parse("", ig);
        return 0;
    }
    if (md_read_file(path, &text, NULL, err) < 0) return -1;
    md_ignore_parse(text, ig);
    return 0;
}

/* the pattern matches relpath or one of its parent directories */
static int matches_or_parent(const char *pattern, const char *relpath)
{
    if (md_ignore_match(pattern, relpath)) return 1;
    cleanup_free char *p = md_xstrdup(relpath);
    for (char *slash = strrchr(p, '/'); slash; slash = strrchr(p, '/')) {
        *slash = '\0';
        if (md_ignore_match(pattern, p)) return 1;
    }
    return 0;
}

int md_ignore_excluded(const struct md_ignore *ig, const char *relpath)
{
    int excluded = 0;
    for (size_t i = 0; i < ig->n; i++)
        if (matches_or_parent(ig->patterns[i], relpath)) excluded = !ig->negate[i];
    return excluded;
}

int md_ignore_has_exceptions(const struct md_ignore *ig)
{
    for (size_t i = 0; i < ig->n; i++)
        if (ig->negate[i]) return 1;
    return 0;
}

void md_ignore_free(struct md_ignore *ig)
{
    md_strv_free(ig->patterns);
    free(ig->negate);
    *ig = (struct md_ignore){0};
}
