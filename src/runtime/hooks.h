/* The runtime spec's hooks (config.json "hooks"): prestart, createRuntime,
 * createContainer, startContainer, poststart, poststop. Each hook is a
 * program run with the container's state JSON on its stdin; a "timeout" in
 * seconds kills it. Where each kind runs is in docs/oci-runtime.md. */
#ifndef MD_HOOKS_H
#define MD_HOOKS_H

#include <sys/types.h>

#include "util/error.h"

struct json_object;

/* The state the runtime spec gives to hooks (and `state` prints, minus
 * the runtime's own extras). */
struct md_hook_state {
    const char *id, *bundle, *status;
    pid_t pid;                       /* 0: omitted */
    struct json_object *annotations; /* borrowed, may be NULL */
};

/* The state as JSON text (malloc'd). */
char *md_hook_state_json(const struct md_hook_state *st);
/* 1 when hooks[kind] holds at least one hook. */
int md_hooks_present(struct json_object *hooks, const char *kind);
/* Run every hook of `kind` in order; the first failure stops and is the
 * error ("<kind> hook <path>: ..."). No hooks: 0 at once. */
int md_hooks_run(struct json_object *hooks, const char *kind, const struct md_hook_state *st,
                 md_error_t **err);
/* Check hooks' shape (path absolute, args/env strings, timeout > 0). */
int md_hooks_validate(struct json_object *hooks, md_error_t **err);

#endif
