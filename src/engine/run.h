/* The engine's `run`: flags + image -> container dir + config.json -> the
 * runtime core -> exit status. Every step undoes itself on failure. */
#ifndef MD_ENGINE_RUN_H
#define MD_ENGINE_RUN_H

#include "engine/opts.h"

/* Returns docker's exit status of the container (>= 0), or < 0 with *err.
 * id gets the container's id once it exists (a front end prints it for
 * -d, which returns 0 as soon as the container runs). */
int md_engine_run(struct md_run_opts *o, char id[65], md_error_t **err);

#endif
