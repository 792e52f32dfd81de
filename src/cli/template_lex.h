/* Tokens of one template action (internal to the template parser). */
#ifndef MD_CLI_TEMPLATE_LEX_H
#define MD_CLI_TEMPLATE_LEX_H

#include <stddef.h>

#include "util/cleanup.h"

enum tpl_tok_kind {
    TK_END, /* "}}" */
    TK_IDENT,
    TK_FIELD, /* ".Name": s is "Name" */
    TK_DOT,
    TK_VAR, /* "$x" or "$" */
    TK_STRING,
    TK_CHAR,
    TK_NUMBER,
    TK_LPAREN,
    TK_RPAREN,
    TK_PIPE,
    TK_DECLARE, /* := */
    TK_ASSIGN,  /* = */
    TK_COMMA,
};

struct tpl_tok {
    enum tpl_tok_kind kind;
    const char *s; /* in the template text */
    size_t n;
    int sp;    /* whitespace came before it */
    char *str; /* decoded string or char literal */
    size_t slen;
    long long num;
    double fnum;
    int isfloat;
};

struct tpl_lexer {
    struct tpl_tok *toks;
    size_t ntoks, cap;
    int line;       /* of the current position, from 1 */
    int trim_right; /* the action ended with " -}}" */
};

/* Tokens from *pp (just after "{{" and any "- ") to the closing "}}", which
 * becomes TK_END; *pp moves past it. On error *msg gets Go's wording. */
int tpl_lex_action(struct tpl_lexer *l, const char **pp, char **msg);
void tpl_lexer_reset(struct tpl_lexer *l);

#endif
