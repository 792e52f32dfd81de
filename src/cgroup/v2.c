/* cgroup v2: one hierarchy at the root; the container's cgroup is
 * <root>/<path>. v1-style resources are converted the way docker/runc do. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"

/* The controllers whose files md_resources maps to. */
static const char *const v2_used[] = {"cpuset", "cpu", "io", "memory", "hugetlb", "pids", NULL};

uint64_t cg_shares_to_weight(uint64_t shares)
{
    if (shares < 2) shares = 2;
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t weight)
{
    if (weight < 10) weight = 10;
    if (weight > 1000) weight = 1000;
    return 1 + ((weight - 10) * 9999) / 990;
}

static bool has_word(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += wl) {
        bool start = p == list || p[-1] == ' ' || p[-1] == '\n';
        bool end = p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\n';
        if (start && end) return true;
    }
    return false;
}

/* Enable what dir's children need in dir/cgroup.subtree_control. Each
 * controller is its own write: one multi-word write fails as a whole. */
static int enable_in(const char *dir, const char *const *wanted, md_error_t **err)
{
    cleanup_free char *avail = NULL;
    cleanup_free char *on = NULL;
    int r = cg_read(dir, "cgroup.controllers", &avail, err);
    if (r == 0) r = cg_read(dir, "cgroup.subtree_control", &on, err);
    if (r < 0) return r;
    cg_wfile_t w = {.fd = -1};
    for (const char *const *c = wanted; *c && r == 0; c++) {
        if (!has_word(avail, *c) || has_word(on, *c)) continue;
        if (w.fd < 0) r = cg_wopen(&w, dir, "cgroup.subtree_control", err);
        if (r == 0) r = cg_wline(&w, err, "+%s", *c);
    }
    cg_wclose(&w);
    return r;
}

int cg_v2_enable(md_cgroup_t *cg, const char *const *wanted, md_error_t **err)
{
    cleanup_free char *dir = strdup(cg->v2dir);
    if (dir == NULL) return md_error(err, ENOMEM, "enable controllers");
    char *s = dir + strlen(cg->v2root);
    for (;;) {
        *s = '\0';
        int r = enable_in(dir, wanted ? wanted : v2_used, err);
        if (r < 0) return r;
        *s = '/';
        s = strchr(s + 1, '/');
        if (s == NULL) return 0;
    }
}

static int v2_create(md_cgroup_t *cg, md_error_t **err)
{
    int r = cg_mkdir_levels(cg, cg->v2root, NULL, err);
    return r < 0 ? r : cg_v2_enable(cg, NULL, err);
}

int cg_v2_enter(md_cgroup_t *cg, pid_t pid, md_error_t **err)
{
    return cg_writef(err, cg->v2dir, "cgroup.procs", "%d", (int)pid);
}

/* ---- set ---- */

static void fmt_limit(char *buf, size_t len, int64_t v)
{
    if (v < 0)
        snprintf(buf, len, "max");
    else
        snprintf(buf, len, "%" PRId64, v);
}

/* OCI swap is memory+swap (v1's memsw); v2 limits swap alone. */
static int swap_value(const struct md_res_memory *m, char *buf, size_t len, md_error_t **err)
{
    if (!m->has_swap || m->swap == 0) {
        if (m->has_limit && m->limit == -1) {
            snprintf(buf, len, "max");
            return 1;
        }
        return 0;
    }
    if (m->swap == -1) {
        snprintf(buf, len, "max");
        return 1;
    }
    if (!m->has_limit || m->limit <= 0)
        return md_error(err, EINVAL, "a swap limit needs a memory limit");
    if (m->swap < m->limit)
        return md_error(err, EINVAL, "memory+swap limit %" PRId64 " is below memory limit %" PRId64,
                        m->swap, m->limit);
    snprintf(buf, len, "%" PRId64, m->swap - m->limit);
    return 1;
}

static int v2_set_memory(const char *dir, const struct md_res_memory *m, md_error_t **err)
{
    char v[32];
    int r = 0;
    if (m->has_limit) {
        fmt_limit(v, sizeof(v), m->limit);
        r = cg_write(dir, "memory.max", v, err);
    }
    int sw = r < 0 ? r : swap_value(m, v, sizeof(v), err);
    if (sw < 0) return sw;
    /* memory.swap.max is missing without swap accounting: nothing to limit */
    if (sw > 0 && cg_has(dir, "memory.swap.max")) r = cg_write(dir, "memory.swap.max", v, err);
    if (r == 0 && m->has_reservation) {
        fmt_limit(v, sizeof(v), m->reservation);
        r = cg_write(dir, "memory.low", v, err);
    }
    return r;
}

static int v2_set_cpu_max(const char *dir, const struct md_res_cpu *c, md_error_t **err)
{
    bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;
    if (!quota && !period) return 0;
    char q[32] = "max";
    if (quota && c->quota > 0) {
        snprintf(q, sizeof(q), "%" PRId64, c->quota);
    } else if (!quota) {
        /* only the period changes: keep the current quota */
        cleanup_free char *cur = NULL;
        if (cg_read(dir, "cpu.max", &cur, NULL) == 0) sscanf(cur, "%31s", q);
    }
    if (!period) /* "quota" alone keeps the current period */
        return cg_write(dir, "cpu.max", q, err);
    return cg_writef(err, dir, "cpu.max", "%s %" PRIu64, q, c->period);
}

static int v2_set_cpu(const char *dir, const struct md_res_cpu *c, md_error_t **err)
{
    int r = 0;
    if (c->has_shares && c->shares != 0)
        r = cg_writef(err, dir, "cpu.weight", "%" PRIu64, cg_shares_to_weight(c->shares));
    if (r == 0) r = v2_set_cpu_max(dir, c, err);
    if (r == 0 && c->has_burst) r = cg_writef(err, dir, "cpu.max.burst", "%" PRIu64, c->burst);
    if (r == 0 && c->has_idle) r = cg_writef(err, dir, "cpu.idle", "%" PRId64, c->idle);
    if (r == 0 && c->mems) r = cg_write(dir, "cpuset.mems", c->mems, err);
    if (r == 0 && c->cpus) r = cg_write(dir, "cpuset.cpus", c->cpus, err);
    return r;
}

/* io.bfq.weight takes v1's 1-1000 scale; io.weight (iocost) 1-10000. */
static int v2_set_io_weight(const char *dir, const struct md_res_blkio *b, md_error_t **err)
{
    bool bfq = !cg_has(dir, "io.weight") && cg_has(dir, "io.bfq.weight");
    const char *f = bfq ? "io.bfq.weight" : "io.weight";
    cg_wfile_t w = {.fd = -1};
    int r = 0;
    if (b->has_weight) {
        r = cg_wopen(&w, dir, f, err);
        if (r == 0)
            r = cg_wline(&w, err, "default %" PRIu64,
                         bfq ? (uint64_t)b->weight : cg_blkio_to_io_weight(b->weight));
    }
    for (size_t i = 0; r == 0 && i < b->n_weight_device; i++) {
        const struct md_weight_dev *d = &b->weight_device[i];
        if (!d->has_weight) continue;
        if (w.fd < 0) r = cg_wopen(&w, dir, f, err);
        if (r == 0)
            r = cg_wline(&w, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                         bfq ? (uint64_t)d->weight : cg_blkio_to_io_weight(d->weight));
    }
    cg_wclose(&w);
    return r;
}

/* One io.max line per device with every limit given for it. */
static int io_max_line(const struct md_res_blkio *b, int64_t maj, int64_t min, char *buf,
                       size_t len)
{
    static const char *const keys[MD_THROTTLE_N] = {"rbps", "wbps", "riops", "wiops"};
    int n = snprintf(buf, len, "%" PRId64 ":%" PRId64, maj, min);
    for (int k = 0; k < MD_THROTTLE_N; k++)
        for (size_t i = 0; i < b->n_throttle[k]; i++) {
            const struct md_throttle_dev *t = &b->throttle[k][i];
            if (t->major == maj && t->minor == min && n > 0 && (size_t)n < len)
                n += snprintf(buf + n, len - (size_t)n, " %s=%" PRIu64, keys[k], t->rate);
        }
    return n > 0 && (size_t)n < len ? 0 : -EINVAL;
}

static bool seen_before(const struct md_res_blkio *b, int kind, size_t idx)
{
    const struct md_throttle_dev *t = &b->throttle[kind][idx];
    for (int k = 0; k <= kind; k++)
        for (size_t i = 0; i < (k == kind ? idx : b->n_throttle[k]); i++)
            if (b->throttle[k][i].major == t->major && b->throttle[k][i].minor == t->minor)
                return true;
    return false;
}

static int v2_set_io_max(const char *dir, const struct md_res_blkio *b, md_error_t **err)
{
    cg_wfile_t w = {.fd = -1};
    int r = 0;
    for (int k = 0; k < MD_THROTTLE_N && r == 0; k++)
        for (size_t i = 0; i < b->n_throttle[k] && r == 0; i++) {
            if (seen_before(b, k, i)) continue;
            char line[256];
            if (io_max_line(b, b->throttle[k][i].major, b->throttle[k][i].minor, line,
                            sizeof(line)) < 0) {
                r = md_error(err, EINVAL, "io.max line too long");
                break;
            }
            if (w.fd < 0) r = cg_wopen(&w, dir, "io.max", err);
            if (r == 0) r = cg_wline(&w, err, "%s", line);
        }
    cg_wclose(&w);
    return r;
}

int cg_v2_set_hugetlb(md_cgroup_t *cg, const struct md_resources *res, md_error_t **err)
{
    for (size_t i = 0; i < res->n_hugepages; i++) {
        char f[128];
        snprintf(f, sizeof(f), "hugetlb.%s.max", res->hugepages[i].pagesize);
        int r = cg_writef(err, cg->v2dir, f, "%" PRIu64, res->hugepages[i].limit);
        if (r < 0) return r;
    }
    return 0;
}

int cg_v2_set_unified(md_cgroup_t *cg, const struct md_resources *res, md_error_t **err)
{
    for (size_t i = 0; i < res->n_unified; i++) {
        const char *k = res->unified[i].key;
        if (strchr(k, '/') != NULL || strchr(k, '.') == NULL || k[0] == '.')
            return md_error(err, EINVAL, "unified: invalid cgroup file name '%s'", k);
        int r = cg_write(cg->v2dir, k, res->unified[i].value, err);
        if (r < 0) return r;
    }
    return 0;
}

int cg_v2_set_devices(md_cgroup_t *cg, const struct md_resources *res, md_error_t **err)
{
    if (res->n_devices == 0) return 0;
    cleanup_close int fd = open(cg->v2dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", cg->v2dir);
    int r = cg_bpf_devices_apply(fd, res->devices, res->n_devices, err);
    return r < 0 ? md_error_prefix(err, "devices") : 0;
}

static int v2_set(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err)
{
    const char *dir = cg->v2dir;
    int ret = v2_set_memory(dir, &r->memory, err);
    if (ret == 0) ret = v2_set_cpu(dir, &r->cpu, err);
    if (ret == 0 && r->pids.has_limit) {
        char v[32];
        fmt_limit(v, sizeof(v), r->pids.limit <= 0 ? -1 : r->pids.limit);
        ret = cg_write(dir, "pids.max", v, err);
    }
    if (ret == 0) ret = v2_set_io_weight(dir, &r->blkio, err);
    if (ret == 0) ret = v2_set_io_max(dir, &r->blkio, err);
    if (ret == 0) ret = cg_v2_set_hugetlb(cg, r, err);
    if (ret == 0) ret = cg_v2_set_devices(cg, r, err);
    if (ret == 0) ret = cg_v2_set_unified(cg, r, err);
    return ret;
}

/* ---- stats ---- */

static void v2_io_bytes(const char *dir, struct md_cgroup_stats *st)
{
    cleanup_free char *s = NULL;
    if (cg_read(dir, "io.stat", &s, NULL) < 0) return;
    /* "8:0 rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device */
    char *save = NULL;
    for (char *tok = strtok_r(s, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
        unsigned long long v;
        if (sscanf(tok, "rbytes=%llu", &v) == 1)
            st->blkio_read_bytes += v;
        else if (sscanf(tok, "wbytes=%llu", &v) == 1)
            st->blkio_write_bytes += v;
    }
}

static int v2_stats(md_cgroup_t *cg, struct md_cgroup_stats *st, md_error_t **err)
{
    const char *d = cg->v2dir;
    if (cg_read_keyed(d, "cpu.stat", "usage_usec", &st->cpu_usage_ns) == 0)
        st->cpu_usage_ns *= 1000;
    if (cg_read_keyed(d, "cpu.stat", "user_usec", &st->cpu_user_ns) == 0) st->cpu_user_ns *= 1000;
    if (cg_read_keyed(d, "cpu.stat", "system_usec", &st->cpu_system_ns) == 0)
        st->cpu_system_ns *= 1000;
    cg_read_u64(d, "memory.current", &st->mem_usage);
    cg_read_u64(d, "memory.max", &st->mem_limit);
    cg_read_keyed(d, "memory.stat", "inactive_file", &st->mem_inactive_file);
    cg_read_u64(d, "pids.current", &st->pids_current);
    cg_read_u64(d, "pids.max", &st->pids_limit);
    v2_io_bytes(d, st);
    return 0;
}

/* ---- freeze, kill, destroy ---- */

int cg_v2_freeze(md_cgroup_t *cg, int frozen, md_error_t **err)
{
    int r = cg_write(cg->v2dir, "cgroup.freeze", frozen ? "1" : "0", err);
    if (r < 0 || !frozen) return r;
    /* The write only starts freezing; cgroup.events says when it is done. */
    for (int i = 0; i < 1000; i++) {
        uint64_t v = 0;
        if (cg_read_keyed(cg->v2dir, "cgroup.events", "frozen", &v) < 0 || v == 1) return 0;
        cg_usleep(i < 10 ? 100 : 1000);
    }
    cg_write(cg->v2dir, "cgroup.freeze", "0", NULL);
    return md_error(err, EBUSY, "%s did not freeze", cg->v2dir);
}

static int v2_kill_all(md_cgroup_t *cg, md_error_t **err)
{
    if (access(cg->v2dir, F_OK) < 0) return 0;
    /* cgroup.kill (5.14) kills atomically, forks in flight included. */
    if (cg_has(cg->v2dir, "cgroup.kill")) return cg_write(cg->v2dir, "cgroup.kill", "1", err);
    pid_t *pids = NULL;
    size_t n = 0;
    if (cg_read_pids(cg->v2dir, &pids, &n, NULL) < 0 || n == 0) {
        free(pids);
        return 0;
    }
    free(pids);
    int r = cg_v2_freeze(cg, 1, err);
    if (r < 0) return r;
    r = cg_kill_procs(cg->v2dir, err);
    int t = cg_v2_freeze(cg, 0, r < 0 ? NULL : err);
    return r < 0 ? r : t;
}

static int v2_destroy(md_cgroup_t *cg, md_error_t **err)
{
    int r = v2_kill_all(cg, err);
    int d = cg_rmdir(cg->v2dir, r < 0 ? NULL : err);
    return r < 0 ? r : d;
}

static int v2_oom_killed(md_cgroup_t *cg)
{
    uint64_t n = 0;
    return cg_read_keyed(cg->v2dir, "memory.events", "oom_kill", &n) == 0 && n > 0;
}

static const char *v2_procs_dir(md_cgroup_t *cg)
{
    return cg->v2dir;
}

const struct md_cgroup_driver md_cg_v2_driver = {
    .name = "v2",
    .create = v2_create,
    .enter = cg_v2_enter,
    .set = v2_set,
    .stats = v2_stats,
    .freeze = cg_v2_freeze,
    .kill_all = v2_kill_all,
    .destroy = v2_destroy,
    .oom_killed = v2_oom_killed,
    .procs_dir = v2_procs_dir,
};
