/* The engine's `run`: flags + image -> container dir + config.json -> the
 * runtime core -> exit status. Every step undoes itself on failure. */
#ifndef MD_ENGINE_RUN_H
#define MD_ENGINE_RUN_H

#include "engine/opts.h"

/* Returns docker's exit status of the container (>= 0), or < 0 with *err. */
int md_engine_run(struct md_run_opts *o, md_error_t **err);

#endif
