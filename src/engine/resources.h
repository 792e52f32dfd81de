/* docker's resource flags (run, create, update) -> OCI linux.resources and
 * docker's HostConfig fields. Pure except md_res_resolve_devices (stat) and
 * md_res_host_probe (sysfs); unit-tested in tests/unit/test_resources.c.
 * See docs/cgroups.md, "The engine side". */
#ifndef MD_ENGINE_RESOURCES_H
#define MD_ENGINE_RESOURCES_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup/cgroup.h"
#include "util/error.h"

struct json_object;

/* getopt codes of the resource flags; -m and -c map to MD_ROPT_MEMORY and
 * MD_ROPT_CPU_SHARES. Placed above every other command's codes. */
enum {
    MD_ROPT_FIRST = 1024,
    MD_ROPT_MEMORY = MD_ROPT_FIRST,
    MD_ROPT_MEMORY_SWAP,
    MD_ROPT_MEMORY_RESERVATION,
    MD_ROPT_OOM_KILL_DISABLE,
    MD_ROPT_OOM_SCORE_ADJ,
    MD_ROPT_CPU_SHARES,
    MD_ROPT_CPUS,
    MD_ROPT_CPU_PERIOD,
    MD_ROPT_CPU_QUOTA,
    MD_ROPT_CPUSET_CPUS,
    MD_ROPT_CPUSET_MEMS,
    MD_ROPT_PIDS_LIMIT,
    MD_ROPT_BLKIO_WEIGHT,
    MD_ROPT_DEVICE_READ_BPS,
    MD_ROPT_DEVICE_WRITE_BPS,
    MD_ROPT_CGROUP_PARENT,
    MD_ROPT_CGROUPNS,
    MD_ROPT_DEVICE_READ_IOPS,
    MD_ROPT_DEVICE_WRITE_IOPS,
    MD_ROPT_BLKIO_WEIGHT_DEVICE,
    MD_ROPT_MEMORY_SWAPPINESS,
    MD_ROPT_CPU_RT_PERIOD,
    MD_ROPT_CPU_RT_RUNTIME,
    MD_ROPT_LAST,
};

/* For a getopt_long table: the flags `update` also takes... */
#define MD_RES_UPDATE_LONG_OPTIONS                                                                 \
    {"memory", required_argument, NULL, MD_ROPT_MEMORY},                                           \
        {"memory-swap", required_argument, NULL, MD_ROPT_MEMORY_SWAP},                             \
        {"memory-reservation", required_argument, NULL, MD_ROPT_MEMORY_RESERVATION},               \
        {"cpu-shares", required_argument, NULL, MD_ROPT_CPU_SHARES},                               \
        {"cpus", required_argument, NULL, MD_ROPT_CPUS},                                           \
        {"cpu-period", required_argument, NULL, MD_ROPT_CPU_PERIOD},                               \
        {"cpu-quota", required_argument, NULL, MD_ROPT_CPU_QUOTA},                                 \
        {"cpuset-cpus", required_argument, NULL, MD_ROPT_CPUSET_CPUS},                             \
        {"cpuset-mems", required_argument, NULL, MD_ROPT_CPUSET_MEMS},                             \
        {"pids-limit", required_argument, NULL, MD_ROPT_PIDS_LIMIT},                               \
    {                                                                                              \
        "blkio-weight", required_argument, NULL, MD_ROPT_BLKIO_WEIGHT                              \
    }
/* ...and the ones only `run` and `create` take */
#define MD_RES_LONG_OPTIONS                                                                        \
    MD_RES_UPDATE_LONG_OPTIONS, {"oom-kill-disable", no_argument, NULL, MD_ROPT_OOM_KILL_DISABLE}, \
        {"oom-score-adj", required_argument, NULL, MD_ROPT_OOM_SCORE_ADJ},                         \
        {"device-read-bps", required_argument, NULL, MD_ROPT_DEVICE_READ_BPS},                     \
        {"device-read-iops", required_argument, NULL, MD_ROPT_DEVICE_READ_IOPS},                   \
        {"device-write-iops", required_argument, NULL, MD_ROPT_DEVICE_WRITE_IOPS},                 \
        {"blkio-weight-device", required_argument, NULL, MD_ROPT_BLKIO_WEIGHT_DEVICE},             \
        {"memory-swappiness", required_argument, NULL, MD_ROPT_MEMORY_SWAPPINESS},                 \
        {"cpu-rt-period", required_argument, NULL, MD_ROPT_CPU_RT_PERIOD},                         \
        {"cpu-rt-runtime", required_argument, NULL, MD_ROPT_CPU_RT_RUNTIME},                       \
        {"device-write-bps", required_argument, NULL, MD_ROPT_DEVICE_WRITE_BPS},                   \
        {"cgroup-parent", required_argument, NULL, MD_ROPT_CGROUP_PARENT},                         \
    {                                                                                              \
        "cgroupns", required_argument, NULL, MD_ROPT_CGROUPNS                                      \
    }

struct md_res_throttle {
    char *path;           /* "/dev/sda" as given */
    int64_t major, minor; /* -1 until md_res_resolve_devices() */
    uint64_t rate;        /* bytes (or IOs) per second; a weight for --blkio-weight-device */
};

/* The flags as docker keeps them in HostConfig. 0 means "not set" for every
 * number except where a has_* flag exists (docker's pointers). */
struct md_res_opts {
    int64_t memory;             /* bytes */
    int64_t memory_swap;        /* memory + swap, bytes; -1 = unlimited */
    int64_t memory_reservation; /* bytes */
    int oom_kill_disable;
    int has_oom_score_adj, oom_score_adj;
    int64_t cpu_shares;
    int64_t nano_cpus;             /* --cpus * 1e9 */
    int64_t cpu_period, cpu_quota; /* us; quota -1 = unlimited */
    char *cpuset_cpus, *cpuset_mems;
    int has_pids_limit;
    int64_t pids_limit; /* <= 0 = unlimited */
    int blkio_weight;   /* 10-1000 */
    struct md_res_throttle *read_bps, *write_bps;
    size_t n_read_bps, n_write_bps;
    struct md_res_throttle *read_iops, *write_iops, *weight_device;
    size_t n_read_iops, n_write_iops, n_weight_device;
    int has_swappiness;
    int64_t swappiness;                    /* 0-100 */
    int64_t cpu_rt_period, cpu_rt_runtime; /* us */
    char *cgroup_parent;                   /* NULL: "mydocker" */
    char *cgroupns;                        /* "host" or "private"; NULL: private */
};

/* What the checks need to know about the host (a struct so that tests can
 * pretend). */
struct md_res_host {
    int ncpus;                   /* CPUs this process may use (docker: NumCPU) */
    char cpus[256], mems[256];   /* online lists, "0-1" */
    struct md_cgroup_sysinfo si; /* what the cgroups can do (md_res_host_probe); si.swap:
                                  * memory+swap limits can be set */
};

/* Parse one flag value into r (code is an MD_ROPT_* or 'm' / 'c').
 * Errors are docker's: `invalid argument "x" for "-m, --memory" flag: ...`. */
int md_res_opt_parse(struct md_res_opts *r, int code, const char *arg, md_error_t **err);
void md_res_opts_free(struct md_res_opts *r);
/* Is any limit set (anything that needs linux.resources)? */
int md_res_opts_any(const struct md_res_opts *r);

/* docker's strict size parser (RAMInBytes): "32m", "1.5g", "64MiB", "100".
 * -1 on a malformed or negative value. */
int64_t md_ram_in_bytes(const char *s);
/* Parse a cpuset list ("0-3,5") into a bitmap of nbits; -1 if malformed. */
int md_cpuset_parse(const char *s, uint64_t *bits, size_t nbits);

void md_res_host_probe(struct md_res_host *h);
/* docker's rule for a flag the host's cgroups cannot honour: a warning
 * through w and the value discarded, or (--cpus without CFS) an error. */
int md_res_discard_unsupported(struct md_res_opts *r, const struct md_res_host *h,
                               const md_warn_t *w, md_error_t **err);
/* docker's checks (daemon/daemon_unix.go verifyPlatformContainerResources)
 * plus the ones docker leaves to the kernel. update: checks for `update`
 * (swap without memory is allowed). Every failure is one line. */
int md_res_validate(const struct md_res_opts *r, const struct md_res_host *h, int update,
                    md_error_t **err);
/* docker's adjustments before use: swap defaults to twice the memory (when
 * the host accounts swap), cpu shares are clamped to 2-262144. */
void md_res_adapt(struct md_res_opts *r, const struct md_res_host *h);
/* stat() each --device-*-bps path: major:minor of a block device. */
int md_res_resolve_devices(struct md_res_opts *r, md_error_t **err);
/* The OCI linux.resources object; NULL when nothing is set. */
struct json_object *md_res_to_oci(const struct md_res_opts *r);
/* run/create: probe the host, discard what it cannot do (warnings), validate, resolve devices,
 * adapt, and build the OCI object (*oci NULL when nothing is set). */
int md_res_prepare(struct md_res_opts *r, const md_warn_t *w, struct json_object **oci,
                   md_error_t **err);
/* The cgroupsPath of container id: "<parent>/<id>", "mydocker/<id>" by default. */
char *md_res_cgroups_path(const struct md_res_opts *r, const char *id);

/* docker's HostConfig fields (Memory, MemorySwap, NanoCpus, PidsLimit, ...)
 * into / out of a container record's HostConfig object. */
void md_res_to_hostconfig(const struct md_res_opts *r, struct json_object *hc);
int md_res_from_hostconfig(struct json_object *hc, struct md_res_opts *r, md_error_t **err);
/* `update`: apply the set fields of upd over cur (docker's update rules,
 * including its check that memory stays below an existing swap limit). */
int md_res_merge_update(struct md_res_opts *cur, const struct md_res_opts *upd,
                        const struct md_res_host *h, md_error_t **err);

#endif
