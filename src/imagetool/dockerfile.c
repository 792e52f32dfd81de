#include "imagetool/dockerfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct lines {
    char **v;
    size_t n, i;
};

static int is_blank(const char *s)
{
    return s[strspn(s, " \t\r")] == '\0';
}

static int is_comment(const char *s)
{
    return s[strspn(s, " \t")] == '#';
}

/* "# key=value" before anything else; docker ignores unknown keys (and stops looking) */
static void directives(struct lines *l, struct md_dockerfile *df)
{
    for (; l->i < l->n; l->i++) {
        const char *s = l->v[l->i];
        char key[16], val[64];
        if (sscanf(s, " # %15[a-zA-Z] = %63s", key, val) != 2) return;
        if (strcasecmp(key, "escape") == 0 && (!strcmp(val, "`") || !strcmp(val, "\\")))
            df->escape = val[0];
        else if (strcasecmp(key, "syntax") != 0 && strcasecmp(key, "check") != 0)
            return;
    }
}

/* trailing escape (blanks after it allowed, as docker's continuation regexp) */
static int continues(char *s, char escape)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n == 0 || s[n - 1] != escape) return 0;
    s[n - 1] = '\0';
    return 1;
}

/* One logical line from l->i on: continuations joined, comments and blanks inside dropped */
static char *logical_line(struct lines *l, char escape)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *o = open_memstream(&buf, &size);
    if (o == NULL) md_oom();
    int first = 1;
    while (l->i < l->n) {
        char *s = l->v[l->i++];
        if (!first && (is_comment(s) || is_blank(s))) continue;
        first = 0;
        int more = continues(s, escape);
        fputs(s, o);
        if (!more) break;
    }
    fclose(o);
    return buf;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t lead = strspn(s, " \t");
    memmove(s, s + lead, n - lead + 1);
}

/* leading "--name[=value]" words (not for ONBUILD: its flags are its trigger's) */
static void split_flags(struct md_df_instr *in, char *rest)
{
    in->flags = md_strv_dup(NULL);
    while (strcmp(in->cmd, "onbuild") != 0 && strncmp(rest, "--", 2) == 0 && rest[2] &&
           !isspace((unsigned char)rest[2])) {
        size_t n = strcspn(rest, " \t");
        cleanup_free char *f = strndup(rest, n);
        md_strv_append(&in->flags, f);
        rest += n;
        rest += strspn(rest, " \t");
    }
    in->args = md_xstrdup(rest);
}

static void make_text(struct md_df_instr *in)
{
    cleanup_free char *flags = md_strv_join(in->flags, " ");
    cleanup_free char *up = md_xstrdup(in->cmd);
    for (char *p = up; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    if (asprintf(&in->text, "%s%s%s%s%s", up, *flags ? " " : "", flags, *in->args ? " " : "",
                 in->args) < 0)
        md_oom();
}

int md_df_parse_line(const char *line, struct md_df_instr *out, md_error_t **err)
{
    *out = (struct md_df_instr){0};
    cleanup_free char *s = md_xstrdup(line);
    trim(s);
    size_t n = strcspn(s, " \t");
    if (n == 0) return md_error(err, 0, "empty instruction");
    out->cmd = strndup(s, n);
    if (out->cmd == NULL) md_oom();
    for (char *p = out->cmd; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    split_flags(out, s + n + strspn(s + n, " \t"));
    make_text(out);
    return 0;
}

void md_df_instr_clear(struct md_df_instr *in)
{
    for (size_t i = 0; i < in->n_heredocs; i++) {
        free(in->heredocs[i].name);
        free(in->heredocs[i].body);
        free(in->heredocs[i].token);
    }
    free(in->heredocs);
    free(in->cmd), free(in->args), free(in->text);
    md_strv_free(in->flags);
    *in = (struct md_df_instr){0};
}

/* "<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\"" at p; the word's length, 0 when not a marker */
static size_t heredoc_marker(const char *p, struct md_df_heredoc *h)
{
    if (strncmp(p, "<<", 2) != 0 || p[2] == '<') return 0;
    const char *q = p + 2;
    int strip = *q == '-';
    q += strip;
    char quote = *q == '\'' || *q == '"' ? *q : 0;
    q += quote != 0;
    size_t len = 0;
    while (isalnum((unsigned char)q[len]) || q[len] == '_')
        len++;
    if (len == 0 || (quote && q[len] != quote)) return 0;
    h->name = strndup(q, len);
    h->expand = !quote;
    h->strip_tabs = strip;
    size_t total = (size_t)(q - p) + len + (quote != 0);
    h->token = strndup(p, total);
    if (h->name == NULL || h->token == NULL) md_oom();
    return total;
}

static int heredoc_body(struct lines *l, struct md_df_heredoc *h, md_error_t **err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *o = open_memstream(&buf, &size);
    if (o == NULL) md_oom();
    int found = 0;
    while (l->i < l->n) {
        const char *s = l->v[l->i++];
        if (h->strip_tabs) s += strspn(s, "\t");
        if (strcmp(s, h->name) == 0) {
            found = 1;
            break;
        }
        fprintf(o, "%s\n", s);
    }
    fclose(o);
    h->body = buf;
    return found ? 0 : md_error(err, 0, "unterminated heredoc %s", h->name);
}

static int heredocs(struct lines *l, struct md_df_instr *in, md_error_t **err)
{
    if (strcmp(in->cmd, "run") && strcmp(in->cmd, "copy") && strcmp(in->cmd, "add")) return 0;
    for (const char *p = in->args; (p = strstr(p, "<<")) != NULL;) {
        struct md_df_heredoc h = {0};
        size_t m = heredoc_marker(p, &h);
        if (m == 0) {
            p += 2;
            continue;
        }
        p += m;
        in->heredocs = realloc(in->heredocs, (in->n_heredocs + 1) * sizeof(h));
        if (in->heredocs == NULL) md_oom();
        in->heredocs[in->n_heredocs++] = h;
        if (heredoc_body(l, &in->heredocs[in->n_heredocs - 1], err) < 0) return -1;
    }
    return 0;
}

static int known(const char *cmd)
{
    static const char *const names[] = {
        "from",    "run",        "cmd",         "label",  "maintainer", "expose",  "env",
        "add",     "copy",       "entrypoint",  "volume", "user",       "workdir", "arg",
        "onbuild", "stopsignal", "healthcheck", "shell",  NULL};
    for (const char *const *n = names; *n; n++)
        if (strcmp(*n, cmd) == 0) return 1;
    return 0;
}

static int add_instr(struct md_dockerfile *df, struct lines *l, md_error_t **err)
{
    int line = (int)l->i + 1;
    cleanup_free char *s = logical_line(l, df->escape);
    if (is_blank(s)) return 0;
    struct md_df_instr in;
    if (md_df_parse_line(s, &in, err) < 0) return -1;
    if (!known(in.cmd)) {
        md_df_instr_clear(&in);
        return md_error(err, 0, "dockerfile parse error on line %d: unknown instruction: %.*s",
                        line, (int)strcspn(s + strspn(s, " \t"), " \t"), s + strspn(s, " \t"));
    }
    in.line = line;
    df->v = realloc(df->v, (df->n + 1) * sizeof(in));
    if (df->v == NULL) md_oom();
    df->v[df->n++] = in;
    if (heredocs(l, &df->v[df->n - 1], err) < 0)
        return md_error_prefix(err, "dockerfile parse error on line %d", line);
    return 0;
}

int md_dockerfile_parse(const char *text, struct md_dockerfile *df, md_error_t **err)
{
    *df = (struct md_dockerfile){.escape = '\\'};
    cleanup_free char *copy = md_xstrdup(text);
    struct lines l = {.v = md_strv_dup(NULL)};
    for (char *p = copy, *nl; p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r') p[n - 1] = '\0';
        if (nl || *p) md_strv_append(&l.v, p);
    }
    l.n = md_strv_len(l.v);
    directives(&l, df);
    int r = 0;
    while (r == 0 && l.i < l.n) {
        if (is_blank(l.v[l.i]) || is_comment(l.v[l.i])) {
            l.i++;
            continue;
        }
        r = add_instr(df, &l, err);
    }
    md_strv_free(l.v);
    if (r == 0 && df->n == 0) r = md_error(err, 0, "the Dockerfile cannot be empty");
    if (r < 0) md_dockerfile_free(df);
    return r;
}

void md_dockerfile_free(struct md_dockerfile *df)
{
    for (size_t i = 0; i < df->n; i++)
        md_df_instr_clear(&df->v[i]);
    free(df->v);
    df->v = NULL;
    df->n = 0;
}
