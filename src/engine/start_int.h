/* What the start (engine/start.c) and the end of a run (engine/exited.c) share: the record's
 * State, the runtime state files, and the removal of a --rm container. */
#ifndef MD_ENGINE_START_INT_H
#define MD_ENGINE_START_INT_H

#include <stdint.h>

#include "store/ctr.h"

struct json_object *md_start_state_obj(struct md_ctr *c);
void md_start_set_state(struct md_ctr *c, const char *status, int pid, int64_t ns, int exit_code);
void md_start_clear_runtime_state(const char *rundir);
/* HostConfig.AutoRemove (--rm) */
int md_start_autoremove(struct md_ctr *c);
/* --rm: anonymous volumes, the directory (by the prepared deleter if there is one), the name */
void md_start_remove_container(struct md_ctr *c);

#endif
