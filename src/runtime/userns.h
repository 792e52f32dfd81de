/* User namespaces: the parent writes the child's uid_map/gid_map while the
 * child still waits for its process description; the child then becomes
 * root of its namespace, so that the files it creates are owned by a
 * mapped id (an unmapped fsuid makes every create fail with EOVERFLOW). */
#ifndef MD_USERNS_H
#define MD_USERNS_H

#include <sys/types.h>

#include "spec.h"

int md_userns_write_maps(pid_t pid, const struct md_spec *s, md_error_t **err);
int md_userns_become_root(md_error_t **err);
/* With a user namespace, namespaces given by path must be joined before it
 * exists (a new one does not own them and could not join them) and a user
 * namespace given by path must own the namespaces the container creates.
 * Then a helper joins them all and clones from there, with CLONE_PARENT so
 * that the child is still ours (waitpid, parent-death signal). */
int md_userns_needs_helper(const struct md_spec *s);
/* Like clone(2): 0 in the child, its pid (and *pidfd) in the caller, < 0
 * with *err on failure. */
long md_userns_clone(const struct md_spec *s, unsigned long flags, int *pidfd, md_error_t **err);
/* 1 when `pid` lives in another user (or time) namespace than we do. */
int md_ns_differs(pid_t pid, const char *ns);

#endif
