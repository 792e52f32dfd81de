/* The parsed form of a template, shared by the parser, the executor and the
 * functions. Not a public interface: front ends use cli/template.h. */
#ifndef MD_CLI_TEMPLATE_INT_H
#define MD_CLI_TEMPLATE_INT_H

#include <stddef.h>
#include <stdio.h>

#include "cli/template.h"

struct json_object;
struct tpl_pipe;

enum tpl_arg_kind {
    TA_DOT,    /* "." then optional fields: ".A.B" */
    TA_VAR,    /* "$" or "$x" then optional fields */
    TA_FUNC,   /* an identifier naming a function */
    TA_PIPE,   /* "( pipeline )" then optional fields */
    TA_STRING, /* "..." or `...` */
    TA_INT,    /* 12, 0x1f, 'a' */
    TA_FLOAT,  /* 1.5, 1e3 */
    TA_BOOL,
    TA_NIL,
};

struct tpl_arg {
    enum tpl_arg_kind kind;
    char *name; /* function, variable ("$x"), or the string literal */
    size_t len; /* of a string literal (may hold NUL bytes) */
    char **fields;
    size_t nfields;
    long long i;
    double d;
    struct tpl_pipe *pipe;
};

struct tpl_cmd {
    struct tpl_arg *args;
    size_t nargs;
};

struct tpl_pipe {
    char *vars[2]; /* declared or assigned variables */
    size_t nvars;
    int assign; /* "=" rather than ":=" */
    struct tpl_cmd *cmds;
    size_t ncmds;
    int line, col;
    char *src; /* the action's text, for "executing ... at <...>" */
};

enum tpl_node_kind { TN_TEXT, TN_ACTION, TN_IF, TN_RANGE, TN_WITH, TN_BREAK, TN_CONTINUE };

struct tpl_node;
struct tpl_list {
    struct tpl_node *head, *tail;
};

struct tpl_node {
    enum tpl_node_kind kind;
    char *text;
    size_t len;
    struct tpl_pipe *pipe;
    struct tpl_list body, alt; /* alt: the else branch ("else if" is an if inside it) */
    struct tpl_node *next;
};

struct md_template {
    struct tpl_list root;
};

/* Functions: look-up at parse time, call at execution time. "and"/"or" are
 * evaluated by the executor (they short-circuit). Each returns a new
 * reference (or NULL for nil) in *out, or fills *msg with Go's message. */
typedef int (*tpl_fn)(struct json_object **argv, size_t argc, struct json_object **out, char **msg);
int tpl_func_known(const char *name);
/* -2 with Go's "wrong number of args" message, -1 with the function's */
int tpl_func_call(const char *name, struct json_object **argv, size_t argc,
                  struct json_object **out, char **msg);

/* Go's printing of a value (fmt's %v with the template's nil rule) */
void tpl_print_value(FILE *f, struct json_object *v, int top);
void tpl_print_float(FILE *f, double d);
int tpl_truth(struct json_object *v);
const char *tpl_type_name(struct json_object *v);
/* keys of an object in Go's map order (sorted); the caller frees the array */
const char **tpl_sorted_keys(struct json_object *o, size_t *n);
int tpl_printf(FILE *f, const char *fmt, size_t flen, struct json_object **argv, size_t argc);

#endif
