/* The container's first process, from clone(2) to execve(2). It runs a copy
 * of the parent's memory (no re-exec of the host binary: CVE-2019-5736) and
 * talks to the parent only through the sync socket. */
#ifndef MD_CHILD_H
#define MD_CHILD_H

#include <sched.h>

#include "spec.h"

struct md_create_opts;

struct md_child_args {
    struct md_spec *spec;
    int sock;              /* child end of the sync socketpair */
    const char *exec_fifo; /* create/start split: block here until `start`; NULL: wait on sock */
    int exec_mode;         /* `exec` into a running container: namespaces and rootfs exist */
    const struct md_create_opts *opts; /* NULL for exec */
    int in_cgroup;             /* MD_SYNC_CGROUP came (it may arrive while we wait for RESUME) */
    const cpu_set_t *affinity; /* restored once PROCESS came (the parent moved us), or NULL */
};

/* Never returns on success; returns the exit code for _exit() on failure. */
int md_child_main(struct md_child_args *a);

/* execve argv[0] looked up in PATH from envp (not the caller's environment),
 * as execvp would. On failure sets *err with docker's 126/127 codes. */
int md_exec_path(char **argv, char **envp, md_error_t **err);
/* The same search without the exec: 0 when execve would find argv[0]. */
int md_exec_lookup(char **argv, char **envp, md_error_t **err);
/* HOME from the container's /etc/passwd when the process has none (runc). */
int md_env_default_home(struct md_process *p, md_error_t **err);

/* --init: fork the payload, stay as a reaping, signal-forwarding PID 1.
 * Returns 0 in the payload child; never returns in the init. */
int md_mini_init(int sock, md_error_t **err);

#endif
