/* A container's merged root filesystem, for export and cp. */
#ifndef MD_IMAGETOOL_CTRROOT_H
#define MD_IMAGETOOL_CTRROOT_H

#include "util/error.h"

/* Called with an fd of the container's "/" (O_RDONLY | O_DIRECTORY). Every
 * path inside it must be opened relative to it with openat2 RESOLVE_IN_ROOT
 * or per-component O_NOFOLLOW: never through a path string. */
typedef int (*md_root_fn)(int rootfd, void *arg, md_error_t **err);

/* Run fn on container ref's root. Running: through /proc/<pid>/root (after
 * checking the pid is still the container's). Stopped or created: in a forked
 * child, in a private mount namespace where the container's overlay is
 * mounted, under the container's lock; the mount dies with the child, so
 * nothing can be left mounted on the host. The child's error comes back as
 * *err. */
int md_ctr_with_root(const char *ref, md_root_fn fn, void *arg, md_error_t **err);

#endif
