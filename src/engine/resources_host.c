/* The host side of docker's resource flags: what this host's cgroups can
 * honour (cgroup/sysinfo.c), and docker's rule for what they cannot
 * (daemon/daemon_unix.go verifyPlatformContainerResources): most flags are
 * discarded with a WARNING and the container runs; --cpus is refused.
 * docs/cgroups.md lists each flag and what it does on such a host. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resources.h"
#include "engine/hostinfo.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void read_list(const char *path, char *buf, size_t len, const char *def)
{
    cleanup_free char *text = NULL;
    snprintf(buf, len, "%s", def);
    if (md_read_file(path, &text, NULL, NULL) == 0) {
        text[strcspn(text, "\n")] = '\0';
        if (text[0]) snprintf(buf, len, "%s", text);
    }
}

void md_res_host_probe(struct md_res_host *h)
{
    cpu_set_t set;
    h->ncpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
    read_list("/sys/devices/system/cpu/online", h->cpus, sizeof(h->cpus), "0");
    /* a kernel without NUMA has no node directory: node 0 only */
    read_list("/sys/devices/system/node/online", h->mems, sizeof(h->mems), "0");
    /* probed once per boot (engine/hostinfo.c); no cgroupfs at all reads as
     * "nothing supported": every limit is discarded with docker's warning */
    struct md_hostinfo hi;
    md_hostinfo_get(&hi);
    h->si = hi.cg;
}

static void discard_memory(struct md_res_opts *r, const struct md_cgroup_sysinfo *si,
                           const md_warn_t *w)
{
    if (r->memory != 0 && !si->memory) {
        md_warn(w, "Your kernel does not support memory limit capabilities or the cgroup is "
                   "not mounted. Limitation discarded.");
        r->memory = 0;
        r->memory_swap = -1;
    }
    if (r->memory > 0 && r->memory_swap != -1 && !si->swap) {
        md_warn(w, "Your kernel does not support swap limit capabilities or the cgroup is not "
                   "mounted. Memory limited without swap.");
        r->memory_swap = -1;
    }
    if (r->memory_reservation > 0 && !si->memory_reservation) {
        md_warn(w, "Your kernel does not support memory soft limit capabilities or the cgroup "
                   "is not mounted. Limitation discarded.");
        r->memory_reservation = 0;
    }
    if (r->oom_kill_disable && !si->oom_kill_disable) {
        md_warn(w, "Your kernel does not support OomKillDisable. OomKillDisable discarded.");
        r->oom_kill_disable = 0;
    }
    if (r->has_swappiness && !si->swappiness) {
        md_warn(w, "Your kernel does not support memory swappiness capabilities or the cgroup "
                   "is not mounted. Memory swappiness discarded.");
        r->has_swappiness = 0;
    }
}

static int discard_cpu(struct md_res_opts *r, const struct md_cgroup_sysinfo *si,
                       const md_warn_t *w, md_error_t **err)
{
    if ((r->cpu_rt_period || r->cpu_rt_runtime) && !si->cpu_rt)
        return md_error(err, 0, "Your kernel does not support CPU real-time scheduler");
    if (r->nano_cpus > 0 && !si->cpu_cfs)
        return md_error(err, 0,
                        "NanoCPUs can not be set, as your kernel does not support CPU "
                        "CFS scheduler or the cgroup is not mounted");
    if (r->cpu_shares > 0 && !si->cpu_shares) {
        md_warn(w, "Your kernel does not support CPU shares or the cgroup is not mounted. "
                   "Shares discarded.");
        r->cpu_shares = 0;
    }
    if (r->cpu_period > 0 && !si->cpu_cfs) {
        md_warn(w, "Your kernel does not support CPU CFS scheduler. CPU period discarded.");
        r->cpu_period = 0;
    }
    if (r->cpu_quota > 0 && !si->cpu_cfs) {
        md_warn(w, "Your kernel does not support CPU CFS scheduler. CPU quota discarded.");
        r->cpu_quota = 0;
    }
    if ((r->cpuset_cpus || r->cpuset_mems) && !si->cpuset) {
        md_warn(w, "Your kernel does not support cpuset or the cgroup is not mounted. "
                   "Cpuset discarded.");
        free(r->cpuset_cpus);
        free(r->cpuset_mems);
        r->cpuset_cpus = r->cpuset_mems = NULL;
    }
    return 0;
}

static void discard_throttle(struct md_res_throttle **v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*v)[i].path);
    free(*v);
    *v = NULL;
    *n = 0;
}

static void discard_blkio(struct md_res_opts *r, const struct md_cgroup_sysinfo *si,
                          const md_warn_t *w)
{
    if (r->blkio_weight > 0 && !si->blkio_weight) {
        md_warn(w, "Your kernel does not support Block I/O weight or the cgroup is not mounted. "
                   "Weight discarded.");
        r->blkio_weight = 0;
    }
    if (r->n_read_bps > 0 && !si->blkio_read_bps) {
        md_warn(w, "Your kernel does not support BPS Block I/O read limit or the cgroup is not "
                   "mounted. Block I/O BPS read limit discarded.");
        discard_throttle(&r->read_bps, &r->n_read_bps);
    }
    if (r->n_read_iops > 0 && !si->blkio_read_iops) {
        md_warn(w, "Your kernel does not support IOPS Block read limit or the cgroup is not "
                   "mounted. Block I/O IOPS read limit discarded.");
        discard_throttle(&r->read_iops, &r->n_read_iops);
    }
    if (r->n_write_iops > 0 && !si->blkio_write_iops) {
        md_warn(w, "Your kernel does not support IOPS Block write limit or the cgroup is not "
                   "mounted. Block I/O IOPS write limit discarded.");
        discard_throttle(&r->write_iops, &r->n_write_iops);
    }
    if (r->n_weight_device > 0 && !si->blkio_weight_device) {
        md_warn(w, "Your kernel does not support Block I/O weight_device or the cgroup is not "
                   "mounted. Weight-device discarded.");
        discard_throttle(&r->weight_device, &r->n_weight_device);
    }
    if (r->n_write_bps > 0 && !si->blkio_write_bps) {
        md_warn(w, "Your kernel does not support BPS Block I/O write limit or the cgroup is not "
                   "mounted. Block I/O BPS write limit discarded.");
        discard_throttle(&r->write_bps, &r->n_write_bps);
    }
}

int md_res_discard_unsupported(struct md_res_opts *r, const struct md_res_host *h,
                               const md_warn_t *w, md_error_t **err)
{
    discard_memory(r, &h->si, w);
    if (discard_cpu(r, &h->si, w, err) < 0) return -1;
    if (r->has_pids_limit && r->pids_limit > 0 && !h->si.pids) {
        md_warn(w, "Your kernel does not support PIDs limit capabilities or the cgroup is not "
                   "mounted. PIDs limit discarded.");
        r->has_pids_limit = 0;
        r->pids_limit = 0;
    }
    discard_blkio(r, &h->si, w);
    return 0;
}
