/* Go template parsing: text and actions into a tree (template_int.h).
 * Follows Go's text/template/parse: trim markers "{{- " and " -}}",
 * comments, if/else if/else, range (with break/continue), with/else with,
 * variables checked at parse time, functions checked at parse time. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template_int.h"
#include "cli/template_lex.h"
#include "util/xalloc.h"

enum end_kind { END_EOF, END_END, END_ELSE };

struct parser {
    const char *p;
    struct tpl_lexer lex;
    size_t pos;  /* next token of the current action */
    char **vars; /* variables in scope */
    size_t nvars, vcap;
    int range_depth;
    int act_line, act_col;
    const char *act_src;
    size_t act_len;
    const char *text_start, *line_start;
    char *msg; /* Go's message, without "template: :N: " */
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(p->msg);
    if (vasprintf(&p->msg, fmt, ap) < 0) md_oom();
    va_end(ap);
    return -EINVAL;
}

static struct tpl_tok *tok(struct parser *p)
{
    return &p->lex.toks[p->pos];
}

static int tok_is(struct parser *p, size_t at, enum tpl_tok_kind k)
{
    return p->pos + at < p->lex.ntoks && p->lex.toks[p->pos + at].kind == k;
}

static int ident_is(struct parser *p, const char *word)
{
    struct tpl_tok *t = tok(p);
    return t->kind == TK_IDENT && t->n == strlen(word) && strncmp(t->s, word, t->n) == 0;
}

static char *tok_text(const struct tpl_tok *t)
{
    return md_xstrndup(t->s, t->n);
}

static void var_push(struct parser *p, char *name)
{
    if (p->nvars == p->vcap) {
        p->vcap = p->vcap ? 2 * p->vcap : 8;
        p->vars = md_xrealloc(p->vars, p->vcap * sizeof(char *));
    }
    p->vars[p->nvars++] = name;
}

static int var_known(struct parser *p, const char *name)
{
    for (size_t i = p->nvars; i-- > 0;)
        if (strcmp(p->vars[i], name) == 0) return 1;
    return 0;
}

static int parse_pipe(struct parser *p, int decl, enum tpl_tok_kind stop, struct tpl_pipe **out);

static void add_field(struct tpl_arg *a, const struct tpl_tok *t)
{
    a->fields = md_xrealloc(a->fields, (a->nfields + 1) * sizeof(char *));
    a->fields[a->nfields++] = tok_text(t);
}

static int parse_word(struct parser *p, struct tpl_tok *t, struct tpl_arg *a)
{
    cleanup_free char *w = tok_text(t);
    if (strcmp(w, "true") == 0 || strcmp(w, "false") == 0) {
        a->kind = TA_BOOL;
        a->i = w[0] == 't';
    } else if (strcmp(w, "nil") == 0) {
        a->kind = TA_NIL;
    } else if (tpl_func_known(w)) {
        a->kind = TA_FUNC;
        a->name = md_xstrdup(w);
    } else {
        return perr(p, "function \"%s\" not defined", w);
    }
    return 0;
}

static int parse_term(struct parser *p, struct tpl_arg *a)
{
    struct tpl_tok *t = tok(p);
    p->pos++;
    switch (t->kind) {
    case TK_FIELD:
        a->kind = TA_DOT;
        add_field(a, t);
        return 0;
    case TK_DOT:
        a->kind = TA_DOT;
        return 0;
    case TK_VAR:
        a->kind = TA_VAR;
        a->name = tok_text(t);
        if (!var_known(p, a->name)) return perr(p, "undefined variable \"%s\"", a->name);
        return 0;
    case TK_IDENT:
        return parse_word(p, t, a);
    case TK_STRING:
        a->kind = TA_STRING;
        a->name = md_xmalloc(t->slen + 1);
        memcpy(a->name, t->str, t->slen + 1);
        a->len = t->slen;
        return 0;
    case TK_CHAR:
    case TK_NUMBER:
        a->kind = t->isfloat ? TA_FLOAT : TA_INT;
        a->i = t->num;
        a->d = t->fnum;
        return 0;
    case TK_LPAREN:
        a->kind = TA_PIPE;
        if (parse_pipe(p, 0, TK_RPAREN, &a->pipe) < 0) return -EINVAL;
        if (!tok_is(p, 0, TK_RPAREN)) return perr(p, "unclosed left paren");
        p->pos++;
        return 0;
    default:
        break;
    }
    if (t->kind == TK_END) return perr(p, "missing value for command");
    return perr(p, "unexpected \"%.*s\" in operand", (int)t->n, t->s);
}

static int parse_operand(struct parser *p, struct tpl_arg *a)
{
    if (parse_term(p, a) < 0) return -EINVAL;
    while (tok_is(p, 0, TK_FIELD) && !tok(p)->sp) {
        if (a->kind != TA_DOT && a->kind != TA_VAR && a->kind != TA_PIPE)
            return perr(p, "unexpected . after term");
        add_field(a, tok(p));
        p->pos++;
    }
    return 0;
}

static int cmd_over(struct parser *p, enum tpl_tok_kind stop)
{
    return tok_is(p, 0, TK_PIPE) || tok_is(p, 0, stop) || tok_is(p, 0, TK_END);
}

static int parse_cmd(struct parser *p, enum tpl_tok_kind stop, struct tpl_cmd *c)
{
    while (!cmd_over(p, stop)) {
        c->args = md_xrealloc(c->args, (c->nargs + 1) * sizeof(*c->args));
        struct tpl_arg *a = &c->args[c->nargs++];
        memset(a, 0, sizeof(*a));
        if (parse_operand(p, a) < 0) return -EINVAL;
        if (c->nargs == 1 && a->kind == TA_NIL && cmd_over(p, stop))
            return perr(p, "nil is not a command");
    }
    if (c->nargs == 0) return perr(p, "missing value for command");
    return 0;
}

/* "$x :=", "$x =", "$i, $e :=" */
static int parse_decl(struct parser *p, struct tpl_pipe *pp)
{
    size_t n = 0;
    if (tok_is(p, 0, TK_VAR) && (tok_is(p, 1, TK_DECLARE) || tok_is(p, 1, TK_ASSIGN)))
        n = 1;
    else if (tok_is(p, 0, TK_VAR) && tok_is(p, 1, TK_COMMA) && tok_is(p, 2, TK_VAR) &&
             (tok_is(p, 3, TK_DECLARE) || tok_is(p, 3, TK_ASSIGN)))
        n = 2;
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        pp->vars[pp->nvars++] = tok_text(&p->lex.toks[p->pos + 2 * i]);
    p->pos += 2 * n - 1;
    pp->assign = tok(p)->kind == TK_ASSIGN;
    p->pos++;
    for (size_t i = 0; i < n; i++) {
        if (!pp->assign)
            var_push(p, md_xstrdup(pp->vars[i]));
        else if (!var_known(p, pp->vars[i]))
            return perr(p, "undefined variable \"%s\"", pp->vars[i]);
    }
    return 0;
}

static int parse_pipe(struct parser *p, int decl, enum tpl_tok_kind stop, struct tpl_pipe **out)
{
    struct tpl_pipe *pp = md_xcalloc(1, sizeof(*pp));
    *out = pp;
    pp->line = p->act_line;
    pp->col = p->act_col;
    pp->src = md_xstrndup(p->act_src, p->act_len);
    if (decl && parse_decl(p, pp) < 0) return -EINVAL;
    for (;;) {
        pp->cmds = md_xrealloc(pp->cmds, (pp->ncmds + 1) * sizeof(*pp->cmds));
        struct tpl_cmd *c = &pp->cmds[pp->ncmds++];
        memset(c, 0, sizeof(*c));
        if (parse_cmd(p, stop, c) < 0) return -EINVAL;
        if (!tok_is(p, 0, TK_PIPE)) break;
        p->pos++;
    }
    if (stop == TK_RPAREN && tok_is(p, 0, TK_END)) return perr(p, "unclosed left paren");
    if (!tok_is(p, 0, stop))
        return perr(p, "unexpected \"%.*s\" in %s", (int)tok(p)->n, tok(p)->s,
                    stop == TK_RPAREN ? "parenthesized pipeline" : "command");
    return 0;
}

static struct tpl_node *node_add(struct tpl_list *l, enum tpl_node_kind k)
{
    struct tpl_node *n = md_xcalloc(1, sizeof(*n));
    n->kind = k;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
    return n;
}

static int parse_list(struct parser *p, struct tpl_list *l, enum end_kind *end);
static int parse_control(struct parser *p, struct tpl_node *n);

static int expect_end_of_action(struct parser *p, const char *what)
{
    if (tok_is(p, 0, TK_END)) return 0;
    return perr(p, "unexpected \"%.*s\" in %s", (int)tok(p)->n, tok(p)->s, what);
}

/* else branch of n: "else", "else if ...", "else with ..." */
static int parse_else(struct parser *p, struct tpl_node *n)
{
    const char *again = n->kind == TN_IF ? "if" : n->kind == TN_WITH ? "with" : NULL;
    if (again && ident_is(p, again)) {
        p->pos++;
        return parse_control(p, node_add(&n->alt, n->kind));
    }
    if (expect_end_of_action(p, "else") < 0) return -EINVAL;
    enum end_kind end;
    if (parse_list(p, &n->alt, &end) < 0) return -EINVAL;
    if (end == END_EOF) return perr(p, "unexpected EOF");
    if (end == END_ELSE) return perr(p, "expected end; found {{else}}");
    return 0;
}

/* the pipeline after if/range/with (tokens at p->pos), the body, else, end */
static int parse_control(struct parser *p, struct tpl_node *n)
{
    size_t mark = p->nvars;
    int r = parse_pipe(p, 1, TK_END, &n->pipe);
    if (r == 0 && n->pipe->nvars == 2 && n->kind != TN_RANGE)
        r = perr(p, "too many declarations in command");
    enum end_kind end = END_EOF;
    if (n->kind == TN_RANGE) p->range_depth++;
    if (r == 0) r = parse_list(p, &n->body, &end);
    if (n->kind == TN_RANGE) p->range_depth--;
    if (r == 0 && end == END_EOF) r = perr(p, "unexpected EOF");
    if (r == 0 && end == END_ELSE) r = parse_else(p, n);
    while (p->nvars > mark)
        free(p->vars[--p->nvars]);
    return r;
}

static int keyword(struct parser *p, struct tpl_list *l, enum end_kind *end, int *done)
{
    static const char *const words[] = {"end", "else", "if", "range", "with", "break", "continue"};
    static const enum tpl_node_kind kinds[] = {0,       0,        TN_IF,      TN_RANGE,
                                               TN_WITH, TN_BREAK, TN_CONTINUE};
    if (ident_is(p, "define") || ident_is(p, "template") || ident_is(p, "block"))
        return perr(p, "{{%.*s}} is not supported", (int)tok(p)->n, tok(p)->s);
    for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
        if (!ident_is(p, words[i])) continue;
        p->pos++;
        *done = 1;
        if (i < 2) {
            *end = i == 0 ? END_END : END_ELSE;
            return i == 0 ? expect_end_of_action(p, "end") : 0;
        }
        struct tpl_node *n = node_add(l, kinds[i]);
        if (kinds[i] == TN_IF || kinds[i] == TN_RANGE || kinds[i] == TN_WITH)
            return parse_control(p, n);
        if (p->range_depth == 0) return perr(p, "{{%s}} outside {{range}}", words[i]);
        return expect_end_of_action(p, words[i]);
    }
    return 0;
}

static void add_text(struct tpl_list *l, const char *s, size_t n)
{
    if (n == 0) return;
    struct tpl_node *t = node_add(l, TN_TEXT);
    t->text = md_xstrndup(s, n);
    t->len = n;
}

static void count_lines(struct parser *p, const char *s, const char *e)
{
    for (; s < e; s++)
        if (*s == '\n') {
            p->lex.line++;
            p->line_start = s + 1;
        }
}

/* a comment action, "{{/" "* ... *" "/}}", with optional trim markers; 1 when it was one */
static int comment(struct parser *p, int *trim_right)
{
    if (strncmp(p->p, "/*", 2) != 0) return 0;
    const char *e = strstr(p->p + 2, "*/");
    if (e == NULL) return perr(p, "unclosed comment");
    count_lines(p, p->p, e);
    e += 2;
    *trim_right = strncmp(e, " -}}", 4) == 0;
    if (!*trim_right && strncmp(e, "}}", 2) != 0)
        return perr(p, "comment ends before closing delimiter");
    p->p = e + (*trim_right ? 4 : 2);
    return 1;
}

static void skip_leading_space(struct parser *p)
{
    const char *s = p->p;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    count_lines(p, p->p, s);
    p->p = s;
}

/* text up to the next action, then the action; 1 when there was one */
static int next_action(struct parser *p, struct tpl_list *l)
{
    const char *open = strstr(p->p, "{{");
    const char *end = open ? open : p->p + strlen(p->p);
    int trim_left = open && open[2] == '-' &&
                    (open[3] == ' ' || open[3] == '\t' || open[3] == '\r' || open[3] == '\n');
    const char *te = end;
    if (trim_left)
        while (te > p->p && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r' || te[-1] == '\n'))
            te--;
    add_text(l, p->p, (size_t)(te - p->p));
    count_lines(p, p->p, end);
    if (open == NULL) {
        p->p = end;
        return 0;
    }
    p->act_line = p->lex.line;
    p->act_col = (int)(open - p->line_start) + 1;
    p->p = open + 2 + (trim_left ? 2 : 0);
    int trim_right = 0, r = comment(p, &trim_right);
    if (r < 0) return r;
    if (r == 0) {
        p->act_src = p->p;
        if (tpl_lex_action(&p->lex, &p->p, &p->msg) < 0) return -EINVAL;
        trim_right = p->lex.trim_right;
        p->act_len = (size_t)(p->lex.toks[p->lex.ntoks - 1].s - p->act_src);
        while (p->act_len > 0 && strchr(" -}", p->act_src[p->act_len - 1]))
            p->act_len--;
        p->pos = 0;
    }
    if (trim_right) skip_leading_space(p);
    return r == 0 ? 1 : 2; /* 2: a comment, nothing to parse */
}

static int parse_list(struct parser *p, struct tpl_list *l, enum end_kind *end)
{
    for (;;) {
        int r = next_action(p, l);
        if (r <= 0) {
            *end = END_EOF;
            return r;
        }
        if (r == 2) continue;
        int done = 0;
        if (keyword(p, l, end, &done) < 0) return -EINVAL;
        if (done) {
            if (*end == END_END || *end == END_ELSE) return 0;
            continue;
        }
        struct tpl_node *n = node_add(l, TN_ACTION);
        if (parse_pipe(p, 1, TK_END, &n->pipe) < 0) return -EINVAL;
    }
}

int md_template_parse(const char *text, struct md_template **out, md_error_t **err)
{
    struct parser p = {.p = text, .lex = {.line = 1}, .line_start = text};
    struct md_template *t = md_xcalloc(1, sizeof(*t));
    var_push(&p, md_xstrdup("$"));
    enum end_kind end = END_EOF;
    int r = parse_list(&p, &t->root, &end);
    if (r == 0 && end == END_END) r = perr(&p, "unexpected {{end}}");
    if (r == 0 && end == END_ELSE) r = perr(&p, "unexpected {{else}}");
    if (r < 0) {
        r = md_error(err, 0, "template: :%d: %s", p.lex.line, p.msg ? p.msg : "parse error");
        md_template_free(t);
    } else {
        *out = t;
    }
    tpl_lexer_reset(&p.lex);
    free(p.lex.toks);
    while (p.nvars > 0)
        free(p.vars[--p.nvars]);
    free(p.vars);
    free(p.msg);
    return r;
}

static void free_pipe(struct tpl_pipe *pp);

static void free_args(struct tpl_arg *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].name);
        for (size_t f = 0; f < a[i].nfields; f++)
            free(a[i].fields[f]);
        free(a[i].fields);
        free_pipe(a[i].pipe);
    }
    free(a);
}

static void free_pipe(struct tpl_pipe *pp)
{
    if (pp == NULL) return;
    for (size_t i = 0; i < pp->ncmds; i++)
        free_args(pp->cmds[i].args, pp->cmds[i].nargs);
    free(pp->cmds);
    free(pp->vars[0]);
    free(pp->vars[1]);
    free(pp->src);
    free(pp);
}

static void free_list(struct tpl_list *l)
{
    struct tpl_node *n = l->head;
    while (n) {
        struct tpl_node *next = n->next;
        free(n->text);
        free_pipe(n->pipe);
        free_list(&n->body);
        free_list(&n->alt);
        free(n);
        n = next;
    }
}

void md_template_free(struct md_template *t)
{
    if (t == NULL) return;
    free_list(&t->root);
    free(t);
}
