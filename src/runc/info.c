/* state, list, ps, events: read-only views of containers. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "runc/runc.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/proc.h"
#include "engine/procinfo.h"

static void print_json(struct json_object *o, int pretty)
{
    int flags =
        JSON_C_TO_STRING_NOSLASHESCAPE |
        (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
    puts(json_object_to_json_string_ext(o, flags));
}

static int one_id(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return runc_usage_error(argv[0], "requires exactly 1 argument (the container id)");
    return 0;
}

int runc_cmd_state(int argc, char **argv)
{
    if (one_id(argc, argv)) return 1;
    md_error_t *err = NULL;
    struct runc_state *st = NULL;
    if (runc_state_load(argv[1], 0, &st, &err) < 0) return runc_fail(&err);
    struct json_object *o = runc_state_json(st);
    print_json(o, 1);
    json_object_put(o);
    runc_state_free(st);
    return 0;
}

static const char *format_opt(int argc, char **argv, int *quiet)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    const char *fmt = "table";
    int c;
    while ((c = getopt_long_only(argc, argv, quiet ? "+f:q" : "+f:", opts, NULL)) != -1) {
        if (c == 'f')
            fmt = optarg;
        else if (c == 'q' && quiet)
            *quiet = 1;
        else
            return runc_usage_error(argv[0], "flag provided but not defined: %s", argv[optind - 1]),
                   NULL;
    }
    if (strcmp(fmt, "table") != 0 && strcmp(fmt, "json") != 0)
        return runc_usage_error(argv[0], "invalid format option (table or json)"), NULL;
    return fmt;
}

int runc_cmd_list(int argc, char **argv)
{
    int quiet = 0;
    const char *fmt = format_opt(argc, argv, &quiet);
    if (fmt == NULL) return 1;
    struct json_object *arr = json_object_new_array();
    cleanup_dir DIR *d = opendir(runc_g.root);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        struct runc_state *st = NULL;
        if (de->d_name[0] == '.' || runc_state_load(de->d_name, 0, &st, NULL) < 0) continue;
        json_object_array_add(arr, runc_state_json(st));
        runc_state_free(st);
    }
    if (strcmp(fmt, "json") == 0) {
        print_json(arr, 0);
    } else {
        if (!quiet)
            printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
                   "OWNER");
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            struct json_object *o = json_object_array_get_idx(arr, i), *v;
            const char *f[5] = {0};
            static const char *const keys[] = {"id", "pid", "status", "bundle", "created"};
            for (int k = 0; k < 5; k++)
                f[k] = json_object_object_get_ex(o, keys[k], &v) ? json_object_get_string(v) : "";
            if (quiet)
                puts(f[0]);
            else
                printf("%-12s %-10s %-10s %-40s %-30s %s\n", f[0], f[1], f[2], f[3], f[4], "root");
        }
    }
    json_object_put(arr);
    return 0;
}

static int cgroup_of(const char *id, struct runc_state **st, md_cgroup_t **cg, md_error_t **err)
{
    int r = runc_state_load(id, 0, st, err);
    if (r == 0 && (*st)->cgroup == NULL) r = md_error(err, 0, "container %s has no cgroup", id);
    if (r == 0) r = md_cgroup_open(NULL, (*st)->cgroup, MD_CGROUP_AUTO, cg, err);
    return r;
}

/* One line of a `ps -ef`-like table from /proc, without running ps. */
static void ps_line(pid_t pid, long hz)
{
    char path[64], cmd[4096] = "";
    struct md_proc_stat ps;
    if (md_proc_stat_read(pid, &ps) < 0) return;
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
    if (f) fclose(f);
    for (size_t i = 0; i + 1 < n; i++)
        if (cmd[i] == '\0') cmd[i] = ' ';
    int ppid = ps.ppid;
    unsigned long long ut = ps.utime, stt = ps.stime;
    if (n == 0) snprintf(cmd, sizeof(cmd), "[%s]", ps.comm); /* kernel thread or zombie */
    unsigned uid = 0;
    char line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "re");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "Uid: %u", &uid) == 1) break;
    if (f) fclose(f);
    char user[64];
    /* the host's /etc/passwd read by us, not getpwuid: NSS needs a shared libc */
    md_procinfo_user((uid_t)uid, user, sizeof(user));
    unsigned long secs = (unsigned long)((ut + stt) / (unsigned long long)hz);
    printf("%-8s %7d %7d %02lu:%02lu:%02lu %s\n", user, (int)pid, ppid, secs / 3600, secs / 60 % 60,
           secs % 60, cmd);
}

int runc_cmd_ps(int argc, char **argv)
{
    const char *fmt = format_opt(argc, argv, NULL);
    if (fmt == NULL) return 1;
    if (optind >= argc)
        return runc_usage_error("ps", "requires at least 1 argument (the container id)");
    /* arguments after the id are ps(1) options for runc; we have one format */
    md_error_t *err = NULL;
    struct runc_state *st = NULL;
    md_cgroup_t *cg = NULL;
    pid_t *pids = NULL;
    size_t n = 0;
    int r = cgroup_of(argv[optind], &st, &cg, &err);
    if (r == 0) r = md_cgroup_pids(cg, &pids, &n, &err);
    if (r == 0 && strcmp(fmt, "json") == 0) {
        printf("[");
        for (size_t i = 0; i < n; i++)
            printf("%s%d", i ? "," : "", (int)pids[i]);
        printf("]\n");
    } else if (r == 0) {
        long hz = sysconf(_SC_CLK_TCK);
        printf("%-8s %7s %7s %8s %s\n", "UID", "PID", "PPID", "TIME", "CMD");
        for (size_t i = 0; i < n; i++)
            ps_line(pids[i], hz > 0 ? hz : 100);
    }
    free(pids);
    md_cgroup_free(cg);
    runc_state_free(st);
    return r < 0 ? runc_fail(&err) : 0;
}

static struct json_object *u64(uint64_t v)
{
    return json_object_new_uint64(v == MD_CGROUP_UNLIMITED ? 0 : v);
}

/* runc's events "stats" shape (the fields we have). */
static struct json_object *stats_event(const char *id, const struct md_cgroup_stats *s)
{
    struct json_object *ev = json_object_new_object(), *data = json_object_new_object();
    struct json_object *cpu = json_object_new_object(), *usage = json_object_new_object();
    json_object_object_add(usage, "total", u64(s->cpu_usage_ns));
    json_object_object_add(usage, "kernel", u64(s->cpu_system_ns));
    json_object_object_add(usage, "user", u64(s->cpu_user_ns));
    json_object_object_add(cpu, "usage", usage);
    json_object_object_add(data, "cpu", cpu);
    struct json_object *mem = json_object_new_object(), *mu = json_object_new_object();
    json_object_object_add(mu, "usage", u64(s->mem_usage));
    json_object_object_add(mu, "limit", u64(s->mem_limit));
    json_object_object_add(mem, "usage", mu);
    json_object_object_add(data, "memory", mem);
    struct json_object *pids = json_object_new_object();
    json_object_object_add(pids, "current", u64(s->pids_current));
    json_object_object_add(pids, "limit", u64(s->pids_limit));
    json_object_object_add(data, "pids", pids);
    struct json_object *io = json_object_new_object();
    json_object_object_add(io, "read_bytes", u64(s->blkio_read_bytes));
    json_object_object_add(io, "write_bytes", u64(s->blkio_write_bytes));
    json_object_object_add(data, "blkio", io);
    json_object_object_add(ev, "type", json_object_new_string("stats"));
    json_object_object_add(ev, "id", json_object_new_string(id));
    json_object_object_add(ev, "data", data);
    return ev;
}

static long parse_interval_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v <= 0) return -1;
    if (strcmp(end, "ms") == 0) return (long)v;
    if (strcmp(end, "s") == 0 || *end == '\0') return (long)(v * 1000);
    if (strcmp(end, "m") == 0) return (long)(v * 60000);
    return -1;
}

int runc_cmd_events(int argc, char **argv)
{
    static const struct option opts[] = {{"stats", no_argument, NULL, 's'},
                                         {"interval", required_argument, NULL, 'i'},
                                         {NULL, 0, NULL, 0}};
    int once = 0, c;
    long interval = 5000;
    while ((c = getopt_long_only(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 's')
            once = 1;
        else if (c == 'i' && (interval = parse_interval_ms(optarg)) > 0)
            continue;
        else
            return runc_usage_error("events", "bad flag or interval: %s", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return runc_usage_error("events", "requires exactly 1 argument (the container id)");
    md_error_t *err = NULL;
    struct runc_state *st = NULL;
    md_cgroup_t *cg = NULL;
    int r = cgroup_of(argv[optind], &st, &cg, &err), oom_seen = 0;
    while (r == 0) {
        struct md_cgroup_stats s;
        memset(&s, 0, sizeof(s));
        if (md_cgroup_stats(cg, &s, NULL) < 0 || runc_status(st) == RUNC_STOPPED)
            break; /* the container is gone: the stream ends, as runc's does */
        if (!once && !oom_seen && md_cgroup_oom_killed(cg) == 1) {
            oom_seen = 1;
            printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", st->id);
        }
        struct json_object *ev = stats_event(st->id, &s);
        print_json(ev, 0);
        json_object_put(ev);
        fflush(stdout);
        if (once) break;
        struct timespec ts = {interval / 1000, (interval % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    md_cgroup_free(cg);
    runc_state_free(st);
    return r < 0 ? runc_fail(&err) : 0;
}
