/* update: new linux.resources for a container's cgroup, from --resources
 * FILE ('-' for stdin) or from flags, merged into the saved config too. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "runc/runc.h"
#include "util/cleanup.h"
#include "util/fs.h"

enum {
    U_RES = 'r',
    U_BLKIO = 256,
    U_CPU_PERIOD,
    U_CPU_QUOTA,
    U_CPU_SHARE,
    U_RT_PERIOD,
    U_RT_RUNTIME,
    U_CPUS,
    U_MEMS,
    U_MEM,
    U_MEM_RES,
    U_SWAP,
    U_PIDS,
    U_L3,
    U_MBA
};

static const struct {
    int opt;
    const char *group, *key;
    int is_string;
} flag_map[] = {
    {U_BLKIO, "blockIO", "weight", 0}, {U_CPU_PERIOD, "cpu", "period", 0},
    {U_CPU_QUOTA, "cpu", "quota", 0},  {U_CPU_SHARE, "cpu", "shares", 0},
    {U_CPUS, "cpu", "cpus", 1},        {U_MEMS, "cpu", "mems", 1},
    {U_MEM, "memory", "limit", 0},     {U_MEM_RES, "memory", "reservation", 0},
    {U_SWAP, "memory", "swap", 0},     {U_PIDS, "pids", "limit", 0},
};

static void set_in(struct json_object *res, const char *group, const char *key,
                   struct json_object *v)
{
    struct json_object *g = NULL;
    if (!json_object_object_get_ex(res, group, &g)) {
        g = json_object_new_object();
        json_object_object_add(res, group, g);
    }
    json_object_object_add(g, key, v);
}

static int flag_value(const char *group, const char *key, const char *arg, int is_string,
                      struct json_object *res, md_error_t **err)
{
    if (is_string) {
        set_in(res, group, key, json_object_new_string(arg));
        return 0;
    }
    char *end;
    long long v = strtoll(arg, &end, 10);
    if (*arg == '\0' || *end != '\0')
        return md_error(err, 0, "invalid value for %s.%s: %s", group, key, arg);
    set_in(res, group, key, json_object_new_int64(v));
    return 0;
}

static int parse_update(int argc, char **argv, struct json_object **res, md_error_t **err)
{
    static const struct option opts[] = {
        {"resources", required_argument, NULL, U_RES},
        {"blkio-weight", required_argument, NULL, U_BLKIO},
        {"cpu-period", required_argument, NULL, U_CPU_PERIOD},
        {"cpu-quota", required_argument, NULL, U_CPU_QUOTA},
        {"cpu-share", required_argument, NULL, U_CPU_SHARE},
        {"cpu-rt-period", required_argument, NULL, U_RT_PERIOD},
        {"cpu-rt-runtime", required_argument, NULL, U_RT_RUNTIME},
        {"cpuset-cpus", required_argument, NULL, U_CPUS},
        {"cpuset-mems", required_argument, NULL, U_MEMS},
        {"memory", required_argument, NULL, U_MEM},
        {"memory-reservation", required_argument, NULL, U_MEM_RES},
        {"memory-swap", required_argument, NULL, U_SWAP},
        {"pids-limit", required_argument, NULL, U_PIDS},
        {"l3-cache-schema", required_argument, NULL, U_L3},
        {"mem-bw-schema", required_argument, NULL, U_MBA},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL;
    struct json_object *flags = json_object_new_object();
    int c, r = 0;
    *res = NULL;
    while (r == 0 && (c = getopt_long_only(argc, argv, "+r:", opts, NULL)) != -1) {
        if (c == U_RES) {
            file = optarg;
            continue;
        }
        if (c == U_RT_PERIOD || c == U_RT_RUNTIME || c == U_L3 || c == U_MBA) {
            r = md_error(err, 0, "update: %s is not supported", argv[optind - 1]);
            break;
        }
        size_t i = 0;
        while (i < sizeof(flag_map) / sizeof(flag_map[0]) && flag_map[i].opt != c)
            i++;
        if (i == sizeof(flag_map) / sizeof(flag_map[0]))
            r = md_error(err, 0, "update: flag provided but not defined: %s", argv[optind - 1]);
        else
            r = flag_value(flag_map[i].group, flag_map[i].key, optarg, flag_map[i].is_string, flags,
                           err);
    }
    if (r == 0 && optind != argc - 1)
        r = md_error(err, 0, "update: requires exactly 1 argument (the container id)");
    if (r == 0 && file) {
        /* runc: with --resources, the other flags are ignored */
        cleanup_free char *text = NULL;
        r = strcmp(file, "-") == 0 ? md_read_fd(STDIN_FILENO, &text, NULL, err)
                                   : md_read_file(file, &text, NULL, err);
        json_object_put(flags);
        flags = r == 0 ? json_tokener_parse(text) : NULL;
        if (r == 0 && (flags == NULL || !json_object_is_type(flags, json_type_object)))
            r = md_error(err, 0, "update: %s is not a JSON object", file);
    }
    if (r < 0) {
        json_object_put(flags);
        return r;
    }
    *res = flags;
    return 0;
}

/* linux.resources of the saved config gets the new values, group by group */
static void merge_config(struct runc_state *st, struct json_object *res)
{
    struct json_object *lx = NULL, *cur = NULL;
    if (!json_object_object_get_ex(st->config, "linux", &lx)) return;
    if (!json_object_object_get_ex(lx, "resources", &cur)) {
        cur = json_object_new_object();
        json_object_object_add(lx, "resources", cur);
    }
    json_object_object_foreach(res, group, val)
    {
        struct json_object *g = NULL;
        if (json_object_is_type(val, json_type_object) &&
            json_object_object_get_ex(cur, group, &g) && json_object_is_type(g, json_type_object)) {
            json_object_object_foreach(val, k, v) json_object_object_add(g, k, json_object_get(v));
        } else {
            json_object_object_add(cur, group, json_object_get(val));
        }
    }
}

int runc_cmd_update(int argc, char **argv)
{
    md_error_t *err = NULL;
    struct json_object *res = NULL;
    struct runc_state *st = NULL;
    md_cgroup_t *cg = NULL;
    struct md_resources parsed;
    memset(&parsed, 0, sizeof(parsed));
    int r = parse_update(argc, argv, &res, &err);
    /* as runc's update: the device rules stay those of the create. containerd's CRI hands over
     * the spec's whole resources, whose devices are only [deny all] (the runtime adds the
     * defaults at create): applied here they took /dev/null from the container */
    if (r == 0) json_object_object_del(res, "devices");
    if (r == 0) r = runc_state_load(argv[optind], 1, &st, &err);
    if (r == 0 && runc_status(st) == RUNC_STOPPED) r = md_error(&err, 0, "container not running");
    if (r == 0) r = md_resources_from_json(res, &parsed, &err);
    if (r == 0 && st->cgroup == NULL) r = md_error(&err, 0, "container %s has no cgroup", st->id);
    if (r == 0) r = md_cgroup_open(NULL, st->cgroup, MD_CGROUP_AUTO, &cg, &err);
    if (r == 0) r = md_cgroup_set(cg, &parsed, &err);
    if (r == 0) {
        merge_config(st, res);
        r = runc_state_save(st, &err);
    }
    md_resources_free(&parsed);
    md_cgroup_free(cg);
    json_object_put(res);
    runc_state_free(st);
    return r < 0 ? runc_fail(&err) : 0;
}
