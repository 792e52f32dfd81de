/* Dockerfile instructions given with `import -c` (docker's --change). */
#ifndef MD_IMAGETOOL_CHANGES_H
#define MD_IMAGETOOL_CHANGES_H

#include <json-c/json.h>

#include "util/error.h"

/* Apply CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and
 * WORKDIR lines, in order, to an image config's "config" object (Cmd, Env, ...).
 * Anything else: "<instr> is not a valid change command". */
int md_changes_apply(json_object *cfg, char *const *changes, md_error_t **err);

/* A Dockerfile's instructions one at a time (build): the stage's state and its ARG values */
struct md_changes_ctx {
    int cmd_set;       /* a CMD came in this stage: a later ENTRYPOINT keeps it */
    char *const *args; /* "K=V" build args in scope; the config's Env wins over them */
};
int md_changes_apply_one(json_object *cfg, const char *line, struct md_changes_ctx *ctx,
                         md_error_t **err);
/* The words of s as a Dockerfile reads them: quotes and escapes removed, $VAR, ${VAR},
 * ${VAR:-w}, ${VAR:+w} from the config's Env, then args */
int md_changes_words(const char *s, json_object *cfg, char *const *args, char ***out,
                     md_error_t **err);
/* s as one word, expanded the same way (a new string, NULL without memory) */
char *md_changes_expand(const char *s, json_object *cfg, char *const *args);
/* [SHELL..., cmd]: the config's Shell, else ["/bin/sh", "-c"] (a new array) */
json_object *md_changes_shell_form(json_object *cfg, const char *cmd);

#endif
