/* Hybrid hosts: the controllers are v1 hierarchies and <root>/unified is a
 * cgroup2 mount carrying no controller bound to v1 (often none at all).
 * Tasks join both, so that v2-only tooling (systemd, BPF) sees them;
 * resources go to v1, except what only v2 can take: the unified map, and
 * hugetlb or devices when v1 does not have that controller. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int hybrid_create(md_cgroup_t *cg, md_error_t **err)
{
    int r = md_cg_v1_driver.create(cg, err);
    return r < 0 ? r : cg_mkdir_levels(cg, cg->v2root, NULL, err);
}

static int hybrid_enter(md_cgroup_t *cg, pid_t pid, md_error_t **err)
{
    int r = md_cg_v1_driver.enter(cg, pid, err);
    return r < 0 ? r : cg_v2_enter(cg, pid, err);
}

/* Controllers that the unified keys name ("memory.high" -> "memory"). */
static int unified_controllers(const struct md_resources *r, const char **out, size_t max)
{
    static const char *const known[] = {"cpu",  "cpuset", "io",   "memory", "hugetlb",
                                        "pids", "rdma",   "misc", NULL};
    size_t n = 0;
    for (const char *const *k = known; *k && n + 1 < max; k++) {
        size_t kl = strlen(*k);
        for (size_t i = 0; i < r->n_unified; i++)
            if (strncmp(r->unified[i].key, *k, kl) == 0 && r->unified[i].key[kl] == '.') {
                out[n++] = *k;
                break;
            }
    }
    out[n] = NULL;
    return (int)n;
}

static int hybrid_set_v2(md_cgroup_t *cg, const struct md_resources *v2r, md_error_t **err)
{
    const char *wanted[12];
    int n = unified_controllers(v2r, wanted, 10);
    if (v2r->n_hugepages > 0) wanted[n++] = "hugetlb";
    wanted[n] = NULL;
    int r = n > 0 ? cg_v2_enable(cg, wanted, err) : 0;
    if (r == 0) r = cg_v2_set_hugetlb(cg, v2r, err);
    if (r == 0) r = cg_v2_set_devices(cg, v2r, err);
    if (r == 0) r = cg_v2_set_unified(cg, v2r, err);
    return r;
}

static int hybrid_set(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err)
{
    struct md_resources v1r = *r, v2r = {0};
    v1r.n_unified = 0;
    v2r.unified = r->unified;
    v2r.n_unified = r->n_unified;
    if (cg_v1_dir(cg, CG_HUGETLB) == NULL) {
        v1r.n_hugepages = 0;
        v2r.hugepages = r->hugepages;
        v2r.n_hugepages = r->n_hugepages;
    }
    if (cg_v1_dir(cg, CG_DEVICES) == NULL) {
        v1r.n_devices = 0;
        v2r.devices = r->devices;
        v2r.n_devices = r->n_devices;
    }
    int ret = md_cg_v1_driver.set(cg, &v1r, err);
    return ret < 0 ? ret : hybrid_set_v2(cg, &v2r, err);
}

static int hybrid_freeze(md_cgroup_t *cg, int frozen, md_error_t **err)
{
    if (cg_v1_dir(cg, CG_FREEZER) == NULL) return cg_v2_freeze(cg, frozen, err);
    return md_cg_v1_driver.freeze(cg, frozen, err);
}

static int hybrid_destroy(md_cgroup_t *cg, md_error_t **err)
{
    int r = md_cg_v1_driver.destroy(cg, err);
    int d = cg_rmdir(cg->v2dir, r < 0 ? NULL : err);
    return r < 0 ? r : d;
}

/* stats, kills and OOM events are all in the v1 hierarchies */
static int hybrid_stats(md_cgroup_t *cg, struct md_cgroup_stats *st, md_error_t **err)
{
    return md_cg_v1_driver.stats(cg, st, err);
}

static int hybrid_kill_all(md_cgroup_t *cg, md_error_t **err)
{
    return md_cg_v1_driver.kill_all(cg, err);
}

static int hybrid_oom_killed(md_cgroup_t *cg)
{
    return md_cg_v1_driver.oom_killed(cg);
}

static const char *hybrid_procs_dir(md_cgroup_t *cg)
{
    return md_cg_v1_driver.procs_dir(cg);
}

const struct md_cgroup_driver md_cg_hybrid_driver = {
    .name = "hybrid",
    .create = hybrid_create,
    .enter = hybrid_enter,
    .set = hybrid_set,
    .stats = hybrid_stats,
    .freeze = hybrid_freeze,
    .kill_all = hybrid_kill_all,
    .destroy = hybrid_destroy,
    .oom_killed = hybrid_oom_killed,
    .procs_dir = hybrid_procs_dir,
};
