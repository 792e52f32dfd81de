/* What the host's cgroups can do, probed from the files the kernel shows, as
 * docker's pkg/sysinfo does. Kernels differ file by file (6.18's v1 blkio
 * has only the throttle files, BFQ's weight files appear only below the
 * root), so nothing here is assumed from a version number. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int has_file(const char *dir, const char *file)
{
    return dir[0] != '\0' && cg_has(dir, file);
}

/* The v1 hierarchy directory that carries ctrl: "<root>/<ctrl>" (systemd's
 * symlink or the mount itself), else a co-mounted "a,b" directory. */
static int v1_ctrl_dir(const char *root, const char *ctrl, char *out, size_t len)
{
    struct stat st;
    snprintf(out, len, "%s/%s", root, ctrl);
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode) && cg_has(out, "cgroup.procs")) return 1;
    out[0] = '\0';
    cleanup_dir DIR *d = opendir(root);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char list[258];
        snprintf(list, sizeof(list), ",%s,", de->d_name);
        char want[64];
        snprintf(want, sizeof(want), ",%s,", ctrl);
        if (de->d_name[0] != '.' && strstr(list, want) != NULL) {
            snprintf(out, len, "%s/%s", root, de->d_name);
            return 1;
        }
    }
    return 0;
}

/* Some files are never on the root cgroup (CFTYPE_NOT_ON_ROOT: BFQ's weights,
 * v2's memory.* and io.*), so a child answers for the controller. The first
 * child directory that has gate (any child when gate is NULL): 1 when it has
 * file, 0 when not; -1 when no child has gate. */
static int first_child_has(const char *dir, const char *gate, const char *file)
{
    cleanup_dir DIR *d = dir[0] ? opendir(dir) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || de->d_type != DT_DIR) continue;
        char sub[PATH_MAX];
        snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
        if (gate == NULL || cg_has(sub, gate)) return cg_has(sub, file);
    }
    return -1;
}

static int has_below_root(const char *dir, const char *file)
{
    return has_file(dir, file) || first_child_has(dir, NULL, file) == 1;
}

static void probe_v1_memory(const char *root, struct md_cgroup_sysinfo *si)
{
    char d[PATH_MAX];
    si->memory = v1_ctrl_dir(root, "memory", d, sizeof(d));
    si->swap = has_file(d, "memory.memsw.limit_in_bytes");
    si->memory_reservation = has_file(d, "memory.soft_limit_in_bytes");
    si->oom_kill_disable = has_file(d, "memory.oom_control");
    si->swappiness = has_file(d, "memory.swappiness");
    si->kernel_tcp = has_file(d, "memory.kmem.tcp.limit_in_bytes");
}

static void probe_v1_cpu(const char *root, struct md_cgroup_sysinfo *si)
{
    char d[PATH_MAX];
    v1_ctrl_dir(root, "cpu", d, sizeof(d));
    si->cpu_shares = has_file(d, "cpu.shares");
    si->cpu_cfs = has_file(d, "cpu.cfs_quota_us") && has_file(d, "cpu.cfs_period_us");
    si->cpu_rt = has_file(d, "cpu.rt_runtime_us");
    si->cpuset = v1_ctrl_dir(root, "cpuset", d, sizeof(d)) && has_file(d, "cpuset.cpus");
}

static void probe_v1_blkio(const char *root, struct md_cgroup_sysinfo *si)
{
    char d[PATH_MAX];
    if (!v1_ctrl_dir(root, "blkio", d, sizeof(d))) return;
    si->blkio_weight = has_file(d, "blkio.weight") || has_below_root(d, "blkio.bfq.weight");
    si->blkio_weight_device =
        has_file(d, "blkio.weight_device") || has_below_root(d, "blkio.bfq.weight_device");
    si->blkio_read_bps = has_file(d, "blkio.throttle.read_bps_device");
    si->blkio_write_bps = has_file(d, "blkio.throttle.write_bps_device");
    si->blkio_read_iops = has_file(d, "blkio.throttle.read_iops_device");
    si->blkio_write_iops = has_file(d, "blkio.throttle.write_iops_device");
}

static void probe_v1(const char *root, struct md_cgroup_sysinfo *si)
{
    char d[PATH_MAX];
    probe_v1_memory(root, si);
    probe_v1_cpu(root, si);
    probe_v1_blkio(root, si);
    si->pids = v1_ctrl_dir(root, "pids", d, sizeof(d));
    si->devices = v1_ctrl_dir(root, "devices", d, sizeof(d)) && has_file(d, "devices.allow");
    si->freezer = v1_ctrl_dir(root, "freezer", d, sizeof(d));
    si->hugetlb = v1_ctrl_dir(root, "hugetlb", d, sizeof(d));
}

static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n')) return 1;
    return 0;
}

/* docker's applyMemoryInfoV2 and friends: a controller in the root's
 * cgroup.controllers means its files exist in every child. */
static void probe_v2(const char *root, struct md_cgroup_sysinfo *si)
{
    cleanup_free char *ctl = NULL;
    if (cg_read(root, "cgroup.controllers", &ctl, NULL) < 0) return;
    si->memory = si->memory_reservation = has_word(ctl, "memory");
    /* a child with memory.max shows whether the kernel accounts swap
     * (memory.swap.max only with CONFIG_MEMCG_SWAP and swapaccount on); no
     * such child: docker's answer, yes */
    si->swap = si->memory && first_child_has(root, "memory.max", "memory.swap.max") != 0;
    si->cpu_shares = si->cpu_cfs = has_word(ctl, "cpu");
    si->cpuset = has_word(ctl, "cpuset");
    si->blkio_weight = si->blkio_weight_device = has_word(ctl, "io");
    si->blkio_read_bps = si->blkio_write_bps = si->blkio_weight;
    si->blkio_read_iops = si->blkio_write_iops = si->blkio_weight;
    /* BFQ (io.bfq.weight, v1's scale) where it is loaded; else iocost's io.weight */
    si->io_bfq = si->blkio_weight && first_child_has(root, "io.bfq.weight", "io.bfq.weight") == 1;
    si->pids = has_word(ctl, "pids");
    si->hugetlb = has_word(ctl, "hugetlb");
    si->devices = 1; /* an eBPF program, not a controller */
    si->freezer = 1; /* cgroup.freeze is in every non-root cgroup */
}

int md_cgroup_sysinfo(const char *fsroot, md_cgroup_mode_t mode, struct md_cgroup_sysinfo *si,
                      md_error_t **err)
{
    const char *root = fsroot ? fsroot : MD_CGROUP_DEFAULT_ROOT;
    memset(si, 0, sizeof(*si));
    if (mode == MD_CGROUP_AUTO && md_cgroup_detect(root, &mode, err) < 0) return -1;
    si->mode = mode;
    if (mode == MD_CGROUP_V2)
        probe_v2(root, si);
    else
        probe_v1(root, si); /* hybrid: every controller is on v1 */
    return 0;
}
