/* A container's cgroup from the engine's side: pause/unpause, update,
 * the pids for `top`, and the samples `stats` shows. See docs/cgroups.md,
 * "The engine side". */
#ifndef MD_ENGINE_CGCTL_H
#define MD_ENGINE_CGCTL_H

#include <stdint.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "store/ctr.h"
#include "engine/resources.h"

/* linux.cgroupsPath of the container's config.json ("mydocker/<id>" when
 * the file has none). malloc'd. */
char *md_ctr_cgroup_path(const struct md_ctr *c);
/* The same for container directory dir (when no md_ctr is at hand). */
char *md_cgroup_path_of(const char *dir, const char *id);
int md_ctr_cgroup_open(const struct md_ctr *c, md_cgroup_t **cg, md_error_t **err);

/* Freeze / thaw every process and create / remove the `paused` marker.
 * docker's errors for a container that is not running or (not) paused. */
int md_engine_pause(struct md_ctr *c, md_error_t **err);
int md_engine_unpause(struct md_ctr *c, md_error_t **err);
/* Thaw a paused container that is being stopped or killed (a frozen task
 * cannot act on a signal, not even SIGKILL on cgroup v1). Best effort. */
void md_engine_thaw(struct md_ctr *c);

/* `update`: merge upd into the container's HostConfig (docker's rules),
 * write the cgroup live when it runs, and save config.json's
 * linux.resources and the record. restart: a new policy, or NULL. What
 * the host cannot do is dropped from upd with a warning through w. */
int md_engine_update(struct md_ctr *c, struct md_res_opts *upd, const char *restart,
                     const md_warn_t *w, md_error_t **err);

/* The container's processes (cgroup.procs), malloc'd. */
int md_engine_pids(struct md_ctr *c, pid_t **pids, size_t *n, md_error_t **err);

/* One `stats` sample. */
struct md_stats_sample {
    struct md_cgroup_stats cg;
    uint64_t system_ns;      /* all CPUs' time from /proc/stat, ns */
    uint64_t net_rx, net_tx; /* the container's interfaces but lo */
    int online_cpus;
    uint64_t host_mem; /* MemTotal, caps an unlimited limit */
    int valid;         /* 0: not running (docker shows zeros) */
};
int md_stats_sample(struct md_ctr *c, struct md_stats_sample *s);
/* docker's CPU %: cpu delta / system delta * online CPUs * 100. */
double md_stats_cpu_percent(const struct md_stats_sample *prev, const struct md_stats_sample *cur);

#endif
