/* linux.sysctl: only what belongs to the container's own namespaces. */
#ifndef MD_RUNTIME_SYSCTL_H
#define MD_RUNTIME_SYSCTL_H

#include "spec.h"

/* runc's rule: IPC sysctls (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*)
 * need a new IPC namespace, net.* a network namespace that is not the host's,
 * kernel.domainname a UTS namespace (kernel.hostname conflicts with the
 * spec's hostname); anything else is global to the host and refused. */
int md_sysctl_check(const struct md_spec *s, md_error_t **err);
/* Write them, in the container's namespaces, before pivot_root's /proc is ours. */
int md_sysctl_apply(const struct md_spec *s, md_error_t **err);

#endif
