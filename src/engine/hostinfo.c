/* Host features, probed from the kernel's own answers (a file that exists, a
 * syscall that says ENOSYS or not), never from a version number alone, and
 * cached per boot: kernels differ file by file (docs/cgroups.md). */
#include "hostinfo.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/paths.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#define CACHE_VERSION 2

static int syscall_exists(long rc)
{
    return !(rc < 0 && errno == ENOSYS);
}

static int kernel_at_least(int major, int minor)
{
    struct utsname u;
    int a = 0, b = 0;
    if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) != 2) return 0;
    return a > major || (a == major && b >= minor);
}

static void probe_seccomp(struct md_hostinfo *hi)
{
    hi->seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
    unsigned action = SECCOMP_RET_ERRNO;
    hi->seccomp_filter =
        hi->seccomp && syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

static void probe_overlay(struct md_hostinfo *hi)
{
    cleanup_free char *fs = NULL;
    hi->overlay = (md_read_file("/proc/filesystems", &fs, NULL, NULL) == 0 &&
                   strstr(fs, "\toverlay\n") != NULL) ||
                  md_path_exists("/sys/module/overlay");
    hi->overlay_metacopy = md_path_exists("/sys/module/overlay/parameters/metacopy");
    hi->overlay_redirect_dir = md_path_exists("/sys/module/overlay/parameters/redirect_dir");
    /* the "volatile" mount option has no file of its own: 5.10 added it */
    hi->overlay_volatile = hi->overlay && kernel_at_least(5, 10);
}

static void probe_calls(struct md_hostinfo *hi)
{
    hi->mount_setattr = syscall_exists(syscall(SYS_mount_setattr, -1, "", 0, NULL, 0));
    hi->open_tree = syscall_exists(syscall(SYS_open_tree, -1, "", 0));
    /* size 0 is below every version of struct clone_args: EINVAL, not a clone */
    hi->clone3 = syscall_exists(syscall(SYS_clone3, NULL, 0));
    /* CLONE_INTO_CGROUP has no probe that does not clone: 5.7 with clone3 */
    hi->clone_into_cgroup = hi->clone3 && kernel_at_least(5, 7);
    long fd = syscall(SYS_pidfd_open, getpid(), 0);
    hi->pidfd = fd >= 0;
    if (fd >= 0) close((int)fd);
    hi->time_ns = md_path_exists("/proc/self/ns/time");
    cleanup_free char *max = NULL;
    hi->user_ns = md_path_exists("/proc/self/ns/user") &&
                  md_read_file("/proc/sys/user/max_user_namespaces", &max, NULL, NULL) == 0 &&
                  atol(max) > 0;
}

/* "hugepages-2048kB" -> "2MB", docker's and the cgroup files' spelling */
static void probe_hugetlb(struct md_hostinfo *hi)
{
    hi->hugetlb_sizes[0] = '\0';
    cleanup_dir DIR *d = opendir("/sys/kernel/mm/hugepages");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        unsigned long kb;
        if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1) continue;
        char one[32];
        if (kb >= 1024 * 1024)
            snprintf(one, sizeof(one), "%luGB", kb / (1024 * 1024));
        else if (kb >= 1024)
            snprintf(one, sizeof(one), "%luMB", kb / 1024);
        else
            snprintf(one, sizeof(one), "%luKB", kb);
        size_t n = strlen(hi->hugetlb_sizes);
        snprintf(hi->hugetlb_sizes + n, sizeof(hi->hugetlb_sizes) - n, "%s%s", n ? " " : "", one);
    }
}

void md_hostinfo_probe(struct md_hostinfo *hi)
{
    memset(hi, 0, sizeof(*hi));
    if (md_cgroup_sysinfo(NULL, MD_CGROUP_AUTO, &hi->cg, NULL) < 0)
        memset(&hi->cg, 0, sizeof(hi->cg));
    probe_hugetlb(hi);
    probe_seccomp(hi);
    probe_overlay(hi);
    probe_calls(hi);
}

/* ---- the cache: every bool by name ---- */

#define F(field)                                                                                   \
    {                                                                                              \
#field, offsetof(struct md_hostinfo, field)                                                \
    }
#define C(field)                                                                                   \
    {                                                                                              \
        "cgroup_" #field,                                                                          \
            offsetof(struct md_hostinfo, cg) + offsetof(struct md_cgroup_sysinfo, field)           \
    }
static const struct {
    const char *name;
    size_t off;
} flags[] = {
    C(memory),
    C(swap),
    C(memory_reservation),
    C(oom_kill_disable),
    C(swappiness),
    C(kernel_tcp),
    C(cpu_shares),
    C(cpu_cfs),
    C(cpu_rt),
    C(cpuset),
    C(blkio_weight),
    C(blkio_weight_device),
    C(blkio_read_bps),
    C(blkio_write_bps),
    C(blkio_read_iops),
    C(blkio_write_iops),
    C(pids),
    C(devices),
    C(freezer),
    C(hugetlb),
    C(io_bfq),
    F(seccomp),
    F(seccomp_filter),
    F(overlay),
    F(overlay_metacopy),
    F(overlay_redirect_dir),
    F(overlay_volatile),
    F(mount_setattr),
    F(open_tree),
    F(clone3),
    F(clone_into_cgroup),
    F(pidfd),
    F(time_ns),
    F(user_ns),
};

static bool *flag_at(struct md_hostinfo *hi, size_t i)
{
    return (bool *)((char *)hi + flags[i].off);
}

static void boot_id(char out[64])
{
    cleanup_free char *id = NULL;
    out[0] = '\0';
    if (md_read_file("/proc/sys/kernel/random/boot_id", &id, NULL, NULL) == 0)
        snprintf(out, 64, "%.*s", (int)strcspn(id, "\n"), id);
}

static int load(struct md_hostinfo *hi, const char *boot)
{
    cleanup_free char *text = NULL;
    char cache[512];
    if (boot[0] == '\0' || md_run_path(cache, sizeof(cache), "hostinfo.json") < 0 ||
        md_read_file(cache, &text, NULL, NULL) < 0)
        return -1;
    struct json_object *o = json_tokener_parse(text), *v;
    int ok = o && json_object_object_get_ex(o, "boot_id", &v) &&
             strcmp(json_object_get_string(v), boot) == 0 &&
             json_object_object_get_ex(o, "version", &v) && json_object_get_int(v) == CACHE_VERSION;
    memset(hi, 0, sizeof(*hi));
    for (size_t i = 0; ok && i < sizeof(flags) / sizeof(flags[0]); i++) {
        ok = json_object_object_get_ex(o, flags[i].name, &v);
        if (ok) *flag_at(hi, i) = json_object_get_boolean(v);
    }
    if (ok && json_object_object_get_ex(o, "cgroup_mode", &v))
        hi->cg.mode = (md_cgroup_mode_t)json_object_get_int(v);
    if (ok && json_object_object_get_ex(o, "hugetlb_sizes", &v))
        snprintf(hi->hugetlb_sizes, sizeof(hi->hugetlb_sizes), "%s", json_object_get_string(v));
    json_object_put(o);
    return ok ? 0 : -1;
}

static void save(struct md_hostinfo *hi, const char *boot)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "boot_id", json_object_new_string(boot));
    json_object_object_add(o, "version", json_object_new_int(CACHE_VERSION));
    json_object_object_add(o, "cgroup_mode", json_object_new_int((int)hi->cg.mode));
    json_object_object_add(o, "hugetlb_sizes", json_object_new_string(hi->hugetlb_sizes));
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        json_object_object_add(o, flags[i].name, json_object_new_boolean(*flag_at(hi, i)));
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    md_error_t *e = NULL;
    char cache[512];
    if (md_run_path(cache, sizeof(cache), "hostinfo.json") == 0 &&
        md_mkdir_p(md_run_root(), 0700, &e) == 0)
        md_write_file_atomic(cache, text, strlen(text), 0644, 0, &e);
    md_error_free(&e); /* only a cache */
    json_object_put(o);
}

void md_hostinfo_get(struct md_hostinfo *hi)
{
    char boot[64];
    boot_id(boot);
    if (load(hi, boot) == 0) return;
    md_hostinfo_probe(hi);
    if (boot[0]) save(hi, boot);
}

char **md_hostinfo_warnings(const struct md_hostinfo *hi)
{
    /* docker info's wording; on v2 it names the io controller's files */
    static const struct {
        size_t off;
        const char *v1, *v2;
    } w[] = {
#define W(field, v1, v2) {offsetof(struct md_cgroup_sysinfo, field), v1, v2}
        W(memory, "No memory limit support", NULL),
        W(swap, "No swap limit support", NULL),
        W(oom_kill_disable, "No oom kill disable support", NULL),
        W(cpu_cfs, "No cpu cfs quota support", NULL),
        W(cpu_shares, "No cpu shares support", NULL),
        W(cpuset, "No cpuset support", NULL),
        W(pids, "No pids limit support", NULL),
        W(blkio_weight, "No blkio weight support", "No io.weight support"),
        W(blkio_weight_device, "No blkio weight_device support", NULL),
        W(blkio_read_bps, "No blkio throttle.read_bps_device support", NULL),
        W(blkio_write_bps, "No blkio throttle.write_bps_device support", NULL),
        W(blkio_read_iops, "No blkio throttle.read_iops_device support", NULL),
        W(blkio_write_iops, "No blkio throttle.write_iops_device support", NULL),
#undef W
    };
    int v2 = hi->cg.mode == MD_CGROUP_V2;
    char **out = NULL;
    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
        if (!*(const bool *)((const char *)&hi->cg + w[i].off))
            md_strv_append(&out, v2 && w[i].v2 ? w[i].v2 : w[i].v1);
    if (!hi->seccomp_filter) md_strv_append(&out, "No seccomp filter support");
    return out;
}
