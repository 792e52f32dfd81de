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
/* 1 when `pid` lives in another user (or time) namespace than we do. */
int md_ns_differs(pid_t pid, const char *ns);

#endif
