/* docker's resource flags: parsing, docker's checks, and the OCI
 * linux.resources object they become (docs/cgroups.md, "The engine side"). */
#include "resources.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define MIN_MEMORY (6LL * 1024 * 1024) /* docker's linuxMinMemory */
#define MAX_CPUSET_BITS 1024

static const char *flag_name(int code)
{
    switch (code) {
    case MD_ROPT_MEMORY:
        return "-m, --memory";
    case MD_ROPT_MEMORY_SWAP:
        return "--memory-swap";
    case MD_ROPT_MEMORY_RESERVATION:
        return "--memory-reservation";
    case MD_ROPT_OOM_SCORE_ADJ:
        return "--oom-score-adj";
    case MD_ROPT_CPU_SHARES:
        return "-c, --cpu-shares";
    case MD_ROPT_CPUS:
        return "--cpus";
    case MD_ROPT_CPU_PERIOD:
        return "--cpu-period";
    case MD_ROPT_CPU_QUOTA:
        return "--cpu-quota";
    case MD_ROPT_PIDS_LIMIT:
        return "--pids-limit";
    case MD_ROPT_BLKIO_WEIGHT:
        return "--blkio-weight";
    case MD_ROPT_DEVICE_READ_BPS:
        return "--device-read-bps";
    case MD_ROPT_DEVICE_WRITE_BPS:
        return "--device-write-bps";
    case MD_ROPT_CGROUPNS:
        return "--cgroupns";
    case MD_ROPT_DEVICE_READ_IOPS:
        return "--device-read-iops";
    case MD_ROPT_DEVICE_WRITE_IOPS:
        return "--device-write-iops";
    case MD_ROPT_BLKIO_WEIGHT_DEVICE:
        return "--blkio-weight-device";
    case MD_ROPT_MEMORY_SWAPPINESS:
        return "--memory-swappiness";
    case MD_ROPT_CPU_RT_PERIOD:
        return "--cpu-rt-period";
    case MD_ROPT_CPU_RT_RUNTIME:
        return "--cpu-rt-runtime";
    default:
        return "--resource";
    }
}

static int bad_value(md_error_t **err, int code, const char *arg, const char *why)
{
    return md_error(err, 0, "invalid argument \"%s\" for \"%s\" flag: %s", arg, flag_name(code),
                    why);
}

int64_t md_ram_in_bytes(const char *s)
{
    /* docker's units.RAMInBytes: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ */
    const char *p = s;
    if (!isdigit((unsigned char)*p)) return -1;
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    /* strtod also takes "1e3" and "0x10": only digits and one dot may be consumed */
    for (const char *q = p; q < end; q++)
        if (!isdigit((unsigned char)*q) && *q != '.') return -1;
    if (errno || end == p) return -1;
    p = end;
    if (*p == ' ') p++;
    double mult = 1;
    const char *units = "kmgtp";
    const char *u = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
    if (u != NULL) {
        for (const char *k = units; k <= u; k++)
            mult *= 1024;
        p++;
    }
    if (*p == 'i' || *p == 'I') p++;
    if (*p == 'b' || *p == 'B') p++;
    if (*p != '\0') return -1;
    double bytes = v * mult;
    if (bytes >= 9.2e18) return -1;
    return (int64_t)bytes;
}

int md_cpuset_parse(const char *s, uint64_t *bits, size_t nbits)
{
    memset(bits, 0, (nbits + 63) / 64 * sizeof(uint64_t));
    if (*s == '\0') return -1;
    const char *p = s;
    for (;;) {
        char *end;
        if (!isdigit((unsigned char)*p)) return -1;
        unsigned long a = strtoul(p, &end, 10), b = a;
        p = end;
        if (*p == '-') {
            if (!isdigit((unsigned char)p[1])) return -1;
            b = strtoul(p + 1, &end, 10);
            p = end;
        }
        if (b < a || b >= nbits) return -1;
        for (unsigned long i = a; i <= b; i++)
            bits[i / 64] |= 1ULL << (i % 64);
        if (*p == '\0') return 0;
        if (*p++ != ',') return -1;
    }
}

/* Go's strconv.ParseInt wording, which docker's flag errors show. */
static int parse_int(const char *arg, int code, int64_t lo, int64_t hi, int64_t *out,
                     md_error_t **err)
{
    char *end, why[160];
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || isspace((unsigned char)*arg)) {
        snprintf(why, sizeof(why), "strconv.ParseInt: parsing \"%s\": invalid syntax", arg);
        return bad_value(err, code, arg, why);
    }
    if (errno == ERANGE || v < lo || v > hi) {
        snprintf(why, sizeof(why), "strconv.ParseInt: parsing \"%s\": value out of range", arg);
        return bad_value(err, code, arg, why);
    }
    *out = v;
    return 0;
}

static int parse_size_flag(const char *arg, int code, int64_t *out, md_error_t **err)
{
    if (code == MD_ROPT_MEMORY_SWAP && strcmp(arg, "-1") == 0) {
        *out = -1;
        return 0;
    }
    int64_t v = md_ram_in_bytes(arg);
    if (v < 0) {
        char why[128];
        snprintf(why, sizeof(why), "invalid size: '%s'", arg);
        return bad_value(err, code, arg, why);
    }
    *out = v;
    return 0;
}

/* --cpus: a decimal number of CPUs; docker keeps nano CPUs, an integer */
static int parse_cpus(const char *arg, int64_t *out, md_error_t **err)
{
    const char *p = arg;
    int neg = *p == '-';
    p += neg;
    int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    for (; isdigit((unsigned char)*p); p++, digits++)
        if (whole < 1000000000LL) whole = whole * 10 + (*p - '0');
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++, fdigits++) {
            if (fdigits >= 9) {
                if (*p != '0') return bad_value(err, MD_ROPT_CPUS, arg, "value is too precise");
                continue;
            }
            frac = frac * 10 + (*p - '0');
        }
    if (*p != '\0' || digits + fdigits == 0 || whole >= 1000000000LL) {
        char why[128];
        snprintf(why, sizeof(why), "failed to parse %s as a rational number", arg);
        return bad_value(err, MD_ROPT_CPUS, arg, why);
    }
    for (int i = fdigits < 9 ? fdigits : 9; i < 9; i++)
        frac *= 10;
    *out = (neg ? -1 : 1) * (whole * 1000000000LL + frac);
    return 0;
}

/* docker's device flags: "/dev/PATH:VALUE"; the ':' before the value, or NULL after
 * docker's error */
static const char *device_colon(int code, const char *arg, md_error_t **err)
{
    const char *colon = strrchr(arg, ':');
    char why[320];
    if (colon == NULL || colon == arg) {
        snprintf(why, sizeof(why), "bad format: %s", arg);
        bad_value(err, code, arg, why);
        return NULL;
    }
    if (strncmp(arg, "/dev/", 5) != 0) {
        snprintf(why, sizeof(why), "bad format for device path: %s", arg);
        bad_value(err, code, arg, why);
        return NULL;
    }
    return colon;
}

static int add_throttle(struct md_res_throttle **v, size_t *n, int code, const char *arg,
                        md_error_t **err)
{
    /* docker's ValidateThrottleBpsDevice */
    const char *colon = device_colon(code, arg, err);
    char why[320];
    if (colon == NULL) return -EINVAL;
    int64_t rate = md_ram_in_bytes(colon + 1);
    if (rate < 0) {
        snprintf(why, sizeof(why),
                 "invalid rate for device: %s. The correct format is "
                 "<device-path>:<number>[<unit>]. Number must be a positive integer. Unit is "
                 "optional and can be kb, mb, or gb",
                 arg);
        return bad_value(err, code, arg, why);
    }
    struct md_res_throttle *nv = realloc(*v, (*n + 1) * sizeof(**v));
    if (nv == NULL) return md_error(err, ENOMEM, "%s", flag_name(code));
    *v = nv;
    nv[*n] = (struct md_res_throttle){.path = md_xstrndup(arg, (size_t)(colon - arg)),
                                      .major = -1,
                                      .minor = -1,
                                      .rate = (uint64_t)rate};
    if (nv[*n].path == NULL) return md_error(err, ENOMEM, "%s", flag_name(code));
    (*n)++;
    return 0;
}

/* docker's ValidateThrottleIOpsDevice and ValidateWeightDevice: PATH:NUMBER */
static int add_device_number(struct md_res_throttle **v, size_t *n, int code, const char *arg,
                             md_error_t **err)
{
    const char *colon = device_colon(code, arg, err);
    char why[320], *end;
    int weight = code == MD_ROPT_BLKIO_WEIGHT_DEVICE;
    if (colon == NULL) return -EINVAL;
    errno = 0;
    unsigned long long num = strtoull(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || colon[1] == '-' ||
        (weight && num > 0 && (num < 10 || num > 1000))) {
        if (weight)
            snprintf(why, sizeof(why),
                     "invalid weight for device: %s. The correct format is <device-path>:<weight>. "
                     "Weight must be between 10 and 1000",
                     arg);
        else
            snprintf(why, sizeof(why),
                     "invalid rate for device: %s. The correct format is <device-path>:<number>. "
                     "Number must be a positive integer",
                     arg);
        return bad_value(err, code, arg, why);
    }
    *v = md_xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = (struct md_res_throttle){
        .path = md_xstrndup(arg, (size_t)(colon - arg)), .major = -1, .minor = -1, .rate = num};
    return 0;
}

static int set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : -ENOMEM;
}

int md_res_opt_parse(struct md_res_opts *r, int code, const char *arg, md_error_t **err)
{
    int64_t v;
    int rc;
    switch (code) {
    case 'm':
    case MD_ROPT_MEMORY:
        return parse_size_flag(arg, MD_ROPT_MEMORY, &r->memory, err);
    case MD_ROPT_MEMORY_SWAP:
        return parse_size_flag(arg, code, &r->memory_swap, err);
    case MD_ROPT_MEMORY_RESERVATION:
        return parse_size_flag(arg, code, &r->memory_reservation, err);
    case MD_ROPT_OOM_KILL_DISABLE:
        r->oom_kill_disable = 1;
        return 0;
    case MD_ROPT_OOM_SCORE_ADJ:
        rc = parse_int(arg, code, INT32_MIN, INT32_MAX, &v, err);
        r->has_oom_score_adj = rc == 0;
        r->oom_score_adj = (int)v;
        return rc;
    case 'c':
    case MD_ROPT_CPU_SHARES:
        return parse_int(arg, MD_ROPT_CPU_SHARES, INT64_MIN, INT64_MAX, &r->cpu_shares, err);
    case MD_ROPT_CPUS:
        return parse_cpus(arg, &r->nano_cpus, err);
    case MD_ROPT_CPU_PERIOD:
        return parse_int(arg, code, INT64_MIN, INT64_MAX, &r->cpu_period, err);
    case MD_ROPT_CPU_QUOTA:
        return parse_int(arg, code, INT64_MIN, INT64_MAX, &r->cpu_quota, err);
    case MD_ROPT_CPUSET_CPUS:
        return set_str(&r->cpuset_cpus, arg) < 0 ? md_error(err, ENOMEM, "cpuset") : 0;
    case MD_ROPT_CPUSET_MEMS:
        return set_str(&r->cpuset_mems, arg) < 0 ? md_error(err, ENOMEM, "cpuset") : 0;
    case MD_ROPT_PIDS_LIMIT:
        rc = parse_int(arg, code, INT64_MIN, INT64_MAX, &r->pids_limit, err);
        r->has_pids_limit = rc == 0;
        return rc;
    case MD_ROPT_BLKIO_WEIGHT:
        if (arg[0] == '-') { /* Go's ParseUint refuses a sign */
            char why[128];
            snprintf(why, sizeof(why), "strconv.ParseUint: parsing \"%s\": invalid syntax", arg);
            return bad_value(err, code, arg, why);
        }
        rc = parse_int(arg, code, 0, 65535, &v, err);
        r->blkio_weight = (int)v;
        return rc;
    case MD_ROPT_DEVICE_READ_BPS:
        return add_throttle(&r->read_bps, &r->n_read_bps, code, arg, err);
    case MD_ROPT_DEVICE_WRITE_BPS:
        return add_throttle(&r->write_bps, &r->n_write_bps, code, arg, err);
    case MD_ROPT_DEVICE_READ_IOPS:
        return add_device_number(&r->read_iops, &r->n_read_iops, code, arg, err);
    case MD_ROPT_DEVICE_WRITE_IOPS:
        return add_device_number(&r->write_iops, &r->n_write_iops, code, arg, err);
    case MD_ROPT_BLKIO_WEIGHT_DEVICE:
        return add_device_number(&r->weight_device, &r->n_weight_device, code, arg, err);
    case MD_ROPT_MEMORY_SWAPPINESS:
        rc = parse_int(arg, code, INT64_MIN, INT64_MAX, &r->swappiness, err);
        r->has_swappiness = rc == 0 && r->swappiness != -1; /* docker: -1 is "unset" */
        return rc;
    case MD_ROPT_CPU_RT_PERIOD:
        return parse_int(arg, code, INT64_MIN, INT64_MAX, &r->cpu_rt_period, err);
    case MD_ROPT_CPU_RT_RUNTIME:
        return parse_int(arg, code, INT64_MIN, INT64_MAX, &r->cpu_rt_runtime, err);
    case MD_ROPT_CGROUP_PARENT:
        return set_str(&r->cgroup_parent, arg) < 0 ? md_error(err, ENOMEM, "cgroup-parent") : 0;
    case MD_ROPT_CGROUPNS:
        if (strcmp(arg, "host") != 0 && strcmp(arg, "private") != 0)
            return md_error(err, 0, "--cgroupns: invalid CGROUP mode: %s (host or private)", arg);
        return set_str(&r->cgroupns, arg) < 0 ? md_error(err, ENOMEM, "cgroupns") : 0;
    default:
        return md_error(err, EINVAL, "unknown resource flag %d", code);
    }
}

static void throttle_free(struct md_res_throttle *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].path);
    free(v);
}

void md_res_opts_free(struct md_res_opts *r)
{
    free(r->cpuset_cpus);
    free(r->cpuset_mems);
    free(r->cgroup_parent);
    free(r->cgroupns);
    throttle_free(r->read_bps, r->n_read_bps);
    throttle_free(r->write_bps, r->n_write_bps);
    throttle_free(r->read_iops, r->n_read_iops);
    throttle_free(r->write_iops, r->n_write_iops);
    throttle_free(r->weight_device, r->n_weight_device);
    memset(r, 0, sizeof(*r));
}

int md_res_opts_any(const struct md_res_opts *r)
{
    return r->memory || r->memory_swap || r->memory_reservation || r->oom_kill_disable ||
           r->cpu_shares || r->nano_cpus || r->cpu_period || r->cpu_quota || r->cpuset_cpus ||
           r->cpuset_mems || r->has_pids_limit || r->blkio_weight || r->n_read_bps ||
           r->n_write_bps || r->n_read_iops || r->n_write_iops || r->n_weight_device ||
           r->has_swappiness || r->cpu_rt_period || r->cpu_rt_runtime;
}

static int check_cpuset(const char *req, const char *avail, const char *what, const char *noun,
                        md_error_t **err)
{
    uint64_t want[MAX_CPUSET_BITS / 64], have[MAX_CPUSET_BITS / 64];
    if (md_cpuset_parse(req, want, MAX_CPUSET_BITS) < 0)
        return md_error(err, 0, "Invalid value %s for cpuset %s", req, what);
    if (md_cpuset_parse(avail, have, MAX_CPUSET_BITS) < 0)
        return 0; /* unknown host: let the kernel decide */
    for (size_t i = 0; i < MAX_CPUSET_BITS / 64; i++)
        if (want[i] & ~have[i])
            return md_error(err, 0, "Requested %s are not available - requested %s, available: %s",
                            noun, req, avail);
    return 0;
}

static int validate_memory(const struct md_res_opts *r, int update, md_error_t **err)
{
    if (r->memory != 0 && r->memory < MIN_MEMORY)
        return md_error(err, 0, "Minimum memory limit allowed is 6MB");
    if (r->memory > 0 && r->memory_swap > 0 && r->memory_swap < r->memory)
        return md_error(err, 0,
                        "Minimum memoryswap limit should be larger than memory limit, see usage");
    if (r->memory == 0 && r->memory_swap > 0 && !update)
        return md_error(
            err, 0,
            "You should always set the Memory limit when using Memoryswap limit, see usage");
    if (r->memory_reservation > 0 && r->memory_reservation < MIN_MEMORY)
        return md_error(err, 0, "Minimum memory reservation allowed is 6MB");
    if (r->memory > 0 && r->memory_reservation > 0 && r->memory < r->memory_reservation)
        return md_error(
            err, 0,
            "Minimum memory limit can not be less than memory reservation limit, see usage");
    if (r->has_oom_score_adj && (r->oom_score_adj < -1000 || r->oom_score_adj > 1000))
        return md_error(err, 0, "Invalid value %d, range for oom score adj is [-1000, 1000]",
                        r->oom_score_adj);
    return 0;
}

static int validate_cpu(const struct md_res_opts *r, const struct md_res_host *h, md_error_t **err)
{
    if (r->nano_cpus > 0 && r->cpu_period > 0)
        return md_error(err, 0, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
    if (r->nano_cpus > 0 && r->cpu_quota > 0)
        return md_error(err, 0, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
    /* docker leaves the lower bound to the kernel, whose minimum quota is
     * 1 ms per 100 ms period: 0.01 CPUs, the bound docker's message names */
    if (r->nano_cpus < 0 || r->nano_cpus > (int64_t)h->ncpus * 1000000000LL ||
        (r->nano_cpus > 0 && r->nano_cpus < 10000000))
        return md_error(err, 0,
                        "Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available",
                        h->ncpus, h->ncpus);
    if (r->cpu_period != 0 && (r->cpu_period < 1000 || r->cpu_period > 1000000))
        return md_error(
            err, 0,
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
    if (r->cpu_quota > 0 && r->cpu_quota < 1000)
        return md_error(err, 0, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
    if (r->cpu_quota < -1)
        return md_error(err, 0, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
    int rc = 0;
    if (r->cpuset_cpus) rc = check_cpuset(r->cpuset_cpus, h->cpus, "cpus", "CPUs", err);
    if (rc == 0 && r->cpuset_mems)
        rc = check_cpuset(r->cpuset_mems, h->mems, "mems", "memory nodes", err);
    return rc;
}

/* "mydocker/<id>" style paths only: the driver refuses ".." and systemd's
 * "slice:prefix:name", and we say so before anything exists */
static int validate_parent(const char *p, md_error_t **err)
{
    if (p == NULL) return 0;
    if (strchr(p, ':') != NULL)
        return md_error(err, 0,
                        "invalid --cgroup-parent \"%s\": systemd slices are not supported "
                        "(cgroupfs driver)",
                        p);
    cleanup_free char *copy = strdup(p);
    if (copy == NULL) return md_error(err, ENOMEM, "cgroup-parent");
    for (char *save = NULL, *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
        if (strcmp(c, "..") == 0 || strcmp(c, ".") == 0)
            return md_error(err, 0, "invalid --cgroup-parent \"%s\": \"%s\" is not allowed", p, c);
    return 0;
}

int md_res_validate(const struct md_res_opts *r, const struct md_res_host *h, int update,
                    md_error_t **err)
{
    int rc = validate_memory(r, update, err);
    if (rc == 0) rc = validate_cpu(r, h, err);
    if (rc == 0 && r->blkio_weight > 0 && (r->blkio_weight < 10 || r->blkio_weight > 1000))
        rc = md_error(err, 0, "Range of blkio weight is from 10 to 1000");
    if (rc == 0) rc = validate_parent(r->cgroup_parent, err);
    /* daemon/daemon_unix.go verifyPlatformContainerResources */
    if (rc == 0 && r->has_swappiness && (r->swappiness < 0 || r->swappiness > 100))
        rc = md_error(err, 0, "Invalid value: %lld, valid memory swappiness range is 0-100",
                      (long long)r->swappiness);
    if (rc == 0 && r->cpu_rt_runtime != 0 && r->cpu_rt_period != 0 &&
        r->cpu_rt_runtime > r->cpu_rt_period)
        rc = md_error(err, 0, "cpu real-time runtime cannot be higher than cpu real-time period");
    return rc;
}

void md_res_adapt(struct md_res_opts *r, const struct md_res_host *h)
{
    /* daemon/daemon_unix.go adaptContainerSettings */
    if (r->memory > 0 && r->memory_swap == 0 && h->si.swap) r->memory_swap = r->memory * 2;
    if (r->cpu_shares < 0)
        r->cpu_shares = 2;
    else if (r->cpu_shares > 262144)
        r->cpu_shares = 262144;
}

static int resolve_list(struct md_res_throttle *v, size_t n, md_error_t **err)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(v[i].path, &st) < 0) return md_error(err, errno, "stat %s", v[i].path);
        if (!S_ISBLK(st.st_mode)) return md_error(err, 0, "%s is not a block device", v[i].path);
        v[i].major = major(st.st_rdev);
        v[i].minor = minor(st.st_rdev);
    }
    return 0;
}

int md_res_resolve_devices(struct md_res_opts *r, md_error_t **err)
{
    int rc = resolve_list(r->read_bps, r->n_read_bps, err);
    if (rc == 0) rc = resolve_list(r->write_bps, r->n_write_bps, err);
    if (rc == 0) rc = resolve_list(r->read_iops, r->n_read_iops, err);
    if (rc == 0) rc = resolve_list(r->write_iops, r->n_write_iops, err);
    return rc < 0 ? rc : resolve_list(r->weight_device, r->n_weight_device, err);
}

static struct json_object *throttle_json(const struct md_res_throttle *v, size_t n)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "major", json_object_new_int64(v[i].major));
        json_object_object_add(e, "minor", json_object_new_int64(v[i].minor));
        json_object_object_add(e, "rate", json_object_new_uint64(v[i].rate));
        json_object_array_add(a, e);
    }
    return a;
}

static struct json_object *weight_json(const struct md_res_opts *r)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < r->n_weight_device; i++) {
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "major", json_object_new_int64(r->weight_device[i].major));
        json_object_object_add(e, "minor", json_object_new_int64(r->weight_device[i].minor));
        json_object_object_add(e, "weight",
                               json_object_new_int64((int64_t)r->weight_device[i].rate));
        json_object_array_add(a, e);
    }
    return a;
}

static void add_i64(struct json_object *o, const char *k, int64_t v)
{
    json_object_object_add(o, k, json_object_new_int64(v));
}

/* An object, or NULL (and freed) when it stayed empty. */
static struct json_object *nonempty(struct json_object *o)
{
    if (json_object_object_length(o) > 0) return o;
    json_object_put(o);
    return NULL;
}

static struct json_object *memory_json(const struct md_res_opts *r)
{
    struct json_object *m = json_object_new_object();
    if (r->memory > 0) add_i64(m, "limit", r->memory);
    if (r->memory_reservation > 0) add_i64(m, "reservation", r->memory_reservation);
    /* swap is memory+swap; without a memory limit it means nothing (v2
     * refuses it), and "unlimited" is the default anyway */
    if (r->memory > 0 && (r->memory_swap > 0 || r->memory_swap == -1))
        add_i64(m, "swap", r->memory_swap);
    if (r->oom_kill_disable)
        json_object_object_add(m, "disableOOMKiller", json_object_new_boolean(1));
    if (r->has_swappiness)
        json_object_object_add(m, "swappiness", json_object_new_uint64((uint64_t)r->swappiness));
    return nonempty(m);
}

static struct json_object *cpu_json(const struct md_res_opts *r)
{
    struct json_object *c = json_object_new_object();
    if (r->cpu_shares > 0) add_i64(c, "shares", r->cpu_shares);
    if (r->nano_cpus > 0) {
        /* docker: a 100 ms period, the quota its share of it */
        add_i64(c, "quota", r->nano_cpus * 100000 / 1000000000LL);
        add_i64(c, "period", 100000);
    } else {
        if (r->cpu_quota != 0) add_i64(c, "quota", r->cpu_quota);
        if (r->cpu_period > 0) add_i64(c, "period", r->cpu_period);
    }
    if (r->cpuset_cpus) json_object_object_add(c, "cpus", json_object_new_string(r->cpuset_cpus));
    if (r->cpuset_mems) json_object_object_add(c, "mems", json_object_new_string(r->cpuset_mems));
    if (r->cpu_rt_period > 0) add_i64(c, "realtimePeriod", r->cpu_rt_period);
    if (r->cpu_rt_runtime > 0) add_i64(c, "realtimeRuntime", r->cpu_rt_runtime);
    return nonempty(c);
}

struct json_object *md_res_to_oci(const struct md_res_opts *r)
{
    struct json_object *res = json_object_new_object(), *m = memory_json(r), *c = cpu_json(r);
    if (m) json_object_object_add(res, "memory", m);
    if (c) json_object_object_add(res, "cpu", c);
    if (r->has_pids_limit) {
        struct json_object *p = json_object_new_object();
        add_i64(p, "limit", r->pids_limit > 0 ? r->pids_limit : -1);
        json_object_object_add(res, "pids", p);
    }
    struct json_object *b = json_object_new_object();
    if (r->blkio_weight > 0) add_i64(b, "weight", r->blkio_weight);
    if (r->n_read_bps)
        json_object_object_add(b, "throttleReadBpsDevice",
                               throttle_json(r->read_bps, r->n_read_bps));
    if (r->n_write_bps)
        json_object_object_add(b, "throttleWriteBpsDevice",
                               throttle_json(r->write_bps, r->n_write_bps));
    if (r->n_read_iops)
        json_object_object_add(b, "throttleReadIOPSDevice",
                               throttle_json(r->read_iops, r->n_read_iops));
    if (r->n_write_iops)
        json_object_object_add(b, "throttleWriteIOPSDevice",
                               throttle_json(r->write_iops, r->n_write_iops));
    if (r->n_weight_device) json_object_object_add(b, "weightDevice", weight_json(r));
    if ((b = nonempty(b)) != NULL) json_object_object_add(res, "blockIO", b);
    return nonempty(res);
}

char *md_res_cgroups_path(const struct md_res_opts *r, const char *id)
{
    const char *parent = r && r->cgroup_parent ? r->cgroup_parent : "mydocker";
    size_t n = strlen(parent);
    while (n > 0 && parent[n - 1] == '/')
        n--;
    char *out = NULL;
    if (n == 0) return asprintf(&out, "/%s", id) < 0 ? NULL : out;
    return asprintf(&out, "%.*s/%s", (int)n, parent, id) < 0 ? NULL : out;
}

int md_res_prepare(struct md_res_opts *r, const md_warn_t *w, struct json_object **oci,
                   md_error_t **err)
{
    struct md_res_host h = {.ncpus = 1, .cpus = "0", .mems = "0", .si.swap = 1};
    *oci = NULL;
    int rc = 0;
    if (md_res_opts_any(r)) { /* no sysfs reads on the plain `run` path */
        md_res_host_probe(&h);
        rc = md_res_discard_unsupported(r, &h, w, err);
    }
    if (rc == 0) rc = md_res_validate(r, &h, 0, err);
    if (rc == 0) rc = md_res_resolve_devices(r, err);
    if (rc < 0) return rc;
    md_res_adapt(r, &h);
    *oci = md_res_to_oci(r);
    return 0;
}
