/* The cgroup layer: one API over three drivers (v1, v2, hybrid), chosen at
 * run time. See docs/cgroups.md.
 *
 * Every function takes the cgroupfs root as a parameter (NULL means
 * /sys/fs/cgroup) so that tests can run against a fake tree in a temp dir.
 *
 * Paths: "mydocker/<id>" and "/mydocker/<id>" both name <root>/mydocker/<id>
 * in every hierarchy (v1: <root>/<controller>/mydocker/<id>; v2:
 * <root>/mydocker/<id>; hybrid: both, plus <root>/unified/mydocker/<id>).
 * ".." components and systemd "slice:prefix:name" paths are rejected. */
#ifndef MD_CGROUP_H
#define MD_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct json_object;

#define MD_CGROUP_DEFAULT_ROOT "/sys/fs/cgroup"

typedef enum {
    MD_CGROUP_AUTO = 0, /* detect from statfs() of the root */
    MD_CGROUP_V1,
    MD_CGROUP_V2,
    MD_CGROUP_HYBRID, /* v1 controllers + cgroup2 at <root>/unified */
} md_cgroup_mode_t;

/* ---- resources: OCI runtime-spec linux.resources ----
 * Each value has a has_* flag (or is NULL / an empty list): only what is
 * set is written, so md_cgroup_set() also serves `update`. */

struct md_res_memory {
    bool has_limit, has_reservation, has_swap, has_swappiness, has_disable_oom_killer;
    int64_t limit;           /* bytes; -1 = unlimited */
    int64_t reservation;     /* soft limit (v2 memory.low); -1 = unlimited */
    int64_t swap;            /* memory+swap TOTAL as in OCI/v1; -1 = unlimited, 0 = unset */
    uint64_t swappiness;     /* 0-100; v1 only */
    bool disable_oom_killer; /* v1 only */
    bool has_kernel_tcp;
    int64_t kernel_tcp; /* v1 memory.kmem.tcp.limit_in_bytes, where the kernel has it */
};

struct md_res_cpu {
    bool has_shares, has_quota, has_period, has_burst, has_idle;
    uint64_t shares;   /* v1 2-262144; 0 = unset */
    int64_t quota;     /* us per period; -1 = unlimited */
    uint64_t period;   /* us; 0 = kernel default/unchanged */
    uint64_t burst;    /* us */
    int64_t idle;      /* 0 or 1 */
    char *cpus, *mems; /* cpuset lists ("0-3,5"); NULL = unset */
};

struct md_res_pids {
    bool has_limit;
    int64_t limit; /* <= 0 = unlimited */
};

struct md_weight_dev {
    int64_t major, minor;
    bool has_weight, has_leaf_weight;
    uint16_t weight, leaf_weight;
};

struct md_throttle_dev {
    int64_t major, minor;
    uint64_t rate; /* bytes/s or IO/s */
};

enum md_throttle_kind {
    MD_THROTTLE_READ_BPS,
    MD_THROTTLE_WRITE_BPS,
    MD_THROTTLE_READ_IOPS,
    MD_THROTTLE_WRITE_IOPS,
    MD_THROTTLE_N,
};

struct md_res_blkio {
    bool has_weight, has_leaf_weight;
    uint16_t weight;      /* v1 range 10-1000 */
    uint16_t leaf_weight; /* v1 CFQ only; ignored on v2 */
    struct md_weight_dev *weight_device;
    size_t n_weight_device;
    struct md_throttle_dev *throttle[MD_THROTTLE_N];
    size_t n_throttle[MD_THROTTLE_N];
};

struct md_hugepage_limit {
    char *pagesize; /* "2MB", "1GB" as in hugetlb.<pagesize>.* */
    uint64_t limit; /* bytes */
};

/* One devices rule. Rules are applied in order on top of "deny all";
 * the last rule that matches a device decides (docs/cgroups.md). */
struct md_device_rule {
    bool allow;
    char type;            /* 'a' (all), 'b', 'c' */
    int64_t major, minor; /* -1 = any */
    char access[4];       /* subset of "rwm", NUL-terminated */
};

struct md_kv {
    char *key, *value;
};

struct md_resources {
    struct md_res_memory memory;
    struct md_res_cpu cpu;
    struct md_res_pids pids;
    struct md_res_blkio blkio;
    struct md_hugepage_limit *hugepages;
    size_t n_hugepages;
    struct md_device_rule *devices;
    size_t n_devices;
    struct md_kv *unified; /* v2 "file" -> "value", written last */
    size_t n_unified;
};

/* Parse an OCI linux.resources object (NULL is an empty set). Unknown keys
 * are ignored; wrong types are errors naming the field. *out is zeroed
 * first and must be released with md_resources_free() even on failure. */
int md_resources_from_json(struct json_object *resources, struct md_resources *out,
                           md_error_t **err);
void md_resources_free(struct md_resources *r);

/* ---- statistics ---- */

#define MD_CGROUP_UNLIMITED UINT64_MAX

struct md_cgroup_stats {
    uint64_t cpu_usage_ns, cpu_user_ns, cpu_system_ns;
    uint64_t mem_usage, mem_limit; /* MD_CGROUP_UNLIMITED when no limit */
    uint64_t mem_inactive_file;    /* docker stats shows usage minus this */
    uint64_t pids_current, pids_limit;
    uint64_t blkio_read_bytes, blkio_write_bytes;
};

/* ---- what the host can do (docker's pkg/sysinfo), from its files ---- */

struct md_cgroup_sysinfo {
    md_cgroup_mode_t mode;
    bool memory, swap, memory_reservation, oom_kill_disable, swappiness, kernel_tcp;
    bool cpu_shares, cpu_cfs, cpu_rt, cpuset;
    bool blkio_weight, blkio_weight_device;
    bool blkio_read_bps, blkio_write_bps, blkio_read_iops, blkio_write_iops;
    bool io_bfq; /* v2: io.bfq.weight (BFQ loaded) */
    bool pids, devices, freezer, hugetlb;
};

/* Probe fsroot (NULL = /sys/fs/cgroup); mode MD_CGROUP_AUTO detects. A
 * missing controller or file is a false field, never an error. */
int md_cgroup_sysinfo(const char *fsroot, md_cgroup_mode_t mode, struct md_cgroup_sysinfo *si,
                      md_error_t **err);

/* ---- the cgroup handle ---- */

typedef struct md_cgroup md_cgroup_t;

/* Which driver fsroot (NULL = default) needs: v2 when it is cgroup2, hybrid
 * when it holds a cgroup2 "unified" mount, v1 otherwise. */
int md_cgroup_detect(const char *fsroot, md_cgroup_mode_t *mode, md_error_t **err);
const char *md_cgroup_mode_name(md_cgroup_mode_t mode);
/* "v1", "v2" or "hybrid" for the host (`mydocker info`); "none" on error. */
const char *md_cgroup_version_name(void);

/* A handle on cgroup `path`; no side effect (v1: lists the root to find the
 * hierarchies). mode MD_CGROUP_AUTO detects. */
int md_cgroup_open(const char *fsroot, const char *path, md_cgroup_mode_t mode, md_cgroup_t **out,
                   md_error_t **err);
void md_cgroup_free(md_cgroup_t *cg);
md_cgroup_mode_t md_cgroup_mode(const md_cgroup_t *cg);
const char *md_cgroup_path(const md_cgroup_t *cg); /* normalized, no leading '/' */

/* mkdir in every hierarchy (existing is fine). v1: fills empty cpuset.cpus/
 * mems from the parent, level by level. v2: enables the controllers in each
 * ancestor's cgroup.subtree_control. On failure the leaves are removed
 * again where they are empty; ancestors are kept. */
int md_cgroup_create(md_cgroup_t *cg, md_error_t **err);
/* Write the set fields of r. */
int md_cgroup_set(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err);
/* Move pid (0 = the caller) into the cgroup in every hierarchy. */
int md_cgroup_enter(md_cgroup_t *cg, pid_t pid, md_error_t **err);
/* v2 only: a directory fd for clone3(CLONE_INTO_CGROUP), owned by cg (do not
 * close). -1 on v1/hybrid, where md_cgroup_enter() is needed.
 * Kernel quirk (seen on 6.18): once cgroup.kill has been written, which
 * md_cgroup_kill_all() does on v2, every later CLONE_INTO_CGROUP child is
 * SIGKILLed at birth. Never reuse a killed cgroup: destroy and create. */
int md_cgroup_fd(md_cgroup_t *cg);
/* Best effort: fields whose files are missing stay 0. Fails only when the
 * cgroup does not exist. */
int md_cgroup_stats(md_cgroup_t *cg, struct md_cgroup_stats *st, md_error_t **err);
/* Freeze (1) or thaw (0), waiting until every task is frozen. */
int md_cgroup_freeze(md_cgroup_t *cg, int frozen, md_error_t **err);
/* 1 when the OOM killer killed a task in the cgroup, 0 otherwise. */
int md_cgroup_oom_killed(md_cgroup_t *cg);
/* The pids in the cgroup (cgroup.procs), malloc'd; *n may be 0. */
int md_cgroup_pids(md_cgroup_t *cg, pid_t **pids, size_t *n, md_error_t **err);
/* SIGKILL every task; does not wait for them to exit. */
int md_cgroup_kill_all(md_cgroup_t *cg, md_error_t **err);
/* Kill remaining tasks, then rmdir the leaf in every hierarchy, retrying
 * EBUSY briefly. A missing directory is fine; ancestors are kept. */
int md_cgroup_destroy(md_cgroup_t *cg, md_error_t **err);

#endif
