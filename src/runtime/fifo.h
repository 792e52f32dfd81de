/* The exec fifo: how `create` and `start`, two separate processes, hand
 * over the container's init (the runc protocol, made to report errors).
 *
 *   create: the init, set up and READY, opens the fifo for writing, which
 *           blocks until a reader comes, then writes '0'.
 *   start:  opens the fifo for reading, waits for '0', then reads on: EOF
 *           means the init's execve succeeded (the fd is close-on-exec);
 *           an error record ({int32 exit code, int32 errno, message}) means
 *           a step after START failed (user switch, seccomp, the exec).
 *
 * The init reopens the fifo through a /proc/self/fd directory it opened
 * before pivot_root, so neither the fifo's path nor /proc needs to be
 * reachable from inside the container. */
#ifndef MD_FIFO_H
#define MD_FIFO_H

#include "util/error.h"

struct md_fifo_child {
    int path_fd;  /* O_PATH on the fifo */
    int fd_dir;   /* /proc/self/fd of the init */
    int write_fd; /* open once start came, -1 before */
};

/* In the init, before its mounts. */
int md_fifo_child_prepare(const char *path, struct md_fifo_child *f, md_error_t **err);
/* In the init, after READY: blocks until `start`. */
int md_fifo_child_wait(struct md_fifo_child *f, md_error_t **err);
/* In the init, on failure after START: the error record for `start`. */
void md_fifo_child_error(struct md_fifo_child *f, md_error_t **err);

/* `start`: release the init blocked on the fifo at path and wait until it
 * exec'd (0) or reported an error (< 0, with the init's exit code). pidfd
 * (or -1) lets us notice an init that died before it got there. */
int md_fifo_start(const char *path, int pidfd, md_error_t **err);

#endif
