/* The runtime's use of the cgroup drivers (src/cgroup): create the spec's
 * cgroupsPath with its linux.resources, put the child in, remove it. */
#ifndef MD_RUNTIME_CGROUP_SETUP_H
#define MD_RUNTIME_CGROUP_SETUP_H

#include <sys/types.h>

#include "spec.h"

struct md_cgroup;
int md_cgroup_setup_create(struct md_spec *s, struct md_cgroup **out, md_error_t **err);
/* The two halves of create: open (*out NULL without a cgroupsPath), then make the cgroup with
 * the spec's resources (on failure nothing is left made; cg stays the caller's). */
int md_cgroup_setup_open(struct md_spec *s, struct md_cgroup **out, md_error_t **err);
int md_cgroup_setup_make(struct md_spec *s, struct md_cgroup *cg, md_error_t **err);
int md_cgroup_setup_is_v2(struct md_cgroup *cg);
int md_cgroup_setup_enter(struct md_cgroup *cg, pid_t pid, md_error_t **err);
void md_cgroup_setup_destroy(struct md_cgroup *cg);
/* The v2 directory fd for CLONE_INTO_CGROUP, -1 on v1/hybrid. */
int md_cgroup_setup_fd(struct md_cgroup *cg);
/* After the container ended: whether the OOM killer struck, then remove the
 * cgroup at path (by path: the process that created it may be long gone). */
int md_cgroup_setup_finish(const char *path, int *oom_killed);

#endif
