/* The compose specification's short syntaxes, each to its long form: ports
 * ("[IP:][HOST[-H2]:]CTR[-C2][/proto]"), volumes ("SRC:DST[:MODE]", "DST"), build (a context
 * path); command lines split as a shell splits words; Go durations ("1m30s"). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose_int.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/* "80" or "80-81" -> first, last; 0 on success */
static int port_range(const char *s, size_t n, long *a, long *b)
{
    char buf[32];
    if (n == 0 || n >= sizeof(buf)) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    *a = strtol(buf, &end, 10);
    *b = *a;
    if (*end == '-') *b = strtol(end + 1, &end, 10);
    return *end || end == buf || *a < 1 || *b < *a || *b > 65535 ? -1 : 0;
}

static void add_port(struct json_object *out, const char *ip, long target, const char *published,
                     const char *proto)
{
    struct json_object *p = json_object_new_object();
    json_object_object_add(p, "mode", md_compose_str("ingress"));
    if (ip && *ip) json_object_object_add(p, "host_ip", md_compose_str(ip));
    json_object_object_add(p, "target", json_object_new_int64(target));
    if (published && *published) json_object_object_add(p, "published", md_compose_str(published));
    json_object_object_add(p, "protocol", md_compose_str(proto));
    json_object_array_add(out, p);
}

static int short_port(const char *spec, struct json_object *out, md_error_t **err)
{
    cleanup_free char *s = md_xstrdup(spec);
    char *proto = strchr(s, '/');
    if (proto) *proto++ = '\0';
    if (proto && strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
        return md_error(err, 0, "invalid proto: %s", proto);
    char *ip = NULL, *rest = s;
    if (s[0] == '[') { /* [::1]:80:80 */
        char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':') return md_error(err, 0, "invalid port %s", spec);
        *close = '\0';
        ip = s + 1;
        rest = close + 2;
    } else if (strchr(s, ':') && strchr(strchr(s, ':') + 1, ':')) {
        char *c = strchr(s, ':');
        *c = '\0';
        ip = s;
        rest = c + 1;
    }
    char *colon = strrchr(rest, ':');
    const char *host = colon ? rest : "", *ctr = colon ? colon + 1 : rest;
    size_t hlen = colon ? (size_t)(colon - rest) : 0;
    long c1, c2, h1 = 0, h2 = 0;
    if (port_range(ctr, strlen(ctr), &c1, &c2) < 0 ||
        (hlen && port_range(host, hlen, &h1, &h2) < 0))
        return md_error(err, 0, "invalid port %s", spec);
    if (hlen && h2 - h1 != c2 - c1 && h1 != h2)
        return md_error(err, 0, "invalid port %s: the ranges differ in size", spec);
    for (long c = c1; c <= c2; c++) {
        char pub[16] = "";
        if (hlen && h1 == h2 && c1 != c2) {
            snprintf(pub, sizeof(pub), "%ld", h1); /* one host port for a range: docker's pick */
        } else if (hlen) {
            snprintf(pub, sizeof(pub), "%ld", h1 + (c - c1));
        }
        add_port(out, ip, c, pub, proto ? proto : "tcp");
    }
    return 0;
}

int md_compose_ports(struct json_object *in, struct json_object **out, md_error_t **err)
{
    *out = json_object_new_array();
    if (!json_object_is_type(in, json_type_array)) return md_error(err, 0, "ports must be a list");
    for (size_t i = 0; i < json_object_array_length(in); i++) {
        struct json_object *e = json_object_array_get_idx(in, i);
        if (json_object_is_type(e, json_type_object)) {
            struct json_object *t = json_object_object_get(e, "target");
            struct json_object *proto = json_object_object_get(e, "protocol");
            long a, b;
            if (t == NULL || port_range(md_compose_text(t), strlen(md_compose_text(t)), &a, &b) < 0)
                return md_error(err, 0, "ports: invalid target %s", md_compose_text(t));
            add_port(*out, md_compose_text(json_object_object_get(e, "host_ip")), a,
                     md_compose_text(json_object_object_get(e, "published")),
                     proto ? md_compose_text(proto) : "tcp");
        } else if (short_port(md_compose_text(e), *out, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* a short volume's source: a path (bind) or a name (volume) */
static int is_path(const char *s)
{
    return s[0] == '/' || s[0] == '.' || s[0] == '~';
}

static int short_volume(struct md_compose_project *p, const char *spec, struct json_object *m,
                        md_error_t **err)
{
    cleanup_free char *s = md_xstrdup(spec);
    char *parts[3] = {s, NULL, NULL};
    int n = 1;
    for (char *c = s; *c && n < 3; c++)
        if (*c == ':') *c = '\0', parts[n++] = c + 1;
    if (n == 1) {
        json_object_object_add(m, "type", md_compose_str("volume"));
        json_object_object_add(m, "target", md_compose_str(parts[0]));
        json_object_object_add(m, "volume", json_object_new_object());
        return 0;
    }
    int bind = is_path(parts[0]);
    cleanup_free char *src = bind ? md_compose_abs_path(p, parts[0]) : md_xstrdup(parts[0]);
    json_object_object_add(m, "type", md_compose_str(bind ? "bind" : "volume"));
    json_object_object_add(m, "source", md_compose_str(src));
    json_object_object_add(m, "target", md_compose_str(parts[1]));
    if (n == 3) {
        cleanup_free char *modes = md_xstrdup(parts[2]);
        for (char *save = NULL, *t = strtok_r(modes, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            if (strcmp(t, "ro") == 0) {
                json_object_object_add(m, "read_only", json_object_new_boolean(1));
            } else if (strcmp(t, "rw") && strcmp(t, "z") && strcmp(t, "Z") && strcmp(t, "nocopy") &&
                       strcmp(t, "cached") && strcmp(t, "delegated") && strcmp(t, "consistent")) {
                return md_error(err, 0, "invalid volume mode %s in %s", t, spec);
            }
        }
    }
    struct json_object *opt = json_object_new_object();
    if (bind) json_object_object_add(opt, "create_host_path", json_object_new_boolean(1));
    json_object_object_add(m, bind ? "bind" : "volume", opt);
    return 0;
}

static int long_volume(struct md_compose_project *p, struct json_object *e, struct json_object *m,
                       md_error_t **err)
{
    const char *type = md_compose_text(json_object_object_get(e, "type"));
    if (strcmp(type, "bind") && strcmp(type, "volume") && strcmp(type, "tmpfs"))
        return md_error(err, 0, "volumes: type %s is not supported", *type ? type : "(none)");
    if (json_object_object_get(e, "target") == NULL)
        return md_error(err, 0, "volumes: target is required");
    json_object_object_foreach(md_compose_mapping(e), k, v)
    {
        json_object_object_add(m, k, json_object_get(v));
    }
    struct json_object *src = json_object_object_get(e, "source");
    if (strcmp(type, "bind") == 0) {
        if (src == NULL) return md_error(err, 0, "volumes: a bind needs a source");
        cleanup_free char *abs = md_compose_abs_path(p, md_compose_text(src));
        json_object_object_add(m, "source", md_compose_str(abs));
    }
    return 0;
}

int md_compose_volumes(struct md_compose_project *p, struct json_object *in,
                       struct json_object **out, md_error_t **err)
{
    *out = json_object_new_array();
    if (!json_object_is_type(in, json_type_array))
        return md_error(err, 0, "volumes must be a list");
    for (size_t i = 0; i < json_object_array_length(in); i++) {
        struct json_object *e = json_object_array_get_idx(in, i), *m = json_object_new_object();
        json_object_array_add(*out, m);
        int r = json_object_is_type(e, json_type_object)
                    ? long_volume(p, e, m, err)
                    : short_volume(p, md_compose_text(e), m, err);
        if (r < 0) return -1;
    }
    return 0;
}

int md_compose_build(struct md_compose_project *p, struct json_object *in, struct json_object **out,
                     md_error_t **err)
{
    *out = json_object_new_object();
    int is_map = json_object_is_type(in, json_type_object);
    struct json_object *ctx = is_map ? json_object_object_get(in, "context") : in;
    cleanup_free char *abs = md_compose_abs_path(p, ctx ? md_compose_text(ctx) : ".");
    if (is_map) {
        json_object_object_foreach(md_compose_mapping(in), k, v)
        {
            static const char *const known[] = {"context",    "dockerfile",  "args",     "target",
                                                "labels",     "network",     "no_cache", "pull",
                                                "cache_from", "extra_hosts", "shm_size", NULL};
            int ok = strncmp(k, "x-", 2) == 0;
            for (const char *const *n = known; *n && !ok; n++)
                ok = strcmp(k, *n) == 0;
            if (!ok) return md_error(err, 0, "build: %s is not supported", k);
            if (strcmp(k, "args") == 0 || strcmp(k, "labels") == 0) {
                struct json_object *m = NULL;
                if (md_compose_kv_map(p, v, strcmp(k, "args") == 0, &m, k, err) < 0) return -1;
                json_object_object_add(*out, k, m);
            } else {
                json_object_object_add(*out, k, json_object_get(v));
            }
        }
    }
    json_object_object_add(*out, "context", md_compose_str(abs));
    if (json_object_object_get(*out, "dockerfile") == NULL)
        json_object_object_add(*out, "dockerfile", md_compose_str("Dockerfile"));
    return 0;
}

int md_compose_shell_split(const char *s, struct json_object **out, md_error_t **err)
{
    *out = json_object_new_array();
    cleanup_free char *w = md_xcalloc(strlen(s) + 1, 1);
    size_t n = 0;
    int in_word = 0;
    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            if (in_word) json_object_array_add(*out, json_object_new_string_len(w, (int)n));
            in_word = 0, n = 0;
        } else if (*s == '\'') {
            const char *end = strchr(s + 1, '\'');
            if (end == NULL) return md_error(err, 0, "invalid command line: unterminated quote");
            memcpy(w + n, s + 1, (size_t)(end - s - 1));
            n += (size_t)(end - s - 1), s = end, in_word = 1;
        } else if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && strchr("\"\\$`", s[1]) && s[1]) s++;
                w[n++] = *s;
            }
            if (*s != '"') return md_error(err, 0, "invalid command line: unterminated quote");
            in_word = 1;
        } else {
            if (*s == '\\' && s[1]) s++;
            w[n++] = *s, in_word = 1;
        }
    }
    if (in_word) json_object_array_add(*out, json_object_new_string_len(w, (int)n));
    return 0;
}

long long md_compose_duration(const char *s)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ns", 1},  {"us", 1e3}, {"µs", 1e3},  {"ms", 1e6},
                 {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
    double total = 0;
    if (s == NULL || *s == '\0') return -1;
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || v < 0) return -1;
        size_t best = 0, which = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t l = strlen(units[i].unit);
            if (strncmp(end, units[i].unit, l) == 0 && l > best) best = l, which = i;
        }
        if (best == 0) return *end == '\0' && total == 0 ? (long long)(v * 1e9) : -1;
        total += v * units[which].ns;
        s = end + best;
    }
    return (long long)total;
}
