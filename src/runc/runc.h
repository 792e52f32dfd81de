/* mydocker-runc: runc's command line over the runtime core (src/runtime).
 * One file per command group; state in <root>/<id>/ (docs/oci-runtime.md). */
#ifndef MD_RUNC_H
#define MD_RUNC_H

#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct json_object;

/* global flags */
struct runc_global {
    const char *root;
    const char *log;
    int log_json;
    int debug;
};
extern struct runc_global runc_g;

/* ---- main.c: logging, errors ---- */
/* Write a record to --log (text or json), if one was given. */
void runc_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* runc's warning for capabilities the spec names but we do not know: to
 * --log when given, else stderr (runc's logrus default). */
struct md_process;
void runc_warn_unknown_caps(const struct md_process *p);
/* Report an error once: the log, and stderr; returns runc's exit code 1. */
int runc_fail(md_error_t **err);
/* "unknown option" and friends: message, then 1 */
int runc_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- state.c: <root>/<id>/state.json ---- */
struct runc_state {
    char *id;
    char *dir;      /* <root>/<id> */
    pid_t pid;      /* host pid of the init */
    uint64_t start; /* its start time (/proc/<pid>/stat field 22): a recycled pid is not it */
    char *bundle, *rootfs, *created, *cgroup;
    int paused;
    struct json_object *config; /* the config.json the container was created from (owned) */
    int lock_fd;
};

enum runc_status { RUNC_CREATING, RUNC_CREATED, RUNC_RUNNING, RUNC_PAUSED, RUNC_STOPPED };

int runc_valid_id(const char *id, md_error_t **err);
char *runc_dir(const char *id);
/* Load the state of container id, locked (exclusive) unless lock is 0. */
int runc_state_load(const char *id, int lock, struct runc_state **out, md_error_t **err);
int runc_state_save(struct runc_state *st, md_error_t **err);
void runc_state_free(struct runc_state *st);
enum runc_status runc_status(struct runc_state *st);
const char *runc_status_name(enum runc_status s);
/* A pidfd on the init, or -1 when it is gone (or its pid was recycled). */
int runc_pidfd(struct runc_state *st);
uint64_t runc_proc_start(pid_t pid, char *state_char);
/* The runtime spec's state document (what `state` prints). */
struct json_object *runc_state_json(struct runc_state *st);
/* Write a pid file atomically ("1234", no newline). */
int runc_write_pid_file(const char *path, pid_t pid, md_error_t **err);
/* Send fd to the AF_UNIX socket at path (runc's console-socket protocol). */
int runc_send_console(const char *path, int fd, md_error_t **err);
/* Kill, wait, remove the cgroup, run poststop hooks, remove the state. */
int runc_destroy(struct runc_state *st, md_error_t **err);
/* path, made absolute against the current directory, in buf. */
const char *runc_abspath(const char *path, char *buf, size_t len);
/* Current time as RFC 3339 with nanoseconds, UTC. */
void runc_now(char *buf, size_t len);

/* ---- commands ---- */
int runc_cmd_create(int argc, char **argv);
int runc_cmd_start(int argc, char **argv);
int runc_cmd_run(int argc, char **argv);
int runc_cmd_state(int argc, char **argv);
int runc_cmd_kill(int argc, char **argv);
int runc_cmd_delete(int argc, char **argv);
int runc_cmd_exec(int argc, char **argv);
int runc_cmd_list(int argc, char **argv);
int runc_cmd_ps(int argc, char **argv);
int runc_cmd_pause(int argc, char **argv);
int runc_cmd_resume(int argc, char **argv);
int runc_cmd_update(int argc, char **argv);
int runc_cmd_events(int argc, char **argv);
int runc_cmd_spec(int argc, char **argv);
int runc_cmd_features(int argc, char **argv);
int runc_cmd_unsupported(int argc, char **argv);

#endif
