/* Private to src/cgroup: the driver table, the handle, and file helpers
 * shared by v1.c, v2.c and hybrid.c. */
#ifndef MD_CGROUP_INTERNAL_H
#define MD_CGROUP_INTERNAL_H

#include <stdarg.h>

#include "cgroup.h"

struct md_cgroup_driver {
    const char *name;
    int (*create)(md_cgroup_t *cg, md_error_t **err);
    int (*enter)(md_cgroup_t *cg, pid_t pid, md_error_t **err);
    int (*set)(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err);
    int (*stats)(md_cgroup_t *cg, struct md_cgroup_stats *st, md_error_t **err);
    int (*freeze)(md_cgroup_t *cg, int frozen, md_error_t **err);
    int (*kill_all)(md_cgroup_t *cg, md_error_t **err);
    int (*destroy)(md_cgroup_t *cg, md_error_t **err);
    int (*oom_killed)(md_cgroup_t *cg);
    const char *(*procs_dir)(md_cgroup_t *cg); /* where cgroup.procs is read */
};

extern const struct md_cgroup_driver md_cg_v1_driver;
extern const struct md_cgroup_driver md_cg_v2_driver;
extern const struct md_cgroup_driver md_cg_hybrid_driver;

/* v1 controllers, as a bit mask: one hierarchy may carry several. */
enum {
    CG_CPU = 1u << 0,
    CG_CPUACCT = 1u << 1,
    CG_CPUSET = 1u << 2,
    CG_MEMORY = 1u << 3,
    CG_DEVICES = 1u << 4,
    CG_FREEZER = 1u << 5,
    CG_BLKIO = 1u << 6,
    CG_PIDS = 1u << 7,
    CG_HUGETLB = 1u << 8,
};

struct cg_v1_hier {
    char *name;     /* directory under the root: "cpu,cpuacct", "systemd" */
    unsigned ctrls; /* CG_* carried by it; 0 for named hierarchies */
    char *dir;      /* <root>/<name>/<path> */
};

struct md_cgroup {
    const struct md_cgroup_driver *drv;
    md_cgroup_mode_t mode;
    char *fsroot;
    char *path; /* normalized, relative */
    struct cg_v1_hier *v1;
    size_t n_v1;
    char *v2root; /* v2: fsroot; hybrid: fsroot/unified; v1: NULL */
    char *v2dir;
    int v2fd;
};

/* ---- files (cgroup.c). Writes open without O_CREAT: a missing file means
 * a missing controller or feature, never something to create. ---- */
int cg_write(const char *dir, const char *file, const char *val, md_error_t **err);
int cg_writef(md_error_t **err, const char *dir, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Several records into one file, one write(2) per record, as the kernel
 * wants for devices.allow, blkio.throttle.*, io.max, subtree_control. */
typedef struct cg_wfile {
    int fd;
    const char *dir, *file;
} cg_wfile_t;
int cg_wopen(cg_wfile_t *w, const char *dir, const char *file, md_error_t **err);
int cg_wline(cg_wfile_t *w, md_error_t **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cg_wclose(cg_wfile_t *w);
/* "<dir>/<file>" exists */
int cg_has(const char *dir, const char *file);
/* Whole file, trailing whitespace removed. */
int cg_read(const char *dir, const char *file, char **out, md_error_t **err);
/* A number; "max" and v1's near-2^63 "unlimited" read as MD_CGROUP_UNLIMITED. */
int cg_read_u64(const char *dir, const char *file, uint64_t *out);
/* The value of "<key> <value>" in a flat keyed file (cpu.stat, memory.events). */
int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *out);
int cg_read_pids(const char *dir, pid_t **pids, size_t *n, md_error_t **err);
/* SIGKILL every pid of <dir>/cgroup.procs; returns how many were signalled. */
int cg_kill_procs(const char *dir, md_error_t **err);
/* rmdir, retrying EBUSY while killing stragglers; ENOENT is success. */
int cg_rmdir(const char *dir, md_error_t **err);
/* mkdir <root>/<path> level by level; level() is called for each level
 * after its mkdir with the parent and the level directory. */
typedef int (*cg_level_fn)(md_cgroup_t *cg, const char *parent, const char *dir, bool leaf,
                           md_error_t **err);
int cg_mkdir_levels(md_cgroup_t *cg, const char *root, cg_level_fn level, md_error_t **err);
/* "<a>/<b>", malloc'd; NULL on ENOMEM */
char *cg_join(const char *a, const char *b);
/* Sleep this many microseconds (for the short polling loops). */
void cg_usleep(long us);

/* ---- v2 pieces that hybrid reuses (v2.c) ---- */
/* Enable controllers in the subtree_control of each ancestor of the leaf.
 * wanted == NULL means every controller the driver uses. */
int cg_v2_enable(md_cgroup_t *cg, const char *const *wanted, md_error_t **err);
int cg_v2_set_hugetlb(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err);
int cg_v2_set_unified(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err);
int cg_v2_set_devices(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err);
int cg_v2_enter(md_cgroup_t *cg, pid_t pid, md_error_t **err);
int cg_v2_freeze(md_cgroup_t *cg, int frozen, md_error_t **err);

/* ---- v1 pieces that hybrid reuses (v1.c) ---- */
const char *cg_v1_dir(const md_cgroup_t *cg, unsigned ctrl); /* NULL when not mounted */
int cg_v1_list(md_cgroup_t *cg, md_error_t **err);

/* ---- eBPF device filter (devices_bpf.c) ---- */
/* Replace the device program attached to the cgroup directory dirfd. */
int cg_bpf_devices_apply(int dirfd, const struct md_device_rule *rules, size_t n, md_error_t **err);

/* v1 <-> v2 conversions (v2.c), exposed for the unit tests */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_to_io_weight(uint64_t weight);

#endif
