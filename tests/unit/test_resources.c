/* docker's resource flags (src/engine/resources.c, hostconfig.c): sizes,
 * flag parsing through md_run_opts_parse, docker's checks, the OCI
 * linux.resources object, HostConfig and update merging. Pure. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "cli/run_opts.h"
#include "engine/resources.h"
#include "unit.h"

static md_error_t *err;
static const struct md_res_host host2 = {.ncpus = 2, .cpus = "0-1", .mems = "0", .si.swap = 1};

static const char *errmsg(void)
{
    return err && err->msg ? err->msg : "(no error)";
}

static int parse_v(struct md_run_opts *o, const char *const *args)
{
    char *argv[64];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = strdup(args[argc]);
    argv[argc] = NULL;
    md_error_free(&err);
    int r = md_run_opts_parse(argc, argv, o, &err);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return r;
}
#define PARSE(o, ...) parse_v((o), (const char *const[]){"run", __VA_ARGS__, "busybox", NULL})

/* parse + validate, as md_res_prepare does but with a pretend host */
static int check_v(const char *const *args, const char *want_err)
{
    struct md_run_opts o;
    int r = parse_v(&o, args);
    if (r == 0) r = md_res_validate(&o.res, &host2, 0, &err);
    md_run_opts_free(&o);
    if (want_err == NULL) return r == 0;
    return r < 0 && strcmp(errmsg(), want_err) == 0;
}
#define CHECK_OK(...) CHECK(check_v((const char *const[]){"run", __VA_ARGS__, "img", NULL}, NULL))
#define CHECK_ERR(msg, ...)                                                                        \
    do {                                                                                           \
        if (check_v((const char *const[]){"run", __VA_ARGS__, "img", NULL}, msg))                  \
            unit_passed++;                                                                         \
        else                                                                                       \
            UNIT_FAIL("%s: got \"%s\", want \"%s\"", #__VA_ARGS__, errmsg(), msg);                 \
    } while (0)

static int64_t jget_i64(struct json_object *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
        if (!json_object_object_get_ex(o, k, &o)) return -12345;
    return o ? json_object_get_int64(o) : -12345;
}

static const char *jget_str(struct json_object *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
        if (!json_object_object_get_ex(o, k, &o)) return NULL;
    return o ? json_object_get_string(o) : NULL;
}

static void test_sizes(void)
{
    CHECK_INT(md_ram_in_bytes("100"), 100);
    CHECK_INT(md_ram_in_bytes("32m"), 32LL << 20);
    CHECK_INT(md_ram_in_bytes("32M"), 32LL << 20);
    CHECK_INT(md_ram_in_bytes("32mb"), 32LL << 20);
    CHECK_INT(md_ram_in_bytes("32MiB"), 32LL << 20);
    CHECK_INT(md_ram_in_bytes("1g"), 1LL << 30);
    CHECK_INT(md_ram_in_bytes("1.5g"), 3LL << 29);
    CHECK_INT(md_ram_in_bytes("512k"), 512LL << 10);
    CHECK_INT(md_ram_in_bytes("10b"), 10);
    CHECK_INT(md_ram_in_bytes("2 t"), 2LL << 40);
    CHECK_INT(md_ram_in_bytes(""), -1);
    CHECK_INT(md_ram_in_bytes("-1"), -1);
    CHECK_INT(md_ram_in_bytes("abc"), -1);
    CHECK_INT(md_ram_in_bytes("1e3"), -1);
    CHECK_INT(md_ram_in_bytes("0x10"), -1);
    CHECK_INT(md_ram_in_bytes("10x"), -1);
    CHECK_INT(md_ram_in_bytes("10mm"), -1);
    CHECK_INT(md_ram_in_bytes(" 10"), -1);
    uint64_t bits[16];
    CHECK_INT(md_cpuset_parse("0-3,5", bits, 1024), 0);
    CHECK_INT(bits[0], 0x2f);
    CHECK_INT(md_cpuset_parse("7", bits, 1024), 0);
    CHECK_INT(bits[0], 0x80);
    CHECK_INT(md_cpuset_parse("3-1", bits, 1024), -1);
    CHECK_INT(md_cpuset_parse("1,", bits, 1024), -1);
    CHECK_INT(md_cpuset_parse("a", bits, 1024), -1);
    CHECK_INT(md_cpuset_parse("", bits, 1024), -1);
    CHECK_INT(md_cpuset_parse("0-", bits, 1024), -1);
    CHECK_INT(md_cpuset_parse("5000", bits, 1024), -1);
}

static void test_parse_flags(void)
{
    struct md_run_opts o;
    int r =
        PARSE(&o, "-m", "32m", "--memory-swap=-1", "--memory-reservation", "16m",
              "--oom-kill-disable", "--oom-score-adj", "-500", "-c", "512", "--cpus", "1.25",
              "--cpuset-cpus", "0", "--cpuset-mems", "0", "--pids-limit", "20", "--blkio-weight",
              "300", "--device-read-bps", "/dev/sda:1mb", "--device-write-bps", "/dev/sdb:512k",
              "--cgroup-parent", "/mine/", "--cgroupns", "host");
    CHECK_INT(r, 0);
    CHECK_STR(o.image, "busybox");
    CHECK_INT(o.res.memory, 32LL << 20);
    CHECK_INT(o.res.memory_swap, -1);
    CHECK_INT(o.res.memory_reservation, 16LL << 20);
    CHECK_INT(o.res.oom_kill_disable, 1);
    CHECK_INT(o.res.has_oom_score_adj, 1);
    CHECK_INT(o.res.oom_score_adj, -500);
    CHECK_INT(o.res.cpu_shares, 512);
    CHECK_INT(o.res.nano_cpus, 1250000000LL);
    CHECK_STR(o.res.cpuset_cpus, "0");
    CHECK_STR(o.res.cpuset_mems, "0");
    CHECK_INT(o.res.has_pids_limit, 1);
    CHECK_INT(o.res.pids_limit, 20);
    CHECK_INT(o.res.blkio_weight, 300);
    CHECK_INT(o.res.n_read_bps, 1);
    CHECK_STR(o.res.read_bps[0].path, "/dev/sda");
    CHECK_INT(o.res.read_bps[0].rate, 1 << 20);
    CHECK_INT(o.res.n_write_bps, 1);
    CHECK_INT(o.res.write_bps[0].rate, 512 << 10);
    CHECK_STR(o.res.cgroup_parent, "/mine/");
    CHECK_STR(o.res.cgroupns, "host");
    char *p = md_res_cgroups_path(&o.res, "abc");
    CHECK_STR(p, "/mine/abc");
    free(p);
    md_run_opts_free(&o);
    /* -m and -c in a short-option cluster, --cpus forms */
    r = PARSE(&o, "-dm", "64m", "-c1024", "--cpus=2", "--memory=1g");
    CHECK_INT(r, 0);
    CHECK_INT(o.detach, 1);
    CHECK_INT(o.res.memory, 1LL << 30);
    CHECK_INT(o.res.cpu_shares, 1024);
    CHECK_INT(o.res.nano_cpus, 2000000000LL);
    p = md_res_cgroups_path(&o.res, "abc");
    CHECK_STR(p, "mydocker/abc");
    free(p);
    md_run_opts_free(&o);
    r = PARSE(&o, "--cpus", ".5");
    CHECK_INT(o.res.nano_cpus, 500000000LL);
    md_run_opts_free(&o);
    r = PARSE(&o, "--cpus", "0.000000001");
    CHECK_INT(o.res.nano_cpus, 1);
    md_run_opts_free(&o);
}

static void test_flag_errors(void)
{
    CHECK_ERR("invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'", "-m",
              "abc");
    CHECK_ERR("invalid argument \"-1\" for \"-m, --memory\" flag: invalid size: '-1'", "-m", "-1");
    CHECK_ERR("invalid argument \"1x\" for \"--memory-swap\" flag: invalid size: '1x'", "-m", "8m",
              "--memory-swap", "1x");
    CHECK_ERR("invalid argument \"x\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing "
              "\"x\": invalid syntax",
              "-c", "x");
    CHECK_ERR(
        "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number",
        "--cpus", "abc");
    CHECK_ERR("invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise",
              "--cpus", "0.0000000001");
    CHECK_ERR("invalid argument \"-5\" for \"--blkio-weight\" flag: strconv.ParseUint: parsing "
              "\"-5\": invalid syntax",
              "--blkio-weight", "-5");
    CHECK_ERR("invalid argument \"70000\" for \"--blkio-weight\" flag: strconv.ParseInt: parsing "
              "\"70000\": value out of range",
              "--blkio-weight", "70000");
    CHECK_ERR("invalid argument \"/dev/sda\" for \"--device-read-bps\" flag: bad format: /dev/sda",
              "--device-read-bps", "/dev/sda");
    CHECK_ERR("invalid argument \"sda:1m\" for \"--device-read-bps\" flag: bad format for device "
              "path: sda:1m",
              "--device-read-bps", "sda:1m");
    CHECK_ERR(
        "invalid argument \"/dev/sda:fast\" for \"--device-write-bps\" flag: invalid rate for "
        "device: "
        "/dev/sda:fast. The correct format is <device-path>:<number>[<unit>]. Number must be a "
        "positive integer. Unit is optional and can be kb, mb, or gb",
        "--device-write-bps", "/dev/sda:fast");
    CHECK_ERR("--cgroupns: invalid CGROUP mode: both (host or private)", "--cgroupns", "both");
    CHECK_ERR("invalid argument \"x\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"x\": "
              "invalid syntax",
              "--pids-limit", "x");
    CHECK_ERR("invalid argument \"99999999999\" for \"--oom-score-adj\" flag: strconv.ParseInt: "
              "parsing \"99999999999\": value out of range",
              "--oom-score-adj", "99999999999");
}

static void test_docker_checks(void)
{
    CHECK_OK("-m", "6m");
    CHECK_ERR("Minimum memory limit allowed is 6MB", "-m", "5m");
    CHECK_ERR("Minimum memoryswap limit should be larger than memory limit, see usage", "-m", "64m",
              "--memory-swap", "32m");
    CHECK_OK("-m", "32m", "--memory-swap", "32m");
    CHECK_OK("-m", "32m", "--memory-swap", "-1");
    CHECK_ERR("You should always set the Memory limit when using Memoryswap limit, see usage",
              "--memory-swap", "32m");
    CHECK_ERR("Minimum memory reservation allowed is 6MB", "--memory-reservation", "1m");
    CHECK_ERR("Minimum memory limit can not be less than memory reservation limit, see usage", "-m",
              "16m", "--memory-reservation", "32m");
    CHECK_ERR("Invalid value 1001, range for oom score adj is [-1000, 1000]", "--oom-score-adj",
              "1001");
    CHECK_OK("--oom-score-adj", "-1000");
    CHECK_OK("--cpus", "2");
    CHECK_OK("--cpus", "0.01");
    CHECK_ERR("Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available", "--cpus",
              "2.5");
    CHECK_ERR("Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available", "--cpus",
              "-1");
    CHECK_ERR("Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available", "--cpus",
              "0.001");
    CHECK_ERR("Conflicting options: Nano CPUs and CPU Period cannot both be set", "--cpus", "1",
              "--cpu-period", "50000");
    CHECK_ERR("Conflicting options: Nano CPUs and CPU Quota cannot both be set", "--cpus", "1",
              "--cpu-quota", "50000");
    CHECK_ERR(
        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)",
        "--cpu-period", "999");
    CHECK_ERR(
        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)",
        "--cpu-period", "1000001");
    CHECK_ERR("CPU cfs quota can not be less than 1ms (i.e. 1000)", "--cpu-quota", "999");
    CHECK_OK("--cpu-quota", "-1");
    CHECK_OK("--cpuset-cpus", "0-1");
    CHECK_OK("--cpuset-cpus", "1,0");
    CHECK_ERR("Invalid value 0-x for cpuset cpus", "--cpuset-cpus", "0-x");
    CHECK_ERR("Requested CPUs are not available - requested 0-3, available: 0-1", "--cpuset-cpus",
              "0-3");
    CHECK_ERR("Requested memory nodes are not available - requested 1, available: 0",
              "--cpuset-mems", "1");
    CHECK_ERR("Invalid value ,, for cpuset mems", "--cpuset-mems", ",,");
    CHECK_ERR("Range of blkio weight is from 10 to 1000", "--blkio-weight", "5");
    CHECK_ERR("Range of blkio weight is from 10 to 1000", "--blkio-weight", "1001");
    CHECK_OK("--blkio-weight", "0");
    CHECK_ERR("invalid --cgroup-parent \"a/../b\": \"..\" is not allowed", "--cgroup-parent",
              "a/../b");
    CHECK_ERR("invalid --cgroup-parent \"user.slice:x:y\": systemd slices are not supported "
              "(cgroupfs driver)",
              "--cgroup-parent", "user.slice:x:y");
    CHECK_OK("--cgroup-parent", "/a/b");
    CHECK_OK("--pids-limit", "-1");
}

static void test_devices(void)
{
    struct md_res_opts r = {0};
    CHECK_INT(md_res_opt_parse(&r, MD_ROPT_DEVICE_READ_BPS, "/dev/nonexistent-md:1m", &err), 0);
    CHECK(md_res_resolve_devices(&r, &err) < 0);
    CHECK(strstr(errmsg(), "stat /dev/nonexistent-md: No such file or directory") != NULL);
    md_error_free(&err);
    md_res_opts_free(&r);
    CHECK_INT(md_res_opt_parse(&r, MD_ROPT_DEVICE_WRITE_BPS, "/dev/null:1m", &err), 0);
    CHECK(md_res_resolve_devices(&r, &err) < 0);
    CHECK_STR(errmsg(), "/dev/null is not a block device");
    md_error_free(&err);
    md_res_opts_free(&r);
}

/* --device-read/write-iops, --blkio-weight-device, --memory-swappiness, --cpu-rt-* */
static void test_more_flags(void)
{
    struct md_run_opts o;
    CHECK_INT(PARSE(&o, "--device-read-iops", "/dev/sda:1000", "--device-write-iops", "/dev/sda:20",
                    "--blkio-weight-device", "/dev/sda:300", "--memory-swappiness", "10",
                    "--cpu-rt-period", "1000000", "--cpu-rt-runtime", "950000"),
              0);
    CHECK_INT(o.res.n_read_iops, 1);
    CHECK_STR(o.res.read_iops[0].path, "/dev/sda");
    o.res.read_iops[0].major = o.res.write_iops[0].major = o.res.weight_device[0].major = 8;
    o.res.read_iops[0].minor = o.res.write_iops[0].minor = o.res.weight_device[0].minor = 0;
    CHECK(md_res_validate(&o.res, &host2, 0, &err) == 0);
    struct json_object *j = md_res_to_oci(&o.res);
    struct json_object *b = NULL, *a = NULL;
    json_object_object_get_ex(j, "blockIO", &b);
    json_object_object_get_ex(b, "throttleReadIOPSDevice", &a);
    CHECK_INT(jget_i64(json_object_array_get_idx(a, 0), "rate"), 1000);
    json_object_object_get_ex(b, "throttleWriteIOPSDevice", &a);
    CHECK_INT(jget_i64(json_object_array_get_idx(a, 0), "rate"), 20);
    json_object_object_get_ex(b, "weightDevice", &a);
    CHECK_INT(jget_i64(json_object_array_get_idx(a, 0), "weight"), 300);
    CHECK_INT(jget_i64(j, "memory.swappiness"), 10);
    CHECK_INT(jget_i64(j, "cpu.realtimePeriod"), 1000000);
    CHECK_INT(jget_i64(j, "cpu.realtimeRuntime"), 950000);
    json_object_put(j);
    /* the record keeps them through an update's round trip */
    struct json_object *hc = json_object_new_object();
    md_res_to_hostconfig(&o.res, hc);
    struct md_res_opts back;
    CHECK(md_res_from_hostconfig(hc, &back, &err) == 0);
    CHECK_INT(back.n_weight_device, 1);
    CHECK_INT(back.weight_device[0].rate, 300);
    CHECK_INT(back.n_write_iops, 1);
    CHECK_INT(back.swappiness, 10);
    md_res_opts_free(&back);
    json_object_put(hc);
    md_run_opts_free(&o);
    CHECK_INT(PARSE(&o, "--memory-swappiness", "-1"), 0);
    CHECK_INT(o.res.has_swappiness, 0); /* docker's "unset" */
    md_run_opts_free(&o);
    CHECK_ERR(
        "invalid argument \"/dev/sda:x\" for \"--device-read-iops\" flag: invalid rate for device: "
        "/dev/sda:x. The correct format is <device-path>:<number>. Number must be a positive "
        "integer",
        "--device-read-iops", "/dev/sda:x");
    CHECK_ERR(
        "invalid argument \"/dev/sda:5\" for \"--blkio-weight-device\" flag: invalid weight for "
        "device: /dev/sda:5. The correct format is <device-path>:<weight>. Weight must be "
        "between 10 and 1000",
        "--blkio-weight-device", "/dev/sda:5");
    CHECK_ERR("Invalid value: 101, valid memory swappiness range is 0-100", "--memory-swappiness",
              "101");
    CHECK_ERR("cpu real-time runtime cannot be higher than cpu real-time period", "--cpu-rt-period",
              "1000", "--cpu-rt-runtime", "2000");
}

static void test_oci(void)
{
    struct md_run_opts o;
    PARSE(&o, "-m", "32m", "--memory-reservation", "16m", "--oom-kill-disable", "-c", "100000000",
          "--cpus", "0.5", "--cpuset-cpus", "0", "--cpuset-mems", "0", "--pids-limit", "20",
          "--blkio-weight", "300", "--device-read-bps", "/dev/sda:1mb");
    o.res.read_bps[0].major = 8;
    o.res.read_bps[0].minor = 0;
    md_res_adapt(&o.res, &host2);
    CHECK_INT(o.res.memory_swap, 64LL << 20); /* docker's default: twice the memory */
    CHECK_INT(o.res.cpu_shares, 262144);      /* clamped */
    struct json_object *j = md_res_to_oci(&o.res);
    CHECK_INT(jget_i64(j, "memory.limit"), 32LL << 20);
    CHECK_INT(jget_i64(j, "memory.reservation"), 16LL << 20);
    CHECK_INT(jget_i64(j, "memory.swap"), 64LL << 20);
    CHECK_INT(jget_i64(j, "memory.disableOOMKiller"), 1);
    CHECK_INT(jget_i64(j, "cpu.shares"), 262144);
    CHECK_INT(jget_i64(j, "cpu.quota"), 50000);
    CHECK_INT(jget_i64(j, "cpu.period"), 100000);
    CHECK_STR(jget_str(j, "cpu.cpus"), "0");
    CHECK_STR(jget_str(j, "cpu.mems"), "0");
    CHECK_INT(jget_i64(j, "pids.limit"), 20);
    CHECK_INT(jget_i64(j, "blockIO.weight"), 300);
    struct json_object *t = NULL;
    json_object_object_get_ex(json_object_object_get(j, "blockIO"), "throttleReadBpsDevice", &t);
    CHECK_INT(json_object_array_length(t), 1);
    CHECK_INT(jget_i64(json_object_array_get_idx(t, 0), "major"), 8);
    CHECK_INT(jget_i64(json_object_array_get_idx(t, 0), "rate"), 1 << 20);
    /* the cgroup layer reads it back */
    struct md_resources res;
    CHECK_INT(md_resources_from_json(j, &res, &err), 0);
    CHECK(res.memory.has_limit && res.memory.limit == 32LL << 20);
    CHECK(res.cpu.has_quota && res.cpu.quota == 50000);
    CHECK(res.pids.has_limit && res.pids.limit == 20);
    CHECK_INT(res.blkio.n_throttle[MD_THROTTLE_READ_BPS], 1);
    md_resources_free(&res);
    json_object_put(j);
    md_run_opts_free(&o);

    /* nothing set: no object; swap -1; no swap accounting; explicit quota */
    PARSE(&o, "--rm");
    CHECK(md_res_to_oci(&o.res) == NULL);
    CHECK(!md_res_opts_any(&o.res));
    md_run_opts_free(&o);
    PARSE(&o, "-m", "32m", "--memory-swap", "-1", "--cpu-quota", "-1", "--cpu-period", "20000",
          "--pids-limit", "0");
    md_res_adapt(&o.res, &host2);
    j = md_res_to_oci(&o.res);
    CHECK_INT(jget_i64(j, "memory.swap"), -1);
    CHECK_INT(jget_i64(j, "cpu.quota"), -1);
    CHECK_INT(jget_i64(j, "cpu.period"), 20000);
    CHECK_INT(jget_i64(j, "pids.limit"), -1);
    json_object_put(j);
    md_run_opts_free(&o);
    struct md_res_host noswap = host2;
    noswap.si.swap = 0;
    PARSE(&o, "-m", "32m");
    md_res_adapt(&o.res, &noswap);
    j = md_res_to_oci(&o.res);
    CHECK_INT(jget_i64(j, "memory.swap"), -12345);
    json_object_put(j);
    md_run_opts_free(&o);
    /* --memory-swap -1 alone means nothing to write */
    PARSE(&o, "--memory-swap", "-1");
    CHECK(md_res_to_oci(&o.res) == NULL);
    md_run_opts_free(&o);
}

static void test_hostconfig_update(void)
{
    struct md_run_opts o;
    PARSE(&o, "-m", "32m", "--cpus", "0.5", "--pids-limit", "20", "--cpuset-cpus", "0",
          "--device-write-bps", "/dev/sda:1m", "--cgroup-parent", "p");
    md_res_adapt(&o.res, &host2);
    struct json_object *hc = json_object_new_object();
    md_res_to_hostconfig(&o.res, hc);
    CHECK_INT(jget_i64(hc, "Memory"), 32LL << 20);
    CHECK_INT(jget_i64(hc, "MemorySwap"), 64LL << 20);
    CHECK_INT(jget_i64(hc, "NanoCpus"), 500000000);
    CHECK_INT(jget_i64(hc, "PidsLimit"), 20);
    CHECK_STR(jget_str(hc, "CpusetCpus"), "0");
    CHECK_STR(jget_str(hc, "CgroupParent"), "p");
    CHECK_STR(jget_str(hc, "CgroupnsMode"), "private");
    struct md_res_opts cur;
    CHECK_INT(md_res_from_hostconfig(hc, &cur, &err), 0);
    CHECK_INT(cur.memory, 32LL << 20);
    CHECK_INT(cur.nano_cpus, 500000000);
    CHECK_INT(cur.n_write_bps, 1);
    CHECK_STR(cur.write_bps[0].path, "/dev/sda");
    CHECK_STR(cur.cgroup_parent, "p");

    struct md_res_opts upd = {0};
    md_res_opt_parse(&upd, 'm', "128m", &err);
    CHECK(md_res_merge_update(&cur, &upd, &host2, &err) < 0);
    CHECK_STR(errmsg(), "Memory limit should be smaller than already set memoryswap limit, update "
                        "the memoryswap at the same time");
    md_error_free(&err);
    md_res_opt_parse(&upd, MD_ROPT_MEMORY_SWAP, "256m", &err);
    md_res_opt_parse(&upd, MD_ROPT_PIDS_LIMIT, "-1", &err);
    md_res_opt_parse(&upd, MD_ROPT_CPUSET_CPUS, "1", &err);
    CHECK_INT(md_res_merge_update(&cur, &upd, &host2, &err), 0);
    CHECK_INT(cur.memory, 128LL << 20);
    CHECK_INT(cur.memory_swap, 256LL << 20);
    CHECK_STR(cur.cpuset_cpus, "1");
    struct json_object *j = md_res_to_oci(&cur);
    CHECK_INT(jget_i64(j, "pids.limit"), -1);
    CHECK_INT(jget_i64(j, "cpu.quota"), 50000);
    json_object_put(j);
    md_res_opts_free(&upd);
    md_res_opt_parse(&upd, MD_ROPT_CPU_QUOTA, "20000", &err);
    CHECK(md_res_merge_update(&cur, &upd, &host2, &err) < 0);
    CHECK_STR(errmsg(),
              "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
    md_error_free(&err);
    md_res_opts_free(&upd);
    md_res_opt_parse(&upd, MD_ROPT_MEMORY_SWAP, "64m", &err); /* below the 128m now in force */
    CHECK(md_res_merge_update(&cur, &upd, &host2, &err) < 0);
    CHECK_STR(errmsg(), "Minimum memoryswap limit should be larger than memory limit, see usage");
    md_error_free(&err);
    md_res_opts_free(&upd);
    md_res_opts_free(&cur);
    json_object_put(hc);
    md_run_opts_free(&o);
}

static void collect(void *data, const char *msg)
{
    char *buf = data;
    strncat(buf, msg, 4095 - strlen(buf));
    strncat(buf, "|", 4095 - strlen(buf));
}

/* docker's verifyPlatformContainerResources on a host that lacks files */
static void test_discard_unsupported(void)
{
    char warned[4096] = "";
    md_warn_t w = {.fn = collect, .data = warned};
    struct md_res_host h = host2;
    memset(&h.si, 0, sizeof(h.si));
    h.si.memory = h.si.memory_reservation = h.si.cpu_shares = h.si.cpu_cfs = h.si.cpuset = true;
    h.si.blkio_read_bps = true; /* 6.18's v1 blkio: throttle only */
    struct md_run_opts o;
    CHECK_INT(PARSE(&o, "--blkio-weight", "5", "-m", "64m", "--pids-limit", "9",
                    "--device-write-bps", "/dev/null:1m"),
              0);
    CHECK_INT(md_res_discard_unsupported(&o.res, &h, &w, &err), 0);
    CHECK_STR(warned, "Your kernel does not support swap limit capabilities or the cgroup is not "
                      "mounted. Memory limited without swap.|Your kernel does not support PIDs "
                      "limit capabilities or the cgroup is not mounted. PIDs limit discarded.|"
                      "Your kernel does not support Block I/O weight or the cgroup is not mounted. "
                      "Weight discarded.|Your kernel does not support BPS Block I/O write limit or "
                      "the cgroup is not mounted. Block I/O BPS write limit discarded.|");
    CHECK(o.res.blkio_weight == 0 && !o.res.has_pids_limit && o.res.n_write_bps == 0);
    CHECK(o.res.memory == 64 << 20 && o.res.memory_swap == -1);
    /* weight 5 was discarded before docker's range check: valid now */
    CHECK_INT(md_res_validate(&o.res, &h, 0, &err), 0);
    md_run_opts_free(&o);
    /* --cpus without CFS is refused, not discarded */
    h.si.cpu_cfs = false;
    CHECK_INT(PARSE(&o, "--cpus", "1"), 0);
    CHECK(md_res_discard_unsupported(&o.res, &h, NULL, &err) < 0 &&
          strstr(errmsg(), "NanoCPUs can not be set") != NULL);
    md_run_opts_free(&o);
    md_error_free(&err);
    /* a host that has it all: nothing said, nothing changed */
    h.si = (struct md_cgroup_sysinfo){.memory = 1,
                                      .swap = 1,
                                      .memory_reservation = 1,
                                      .oom_kill_disable = 1,
                                      .cpu_shares = 1,
                                      .cpu_cfs = 1,
                                      .cpuset = 1,
                                      .blkio_weight = 1,
                                      .blkio_read_bps = 1,
                                      .blkio_write_bps = 1,
                                      .pids = 1};
    warned[0] = '\0';
    CHECK_INT(PARSE(&o, "--blkio-weight", "300", "--pids-limit", "9"), 0);
    CHECK_INT(md_res_discard_unsupported(&o.res, &h, &w, &err), 0);
    CHECK_STR(warned, "");
    CHECK(o.res.blkio_weight == 300 && o.res.pids_limit == 9);
    md_run_opts_free(&o);
}

int main(void)
{
    test_sizes();
    test_parse_flags();
    test_flag_errors();
    test_docker_checks();
    test_devices();
    test_oci();
    test_more_flags();
    test_hostconfig_update();
    test_discard_unsupported();
    md_error_free(&err);
    return UNIT_END("resources");
}
