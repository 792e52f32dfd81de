/* A Dockerfile as a list of instructions, by docker's parsing rules: parser directives
 * (escape, syntax, check) at the top, comments and blank lines dropped (inside continuations
 * too), lines joined at the escape character, instruction names in any case, leading --flags
 * split off, and BuildKit's heredocs (<<EOF, <<-EOF, <<"EOF") for RUN, COPY and ADD.
 * Nothing is expanded here: variables belong to the build (build.c). */
#ifndef MD_IMAGETOOL_DOCKERFILE_H
#define MD_IMAGETOOL_DOCKERFILE_H

#include <stddef.h>

#include "util/error.h"

struct md_df_heredoc {
    char *name;     /* the delimiter word */
    char *body;     /* the lines between, each ending in "\n" (<<- strips leading tabs) */
    int expand;     /* unquoted delimiter: variables expand in the body */
    int strip_tabs; /* <<-: leading tabs of the body's lines (and the delimiter's) dropped */
    char *token;    /* as written in the instruction: "<<-EOF", "<<'EOF'" */
};

struct md_df_instr {
    char *cmd;    /* lower case: "from", "run", ... */
    char **flags; /* the leading --flags as written ("--from=build"), NULL-terminated */
    char *args;   /* the rest, trimmed; continuation lines joined */
    char *text;   /* "RUN echo hi" as progress shows it: upper case name, flags, args */
    struct md_df_heredoc *heredocs;
    size_t n_heredocs;
    int line; /* 1-based line of its first line */
};

struct md_dockerfile {
    struct md_df_instr *v;
    size_t n;
    char escape; /* '\\' or '`' (# escape=`) */
};

/* 0, or -1 with docker's message ("dockerfile parse error on line N: ...") */
int md_dockerfile_parse(const char *text, struct md_dockerfile *df, md_error_t **err);
void md_dockerfile_free(struct md_dockerfile *df);
/* One instruction line (an ONBUILD trigger's), by the same rules; *out is freed with
 * md_df_instr_clear. */
int md_df_parse_line(const char *line, struct md_df_instr *out, md_error_t **err);
void md_df_instr_clear(struct md_df_instr *in);

#endif
