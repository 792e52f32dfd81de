/* The runtime core's parent side: turn a parsed spec into a running process.
 * `mydocker run` and mydocker-runc both come through here (one path from spec
 * to execve). See docs/protocol.md for the stages. */
#ifndef MD_CONTAINER_H
#define MD_CONTAINER_H

#include <sys/types.h>

#include "spec.h"

struct md_cgroup;

struct md_create_opts {
    const char *exec_fifo; /* create/start across processes (runc); NULL: start via the socket */
    int set_cgroup;        /* create linux.cgroupsPath and apply linux.resources */
    /* Called once the child exists in its new namespaces and cgroup, while it
     * still waits for its process description: the place to wire up its
     * network namespace (/proc/<pid>/ns/net) or run createRuntime hooks.
     * A failure aborts the create (the child is killed, nothing is left). */
    int (*after_clone)(pid_t pid, void *data, md_error_t **err);
    void *data;
    /* mydocker-runc: the id and bundle in the state given to hooks; fds
     * 3 .. 3+preserve_fds-1 stay open in the container; a new session
     * keyring for the container (runc's default) */
    const char *id, *bundle;
    int preserve_fds;
    int new_keyring;
    int detached;     /* exec: the process outlives the caller (no parent-death signal) */
    int default_home; /* HOME from the container's passwd when the process has none (runc) */
};

struct md_container {
    struct md_spec *spec; /* borrowed */
    pid_t pid;            /* host pid of the container's PID 1 */
    int pidfd;
    int sock;       /* parent end of the sync socket, -1 once started */
    int pty_master; /* -1 unless process.terminal */
    struct md_cgroup *cgroup;
    int born_in_cgroup; /* cloned with CLONE_INTO_CGROUP (cgroup v2) */
};

/* Clone the child into its namespaces, give it the process description,
 * wait until it reports READY (everything but the final execve done). On
 * failure nothing is left: the child is killed and reaped. */
int md_container_create(struct md_spec *spec, const struct md_create_opts *opts,
                        struct md_container *c, md_error_t **err);
/* Let a created container execve; returns when the exec succeeded (or with
 * the child's error, exit code 126/127 in err). */
int md_container_start(struct md_container *c, md_error_t **err);
/* Reap: *status gets docker's exit code (the status, or 128+signal). */
int md_container_wait(struct md_container *c, int *status, md_error_t **err);
int md_container_signal(struct md_container *c, int sig);
/* Kill (if still alive), reap, remove the cgroup, close fds. */
void md_container_destroy(struct md_container *c);
void md_container_init(struct md_container *c);

/* A new process (spec->json's "process") in the running container whose
 * PID 1 is target; then md_container_start / md_io_wait as for create. */
int md_container_exec(struct md_spec *spec, pid_t target, int target_pidfd, struct md_container *c,
                      md_error_t **err);
/* The same with options (preserve_fds, detached); opts may be NULL. */
int md_container_exec_opts(struct md_spec *spec, pid_t target, int target_pidfd,
                           const struct md_create_opts *opts, struct md_container *c,
                           md_error_t **err);

int md_container_prepare_seccomp(struct md_spec *spec, md_error_t **err);

/* Serialize spec->json's "process" for the sync channel. */
const char *md_container_process_json(struct md_spec *spec);

#endif
