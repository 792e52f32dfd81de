/* One function per subcommand: parse flags, call the library, print, and
 * return the process exit code. Dispatched from the table in mydocker.c. */
#ifndef MD_CMD_H
#define MD_CMD_H

#include "util/error.h"

/* The engine's warnings on stderr, as docker's CLI prints them:
 * "WARNING: <msg>". */
extern const md_warn_t md_cli_warn;

struct md_run_opts;
/* --cidfile (cmd/cidfile.c): open before the create, close after it */
struct md_cidfile {
    const char *path;
    int fd, written;
};
int md_cidfile_open(struct md_cidfile *f, struct md_run_opts *o, md_error_t **err);
void md_cidfile_close(struct md_cidfile *f);

struct md_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

int cmd_run(int argc, char **argv);
int cmd_compose(int argc, char **argv);
/* exec the binary next to this one (mydocker-api, mydocker-compose) with argv */
int md_exec_sibling(const char *tool, char **argv);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_volume(int argc, char **argv);
int cmd_attach(int argc, char **argv);

/* One attached terminal session on a monitor's socket (attach, and run/start when they go
 * through the monitor): relays until the stream ends (0) or the detach keys are typed (1,
 * "read escape sequence" printed); -1 on a bad key spec. */
struct md_ctr;
struct md_attach_req {
    int sock, tty, no_stdin, sig_proxy;
    const char *keys; /* NULL: docker's ctrl-p,ctrl-q */
    struct md_ctr *c; /* --sig-proxy sends signals to it */
};
int md_attach_session(struct md_attach_req *req);
/* After md_engine_start_attached: the session, then the container's exit code once its end
 * is recorded (0 when the keys detached). Closes conn. */
struct md_attach_conn;
int md_attach_started(struct md_attach_req *req, struct md_attach_conn *conn);
/* Config.Tty of a container */
int md_cmd_tty_of(struct md_ctr *c);
int cmd_container(int argc, char **argv);
int cmd_container_prune(int argc, char **argv);
int cmd_system(int argc, char **argv);
int md_system_df(int argc, char **argv);
int cmd_container_exited(int argc, char **argv);
int cmd_health_run(int argc, char **argv); /* internal: the probe runner (engine/health.h) */
int cmd_version(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_port(int argc, char **argv);
/* import, images, rmi, tag: run by build/mydocker-image (libarchive and
 * libcrypto stay out of the hot binary) */
int cmd_image_tool(int argc, char **argv);
/* build/mydocker-image next to this binary */
int md_image_tool_path(char *buf, size_t len);
/* `mydocker-image pull` with its output on stderr (docker run's); 0 or 125 (reported) */
int md_cli_pull_image(const char *image, const char *platform, int quiet);
struct md_run_opts;
/* fn (create or run) with docker's --pull: "always" pulls first, "missing" (the
 * default) pulls when fn says the image is missing and calls it again. Returns
 * fn's result (< 0 with *err set), or an exit code > 0 already reported. */
int md_cli_create_pulling(struct md_run_opts *o, char id[65],
                          int (*fn)(struct md_run_opts *o, char id[65], md_error_t **err),
                          md_error_t **err);

extern const struct md_command md_commands[];

#endif
