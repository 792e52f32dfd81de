/* Go template lexing: the text between "{{" and "}}" as tokens. Each token
 * records whether whitespace came before it, because Go's grammar depends on
 * it: ".A.B" is one field chain, ".A .B" two operands, "(x).F" a field of a
 * parenthesized pipeline. */
#include "cli/template_lex.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static int is_ident(int c)
{
    return isalnum(c) || c == '_';
}

static struct tpl_tok *push(struct tpl_lexer *l, enum tpl_tok_kind k, const char *s, size_t n,
                            int sp)
{
    if (l->ntoks == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->toks = md_xrealloc(l->toks, l->cap * sizeof(*l->toks));
    }
    struct tpl_tok *t = &l->toks[l->ntoks++];
    memset(t, 0, sizeof(*t));
    t->kind = k;
    t->s = s;
    t->n = n;
    t->sp = sp;
    return t;
}

static int lex_error(char **msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lex_error(char **msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(msg, fmt, ap) < 0) md_oom();
    va_end(ap);
    return -EINVAL;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void put_utf8(char *out, size_t *o, unsigned long cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xc0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xe0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        out[(*o)++] = (char)(0xf0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    }
}

/* one escape of a Go quoted string or char at *p (after the backslash) */
static int unescape(const char **p, char *out, size_t *o, char quote)
{
    static const char from[] = "abfnrtv\\", to[] = "\a\b\f\n\r\t\v\\";
    char c = *(*p)++;
    const char *k = c ? strchr(from, c) : NULL;
    if (k) {
        out[(*o)++] = to[k - from];
        return 0;
    }
    if (c == quote) {
        out[(*o)++] = c;
        return 0;
    }
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (digits) {
        unsigned long v = 0;
        for (int i = 0; i < digits; i++) {
            int h = hexval(*(*p)++);
            if (h < 0) return -1;
            v = v * 16 + (unsigned long)h;
        }
        if (c == 'x')
            out[(*o)++] = (char)v;
        else
            put_utf8(out, o, v);
        return 0;
    }
    if (c >= '0' && c <= '7' && (*p)[0] >= '0' && (*p)[0] <= '7' && (*p)[1] >= '0' &&
        (*p)[1] <= '7') {
        out[(*o)++] = (char)((c - '0') * 64 + ((*p)[0] - '0') * 8 + ((*p)[1] - '0'));
        *p += 2;
        return 0;
    }
    return -1;
}

static int lex_quoted(struct tpl_lexer *l, const char **pp, int sp, char **msg)
{
    const char *start = *pp, *p = start + 1;
    char q = *start;
    size_t cap = strlen(p) + 1, o = 0;
    char *out = md_xmalloc(cap);
    while (*p != q) {
        if (*p == '\0' || (*p == '\n' && q != '`')) {
            free(out);
            return lex_error(msg, "unterminated %s",
                             q == '\'' ? "character constant" : "quoted string");
        }
        if (*p == '\\' && q != '`') {
            p++;
            if (unescape(&p, out, &o, q) < 0) {
                free(out);
                return lex_error(msg, "%s", "invalid syntax");
            }
        } else {
            out[o++] = *p++;
        }
    }
    p++;
    out[o] = '\0';
    struct tpl_tok *t = push(l, q == '\'' ? TK_CHAR : TK_STRING, start, (size_t)(p - start), sp);
    t->str = out;
    t->slen = o;
    if (q == '\'') {
        /* the rune's value: decode the (at most 4-byte) UTF-8 sequence */
        const unsigned char *u = (const unsigned char *)out;
        if (o == 0 || o > 4) return lex_error(msg, "%s", "malformed character constant");
        unsigned long v = u[0];
        if (o > 1) v = u[0] & (0xffu >> (o + 1));
        for (size_t i = 1; i < o; i++)
            v = (v << 6) | (u[i] & 0x3f);
        t->num = (long long)v;
    }
    *pp = p;
    return 0;
}

static int lex_number(struct tpl_lexer *l, const char **pp, int sp, char **msg)
{
    const char *s = *pp, *p = s;
    if (*p == '-' || *p == '+') p++;
    int hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    while (is_ident((unsigned char)*p) || *p == '.' ||
           ((*p == '-' || *p == '+') && !hex && (p[-1] == 'e' || p[-1] == 'E')))
        p++;
    cleanup_free char *txt = md_xstrndup(s, (size_t)(p - s));
    char *clean = txt, *w = txt;
    for (char *r = txt; *r; r++)
        if (*r != '_') *w++ = *r;
    *w = '\0';
    struct tpl_tok *t = push(l, TK_NUMBER, s, (size_t)(p - s), sp);
    char *end;
    errno = 0;
    t->num = strtoll(clean, &end, 0);
    if (*end == '\0' && errno == 0) {
        *pp = p;
        return 0;
    }
    t->isfloat = 1;
    errno = 0;
    t->fnum = strtod(clean, &end);
    if (*end != '\0' || errno || hex) return lex_error(msg, "bad number syntax: \"%s\"", txt);
    *pp = p;
    return 0;
}

static int lex_word(struct tpl_lexer *l, const char **pp, int sp, char **msg)
{
    const char *p = *pp, *s = p;
    enum tpl_tok_kind k = TK_IDENT;
    if (*p == '$') {
        k = TK_VAR;
        p++;
    } else if (*p == '.') {
        p++;
        if (!is_ident((unsigned char)*p)) {
            if (*p == '.') return lex_error(msg, "%s", "unexpected . after term \".\"");
            push(l, TK_DOT, s, 1, sp);
            *pp = p;
            return 0;
        }
        k = TK_FIELD;
        s = p;
    }
    while (is_ident((unsigned char)*p))
        p++;
    push(l, k, s, (size_t)(p - s), sp);
    *pp = p;
    return 0;
}

/* whitespace, counting lines */
static int skip_space(struct tpl_lexer *l, const char **pp)
{
    const char *p = *pp;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        if (*p++ == '\n') l->line++;
    int sp = p != *pp;
    *pp = p;
    return sp;
}

static int lex_one(struct tpl_lexer *l, const char **pp, int sp, char **msg)
{
    const char *p = *pp;
    char c = *p;
    static const char simple[] = "()|,=";
    static const enum tpl_tok_kind kinds[] = {TK_LPAREN, TK_RPAREN, TK_PIPE, TK_COMMA, TK_ASSIGN};
    const char *k = strchr(simple, c);
    if (c && k) {
        push(l, kinds[k - simple], p, 1, sp);
        *pp = p + 1;
        return 0;
    }
    if (c == ':') {
        if (p[1] != '=') return lex_error(msg, "%s", "expected :=");
        push(l, TK_DECLARE, p, 2, sp);
        *pp = p + 2;
        return 0;
    }
    if (c == '"' || c == '`' || c == '\'') return lex_quoted(l, pp, sp, msg);
    if (isdigit((unsigned char)c) || ((c == '-' || c == '+') && isdigit((unsigned char)p[1])) ||
        (c == '.' && isdigit((unsigned char)p[1])))
        return lex_number(l, pp, sp, msg);
    if (c == '$' || c == '.' || is_ident((unsigned char)c)) return lex_word(l, pp, sp, msg);
    char ch[2] = {c, 0};
    return lex_error(msg, "unrecognized character in action: '%s'", ch);
}

void tpl_lexer_reset(struct tpl_lexer *l)
{
    for (size_t i = 0; i < l->ntoks; i++)
        free(l->toks[i].str);
    l->ntoks = 0;
    l->trim_right = 0;
}

int tpl_lex_action(struct tpl_lexer *l, const char **pp, char **msg)
{
    const char *p = *pp;
    tpl_lexer_reset(l);
    for (;;) {
        int sp = skip_space(l, &p);
        if (sp && p[0] == '-' && p[1] == '}' && p[2] == '}') {
            l->trim_right = 1;
            p += 3;
            break;
        }
        if (p[0] == '}' && p[1] == '}') {
            p += 2;
            break;
        }
        if (*p == '\0') return lex_error(msg, "%s", "unclosed action");
        if (lex_one(l, &p, sp, msg) < 0) return -EINVAL;
    }
    push(l, TK_END, p, 0, 1);
    *pp = p;
    return 0;
}
