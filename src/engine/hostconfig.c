/* The resource flags in docker's HostConfig shape (what `inspect` shows and
 * what `update` starts from), and docker's update rules. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "resources.h"
#include "util/xalloc.h"

static void put_i64(struct json_object *hc, const char *k, int64_t v)
{
    json_object_object_add(hc, k, json_object_new_int64(v));
}

static void put_str(struct json_object *hc, const char *k, const char *v)
{
    json_object_object_add(hc, k, json_object_new_string(v ? v : ""));
}

static struct json_object *throttle_hc(const struct md_res_throttle *v, size_t n)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_new_object();
        put_str(e, "Path", v[i].path);
        json_object_object_add(e, "Rate", json_object_new_uint64(v[i].rate));
        json_object_array_add(a, e);
    }
    return a;
}

static struct json_object *weight_hc(const struct md_res_opts *r)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < r->n_weight_device; i++) {
        struct json_object *e = json_object_new_object();
        put_str(e, "Path", r->weight_device[i].path);
        json_object_object_add(e, "Weight",
                               json_object_new_int64((int64_t)r->weight_device[i].rate));
        json_object_array_add(a, e);
    }
    return a;
}

void md_res_to_hostconfig(const struct md_res_opts *r, struct json_object *hc)
{
    put_i64(hc, "Memory", r->memory);
    put_i64(hc, "MemorySwap", r->memory_swap);
    put_i64(hc, "MemoryReservation", r->memory_reservation);
    json_object_object_add(hc, "OomKillDisable", json_object_new_boolean(r->oom_kill_disable));
    put_i64(hc, "OomScoreAdj", r->oom_score_adj);
    put_i64(hc, "CpuShares", r->cpu_shares);
    put_i64(hc, "NanoCpus", r->nano_cpus);
    put_i64(hc, "CpuPeriod", r->cpu_period);
    put_i64(hc, "CpuQuota", r->cpu_quota);
    put_str(hc, "CpusetCpus", r->cpuset_cpus);
    put_str(hc, "CpusetMems", r->cpuset_mems);
    /* docker: null when no limit was asked for */
    json_object_object_add(hc, "PidsLimit",
                           r->has_pids_limit ? json_object_new_int64(r->pids_limit) : NULL);
    put_i64(hc, "BlkioWeight", r->blkio_weight);
    json_object_object_add(hc, "BlkioDeviceReadBps", throttle_hc(r->read_bps, r->n_read_bps));
    json_object_object_add(hc, "BlkioDeviceWriteBps", throttle_hc(r->write_bps, r->n_write_bps));
    json_object_object_add(hc, "BlkioDeviceReadIOps", throttle_hc(r->read_iops, r->n_read_iops));
    json_object_object_add(hc, "BlkioDeviceWriteIOps", throttle_hc(r->write_iops, r->n_write_iops));
    json_object_object_add(hc, "BlkioWeightDevice", weight_hc(r));
    /* docker: null when not asked for */
    json_object_object_add(hc, "MemorySwappiness",
                           r->has_swappiness ? json_object_new_int64(r->swappiness) : NULL);
    put_i64(hc, "CpuRealtimePeriod", r->cpu_rt_period);
    put_i64(hc, "CpuRealtimeRuntime", r->cpu_rt_runtime);
    put_str(hc, "CgroupParent", r->cgroup_parent);
    put_str(hc, "CgroupnsMode", r->cgroupns ? r->cgroupns : "private");
}

static int64_t get_i64(struct json_object *hc, const char *k, int *has)
{
    struct json_object *v = NULL;
    int present = json_object_object_get_ex(hc, k, &v) && v != NULL;
    if (has) *has = present;
    return present ? json_object_get_int64(v) : 0;
}

static char *get_str(struct json_object *hc, const char *k)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(hc, k, &v) || !json_object_is_type(v, json_type_string) ||
        json_object_get_string_len(v) == 0)
        return NULL;
    return strdup(json_object_get_string(v));
}

static int throttle_from_hc(struct json_object *hc, const char *k, struct md_res_throttle **out,
                            size_t *n)
{
    struct json_object *a = NULL, *e, *v;
    if (!json_object_object_get_ex(hc, k, &a) || !json_object_is_type(a, json_type_array)) return 0;
    size_t len = json_object_array_length(a);
    if (len == 0) return 0;
    *out = calloc(len, sizeof(**out));
    if (*out == NULL) return -ENOMEM;
    for (size_t i = 0; i < len; i++) {
        e = json_object_array_get_idx(a, i);
        (*out)[i].major = (*out)[i].minor = -1;
        if (json_object_object_get_ex(e, "Path", &v))
            (*out)[i].path = md_xstrdup(json_object_get_string(v));
        if (json_object_object_get_ex(e, "Rate", &v) || json_object_object_get_ex(e, "Weight", &v))
            (*out)[i].rate = json_object_get_uint64(v); /* BlkioWeightDevice: a weight */
        (*n)++;
    }
    return 0;
}

int md_res_from_hostconfig(struct json_object *hc, struct md_res_opts *r, md_error_t **err)
{
    memset(r, 0, sizeof(*r));
    if (hc == NULL) return 0;
    r->memory = get_i64(hc, "Memory", NULL);
    r->memory_swap = get_i64(hc, "MemorySwap", NULL);
    r->memory_reservation = get_i64(hc, "MemoryReservation", NULL);
    r->oom_kill_disable = get_i64(hc, "OomKillDisable", NULL) != 0;
    r->oom_score_adj = (int)get_i64(hc, "OomScoreAdj", &r->has_oom_score_adj);
    r->cpu_shares = get_i64(hc, "CpuShares", NULL);
    r->nano_cpus = get_i64(hc, "NanoCpus", NULL);
    r->cpu_period = get_i64(hc, "CpuPeriod", NULL);
    r->cpu_quota = get_i64(hc, "CpuQuota", NULL);
    r->cpuset_cpus = get_str(hc, "CpusetCpus");
    r->cpuset_mems = get_str(hc, "CpusetMems");
    r->pids_limit = get_i64(hc, "PidsLimit", &r->has_pids_limit);
    r->blkio_weight = (int)get_i64(hc, "BlkioWeight", NULL);
    r->cgroup_parent = get_str(hc, "CgroupParent");
    r->cgroupns = get_str(hc, "CgroupnsMode");
    r->swappiness = get_i64(hc, "MemorySwappiness", &r->has_swappiness);
    r->cpu_rt_period = get_i64(hc, "CpuRealtimePeriod", NULL);
    r->cpu_rt_runtime = get_i64(hc, "CpuRealtimeRuntime", NULL);
    if (throttle_from_hc(hc, "BlkioDeviceReadBps", &r->read_bps, &r->n_read_bps) < 0 ||
        throttle_from_hc(hc, "BlkioDeviceWriteBps", &r->write_bps, &r->n_write_bps) < 0 ||
        throttle_from_hc(hc, "BlkioDeviceReadIOps", &r->read_iops, &r->n_read_iops) < 0 ||
        throttle_from_hc(hc, "BlkioDeviceWriteIOps", &r->write_iops, &r->n_write_iops) < 0 ||
        throttle_from_hc(hc, "BlkioWeightDevice", &r->weight_device, &r->n_weight_device) < 0)
        return md_error(err, ENOMEM, "HostConfig");
    return 0;
}

static int replace_str(char **dst, const char *src)
{
    if (src == NULL) return 0;
    free(*dst);
    *dst = strdup(src);
    return *dst ? 0 : -ENOMEM;
}

/* moby container.UpdateContainer: NanoCPUs and period/quota exclude each
 * other across the old and the new settings too */
static int update_conflicts(const struct md_res_opts *cur, const struct md_res_opts *upd,
                            md_error_t **err)
{
    if (upd->nano_cpus > 0 && cur->cpu_period > 0)
        return md_error(
            err, 0,
            "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
    if (upd->nano_cpus > 0 && cur->cpu_quota > 0)
        return md_error(
            err, 0,
            "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
    if (upd->cpu_period > 0 && cur->nano_cpus > 0)
        return md_error(
            err, 0,
            "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
    if (upd->cpu_quota > 0 && cur->nano_cpus > 0)
        return md_error(
            err, 0,
            "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
    /* a new memory limit above the memory+swap limit already in force */
    if (upd->memory > 0 && upd->memory_swap == 0 && cur->memory_swap > 0 &&
        upd->memory > cur->memory_swap)
        return md_error(err, 0,
                        "Memory limit should be smaller than already set memoryswap limit, "
                        "update the memoryswap at the same time");
    return 0;
}

int md_res_merge_update(struct md_res_opts *cur, const struct md_res_opts *upd,
                        const struct md_res_host *h, md_error_t **err)
{
    int r = md_res_validate(upd, h, 1, err);
    if (r == 0) r = update_conflicts(cur, upd, err);
    if (r < 0) return r;
    if (upd->blkio_weight) cur->blkio_weight = upd->blkio_weight;
    if (upd->cpu_shares)
        cur->cpu_shares = upd->cpu_shares < 2        ? 2
                          : upd->cpu_shares > 262144 ? 262144
                                                     : upd->cpu_shares;
    if (upd->nano_cpus) cur->nano_cpus = upd->nano_cpus;
    if (upd->cpu_period) cur->cpu_period = upd->cpu_period;
    if (upd->cpu_quota) cur->cpu_quota = upd->cpu_quota;
    if (upd->memory) cur->memory = upd->memory;
    if (upd->memory_swap) cur->memory_swap = upd->memory_swap;
    if (upd->memory_reservation) cur->memory_reservation = upd->memory_reservation;
    if (upd->has_pids_limit) {
        cur->has_pids_limit = 1;
        cur->pids_limit = upd->pids_limit;
    }
    if (replace_str(&cur->cpuset_cpus, upd->cpuset_cpus) < 0 ||
        replace_str(&cur->cpuset_mems, upd->cpuset_mems) < 0)
        return md_error(err, ENOMEM, "update");
    /* the merged whole must still make sense (swap below a raised memory) */
    return md_res_validate(cur, h, 1, err);
}
