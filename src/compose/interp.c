/* The compose specification's interpolation, on every string value of a loaded file:
 * $VAR ${VAR} ${VAR:-default} ${VAR-default} ${VAR:?error} ${VAR?error} ${VAR:+alt} ${VAR+alt},
 * $$ for a dollar; a default or alternative is itself interpolated (nested ${...}). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct buf {
    char *s;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = md_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

const char *md_compose_env_get(char **env, const char *name, size_t len)
{
    for (char **e = env; e && *e; e++)
        if (strncmp(*e, name, len) == 0 && (*e)[len] == '=') return *e + len + 1;
    return NULL;
}

/* the end of a ${...} starting at s (just after "${"), nested braces counted */
static const char *closing(const char *s)
{
    int depth = 1;
    for (; *s; s++) {
        if (*s == '{') depth++;
        if (*s == '}' && --depth == 0) return s;
    }
    return NULL;
}

static int expand(const char *in, size_t n, struct md_compose_interp *ip, struct buf *out,
                  md_error_t **err);

/* the inside of ${...}: a name and an optional operator with its word */
static int braced(const char *s, size_t n, struct md_compose_interp *ip, struct buf *out,
                  md_error_t **err)
{
    size_t name = 0;
    while (name < n && (isalnum((unsigned char)s[name]) || s[name] == '_'))
        name++;
    if (name == 0)
        return md_error(err, 0, "invalid interpolation format for %s: \"${%.*s}\"", ip->where,
                        (int)n, s);
    const char *v = md_compose_env_get(ip->env, s, name);
    const char *op = s + name, *word = op;
    size_t oplen = 0;
    if (name < n) {
        oplen = (op[0] == ':' && name + 1 < n) ? 2 : 1;
        word = op + oplen;
        if (!strchr("-?+", op[oplen - 1]) || (oplen == 2 && op[0] != ':'))
            return md_error(err, 0, "invalid interpolation format for %s: \"${%.*s}\"", ip->where,
                            (int)n, s);
    }
    size_t wlen = n - name - oplen;
    int colon = oplen == 2, unset = v == NULL || (colon && *v == '\0');
    char kind = oplen ? op[oplen - 1] : 0;
    if (kind == '-' && unset) return expand(word, wlen, ip, out, err);
    if (kind == '+') return unset ? 0 : expand(word, wlen, ip, out, err);
    if (kind == '?' && unset) {
        struct buf m = {0};
        int r = expand(word, wlen, ip, &m, err);
        if (r == 0)
            r = md_error(err, 0, "required variable %.*s is missing a value: %s", (int)name, s,
                         m.s ? m.s : "");
        free(m.s);
        return r;
    }
    if (v == NULL && ip->unset) ip->unset(ip->data, s, name);
    if (v) put(out, v, strlen(v));
    return 0;
}

static int expand(const char *in, size_t n, struct md_compose_interp *ip, struct buf *out,
                  md_error_t **err)
{
    put(out, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (in[i] != '$' || i + 1 >= n) {
            put(out, in + i, 1);
        } else if (in[i + 1] == '$') {
            put(out, "$", 1);
            i++;
        } else if (in[i + 1] == '{') {
            const char *end = closing(in + i + 2);
            if (end == NULL || end >= in + n)
                return md_error(err, 0, "invalid interpolation format for %s: \"%.*s\"", ip->where,
                                (int)(n - i), in + i);
            if (braced(in + i + 2, (size_t)(end - in - i - 2), ip, out, err) < 0) return -1;
            i = (size_t)(end - in);
        } else if (isalpha((unsigned char)in[i + 1]) || in[i + 1] == '_') {
            size_t name = 1;
            while (i + 1 + name < n &&
                   (isalnum((unsigned char)in[i + 1 + name]) || in[i + 1 + name] == '_'))
                name++;
            if (braced(in + i + 1, name, ip, out, err) < 0) return -1;
            i += name;
        } else {
            put(out, in + i, 1);
        }
    }
    return 0;
}

int md_compose_interpolate_str(const char *s, struct md_compose_interp *ip, char **out,
                               md_error_t **err)
{
    struct buf b = {0};
    if (expand(s, strlen(s), ip, &b, err) < 0) {
        free(b.s);
        return -1;
    }
    *out = b.s ? b.s : md_xstrdup("");
    return 0;
}

/* every string value of the tree (keys stay as written, as docker compose's) */
int md_compose_interpolate(struct json_object *o, struct md_compose_interp *ip, md_error_t **err)
{
    if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(md_compose_mapping(o), k, v)
        {
            if (json_object_is_type(v, json_type_string)) {
                cleanup_free char *s = NULL;
                if (md_compose_interpolate_str(json_object_get_string(v), ip, &s, err) < 0)
                    return -1;
                json_object_object_add(o, k, json_object_new_string(s));
            } else if (md_compose_interpolate(v, ip, err) < 0) {
                return -1;
            }
        }
    } else if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            struct json_object *v = json_object_array_get_idx(o, i);
            if (json_object_is_type(v, json_type_string)) {
                cleanup_free char *s = NULL;
                if (md_compose_interpolate_str(json_object_get_string(v), ip, &s, err) < 0)
                    return -1;
                json_object_array_put_idx(o, i, json_object_new_string(s));
            } else if (md_compose_interpolate(v, ip, err) < 0) {
                return -1;
            }
        }
    }
    return 0;
}
