/* `import -c` / `commit -c`: Dockerfile instructions applied to an image's
 * container config. The word rules follow the Dockerfile's: JSON (exec) form or
 * shell form for CMD/ENTRYPOINT/VOLUME, quotes and backslashes, and $VAR /
 * ${VAR} taken from the config's Env for every instruction but CMD/ENTRYPOINT. */
#include "changes.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

struct changes {
    json_object *cfg;
    int cmd_set;       /* a CMD came before: ENTRYPOINT keeps it, as in a Dockerfile */
    char *const *args; /* a build's ARG values ("K=V"), seen after the config's Env */
};

/* ---- words ---- */

/* Split on unquoted blanks, keeping quotes and backslashes for unquote(). */
static int split_words(const char *s, char ***out)
{
    char **v = calloc(1, sizeof(char *));
    cleanup_free char *w = malloc(strlen(s) + 1);
    if (v == NULL || w == NULL) {
        free(v);
        return -ENOMEM;
    }
    size_t n = 0;
    char quote = 0;
    for (const char *p = s;; p++) {
        if (*p == '\0' || (!quote && isspace((unsigned char)*p))) {
            w[n] = '\0';
            if (n && md_strv_append(&v, w) < 0) {
                md_strv_free(v);
                return -ENOMEM;
            }
            n = 0;
            if (*p == '\0') break;
            continue;
        }
        if (*p == '\\' && quote != '\'' && p[1]) {
            w[n++] = *p++;
        } else if (quote && *p == quote) {
            quote = 0;
        } else if (!quote && (*p == '"' || *p == '\'')) {
            quote = *p;
        }
        w[n++] = *p;
    }
    *out = v;
    return 0;
}

static const char *kv_get(const char *e, const char *name, size_t len)
{
    return e && strncmp(e, name, len) == 0 && e[len] == '=' ? e + len + 1 : NULL;
}

/* ENV always wins over an ARG of the same name (docker's rule) */
static const char *var_get(const struct changes *c, const char *name, size_t len)
{
    json_object *env;
    if (json_object_object_get_ex(c->cfg, "Env", &env))
        for (size_t i = 0; i < json_object_array_length(env); i++) {
            const char *v =
                kv_get(json_object_get_string(json_object_array_get_idx(env, i)), name, len);
            if (v) return v;
        }
    for (char *const *a = c->args; a && *a; a++)
        if (kv_get(*a, name, len)) return kv_get(*a, name, len);
    return NULL;
}

static char *unquote(const char *w, const struct changes *c);

/* ${NAME:-word} ${NAME-word} ${NAME:+word} ${NAME+word}: word is itself expanded */
static size_t expand_modifier(FILE *o, const char *mod, const char *val, const struct changes *c)
{
    int colon = *mod == ':';
    char op = mod[colon];
    const char *end = strchr(mod, '}');
    if (end == NULL || (op != '-' && op != '+')) return 0;
    cleanup_free char *word = strndup(mod + colon + 1, (size_t)(end - mod - colon - 1));
    int set = val != NULL && (!colon || *val);
    cleanup_free char *w = word ? unquote(word, c) : NULL;
    if (op == '-') fputs(set ? val : w ? w : "", o);
    if (op == '+' && set) fputs(w ? w : "", o);
    return (size_t)(end - mod) + 1;
}

/* $NAME or ${NAME} at p (just after '$'); returns chars consumed, 0 if not a variable. */
static size_t expand_var(FILE *o, const char *p, const struct changes *c)
{
    int braced = *p == '{';
    const char *name = p + braced;
    size_t len = 0;
    if (!isalpha((unsigned char)name[0]) && name[0] != '_') return 0;
    while (isalnum((unsigned char)name[len]) || name[len] == '_')
        len++;
    const char *val = var_get(c, name, len);
    if (braced && name[len] != '}') {
        size_t used = expand_modifier(o, name + len, val, c);
        return used ? 1 + len + used : 0;
    }
    if (val) fputs(val, o);
    return len + (braced ? 2 : 0);
}

/* Remove quotes, resolve backslashes, expand variables (c NULL: no expansion). */
static char *unquote(const char *w, const struct changes *c)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *o = open_memstream(&buf, &size);
    if (o == NULL) return NULL;
    char quote = 0;
    for (const char *p = w; *p; p++) {
        if (quote != '\'' && *p == '\\' && p[1]) {
            if (quote == '"' && !strchr("\"\\$`", p[1])) fputc('\\', o);
            fputc(*++p, o);
        } else if (quote && *p == quote) {
            quote = 0;
        } else if (!quote && (*p == '"' || *p == '\'')) {
            quote = *p;
        } else if (quote != '\'' && *p == '$' && c) {
            size_t used = expand_var(o, p + 1, c);
            if (used == 0) fputc('$', o);
            p += used;
        } else {
            fputc(*p, o);
        }
    }
    return fclose(o) == 0 ? buf : (free(buf), NULL);
}

/* JSON array of strings (exec form) or NULL when args is in shell form. */
static json_object *exec_form(const char *args)
{
    if (*args != '[') return NULL;
    json_object *a = json_tokener_parse(args);
    if (a == NULL || !json_object_is_type(a, json_type_array)) {
        json_object_put(a);
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string)) {
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}

static json_object *sub_object(json_object *cfg, const char *key)
{
    json_object *o;
    if (json_object_object_get_ex(cfg, key, &o) && json_object_is_type(o, json_type_object))
        return o;
    o = json_object_new_object();
    json_object_object_add(cfg, key, o);
    return o;
}

json_object *md_changes_shell_form(json_object *cfg, const char *cmd)
{
    json_object *a = json_object_new_array(), *shell = NULL;
    if (json_object_object_get_ex(cfg, "Shell", &shell) &&
        json_object_is_type(shell, json_type_array) && json_object_array_length(shell) > 0) {
        for (size_t i = 0; i < json_object_array_length(shell); i++)
            json_object_array_add(a, json_object_get(json_object_array_get_idx(shell, i)));
    } else {
        json_object_array_add(a, json_object_new_string("/bin/sh"));
        json_object_array_add(a, json_object_new_string("-c"));
    }
    json_object_array_add(a, json_object_new_string(cmd));
    return a;
}

/* ---- instructions ---- */

static int do_cmd_like(struct changes *c, const char *key, const char *args, md_error_t **err)
{
    json_object *a = exec_form(args);
    if (a == NULL) a = md_changes_shell_form(c->cfg, args);
    json_object_object_add(c->cfg, key, a);
    return 0;
}

static int do_cmd(struct changes *c, const char *args, md_error_t **err)
{
    c->cmd_set = 1;
    return do_cmd_like(c, "Cmd", args, err);
}

static int do_entrypoint(struct changes *c, const char *args, md_error_t **err)
{
    if (!c->cmd_set) json_object_object_del(c->cfg, "Cmd");
    return do_cmd_like(c, "Entrypoint", args, err);
}

static int set_env(struct changes *c, const char *key, const char *val)
{
    json_object *env;
    if (!json_object_object_get_ex(c->cfg, "Env", &env) ||
        !json_object_is_type(env, json_type_array)) {
        env = json_object_new_array();
        json_object_object_add(c->cfg, "Env", env);
    }
    cleanup_free char *kv = NULL;
    if (asprintf(&kv, "%s=%s", key, val) < 0) return -ENOMEM;
    size_t klen = strlen(key);
    for (size_t i = 0; i < json_object_array_length(env); i++) {
        const char *e = json_object_get_string(json_object_array_get_idx(env, i));
        if (e && strncmp(e, key, klen) == 0 && e[klen] == '=')
            return json_object_array_put_idx(env, i, json_object_new_string(kv));
    }
    return json_object_array_add(env, json_object_new_string(kv));
}

static int set_label(struct changes *c, const char *key, const char *val)
{
    return json_object_object_add(sub_object(c->cfg, "Labels"), key, json_object_new_string(val));
}

typedef int (*kv_setter)(struct changes *c, const char *key, const char *val);

/* ENV and LABEL: "k=v k2=v2" or the legacy "k value with spaces". */
static int do_pairs(struct changes *c, const char *what, const char *args, kv_setter set,
                    md_error_t **err)
{
    cleanup_strv char **words = NULL;
    if (split_words(args, &words) < 0) return md_error(err, ENOMEM, "%s", what);
    if (words[0] == NULL) return md_error(err, 0, "%s requires at least one argument", what);
    if (strchr(words[0], '=') == NULL) {
        const char *rest = args + strlen(words[0]);
        while (isspace((unsigned char)*rest))
            rest++;
        if (*rest == '\0') return md_error(err, 0, "%s must have two arguments", what);
        cleanup_free char *k = unquote(words[0], c), *v = unquote(rest, c);
        return k && v && set(c, k, v) == 0 ? 0 : md_error(err, ENOMEM, "%s", what);
    }
    /* every word is read before any is set: "ENV abc=bye def=$abc" takes the old $abc */
    cleanup_strv char **kvs = md_strv_dup(NULL);
    for (size_t i = 0; words[i]; i++) {
        cleanup_free char *kv = unquote(words[i], c);
        char *eq = kv ? strchr(kv, '=') : NULL;
        if (kv == NULL) return md_error(err, ENOMEM, "%s", what);
        if (eq == NULL || eq == kv)
            return md_error(
                err, 0, "Syntax error - can't find = in \"%s\". Must be of the form: name=value",
                words[i]);
        md_strv_append(&kvs, kv);
    }
    for (size_t i = 0; kvs[i]; i++) {
        char *eq = strchr(kvs[i], '=');
        *eq = '\0';
        if (set(c, kvs[i], eq + 1) < 0) return md_error(err, ENOMEM, "%s", what);
    }
    return 0;
}

static int do_env(struct changes *c, const char *args, md_error_t **err)
{
    return do_pairs(c, "ENV", args, set_env, err);
}

static int do_label(struct changes *c, const char *args, md_error_t **err)
{
    return do_pairs(c, "LABEL", args, set_label, err);
}

static int set_string(struct changes *c, const char *key, const char *what, const char *args,
                      char **value, md_error_t **err)
{
    cleanup_free char *v = unquote(args, c);
    if (v == NULL) return md_error(err, ENOMEM, "%s", what);
    if (*v == '\0') return md_error(err, 0, "%s requires exactly one argument", what);
    json_object_object_add(c->cfg, key, json_object_new_string(v));
    if (value) *value = md_steal_ptr(&v);
    return 0;
}

static int do_user(struct changes *c, const char *args, md_error_t **err)
{
    return set_string(c, "User", "USER", args, NULL, err);
}

static int do_workdir(struct changes *c, const char *args, md_error_t **err)
{
    json_object *old;
    cleanup_free char *prev = NULL, *dir = NULL;
    if (json_object_object_get_ex(c->cfg, "WorkingDir", &old))
        prev = json_object_get_string(old) ? strdup(json_object_get_string(old)) : NULL;
    int r = set_string(c, "WorkingDir", "WORKDIR", args, &dir, err);
    if (r < 0 || dir[0] == '/') return r;
    /* relative: below the previous WORKDIR, as docker's normalizeWorkdir does */
    cleanup_free char *joined = NULL;
    const char *base = prev && *prev ? prev : "/";
    size_t bl = strlen(base);
    if (asprintf(&joined, "%s%s%s", base, base[bl - 1] == '/' ? "" : "/", dir) < 0)
        return md_error(err, ENOMEM, "WORKDIR");
    json_object_object_add(c->cfg, "WorkingDir", json_object_new_string(joined));
    return 0;
}

static int parse_port(const char *s, long *out, const char **end)
{
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (e == s || errno || v < 0 || v > 65535) return -1;
    *out = v;
    *end = e;
    return 0;
}

/* "80", "80/udp", "8000-8002/tcp" -> ExposedPorts keys "80/tcp", ... */
static int expose_one(struct changes *c, const char *spec, md_error_t **err)
{
    long lo, hi;
    const char *p;
    if (parse_port(spec, &lo, &p) < 0) return md_error(err, 0, "invalid containerPort: %s", spec);
    hi = lo;
    if (*p == '-' && (parse_port(p + 1, &hi, &p) < 0 || hi < lo))
        return md_error(err, 0, "invalid range format for --expose: %s", spec);
    const char *proto = "tcp";
    if (*p == '/') {
        proto = p + 1;
        if (strcasecmp(proto, "tcp") && strcasecmp(proto, "udp") && strcasecmp(proto, "sctp"))
            return md_error(err, 0, "invalid proto: %s", proto);
    } else if (*p) {
        return md_error(err, 0, "invalid containerPort: %s", spec);
    }
    json_object *ports = sub_object(c->cfg, "ExposedPorts");
    for (long port = lo; port <= hi; port++) {
        char key[32];
        snprintf(key, sizeof(key), "%ld/%s", port, proto);
        for (char *k = key; *k; k++)
            *k = (char)tolower((unsigned char)*k);
        json_object_object_add(ports, key, json_object_new_object());
    }
    return 0;
}

static int do_expose(struct changes *c, const char *args, md_error_t **err)
{
    cleanup_strv char **words = NULL;
    if (split_words(args, &words) < 0) return md_error(err, ENOMEM, "EXPOSE");
    if (words[0] == NULL) return md_error(err, 0, "EXPOSE requires at least one argument");
    for (size_t i = 0; words[i]; i++) {
        cleanup_free char *w = unquote(words[i], c);
        if (w == NULL) return md_error(err, ENOMEM, "EXPOSE");
        int r = expose_one(c, w, err);
        if (r < 0) return r;
    }
    return 0;
}

static int add_volume(struct changes *c, const char *v, md_error_t **err)
{
    if (*v == '\0') return md_error(err, 0, "VOLUME specified can not be an empty string");
    json_object_object_add(sub_object(c->cfg, "Volumes"), v, json_object_new_object());
    return 0;
}

static int do_volume(struct changes *c, const char *args, md_error_t **err)
{
    json_object *a = exec_form(args);
    int r = 0;
    if (a) {
        for (size_t i = 0; r == 0 && i < json_object_array_length(a); i++)
            r = add_volume(c, json_object_get_string(json_object_array_get_idx(a, i)), err);
        json_object_put(a);
        return r;
    }
    cleanup_strv char **words = NULL;
    if (split_words(args, &words) < 0) return md_error(err, ENOMEM, "VOLUME");
    if (words[0] == NULL) return md_error(err, 0, "VOLUME requires at least one argument");
    for (size_t i = 0; r == 0 && words[i]; i++) {
        cleanup_free char *w = unquote(words[i], c);
        r = w ? add_volume(c, w, err) : md_error(err, ENOMEM, "VOLUME");
    }
    return r;
}

static int valid_signal(const char *s)
{
    if (isdigit((unsigned char)*s)) {
        char *end;
        long n = strtol(s, &end, 10);
        return *end == '\0' && n > 0 && n <= SIGRTMAX;
    }
    if (strncasecmp(s, "SIG", 3) == 0) s += 3;
    for (int n = 1; n < NSIG; n++) {
        const char *abbrev = sigabbrev_np(n);
        if (abbrev && strcasecmp(s, abbrev) == 0) return 1;
    }
    return strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0;
}

static int do_stopsignal(struct changes *c, const char *args, md_error_t **err)
{
    cleanup_free char *sig = unquote(args, c);
    if (sig == NULL) return md_error(err, ENOMEM, "STOPSIGNAL");
    if (!valid_signal(sig)) return md_error(err, 0, "Invalid signal: %s", sig);
    json_object_object_add(c->cfg, "StopSignal", json_object_new_string(sig));
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(struct changes *c, const char *args, md_error_t **err);
} instructions[] = {
    {"CMD", do_cmd},       {"ENTRYPOINT", do_entrypoint}, {"ENV", do_env},
    {"EXPOSE", do_expose}, {"LABEL", do_label},           {"STOPSIGNAL", do_stopsignal},
    {"USER", do_user},     {"VOLUME", do_volume},         {"WORKDIR", do_workdir},
};

static int apply_one(struct changes *c, const char *line, md_error_t **err)
{
    while (isspace((unsigned char)*line))
        line++;
    size_t n = strcspn(line, " \t\r\n");
    if (n == 0) return 0;
    cleanup_free char *args = strdup(line + n + strspn(line + n, " \t\r\n"));
    if (args == NULL) return md_error(err, ENOMEM, "change");
    for (size_t len = strlen(args); len && isspace((unsigned char)args[len - 1]);)
        args[--len] = '\0';
    for (size_t i = 0; i < sizeof(instructions) / sizeof(instructions[0]); i++)
        if (strlen(instructions[i].name) == n && strncasecmp(line, instructions[i].name, n) == 0)
            return instructions[i].fn(c, args, err);
    cleanup_free char *lower = strndup(line, n);
    for (char *p = lower; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return md_error(err, 0, "%s is not a valid change command", lower ? lower : "?");
}

int md_changes_apply_one(json_object *cfg, const char *line, struct md_changes_ctx *ctx,
                         md_error_t **err)
{
    struct changes c = {.cfg = cfg, .cmd_set = ctx->cmd_set, .args = ctx->args};
    int r = apply_one(&c, line, err);
    ctx->cmd_set = c.cmd_set;
    return r;
}

int md_changes_words(const char *s, json_object *cfg, char *const *args, char ***out,
                     md_error_t **err)
{
    struct changes c = {.cfg = cfg, .args = args};
    cleanup_strv char **words = NULL;
    *out = NULL;
    if (split_words(s, &words) < 0) return md_error(err, ENOMEM, "words");
    char **v = md_strv_dup(NULL);
    for (size_t i = 0; words[i]; i++) {
        cleanup_free char *w = unquote(words[i], &c);
        if (w == NULL) {
            md_strv_free(v);
            return md_error(err, ENOMEM, "words");
        }
        md_strv_append(&v, w);
    }
    *out = v;
    return 0;
}

char *md_changes_expand(const char *s, json_object *cfg, char *const *args)
{
    struct changes c = {.cfg = cfg, .args = args};
    return unquote(s, &c);
}

int md_changes_apply(json_object *cfg, char *const *changes, md_error_t **err)
{
    struct changes c = {.cfg = cfg};
    for (size_t i = 0; changes && changes[i]; i++) {
        int r = apply_one(&c, changes[i], err);
        if (r < 0) return r;
    }
    return 0;
}
