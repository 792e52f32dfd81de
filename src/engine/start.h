/* Starting a created (or exited) container, in the foreground (this process
 * is the container's parent) or detached (a monitor process is), and the
 * bookkeeping when it ends. See docs/lifecycle.md. */
#ifndef MD_ENGINE_START_H
#define MD_ENGINE_START_H

#include "store/ctr.h"

/* Returns the container's exit status (>= 0) or < 0 with *err. */
int md_engine_start_foreground(struct md_ctr *c, int attach_stdin, md_error_t **err);
int md_engine_start_detached(struct md_ctr *c, md_error_t **err);
/* Record the exit, remove the cgroup, honour --rm and the restart policy. */
int md_engine_container_exited(const char *id, int status, md_error_t **err);
/* Path of a sibling binary of the running one ("mydocker-monitor"), or of itself (NULL). */
char *md_self_path(const char *sibling);

#endif
