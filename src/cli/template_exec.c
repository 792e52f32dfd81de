/* Go template execution over JSON data. Values are json-c references owned
 * by whoever holds them (NULL is Go's nil); objects behave as Go maps: a
 * missing key is the zero value, printed "<no value>", and range visits keys
 * in sorted order. */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template_int.h"
#include "util/xalloc.h"

enum { FLOW_NONE, FLOW_BREAK, FLOW_CONTINUE };
/* a template that nests ranges this deep is an attack, not a format */
enum { MAX_DEPTH = 1000 };
/* Go loops as long as asked; a format that counts past this only fills memory */
enum { MAX_RANGE = 1 << 20 };

struct var {
    const char *name;
    struct json_object *v;
};

struct exec {
    FILE *out;
    struct var *vars;
    size_t nvars, cap;
    const struct tpl_pipe *at;
    char *msg;
    int flow, depth;
};

static int xerr(struct exec *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int xerr(struct exec *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (e->msg == NULL && vasprintf(&e->msg, fmt, ap) < 0) md_oom();
    va_end(ap);
    return -EINVAL;
}

static void var_push(struct exec *e, const char *name, struct json_object *v)
{
    if (e->nvars == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 8;
        e->vars = md_xrealloc(e->vars, e->cap * sizeof(*e->vars));
    }
    e->vars[e->nvars].name = name;
    e->vars[e->nvars++].v = json_object_get(v);
}

static void var_pop(struct exec *e, size_t mark)
{
    while (e->nvars > mark)
        json_object_put(e->vars[--e->nvars].v);
}

static struct var *var_find(struct exec *e, const char *name)
{
    for (size_t i = e->nvars; i-- > 0;)
        if (strcmp(e->vars[i].name, name) == 0) return &e->vars[i];
    return NULL;
}

/* v (owned) followed through fields; a new reference or NULL in *out */
static int fields(struct exec *e, struct json_object *v, char **f, size_t n,
                  struct json_object **out)
{
    for (size_t i = 0; i < n; i++) {
        struct json_object *next = NULL;
        if (v == NULL) return xerr(e, "nil pointer evaluating interface {}.%s", f[i]);
        if (!json_object_is_type(v, json_type_object)) {
            int r = xerr(e, "can't evaluate field %s in type %s", f[i], tpl_type_name(v));
            json_object_put(v);
            return r;
        }
        json_object_object_get_ex(v, f[i], &next);
        json_object_get(next);
        json_object_put(v);
        v = next;
    }
    *out = v;
    return 0;
}

static int eval_pipe(struct exec *e, const struct tpl_pipe *pp, struct json_object *dot,
                     int declare, struct json_object **out);
static int call(struct exec *e, const struct tpl_cmd *c, struct json_object *dot, int has_final,
                struct json_object *final, struct json_object **out);

static int eval_arg(struct exec *e, const struct tpl_arg *a, struct json_object *dot,
                    struct json_object **out)
{
    struct json_object *v = NULL;
    const struct var *var;
    struct tpl_cmd alone = {(struct tpl_arg *)a, 1};
    switch (a->kind) {
    case TA_DOT:
        return fields(e, json_object_get(dot), a->fields, a->nfields, out);
    case TA_VAR:
        var = var_find(e, a->name);
        if (var == NULL) return xerr(e, "undefined variable: %s", a->name);
        return fields(e, json_object_get(var->v), a->fields, a->nfields, out);
    case TA_PIPE:
        if (eval_pipe(e, a->pipe, dot, 0, &v) < 0) return -EINVAL;
        return fields(e, v, a->fields, a->nfields, out);
    case TA_FUNC: /* a function as an argument is called without arguments */
        return call(e, &alone, dot, 0, NULL, out);
    case TA_STRING:
        *out = json_object_new_string_len(a->name, (int)a->len);
        return 0;
    case TA_INT:
        *out = json_object_new_int64(a->i);
        return 0;
    case TA_FLOAT:
        *out = json_object_new_double(a->d);
        return 0;
    case TA_BOOL:
        *out = json_object_new_boolean((json_bool)a->i);
        return 0;
    case TA_NIL:
        *out = NULL;
        return 0;
    }
    return xerr(e, "bad argument");
}

/* and/or: Go evaluates arguments only until the result is known */
static int and_or(struct exec *e, const struct tpl_cmd *c, struct json_object *dot, int has_final,
                  struct json_object *final, struct json_object **out)
{
    int is_and = strcmp(c->args[0].name, "and") == 0;
    size_t n = c->nargs - 1 + (has_final ? 1 : 0);
    if (n == 0)
        return xerr(e, "wrong number of args for %s: want at least 1 got 0", c->args[0].name);
    struct json_object *v = NULL;
    for (size_t i = 0; i < n; i++) {
        json_object_put(v);
        v = NULL;
        if (i + 1 < c->nargs) {
            if (eval_arg(e, &c->args[i + 1], dot, &v) < 0) return -EINVAL;
        } else {
            v = json_object_get(final);
        }
        if (tpl_truth(v) != is_and) break;
    }
    *out = v;
    return 0;
}

static int call(struct exec *e, const struct tpl_cmd *c, struct json_object *dot, int has_final,
                struct json_object *final, struct json_object **out)
{
    const char *name = c->args[0].name;
    if (strcmp(name, "and") == 0 || strcmp(name, "or") == 0)
        return and_or(e, c, dot, has_final, final, out);
    size_t argc = c->nargs - 1 + (has_final ? 1 : 0);
    struct json_object **argv = md_xcalloc(argc + 1, sizeof(*argv));
    int r = 0;
    for (size_t i = 1; i < c->nargs && r == 0; i++)
        r = eval_arg(e, &c->args[i], dot, &argv[i - 1]);
    if (has_final) argv[argc - 1] = json_object_get(final);
    char *msg = NULL;
    if (r == 0) r = tpl_func_call(name, argv, argc, out, &msg);
    if (msg) {
        /* -2: Go's own wording (argument counts); else a function's error */
        r = r == -2 ? xerr(e, "%s", msg) : xerr(e, "error calling %s: %s", name, msg);
        free(msg);
    }
    for (size_t i = 0; i < argc; i++)
        json_object_put(argv[i]);
    free(argv);
    return r < 0 ? -EINVAL : 0;
}

static int eval_cmd(struct exec *e, const struct tpl_cmd *c, struct json_object *dot, int has_final,
                    struct json_object *final, struct json_object **out)
{
    const struct tpl_arg *a = &c->args[0];
    if (a->kind == TA_FUNC) return call(e, c, dot, has_final, final, out);
    if (c->nargs > 1 || has_final) {
        const char *what = a->kind == TA_VAR ? a->name
                           : a->nfields      ? a->fields[a->nfields - 1]
                                             : ".";
        return xerr(e, "can't give argument to non-function %s%s",
                    a->kind == TA_DOT && a->nfields ? "." : "", what);
    }
    return eval_arg(e, a, dot, out);
}

static int eval_pipe(struct exec *e, const struct tpl_pipe *pp, struct json_object *dot,
                     int declare, struct json_object **out)
{
    const struct tpl_pipe *outer = e->at;
    e->at = pp;
    struct json_object *v = NULL;
    for (size_t i = 0; i < pp->ncmds; i++) {
        struct json_object *next = NULL;
        int r = eval_cmd(e, &pp->cmds[i], dot, i > 0, v, &next);
        json_object_put(v);
        if (r < 0) return r;
        v = next;
    }
    for (size_t i = 0; declare && i < pp->nvars; i++) {
        struct var *var = pp->assign ? var_find(e, pp->vars[i]) : NULL;
        if (var) {
            json_object_put(var->v);
            var->v = json_object_get(v);
        } else {
            var_push(e, pp->vars[i], v);
        }
    }
    e->at = outer;
    *out = v;
    return 0;
}

static int exec_list(struct exec *e, const struct tpl_list *l, struct json_object *dot);

/* one pass of a range body: $i, $e (or $e alone) set, dot the element */
static int iteration(struct exec *e, const struct tpl_node *n, struct json_object *key,
                     struct json_object *elem)
{
    size_t mark = e->nvars;
    const struct tpl_pipe *pp = n->pipe;
    if (pp->nvars == 1) var_push(e, pp->vars[0], elem);
    if (pp->nvars == 2) {
        var_push(e, pp->vars[0], key);
        var_push(e, pp->vars[1], elem);
    }
    int r = exec_list(e, &n->body, elem);
    var_pop(e, mark);
    return r;
}

/* FLOW_BREAK stops the loop: returns 1 */
static int after_iteration(struct exec *e)
{
    int stop = e->flow == FLOW_BREAK;
    e->flow = FLOW_NONE;
    return stop;
}

static int range_over(struct exec *e, const struct tpl_node *n, struct json_object *v,
                      size_t *count)
{
    int r = 0;
    if (json_object_is_type(v, json_type_array)) {
        size_t len = json_object_array_length(v);
        for (size_t i = 0; i < len && r == 0; i++, ++*count) {
            struct json_object *k = json_object_new_int64((int64_t)i);
            r = iteration(e, n, k, json_object_array_get_idx(v, i));
            json_object_put(k);
            if (r == 0 && after_iteration(e)) break;
        }
    } else if (json_object_is_type(v, json_type_object)) {
        size_t nk = 0;
        const char **keys = tpl_sorted_keys(v, &nk);
        for (size_t i = 0; i < nk && r == 0; i++, ++*count) {
            struct json_object *k = json_object_new_string(keys[i]), *elem = NULL;
            json_object_object_get_ex(v, keys[i], &elem);
            r = iteration(e, n, k, elem);
            json_object_put(k);
            if (r == 0 && after_iteration(e)) break;
        }
        free(keys);
    } else if (json_object_is_type(v, json_type_int)) {
        int64_t len = json_object_get_int64(v);
        if (len > MAX_RANGE)
            return xerr(e, "range over %lld: more than %d iterations", (long long)len, MAX_RANGE);
        for (int64_t i = 0; i < len && r == 0; i++, ++*count) {
            struct json_object *k = json_object_new_int64(i);
            r = iteration(e, n, k, k);
            json_object_put(k);
            if (r == 0 && after_iteration(e)) break;
        }
    } else if (v != NULL) {
        return xerr(e, "range can't iterate over %s", json_object_get_string(v));
    }
    return r;
}

static int exec_control(struct exec *e, const struct tpl_node *n, struct json_object *dot)
{
    size_t mark = e->nvars;
    struct json_object *v = NULL;
    int r = eval_pipe(e, n->pipe, dot, n->kind != TN_RANGE, &v);
    if (r == 0 && n->kind == TN_RANGE) {
        size_t count = 0;
        e->at = n->pipe;
        r = range_over(e, n, v, &count);
        if (r == 0 && count == 0) r = exec_list(e, &n->alt, dot);
    } else if (r == 0) {
        int yes = tpl_truth(v);
        r = exec_list(e, yes ? &n->body : &n->alt, yes && n->kind == TN_WITH ? v : dot);
    }
    json_object_put(v);
    var_pop(e, mark);
    return r;
}

static int exec_node(struct exec *e, const struct tpl_node *n, struct json_object *dot)
{
    struct json_object *v = NULL;
    switch (n->kind) {
    case TN_TEXT:
        fwrite(n->text, 1, n->len, e->out);
        return 0;
    case TN_ACTION:
        if (eval_pipe(e, n->pipe, dot, 1, &v) < 0) return -EINVAL;
        if (n->pipe->nvars == 0) tpl_print_value(e->out, v, 1);
        json_object_put(v);
        return 0;
    case TN_BREAK:
        e->flow = FLOW_BREAK;
        return 0;
    case TN_CONTINUE:
        e->flow = FLOW_CONTINUE;
        return 0;
    default:
        return exec_control(e, n, dot);
    }
}

static int exec_list(struct exec *e, const struct tpl_list *l, struct json_object *dot)
{
    if (++e->depth > MAX_DEPTH) return xerr(e, "exceeded maximum template depth (%d)", MAX_DEPTH);
    int r = 0;
    for (const struct tpl_node *n = l->head; n && r == 0 && e->flow == FLOW_NONE; n = n->next)
        r = exec_node(e, n, dot);
    e->depth--;
    return r;
}

int md_template_exec(const struct md_template *t, struct json_object *data, char **out,
                     md_error_t **err)
{
    char *buf = NULL;
    size_t len = 0;
    struct exec e = {.out = open_memstream(&buf, &len)};
    if (e.out == NULL) md_oom();
    var_push(&e, "$", data);
    int r = exec_list(&e, &t->root, data);
    fclose(e.out);
    var_pop(&e, 0);
    free(e.vars);
    if (r < 0) {
        const struct tpl_pipe *at = e.at;
        r = at ? md_error(err, 0, "template: :%d:%d: executing \"\" at <%s>: %s", at->line, at->col,
                          at->src, e.msg)
               : md_error(err, 0, "template: %s", e.msg);
        free(e.msg);
        free(buf);
        return r;
    }
    *out = buf;
    return 0;
}
