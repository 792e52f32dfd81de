/* Starting a created (or exited) container, in the foreground (this process
 * is the container's parent) or detached (a monitor process is), and the
 * bookkeeping when it ends. See docs/lifecycle.md. */
#ifndef MD_ENGINE_START_H
#define MD_ENGINE_START_H

#include "store/ctr.h"

/* Returns the container's exit status (>= 0) or < 0 with *err. */
int md_engine_start_foreground(struct md_ctr *c, int attach_stdin, md_error_t **err);
/* The same with the spec its creator holds (doc, not read from config.json), or NULL: a
 * reference it takes over, dropped while the container runs (freeing the spec's tree was
 * 0.2 ms after the exit). */
int md_engine_run_foreground(struct md_ctr *c, struct json_object *doc, int attach_stdin,
                             md_error_t **err);
int md_engine_start_detached(struct md_ctr *c, md_error_t **err);
/* Detached, with a connection to the monitor's attach socket made before the container
 * runs (docker's CLI attaches through the daemon the same way): run/start with
 * --detach-keys or --sig-proxy=false. exit_fd gets "STATUS\n" when the container ends. */
struct md_attach_conn {
    int sock, exit_fd;
};
int md_engine_start_attached(struct md_ctr *c, struct md_attach_conn *conn, md_error_t **err);
/* The exit status an md_attach_conn reports (-1 if the monitor died first); closes it. */
int md_attach_conn_status(struct md_attach_conn *conn);
void md_attach_conn_close(struct md_attach_conn *conn);
/* Record the exit, remove the cgroup, honour --rm and the restart policy. */
int md_engine_container_exited(const char *id, int status, md_error_t **err);
/* Path of a sibling binary of the running one ("mydocker-monitor"), or of itself (NULL). */
char *md_self_path(const char *sibling);
/* The mydocker binary (`container-exited`, `health-run`), from any of its siblings */
char *md_engine_binary(void);
/* `mydocker __become-monitor ID TTY INTERACTIVE OUT0 OUT1 ERR0 ERR1 IN0 IN1 LISTEN EXITW
 * STATUS`: the forked path's monitor-to-be in a fresh process; does not return. */
int md_engine_become_monitor(const char *id, const int v[11]);
/* The threaded API server's start helper (engine/start_helper.c): spawned once by the server,
 * it forks each start's monitor-to-be, with no exec. spawn: 0, or -1 (starts then spawn
 * `__become-monitor` each). main: `mydocker __start-helper FD`. send: 0 when handed over. */
int md_engine_start_helper_spawn(const char *self);
int md_engine_start_helper_main(int sock);
int md_engine_start_helper_send(const char *id, const int v[11]);

#endif
