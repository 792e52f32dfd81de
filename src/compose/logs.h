/* Following the project's containers' logs, each line prefixed with its container's name. */
#ifndef MD_COMPOSE_LOGS_H
#define MD_COMPOSE_LOGS_H

#include <signal.h>

#include "compose/compose.h"

struct md_compose_logs_opts {
    int follow, timestamps, no_prefix;
    const char *tail, *since, *until;
    char **services;
    int stop_on_first; /* up --abort-on-container-exit: the first container's end ends it */
    volatile sig_atomic_t *interrupted;
};

/* returns when every stream ended (or the first, or an interruption) */
int md_compose_follow(struct md_compose_project *p, const struct md_compose_logs_opts *o);

#endif
