/* Image references, following docker's distribution/reference grammar:
 *   [domain[:port]/]component(/component)*[:tag][@sha256:<hex>]
 * with docker.io and library/ implied, so that "busybox",
 * "library/busybox" and "docker.io/library/busybox:latest" are one name. */
#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

#define DEFAULT_DOMAIN "docker.io"
#define NAME_MAX_TOTAL 255
#define TAG_MAX 128

int md_image_is_hex(const char *s, size_t n)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) return 0;
    return n ? i == n : i > 0 && i <= 64;
}

static int is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+ ( ( [._] | __ | -+ ) [a-z0-9]+ )* over s[0..n) */
static int valid_component(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1])) return 0;
    while (i < n) {
        if (is_lower_alnum(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] == '-')
            j++;
        if (j == i) { /* '.', '_' or "__" */
            if (s[i] == '.')
                j = i + 1;
            else if (s[i] == '_')
                j = (i + 1 < n && s[i + 1] == '_') ? i + 2 : i + 1;
            else
                return 0;
        }
        if (j >= n || !is_lower_alnum(s[j])) return 0;
        i = j;
    }
    return 1;
}

static int valid_path(const char *p)
{
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (!valid_component(p, n)) return 0;
        if (!slash) return 1;
        p = slash + 1;
    }
}

/* host label(.label)*[:port], labels [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])? */
static int valid_domain(const char *d)
{
    const char *colon = strchr(d, ':');
    size_t hn = colon ? (size_t)(colon - d) : strlen(d);
    size_t start = 0;
    for (size_t i = 0; i <= hn; i++) {
        if (i < hn && d[i] != '.') {
            if (!isalnum((unsigned char)d[i]) && d[i] != '-') return 0;
            continue;
        }
        if (i == start || d[start] == '-' || d[i - 1] == '-') return 0;
        start = i + 1;
    }
    if (colon) {
        if (colon[1] == '\0') return 0;
        for (const char *p = colon + 1; *p; p++)
            if (!isdigit((unsigned char)*p)) return 0;
    }
    return 1;
}

static int valid_tag(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > TAG_MAX || !(isalnum((unsigned char)t[0]) || t[0] == '_')) return 0;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-') return 0;
    return 1;
}

static int invalid(md_error_t **err, const char *why)
{
    return md_error(err, 0, "invalid reference format%s%s", why ? ": " : "", why ? why : "");
}

/* Split "name" into domain and remainder the way docker does: the first
 * component is a domain only if it looks like one (has '.' or ':', is
 * "localhost", or has uppercase letters, which a path may not have). */
static int split_domain(char *name, md_image_ref_t *out)
{
    char *slash = strchr(name, '/');
    int is_domain = 0;
    if (slash) {
        *slash = '\0';
        is_domain = strpbrk(name, ".:") || strcmp(name, "localhost") == 0;
        for (char *p = name; *p && !is_domain; p++)
            is_domain = isupper((unsigned char)*p);
        *slash = '/';
    }
    if (is_domain) {
        *slash = '\0';
        out->domain = strdup(strcmp(name, "index.docker.io") == 0 ? DEFAULT_DOMAIN : name);
        out->path = strdup(slash + 1);
    } else {
        out->domain = strdup(DEFAULT_DOMAIN);
        if (asprintf(&out->path, "%s%s", strchr(name, '/') ? "" : "library/", name) < 0)
            out->path = NULL;
    }
    return out->domain && out->path ? 0 : -ENOMEM;
}

static int set_familiar(md_image_ref_t *out)
{
    int r;
    if (strcmp(out->domain, DEFAULT_DOMAIN) != 0)
        r = asprintf(&out->familiar, "%s/%s", out->domain, out->path);
    else if (strncmp(out->path, "library/", 8) == 0 && !strchr(out->path + 8, '/'))
        r = asprintf(&out->familiar, "%s", out->path + 8);
    else
        r = asprintf(&out->familiar, "%s", out->path);
    if (r < 0) {
        out->familiar = NULL;
        return -ENOMEM;
    }
    return 0;
}

/* Take "@digest" and ":tag" off the end of s (modified in place). */
static int split_tag_digest(char *s, md_image_ref_t *out, md_error_t **err)
{
    char *at = strchr(s, '@');
    if (at) {
        *at = '\0';
        const char *d = at + 1;
        if (strncmp(d, "sha256:", 7) != 0 || !md_image_is_hex(d + 7, 64)) return invalid(err, NULL);
        if ((out->digest = strdup(d)) == NULL) return md_error(err, ENOMEM, "parse reference");
    }
    char *colon = strrchr(s, ':');
    const char *tag = NULL;
    if (colon && !strchr(colon, '/')) {
        *colon = '\0';
        if (!valid_tag(colon + 1)) return invalid(err, NULL);
        tag = colon + 1;
    } else if (!out->digest) {
        tag = "latest";
    }
    if (tag && (out->tag = strdup(tag)) == NULL) return md_error(err, ENOMEM, "parse reference");
    return 0;
}

static int parse_into(const char *ref, md_image_ref_t *out, md_error_t **err)
{
    if (md_image_is_hex(ref, 64))
        return md_error(err, 0,
                        "invalid repository name (%s), cannot specify 64-byte hexadecimal strings",
                        ref);
    cleanup_free char *s = strdup(ref);
    if (s == NULL) return md_error(err, ENOMEM, "parse reference");
    int r = split_tag_digest(s, out, err);
    if (r < 0) return r;
    if (*s == '\0') return invalid(err, NULL);
    if (split_domain(s, out) < 0) return md_error(err, ENOMEM, "parse reference");
    if (!valid_domain(out->domain)) return invalid(err, NULL);
    for (const char *p = out->path; *p; p++)
        if (isupper((unsigned char)*p)) return invalid(err, "repository name must be lowercase");
    if (!valid_path(out->path)) return invalid(err, NULL);
    if (strlen(out->domain) + 1 + strlen(out->path) > NAME_MAX_TOTAL)
        return invalid(err, "repository name must not be more than 255 characters");
    if (set_familiar(out) < 0) return md_error(err, ENOMEM, "parse reference");
    return 0;
}

int md_image_ref_parse(const char *ref, md_image_ref_t *out, md_error_t **err)
{
    memset(out, 0, sizeof(*out));
    int r = parse_into(ref, out, err);
    if (r < 0) md_image_ref_clear(out);
    return r;
}

void md_image_ref_clear(md_image_ref_t *ref)
{
    free(ref->domain);
    free(ref->path);
    free(ref->familiar);
    free(ref->tag);
    free(ref->digest);
    memset(ref, 0, sizeof(*ref));
}

char *md_image_normalize_ref(const char *ref, md_error_t **err)
{
    md_image_ref_t r;
    if (md_image_ref_parse(ref, &r, err) < 0) return NULL;
    char *out = NULL;
    int n = r.digest ? asprintf(&out, "%s@%s", r.familiar, r.digest)
                     : asprintf(&out, "%s:%s", r.familiar, r.tag);
    md_image_ref_clear(&r);
    if (n < 0) {
        md_error(err, ENOMEM, "normalize %s", ref);
        return NULL;
    }
    return out;
}
