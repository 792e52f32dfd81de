/* What this host can do, probed once per boot (docker's sysinfo): the
 * cgroup controllers and files, seccomp, overlay features, and the kernel
 * calls the runtime may use. Cached in <run root>/hostinfo.json, keyed by
 * the boot id, so a start reads one small file instead of probing. */
#ifndef MD_ENGINE_HOSTINFO_H
#define MD_ENGINE_HOSTINFO_H

#include <stdbool.h>

#include "cgroup/cgroup.h"
#include "util/error.h"

struct md_hostinfo {
    struct md_cgroup_sysinfo cg;
    bool io_bfq;             /* v2: io.bfq.weight (BFQ loaded) */
    char hugetlb_sizes[128]; /* "2MB 1GB" */
    bool seccomp, seccomp_filter;
    bool overlay, overlay_metacopy, overlay_redirect_dir, overlay_volatile;
    bool mount_setattr, open_tree, clone3, clone_into_cgroup, pidfd, time_ns, user_ns;
};

/* The cached answer when it is of this boot, else a fresh probe (saved
 * best effort). Never fails: a probe that cannot tell says "no". */
void md_hostinfo_get(struct md_hostinfo *hi);
/* Probe now, ignoring the cache. */
void md_hostinfo_probe(struct md_hostinfo *hi);
/* docker info's warnings for what is missing, one per line, NULL-terminated. */
char **md_hostinfo_warnings(const struct md_hostinfo *hi);

#endif
