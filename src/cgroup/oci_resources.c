/* OCI linux.resources (json-c) -> struct md_resources. */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"

#define RES "linux.resources"

/* A member that is absent or null reads as absent. */
static struct json_object *member(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, key, &v)) return NULL;
    return v;
}

static int want_type(struct json_object *v, enum json_type t, const char *path, const char *key,
                     md_error_t **err)
{
    static const char *const names[] = {
        [json_type_null] = "null",        [json_type_boolean] = "a boolean",
        [json_type_double] = "a number",  [json_type_int] = "an integer",
        [json_type_object] = "an object", [json_type_array] = "an array",
        [json_type_string] = "a string",
    };
    if (json_object_is_type(v, t)) return 0;
    return md_error(err, EINVAL, "%s.%s: expected %s", path, key, names[t]);
}

static int get_i64(struct json_object *o, const char *key, const char *path, bool *has,
                   int64_t *out, md_error_t **err)
{
    struct json_object *v = member(o, key);
    if (v == NULL) return 0;
    int r = want_type(v, json_type_int, path, key, err);
    if (r < 0) return r;
    *out = json_object_get_int64(v);
    if (has) *has = true;
    return 0;
}

static int get_u64(struct json_object *o, const char *key, const char *path, bool *has,
                   uint64_t *out, md_error_t **err)
{
    struct json_object *v = member(o, key);
    if (v == NULL) return 0;
    int r = want_type(v, json_type_int, path, key, err);
    if (r < 0) return r;
    if (json_object_get_int64(v) < 0)
        return md_error(err, EINVAL, "%s.%s: must not be negative", path, key);
    *out = json_object_get_uint64(v);
    if (has) *has = true;
    return 0;
}

static int get_bool(struct json_object *o, const char *key, const char *path, bool *has, bool *out,
                    md_error_t **err)
{
    struct json_object *v = member(o, key);
    if (v == NULL) return 0;
    int r = want_type(v, json_type_boolean, path, key, err);
    if (r < 0) return r;
    *out = json_object_get_boolean(v);
    if (has) *has = true;
    return 0;
}

static int get_str(struct json_object *o, const char *key, const char *path, char **out,
                   md_error_t **err)
{
    struct json_object *v = member(o, key);
    if (v == NULL) return 0;
    int r = want_type(v, json_type_string, path, key, err);
    if (r < 0) return r;
    free(*out);
    *out = strdup(json_object_get_string(v));
    return *out ? 0 : md_error(err, ENOMEM, "%s.%s", path, key);
}

/* Parse array o[key] into *items (n elements of size sz) with one(). */
typedef int (*item_fn)(struct json_object *it, void *item, const char *path, md_error_t **err);

static int get_list(struct json_object *o, const char *key, const char *path, size_t sz,
                    void **items, size_t *n, item_fn one, md_error_t **err)
{
    struct json_object *v = member(o, key);
    if (v == NULL) return 0;
    int r = want_type(v, json_type_array, path, key, err);
    if (r < 0) return r;
    size_t len = json_object_array_length(v);
    if (len == 0) return 0;
    *items = calloc(len, sz);
    if (*items == NULL) return md_error(err, ENOMEM, "%s.%s", path, key);
    for (size_t i = 0; i < len; i++) {
        char p[128];
        snprintf(p, sizeof(p), "%s.%s[%zu]", path, key, i);
        struct json_object *it = json_object_array_get_idx(v, i);
        if (!json_object_is_type(it, json_type_object))
            return md_error(err, EINVAL, "%s: expected an object", p);
        /* count first: on failure the free() below sees every string */
        *n = i + 1;
        r = one(it, (char *)*items + i * sz, p, err);
        if (r < 0) return r;
    }
    return 0;
}

/* ---- sections ---- */

static int parse_memory(struct json_object *o, struct md_res_memory *m, md_error_t **err)
{
    const char *p = RES ".memory";
    int r = 0;
    r = r ?: get_i64(o, "limit", p, &m->has_limit, &m->limit, err);
    r = r ?: get_i64(o, "reservation", p, &m->has_reservation, &m->reservation, err);
    r = r ?: get_i64(o, "swap", p, &m->has_swap, &m->swap, err);
    r = r ?: get_u64(o, "swappiness", p, &m->has_swappiness, &m->swappiness, err);
    r = r
            ?: get_bool(o, "disableOOMKiller", p, &m->has_disable_oom_killer,
                        &m->disable_oom_killer, err);
    r = r ?: get_i64(o, "kernelTCP", p, &m->has_kernel_tcp, &m->kernel_tcp, err);
    /* 0 is "not set" for docker and runc alike; kernel (kmem) is deprecated
     * and ignored; kernelTCP is applied where v1 still has its file */
    m->has_limit &= m->limit != 0;
    m->has_kernel_tcp &= m->kernel_tcp != 0;
    m->has_reservation &= m->reservation != 0;
    m->has_swap &= m->swap != 0;
    return r;
}

static int parse_cpu(struct json_object *o, struct md_res_cpu *c, md_error_t **err)
{
    const char *p = RES ".cpu";
    int r = 0;
    r = r ?: get_u64(o, "shares", p, &c->has_shares, &c->shares, err);
    r = r ?: get_i64(o, "quota", p, &c->has_quota, &c->quota, err);
    r = r ?: get_u64(o, "period", p, &c->has_period, &c->period, err);
    r = r ?: get_u64(o, "burst", p, &c->has_burst, &c->burst, err);
    r = r ?: get_i64(o, "idle", p, &c->has_idle, &c->idle, err);
    r = r ?: get_str(o, "cpus", p, &c->cpus, err);
    r = r ?: get_str(o, "mems", p, &c->mems, err);
    c->has_shares &= c->shares != 0;
    c->has_quota &= c->quota != 0;
    c->has_period &= c->period != 0;
    if (c->cpus && c->cpus[0] == '\0') {
        free(c->cpus);
        c->cpus = NULL;
    }
    if (c->mems && c->mems[0] == '\0') {
        free(c->mems);
        c->mems = NULL;
    }
    return r;
}

static int get_devnum(struct json_object *o, const char *path, int64_t *maj, int64_t *min,
                      md_error_t **err)
{
    bool hm = false, hn = false;
    int r = get_i64(o, "major", path, &hm, maj, err);
    r = r ?: get_i64(o, "minor", path, &hn, min, err);
    if (r == 0 && (!hm || !hn || *maj < 0 || *min < 0))
        r = md_error(err, EINVAL, "%s: needs major and minor numbers >= 0", path);
    return r;
}

static int weight_dev_one(struct json_object *o, void *item, const char *p, md_error_t **err)
{
    struct md_weight_dev *d = item;
    uint64_t w = 0, lw = 0;
    int r = get_devnum(o, p, &d->major, &d->minor, err);
    r = r ?: get_u64(o, "weight", p, &d->has_weight, &w, err);
    r = r ?: get_u64(o, "leafWeight", p, &d->has_leaf_weight, &lw, err);
    if (r == 0 && (w > UINT16_MAX || lw > UINT16_MAX))
        r = md_error(err, EINVAL, "%s: weight out of range", p);
    d->weight = (uint16_t)w;
    d->leaf_weight = (uint16_t)lw;
    return r;
}

static int throttle_one(struct json_object *o, void *item, const char *p, md_error_t **err)
{
    struct md_throttle_dev *t = item;
    bool has = false;
    int r = get_devnum(o, p, &t->major, &t->minor, err);
    r = r ?: get_u64(o, "rate", p, &has, &t->rate, err);
    if (r == 0 && !has) r = md_error(err, EINVAL, "%s: rate is required", p);
    return r;
}

static int parse_blkio(struct json_object *o, struct md_res_blkio *b, md_error_t **err)
{
    static const char *const keys[MD_THROTTLE_N] = {
        "throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
        "throttleWriteIOPSDevice"};
    const char *p = RES ".blockIO";
    uint64_t w = 0, lw = 0;
    int r = get_u64(o, "weight", p, &b->has_weight, &w, err);
    r = r ?: get_u64(o, "leafWeight", p, &b->has_leaf_weight, &lw, err);
    if (r == 0 && (w > UINT16_MAX || lw > UINT16_MAX))
        return md_error(err, EINVAL, "%s: weight out of range", p);
    b->weight = (uint16_t)w;
    b->leaf_weight = (uint16_t)lw;
    b->has_weight &= w != 0;
    b->has_leaf_weight &= lw != 0;
    r = r
            ?: get_list(o, "weightDevice", p, sizeof(struct md_weight_dev),
                        (void **)&b->weight_device, &b->n_weight_device, weight_dev_one, err);
    for (int k = 0; k < MD_THROTTLE_N && r == 0; k++)
        r = get_list(o, keys[k], p, sizeof(struct md_throttle_dev), (void **)&b->throttle[k],
                     &b->n_throttle[k], throttle_one, err);
    return r;
}

static int hugepage_one(struct json_object *o, void *item, const char *p, md_error_t **err)
{
    struct md_hugepage_limit *h = item;
    bool has = false;
    int r = get_str(o, "pageSize", p, &h->pagesize, err);
    r = r ?: get_u64(o, "limit", p, &has, &h->limit, err);
    if (r < 0) return r;
    if (h->pagesize == NULL || !has)
        return md_error(err, EINVAL, "%s: pageSize and limit are required", p);
    /* it becomes part of a file name */
    if (h->pagesize[0] == '\0' || strspn(h->pagesize, "0123456789KMGBkmgb") != strlen(h->pagesize))
        return md_error(err, EINVAL, "%s: invalid pageSize '%s'", p, h->pagesize);
    return 0;
}

static int device_one(struct json_object *o, void *item, const char *p, md_error_t **err)
{
    struct md_device_rule *d = item;
    char *type = NULL, *access = NULL;
    bool has_allow = false;
    d->major = d->minor = -1;
    int r = get_bool(o, "allow", p, &has_allow, &d->allow, err);
    r = r ?: get_str(o, "type", p, &type, err);
    r = r ?: get_str(o, "access", p, &access, err);
    r = r ?: get_i64(o, "major", p, NULL, &d->major, err);
    r = r ?: get_i64(o, "minor", p, NULL, &d->minor, err);
    if (r == 0 && !has_allow) r = md_error(err, EINVAL, "%s: allow is required", p);
    d->type = type ? type[0] : 'a';
    if (r == 0 && ((type && strlen(type) != 1) || strchr("abc", d->type) == NULL))
        r = md_error(err, EINVAL, "%s: invalid device type '%s'", p, type);
    const char *acc = access && access[0] ? access : "rwm";
    if (r == 0 && (strlen(acc) > 3 || strspn(acc, "rwm") != strlen(acc)))
        r = md_error(err, EINVAL, "%s: invalid access '%s'", p, acc);
    if (r == 0) snprintf(d->access, sizeof(d->access), "%s", acc);
    free(type);
    free(access);
    return r;
}

static int parse_unified(struct json_object *o, struct md_resources *out, md_error_t **err)
{
    if (o == NULL) return 0;
    int r = want_type(o, json_type_object, RES, "unified", err);
    size_t len = r < 0 ? 0 : (size_t)json_object_object_length(o);
    if (r < 0 || len == 0) return r;
    out->unified = calloc(len, sizeof(*out->unified));
    if (out->unified == NULL) return md_error(err, ENOMEM, RES ".unified");
    json_object_object_foreach(o, key, val)
    {
        if (!json_object_is_type(val, json_type_string))
            return md_error(err, EINVAL, RES ".unified.%s: expected a string", key);
        struct md_kv *kv = &out->unified[out->n_unified++];
        kv->key = strdup(key);
        kv->value = strdup(json_object_get_string(val));
        if (kv->key == NULL || kv->value == NULL) return md_error(err, ENOMEM, RES ".unified");
    }
    return 0;
}

static int want_object(struct json_object *o, const char *key, md_error_t **err)
{
    return o == NULL ? 0 : want_type(o, json_type_object, RES, key, err);
}

int md_resources_from_json(struct json_object *res, struct md_resources *out, md_error_t **err)
{
    memset(out, 0, sizeof(*out));
    if (res == NULL) return 0;
    if (!json_object_is_type(res, json_type_object))
        return md_error(err, EINVAL, RES ": expected an object");
    struct json_object *mem = member(res, "memory"), *cpu = member(res, "cpu");
    struct json_object *pids = member(res, "pids"), *blk = member(res, "blockIO");
    int r = 0;
    r = r ?: want_object(mem, "memory", err);
    r = r ?: want_object(cpu, "cpu", err);
    r = r ?: want_object(pids, "pids", err);
    r = r ?: want_object(blk, "blockIO", err);
    r = r ?: parse_memory(mem, &out->memory, err);
    r = r ?: parse_cpu(cpu, &out->cpu, err);
    r = r ?: get_i64(pids, "limit", RES ".pids", &out->pids.has_limit, &out->pids.limit, err);
    r = r ?: parse_blkio(blk, &out->blkio, err);
    r = r
            ?: get_list(res, "hugepageLimits", RES, sizeof(struct md_hugepage_limit),
                        (void **)&out->hugepages, &out->n_hugepages, hugepage_one, err);
    r = r
            ?: get_list(res, "devices", RES, sizeof(struct md_device_rule), (void **)&out->devices,
                        &out->n_devices, device_one, err);
    r = r ?: parse_unified(member(res, "unified"), out, err);
    return r;
}

void md_resources_free(struct md_resources *r)
{
    if (r == NULL) return;
    free(r->cpu.cpus);
    free(r->cpu.mems);
    free(r->blkio.weight_device);
    for (int k = 0; k < MD_THROTTLE_N; k++)
        free(r->blkio.throttle[k]);
    for (size_t i = 0; i < r->n_hugepages; i++)
        free(r->hugepages[i].pagesize);
    free(r->hugepages);
    free(r->devices);
    for (size_t i = 0; i < r->n_unified; i++) {
        free(r->unified[i].key);
        free(r->unified[i].value);
    }
    free(r->unified);
    memset(r, 0, sizeof(*r));
}
