/* stop / kill / rm / wait / rename on a loaded container. */
#ifndef MD_LIFECYCLE_H
#define MD_LIFECYCLE_H

#include "store/ctr.h"

/* Stop signal (the container's --stop-signal, else SIGTERM), SIGKILL after
 * timeout_s seconds (< 0: the default 10 s). */
int md_engine_stop(struct md_ctr *c, int timeout_s, md_error_t **err);
/* stop/restart -s: signal (> 0) instead of the container's stop signal */
int md_engine_stop_signal(struct md_ctr *c, int timeout_s, int signal, md_error_t **err);
int md_engine_kill(struct md_ctr *c, int sig, md_error_t **err);
/* What is left behind (a cgroup that will not go) is a warning, not a failure:
 * the container is gone either way. */
int md_engine_rm(struct md_ctr *c, int force, const md_warn_t *warn, md_error_t **err);
/* Remove the container's anonymous volumes (rm -v, --rm). */
void md_engine_remove_anon_volumes(struct md_ctr *c, const md_warn_t *warn);
/* Block until the container is not running; returns its exit code. */
int md_engine_wait(struct md_ctr *c, md_error_t **err);
int md_engine_rename(struct md_ctr *c, const char *new_name, md_error_t **err);
/* Wait (up to ms) for the container's monitor to end (its `container-exited` is the same
 * process: the exit is recorded and --rm done when it ends). */
void md_engine_wait_monitor(struct md_ctr *c, int ms);
/* Wait (up to ms) for the monitor to record the end of the container. */
void md_engine_wait_recorded(struct md_ctr *c, int ms);

/* Remove `run --rm` containers whose owner died (kill -9): engine/autoremove.c */
void md_autoremove_sweep(void);

#endif
