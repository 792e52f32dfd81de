/* The Dockerfile parser (imagetool/dockerfile.c) on docker's documented forms, and the
 * build's word expansion (imagetool/changes.c): ${v:-w}, ${v:+w}, ENV over ARG. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "imagetool/changes.h"
#include "imagetool/dockerfile.h"
#include "unit.h"
#include "util/strv.h"

static md_error_t *err;

static void test_basic(void)
{
    struct md_dockerfile df;
    const char *text = "# syntax=docker/dockerfile:1\n"
                       "# a comment\n"
                       "from busybox AS base\n"
                       "\n"
                       "RUN echo a \\\n"
                       "  # a comment inside\n"
                       "\n"
                       "    b\n"
                       "COPY --from=base --chown=1:2 /x /y\n"
                       "CMD [\"sh\", \"-c\", \"echo hi\"]\n";
    CHECK_INT(md_dockerfile_parse(text, &df, &err), 0);
    CHECK_INT((int)df.n, 4);
    CHECK_STR(df.v[0].cmd, "from");
    CHECK_STR(df.v[0].args, "busybox AS base");
    CHECK_INT(df.v[0].line, 3);
    CHECK_STR(df.v[1].cmd, "run");
    CHECK_STR(df.v[1].args, "echo a     b");
    CHECK_INT(df.v[1].line, 5);
    CHECK_STR(df.v[2].flags[0], "--from=base");
    CHECK_STR(df.v[2].flags[1], "--chown=1:2");
    CHECK(df.v[2].flags[2] == NULL);
    CHECK_STR(df.v[2].args, "/x /y");
    CHECK_STR(df.v[2].text, "COPY --from=base --chown=1:2 /x /y");
    CHECK_STR(df.v[3].args, "[\"sh\", \"-c\", \"echo hi\"]");
    md_dockerfile_free(&df);
}

static void test_escape_and_heredoc(void)
{
    struct md_dockerfile df;
    const char *text = "# escape=`\n"
                       "FROM scratch\n"
                       "RUN dir c:\\ `\n"
                       "  && echo x\n"
                       "RUN <<EOF\n"
                       "echo one\n"
                       "echo $HOME\n"
                       "EOF\n"
                       "COPY <<-'END' /etc/motd\n"
                       "\thello\n"
                       "\tEND\n"
                       "ENV A=1\n";
    CHECK_INT(md_dockerfile_parse(text, &df, &err), 0);
    CHECK_INT((int)df.n, 5);
    CHECK_STR(df.v[1].args, "dir c:\\   && echo x");
    CHECK_INT((int)df.v[2].n_heredocs, 1);
    CHECK_STR(df.v[2].heredocs[0].name, "EOF");
    CHECK_STR(df.v[2].heredocs[0].body, "echo one\necho $HOME\n");
    CHECK_INT(df.v[2].heredocs[0].expand, 1);
    CHECK_STR(df.v[3].heredocs[0].body, "hello\n");
    CHECK_INT(df.v[3].heredocs[0].expand, 0);
    CHECK_STR(df.v[3].heredocs[0].token, "<<-'END'");
    CHECK_STR(df.v[4].cmd, "env");
    md_dockerfile_free(&df);
    CHECK_INT(md_dockerfile_parse("FROM a\nRUN <<EOF\necho\n", &df, &err), -1);
    CHECK(err && strstr(err->msg, "unterminated heredoc EOF") != NULL);
    md_error_free(&err);
    CHECK_INT(md_dockerfile_parse("# only a comment\n\n", &df, &err), -1);
    md_error_free(&err);
}

static void test_expand(void)
{
    json_object *cfg = json_tokener_parse("{\"Env\":[\"A=env\"]}");
    char *args[] = {"A=arg", "B=bee", "E=", NULL};
    char *s = md_changes_expand("$A ${B} ${C:-dflt} ${B:+set} ${C:+no}x ${E:-e} ${E-e}", cfg, args);
    CHECK_STR(s, "env bee dflt set x e ");
    free(s);
    s = md_changes_expand("'$A' \"$A\" \\$A", cfg, args);
    CHECK_STR(s, "$A env $A");
    free(s);
    char **w = NULL;
    CHECK_INT(md_changes_words("\"a b\" $B c", cfg, args, &w, &err), 0);
    CHECK_INT((int)md_strv_len(w), 3);
    CHECK_STR(w[0], "a b");
    CHECK_STR(w[1], "bee");
    md_strv_free(w);
    struct md_changes_ctx ctx = {.args = args};
    CHECK_INT(md_changes_apply_one(cfg, "ENV C=${B}2 D=$C", &ctx, &err), 0);
    CHECK_STR(json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN),
              "{\"Env\":[\"A=env\",\"C=bee2\",\"D=\"]}");
    CHECK_INT(md_changes_apply_one(cfg, "CMD echo", &ctx, &err), 0);
    CHECK_INT(md_changes_apply_one(cfg, "ENTRYPOINT [\"x\"]", &ctx, &err), 0);
    json_object *cmd = NULL;
    CHECK(json_object_object_get_ex(cfg, "Cmd", &cmd)); /* a CMD of this stage stays */
    json_object_put(cfg);
}

int main(void)
{
    test_basic();
    test_escape_and_heredoc();
    test_expand();
    return UNIT_END("dockerfile");
}
