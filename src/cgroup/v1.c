/* cgroup v1: one hierarchy per mounted controller set under the root
 * (<root>/cpu,cpuacct, <root>/memory, <root>/systemd ...). The container's
 * cgroup is <root>/<hierarchy>/<path> in every one of them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"

static const struct {
    const char *name;
    unsigned bit;
} v1_ctrls[] = {
    {"cpu", CG_CPU},       {"cpuacct", CG_CPUACCT}, {"cpuset", CG_CPUSET},
    {"memory", CG_MEMORY}, {"devices", CG_DEVICES}, {"freezer", CG_FREEZER},
    {"blkio", CG_BLKIO},   {"pids", CG_PIDS},       {"hugetlb", CG_HUGETLB},
};

static unsigned ctrl_mask(const char *name)
{
    unsigned m = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", name);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        for (size_t i = 0; i < sizeof(v1_ctrls) / sizeof(v1_ctrls[0]); i++)
            if (strcmp(t, v1_ctrls[i].name) == 0) m |= v1_ctrls[i].bit;
    }
    return m;
}

/* A hierarchy is a real directory (systemd adds "cpu -> cpu,cpuacct"
 * symlinks: skip them, or we would join the same hierarchy twice) that
 * holds cgroup.procs. "unified" is the v2 mount of a hybrid host. */
static int is_hierarchy(int rootfd, const char *name)
{
    if (name[0] == '.' || strcmp(name, "unified") == 0) return 0;
    struct stat st;
    if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) return 0;
    char p[512];
    snprintf(p, sizeof(p), "%s/cgroup.procs", name);
    return faccessat(rootfd, p, F_OK, 0) == 0;
}

static int hier_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cg_v1_hier *)a)->name, ((const struct cg_v1_hier *)b)->name);
}

static int add_hierarchy(md_cgroup_t *cg, const char *name, md_error_t **err)
{
    struct cg_v1_hier *nv = realloc(cg->v1, (cg->n_v1 + 1) * sizeof(*nv));
    if (nv == NULL) return md_error(err, ENOMEM, "list cgroup hierarchies");
    cg->v1 = nv;
    struct cg_v1_hier *h = &cg->v1[cg->n_v1];
    h->name = strdup(name);
    h->ctrls = ctrl_mask(name);
    h->dir = NULL;
    if (h->name == NULL || asprintf(&h->dir, "%s/%s/%s", cg->fsroot, name, cg->path) < 0) {
        free(h->name);
        return md_error(err, ENOMEM, "list cgroup hierarchies");
    }
    cg->n_v1++;
    return 0;
}

int cg_v1_list(md_cgroup_t *cg, md_error_t **err)
{
    cleanup_dir DIR *d = opendir(cg->fsroot);
    if (d == NULL) return md_error(err, errno, "open %s", cg->fsroot);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_hierarchy(dirfd(d), de->d_name)) continue;
        int r = add_hierarchy(cg, de->d_name, err);
        if (r < 0) return r;
    }
    if (cg->n_v1 == 0) return md_error(err, ENOENT, "no cgroup v1 hierarchy under %s", cg->fsroot);
    qsort(cg->v1, cg->n_v1, sizeof(cg->v1[0]), hier_cmp);
    return 0;
}

const char *cg_v1_dir(const md_cgroup_t *cg, unsigned ctrl)
{
    for (size_t i = 0; i < cg->n_v1; i++)
        if (cg->v1[i].ctrls & ctrl) return cg->v1[i].dir;
    return NULL;
}

static int need_dir(md_cgroup_t *cg, unsigned ctrl, const char *ctrl_name, const char **dir,
                    md_error_t **err)
{
    *dir = cg_v1_dir(cg, ctrl);
    if (*dir == NULL)
        return md_error(err, EOPNOTSUPP, "the %s cgroup controller is not mounted", ctrl_name);
    return 0;
}

/* Two files whose values constrain each other (memory <= memsw, quota vs
 * period): the right order depends on the current values, so try a then b
 * and, when the kernel says EINVAL, b then a. */
static int write_pair(const char *dir, const char *fa, const char *va, const char *fb,
                      const char *vb, md_error_t **err)
{
    if (fa == NULL) return fb ? cg_write(dir, fb, vb, err) : 0;
    if (fb == NULL) return cg_write(dir, fa, va, err);
    int r = cg_write(dir, fa, va, err);
    if (r == 0) return cg_write(dir, fb, vb, err);
    if (r != -EINVAL) return r;
    md_error_free(err);
    r = cg_write(dir, fb, vb, err);
    return r < 0 ? r : cg_write(dir, fa, va, err);
}

/* ---- create ---- */

/* A new v1 cpuset cgroup starts with EMPTY cpus and mems, and no task can
 * join it until they are filled; the parent may be new and empty too,
 * which is why this runs level by level from the top. A level above the
 * container's gets cgroup.clone_children, so the kernel fills each new
 * container's cpuset from it at mkdir: writing cpuset.cpus instead runs the
 * kernel's validate_change over every sibling, which with 500 containers
 * running was a third of a millisecond of each start. */
static int cpuset_fill(md_cgroup_t *cg, const char *parent, const char *dir, bool leaf,
                       md_error_t **err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    for (size_t i = 0; i < 2; i++) {
        cleanup_free char *cur = NULL;
        cleanup_free char *up = NULL;
        int r = cg_read(dir, files[i], &cur, err);
        if (r < 0) return r;
        if (cur[0] != '\0') continue;
        r = cg_read(parent, files[i], &up, err);
        if (r < 0) return r;
        r = cg_write(dir, files[i], up, err);
        if (r < 0) return r;
    }
    cleanup_free char *clone = NULL;
    if (!leaf && cg_read(dir, "cgroup.clone_children", &clone, NULL) == 0 && clone[0] == '0')
        cg_write(dir, "cgroup.clone_children", "1", NULL); /* best effort: a speed-up only */
    return 0;
}

static int v1_create(md_cgroup_t *cg, md_error_t **err)
{
    for (size_t i = 0; i < cg->n_v1; i++) {
        cleanup_free char *root = cg_join(cg->fsroot, cg->v1[i].name);
        if (root == NULL) return md_error(err, ENOMEM, "create cgroup");
        cg_level_fn fn = (cg->v1[i].ctrls & CG_CPUSET) ? cpuset_fill : NULL;
        int r = cg_mkdir_levels(cg, root, fn, err);
        if (r < 0) return r;
    }
    return 0;
}

static int v1_enter(md_cgroup_t *cg, pid_t pid, md_error_t **err)
{
    for (size_t i = 0; i < cg->n_v1; i++) {
        int r = cg_writef(err, cg->v1[i].dir, "cgroup.procs", "%d", (int)pid);
        if (r < 0) return r;
    }
    return 0;
}

/* ---- set ---- */

static int v1_set_memory(md_cgroup_t *cg, const struct md_res_memory *m, md_error_t **err)
{
    bool lim = m->has_limit;
    /* Raising the limit to unlimited needs memsw unlimited too (memory <=
     * memsw), so -1 without an explicit swap means both. */
    bool sw = (m->has_swap && m->swap != 0) || (lim && m->limit == -1 && !m->has_swap);
    if (!lim && !sw && !m->has_reservation && !m->has_swappiness && !m->has_disable_oom_killer &&
        !m->has_kernel_tcp)
        return 0;
    const char *dir;
    int r = need_dir(cg, CG_MEMORY, "memory", &dir, err);
    if (r < 0) return r;
    /* memsw exists only with swap accounting (swapaccount=1); without it
     * there is no swap limit to set, as docker warns. */
    if (sw && !cg_has(dir, "memory.memsw.limit_in_bytes")) sw = false;
    char lv[32], sv[32];
    snprintf(lv, sizeof(lv), "%" PRId64, m->limit);
    snprintf(sv, sizeof(sv), "%" PRId64, m->has_swap ? m->swap : -1);
    r = write_pair(dir, lim ? "memory.limit_in_bytes" : NULL, lv,
                   sw ? "memory.memsw.limit_in_bytes" : NULL, sv, err);
    if (r == 0 && m->has_reservation)
        r = cg_writef(err, dir, "memory.soft_limit_in_bytes", "%" PRId64, m->reservation);
    if (r == 0 && m->has_swappiness) {
        if (m->swappiness > 100)
            return md_error(err, EINVAL, "memory swappiness %" PRIu64 " is not in 0-100",
                            m->swappiness);
        r = cg_writef(err, dir, "memory.swappiness", "%" PRIu64, m->swappiness);
    }
    if (r == 0 && m->has_disable_oom_killer)
        r = cg_write(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0", err);
    /* kmem accounting is going away file by file (gone in 6.x): where the
     * file is missing the limit is ignored, as runc does */
    if (r == 0 && m->has_kernel_tcp && cg_has(dir, "memory.kmem.tcp.limit_in_bytes"))
        r = cg_writef(err, dir, "memory.kmem.tcp.limit_in_bytes", "%" PRId64, m->kernel_tcp);
    return r;
}

static int v1_set_cpu(md_cgroup_t *cg, const struct md_res_cpu *c, md_error_t **err)
{
    bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;
    bool shares = c->has_shares && c->shares != 0;
    if (!quota && !period && !shares && !c->has_burst && !c->has_idle) return 0;
    const char *dir;
    int r = need_dir(cg, CG_CPU, "cpu", &dir, err);
    if (r < 0) return r;
    if (shares) r = cg_writef(err, dir, "cpu.shares", "%" PRIu64, c->shares);
    char pv[32], qv[32];
    snprintf(pv, sizeof(pv), "%" PRIu64, c->period);
    snprintf(qv, sizeof(qv), "%" PRId64, c->quota);
    if (r == 0)
        r = write_pair(dir, period ? "cpu.cfs_period_us" : NULL, pv,
                       quota ? "cpu.cfs_quota_us" : NULL, qv, err);
    if (r == 0 && c->has_burst) r = cg_writef(err, dir, "cpu.cfs_burst_us", "%" PRIu64, c->burst);
    if (r == 0 && c->has_idle) r = cg_writef(err, dir, "cpu.idle", "%" PRId64, c->idle);
    return r;
}

static int v1_set_cpuset(md_cgroup_t *cg, const struct md_res_cpu *c, md_error_t **err)
{
    if (c->cpus == NULL && c->mems == NULL) return 0;
    const char *dir;
    int r = need_dir(cg, CG_CPUSET, "cpuset", &dir, err);
    if (r == 0 && c->mems) r = cg_write(dir, "cpuset.mems", c->mems, err);
    if (r == 0 && c->cpus) r = cg_write(dir, "cpuset.cpus", c->cpus, err);
    return r;
}

static int v1_set_pids(md_cgroup_t *cg, const struct md_res_pids *p, md_error_t **err)
{
    if (!p->has_limit) return 0;
    const char *dir;
    int r = need_dir(cg, CG_PIDS, "pids", &dir, err);
    if (r < 0) return r;
    if (p->limit <= 0) return cg_write(dir, "pids.max", "max", err);
    return cg_writef(err, dir, "pids.max", "%" PRId64, p->limit);
}

/* CFQ had blkio.weight; since 5.0 only BFQ is left, with blkio.bfq.*. */
static const char *weight_file(const char *dir, const char *cfq, const char *bfq)
{
    return cg_has(dir, cfq) || !cg_has(dir, bfq) ? cfq : bfq;
}

static int v1_set_weight_devices(const char *dir, const struct md_res_blkio *b, md_error_t **err)
{
    for (int leaf = 0; leaf < 2; leaf++) {
        cg_wfile_t w = {.fd = -1};
        for (size_t i = 0; i < b->n_weight_device; i++) {
            const struct md_weight_dev *d = &b->weight_device[i];
            if (!(leaf ? d->has_leaf_weight : d->has_weight)) continue;
            const char *f =
                leaf ? "blkio.leaf_weight_device"
                     : weight_file(dir, "blkio.weight_device", "blkio.bfq.weight_device");
            int r = w.fd >= 0 ? 0 : cg_wopen(&w, dir, f, err);
            if (r == 0)
                r = cg_wline(&w, err, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                             (unsigned)(leaf ? d->leaf_weight : d->weight));
            if (r < 0) {
                cg_wclose(&w);
                return r;
            }
        }
        cg_wclose(&w);
    }
    return 0;
}

static int v1_set_throttle(const char *dir, const struct md_res_blkio *b, md_error_t **err)
{
    static const char *const files[MD_THROTTLE_N] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
    for (int k = 0; k < MD_THROTTLE_N; k++) {
        if (b->n_throttle[k] == 0) continue;
        cg_wfile_t w;
        int r = cg_wopen(&w, dir, files[k], err);
        for (size_t i = 0; r == 0 && i < b->n_throttle[k]; i++) {
            const struct md_throttle_dev *t = &b->throttle[k][i];
            r = cg_wline(&w, err, "%" PRId64 ":%" PRId64 " %" PRIu64, t->major, t->minor, t->rate);
        }
        cg_wclose(&w);
        if (r < 0) return r;
    }
    return 0;
}

static int v1_set_blkio(md_cgroup_t *cg, const struct md_res_blkio *b, md_error_t **err)
{
    size_t nthr = 0;
    for (int k = 0; k < MD_THROTTLE_N; k++)
        nthr += b->n_throttle[k];
    if (!b->has_weight && !b->has_leaf_weight && b->n_weight_device == 0 && nthr == 0) return 0;
    const char *dir;
    int r = need_dir(cg, CG_BLKIO, "blkio", &dir, err);
    if (r == 0 && b->has_weight)
        r = cg_writef(err, dir, weight_file(dir, "blkio.weight", "blkio.bfq.weight"), "%u",
                      (unsigned)b->weight);
    if (r == 0 && b->has_leaf_weight)
        r = cg_writef(err, dir, "blkio.leaf_weight", "%u", (unsigned)b->leaf_weight);
    if (r == 0) r = v1_set_weight_devices(dir, b, err);
    if (r == 0) r = v1_set_throttle(dir, b, err);
    return r;
}

static int v1_set_hugetlb(md_cgroup_t *cg, const struct md_resources *res, md_error_t **err)
{
    if (res->n_hugepages == 0) return 0;
    const char *dir;
    int r = need_dir(cg, CG_HUGETLB, "hugetlb", &dir, err);
    for (size_t i = 0; r == 0 && i < res->n_hugepages; i++) {
        char f[128];
        snprintf(f, sizeof(f), "hugetlb.%s.limit_in_bytes", res->hugepages[i].pagesize);
        r = cg_writef(err, dir, f, "%" PRIu64, res->hugepages[i].limit);
    }
    return r;
}

static void device_rule_str(const struct md_device_rule *d, char *buf, size_t len)
{
    if (d->type == 'a') {
        snprintf(buf, len, "a");
        return;
    }
    char maj[24] = "*", min[24] = "*";
    if (d->major >= 0) snprintf(maj, sizeof(maj), "%" PRId64, d->major);
    if (d->minor >= 0) snprintf(min, sizeof(min), "%" PRId64, d->minor);
    snprintf(buf, len, "%c %s:%s %s", d->type, maj, min, d->access);
}

/* Rules go on top of "deny all", in order: the same meaning as the v2
 * eBPF program. Interleaved allow/deny writes need both files open. */
static int v1_set_devices(md_cgroup_t *cg, const struct md_resources *res, md_error_t **err)
{
    if (res->n_devices == 0) return 0;
    const char *dir;
    int r = need_dir(cg, CG_DEVICES, "devices", &dir, err);
    if (r < 0) return r;
    cg_wfile_t allow = {.fd = -1}, deny = {.fd = -1};
    r = cg_wopen(&deny, dir, "devices.deny", err);
    if (r == 0) r = cg_wopen(&allow, dir, "devices.allow", err);
    if (r == 0) r = cg_wline(&deny, err, "a");
    for (size_t i = 0; r == 0 && i < res->n_devices; i++) {
        char rule[96];
        device_rule_str(&res->devices[i], rule, sizeof(rule));
        r = cg_wline(res->devices[i].allow ? &allow : &deny, err, "%s", rule);
    }
    cg_wclose(&allow);
    cg_wclose(&deny);
    return r;
}

static int v1_set(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err)
{
    if (r->n_unified > 0) return md_error(err, EOPNOTSUPP, "unified resources need cgroup v2");
    int ret = v1_set_memory(cg, &r->memory, err);
    if (ret == 0) ret = v1_set_cpu(cg, &r->cpu, err);
    if (ret == 0) ret = v1_set_cpuset(cg, &r->cpu, err);
    if (ret == 0) ret = v1_set_pids(cg, &r->pids, err);
    if (ret == 0) ret = v1_set_blkio(cg, &r->blkio, err);
    if (ret == 0) ret = v1_set_hugetlb(cg, r, err);
    if (ret == 0) ret = v1_set_devices(cg, r, err);
    return ret;
}

/* ---- stats ---- */

static void v1_blkio_bytes(const char *dir, struct md_cgroup_stats *st)
{
    cleanup_free char *s = NULL;
    if (cg_read(dir, "blkio.throttle.io_service_bytes_recursive", &s, NULL) < 0 &&
        cg_read(dir, "blkio.bfq.io_service_bytes_recursive", &s, NULL) < 0)
        return;
    /* lines: "8:0 Read 4096", "8:0 Write 0", ..., "Total 4096" */
    char *save = NULL;
    for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char op[16];
        unsigned long long v;
        if (sscanf(l, "%*u:%*u %15s %llu", op, &v) != 2) continue;
        if (strcmp(op, "Read") == 0)
            st->blkio_read_bytes += v;
        else if (strcmp(op, "Write") == 0)
            st->blkio_write_bytes += v;
    }
}

static int v1_stats(md_cgroup_t *cg, struct md_cgroup_stats *st, md_error_t **err)
{
    const char *d = cg_v1_dir(cg, CG_CPUACCT);
    if (d) {
        cg_read_u64(d, "cpuacct.usage", &st->cpu_usage_ns);
        /* cpuacct.stat counts USER_HZ ticks */
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t ns_per_tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
        if (cg_read_keyed(d, "cpuacct.stat", "user", &st->cpu_user_ns) == 0)
            st->cpu_user_ns *= ns_per_tick;
        if (cg_read_keyed(d, "cpuacct.stat", "system", &st->cpu_system_ns) == 0)
            st->cpu_system_ns *= ns_per_tick;
    }
    if ((d = cg_v1_dir(cg, CG_MEMORY)) != NULL) {
        cg_read_u64(d, "memory.usage_in_bytes", &st->mem_usage);
        cg_read_u64(d, "memory.limit_in_bytes", &st->mem_limit);
        cg_read_keyed(d, "memory.stat", "total_inactive_file", &st->mem_inactive_file);
    }
    if ((d = cg_v1_dir(cg, CG_PIDS)) != NULL) {
        cg_read_u64(d, "pids.current", &st->pids_current);
        cg_read_u64(d, "pids.max", &st->pids_limit);
    }
    if ((d = cg_v1_dir(cg, CG_BLKIO)) != NULL) v1_blkio_bytes(d, st);
    return 0;
}

/* ---- freeze, kill, destroy ---- */

static int v1_freeze(md_cgroup_t *cg, int frozen, md_error_t **err)
{
    const char *dir;
    int r = need_dir(cg, CG_FREEZER, "freezer", &dir, err);
    if (r < 0 || !frozen) return r < 0 ? r : cg_write(dir, "freezer.state", "THAWED", err);
    for (int i = 0; i < 1000; i++) {
        r = cg_write(dir, "freezer.state", "FROZEN", err);
        if (r < 0) return r;
        cleanup_free char *state = NULL;
        r = cg_read(dir, "freezer.state", &state, err);
        if (r < 0) return r;
        if (strcmp(state, "FROZEN") == 0) return 0;
        /* A task in uninterruptible sleep can hold the cgroup in FREEZING
         * forever; thawing now and then lets it get out and be caught. */
        if (i % 50 == 49) cg_write(dir, "freezer.state", "THAWED", NULL);
        cg_usleep(i < 10 ? 100 : 1000);
    }
    cg_write(dir, "freezer.state", "THAWED", NULL);
    return md_error(err, EBUSY, "%s/freezer.state stays FREEZING", dir);
}

static const char *v1_procs_dir(md_cgroup_t *cg)
{
    const char *d = cg_v1_dir(cg, CG_FREEZER);
    if (d == NULL) d = cg_v1_dir(cg, CG_PIDS);
    return d ? d : cg->v1[0].dir;
}

static int v1_kill_all(md_cgroup_t *cg, md_error_t **err)
{
    const char *dir = v1_procs_dir(cg);
    pid_t *pids = NULL;
    size_t npids = 0;
    /* nothing to do (the usual case: the container has exited) */
    if (cg_read_pids(dir, &pids, &npids, NULL) < 0 || npids == 0) {
        free(pids);
        return 0;
    }
    free(pids);
    /* Frozen tasks cannot fork behind our back, so one pass kills all;
     * SIGKILL is delivered when they are thawed. */
    if (cg_v1_dir(cg, CG_FREEZER) != NULL && v1_freeze(cg, 1, NULL) == 0) {
        int r = cg_kill_procs(dir, err);
        int t = v1_freeze(cg, 0, r < 0 ? NULL : err);
        return r < 0 ? r : t;
    }
    for (int i = 0; i < 100; i++) {
        int n = cg_kill_procs(dir, err);
        if (n <= 0) return n;
        cg_usleep(1000);
    }
    return md_error(err, EAGAIN, "tasks of %s keep forking", dir);
}

static int v1_destroy(md_cgroup_t *cg, md_error_t **err)
{
    int first = v1_kill_all(cg, err);
    for (size_t i = 0; i < cg->n_v1; i++) {
        int r = cg_rmdir(cg->v1[i].dir, first < 0 ? NULL : err);
        if (r < 0 && first == 0) first = r;
    }
    return first;
}

static int v1_oom_killed(md_cgroup_t *cg)
{
    const char *dir = cg_v1_dir(cg, CG_MEMORY);
    uint64_t n = 0;
    /* the oom_kill line appeared in kernel 4.13 */
    return dir && cg_read_keyed(dir, "memory.oom_control", "oom_kill", &n) == 0 && n > 0;
}

const struct md_cgroup_driver md_cg_v1_driver = {
    .name = "v1",
    .create = v1_create,
    .enter = v1_enter,
    .set = v1_set,
    .stats = v1_stats,
    .freeze = v1_freeze,
    .kill_all = v1_kill_all,
    .destroy = v1_destroy,
    .oom_killed = v1_oom_killed,
    .procs_dir = v1_procs_dir,
};
