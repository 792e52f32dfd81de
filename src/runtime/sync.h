/* The parent/child channel: a SOCK_STREAM socketpair carrying length-prefixed
 * messages, optionally with one fd (SCM_RIGHTS). Stream, not seqpacket, so a
 * process description of any size (1.5 MB of argv) fits. See docs/protocol.md. */
#ifndef MD_SYNC_H
#define MD_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum md_sync_type {
    MD_SYNC_PROCESS = 1, /* parent -> child: the process description (JSON) */
    MD_SYNC_PTY,         /* child -> parent: the pty master, as SCM_RIGHTS */
    MD_SYNC_READY,       /* child -> parent: container set up, waiting for START */
    MD_SYNC_START,       /* parent -> child: go on and execve */
    MD_SYNC_ERROR,       /* child -> parent: error record (stage failed) */
    MD_SYNC_PID,         /* child -> parent (exec helper): the pid of the grandchild */
    MD_SYNC_HOOKS,       /* child -> parent: mounts done, run prestart/createRuntime hooks */
    MD_SYNC_RESUME,      /* parent -> child: hooks done, go on to pivot_root */
    MD_SYNC_CGROUP,      /* parent -> child: you are in your cgroup (make the cgroup namespace) */
};

struct md_sync_msg {
    uint32_t type;
    char *data; /* NUL-terminated for convenience; len excludes the NUL */
    size_t len;
    int fd; /* received fd or -1 */
};

int md_sync_send(int sock, uint32_t type, const void *data, size_t len, int fd);
/* Returns 0, -EPIPE on EOF before a header, or another -errno. */
int md_sync_recv(int sock, struct md_sync_msg *msg);
void md_sync_msg_clear(struct md_sync_msg *msg);
/* Child side: send an error record built from *err (then frees it). */
void md_sync_send_error(int sock, md_error_t **err);
/* Parent side: turn an MD_SYNC_ERROR payload into an md_error. */
int md_sync_error_from_msg(const struct md_sync_msg *msg, md_error_t **err);
/* Receive one message and require it to be of `want` type; an error record is
 * turned into *err; EOF gives eof_msg. */
int md_sync_expect(int sock, uint32_t want, struct md_sync_msg *msg, const char *eof_msg,
                   md_error_t **err);

#endif
