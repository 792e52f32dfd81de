/* top CONTAINER [ps OPTIONS]: the container's processes (its cgroup's
 * cgroup.procs) shown as docker shows them: docker runs the host's ps and
 * keeps the rows of those pids; we read /proc ourselves (no shelling out)
 * and support ps's common formats: -ef (the default), aux, -o LIST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "engine/cgctl.h"
#include "engine/procinfo.h"
#include "cli/table.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

struct top_ctx {
    double uptime;
    long hz;
    uint64_t mem_kb;
    time_t now;
};

typedef void (*fmt_fn)(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n);

static double cpu_seconds(const struct md_procinfo *p, const struct top_ctx *t)
{
    return (double)(p->utime + p->stime) / (double)t->hz;
}

static double elapsed(const struct md_procinfo *p, const struct top_ctx *t)
{
    double e = t->uptime - (double)p->start_ticks / (double)t->hz;
    return e > 0 ? e : 0;
}

static void f_pid(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%d", (int)p->pid);
}
static void f_ppid(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%d", (int)p->ppid);
}
static void f_pgid(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%d", (int)p->pgid);
}
static void f_sid(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%d", (int)p->sid);
}
static void f_uid(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%u", (unsigned)p->uid);
}
static void f_user(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    md_procinfo_user(p->uid, b, n);
}
static void f_comm(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%s", p->comm);
}
static void f_args(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%s", p->args ? p->args : "");
}
static void f_tty(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    md_procinfo_tty(p->tty_nr, b, n);
}
static void f_rss(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%llu", (unsigned long long)p->rss_kb);
}
static void f_vsz(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%llu", (unsigned long long)p->vsz_kb);
}
static void f_nlwp(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%ld", p->nlwp);
}
static void f_nice(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%d", p->nice);
}

/* ps -f's C: lifetime CPU use in percent, an integer capped at 99 */
static void f_c(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    double e = elapsed(p, t);
    int c = e > 0 ? (int)(cpu_seconds(p, t) * 100 / e) : 0;
    snprintf(b, n, "%d", c > 99 ? 99 : c);
}

static void f_pcpu(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    double e = elapsed(p, t);
    snprintf(b, n, "%.1f", e > 0 ? cpu_seconds(p, t) * 100 / e : 0.0);
}

static void f_pmem(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    snprintf(b, n, "%.1f", t->mem_kb ? (double)p->rss_kb * 100 / (double)t->mem_kb : 0.0);
}

/* ps -f's TIME: [DD-]HH:MM:SS of CPU */
static void f_time(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    long s = (long)cpu_seconds(p, t);
    if (s >= 86400)
        snprintf(b, n, "%ld-%02ld:%02ld:%02ld", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    else
        snprintf(b, n, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

/* ps aux's TIME: M:SS */
static void f_bsdtime(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    long s = (long)cpu_seconds(p, t);
    snprintf(b, n, "%ld:%02ld", s / 60, s % 60);
}

static void f_etime(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    long s = (long)elapsed(p, t);
    if (s >= 86400)
        snprintf(b, n, "%ld-%02ld:%02ld:%02ld", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    else if (s >= 3600)
        snprintf(b, n, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(b, n, "%02ld:%02ld", s / 60, s % 60);
}

/* STIME / START: HH:MM today, MmmDD this year, else the year */
static void f_stime(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    time_t start = t->now - (time_t)elapsed(p, t);
    struct tm tm, now;
    localtime_r(&start, &tm);
    localtime_r(&t->now, &now);
    if (t->now - start < 86400)
        strftime(b, n, "%H:%M", &tm);
    else if (tm.tm_year == now.tm_year)
        strftime(b, n, "%b%d", &tm);
    else
        strftime(b, n, "%Y", &tm);
}

static void f_stat(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%c%s%s%s%s", p->state, p->nice < 0 ? "<" : "", p->nice > 0 ? "N" : "",
             p->sid == p->pid ? "s" : "", p->nlwp > 1 ? "l" : "");
}

static void f_s(const struct md_procinfo *p, const struct top_ctx *t, char *b, size_t n)
{
    (void)t;
    snprintf(b, n, "%c", p->state);
}

struct col {
    const char *name, *head;
    fmt_fn fn;
};

/* ps -o names; "fuser" is -f's UID column (a name) */
static const struct col cols[] = {
    {"pid", "PID", f_pid},
    {"ppid", "PPID", f_ppid},
    {"pgid", "PGID", f_pgid},
    {"pgrp", "PGRP", f_pgid},
    {"sid", "SID", f_sid},
    {"sess", "SESS", f_sid},
    {"uid", "UID", f_uid},
    {"euid", "EUID", f_uid},
    {"user", "USER", f_user},
    {"euser", "EUSER", f_user},
    {"fuser", "UID", f_user},
    {"comm", "COMMAND", f_comm},
    {"ucmd", "CMD", f_comm},
    {"args", "COMMAND", f_args},
    {"command", "COMMAND", f_args},
    {"cmd", "CMD", f_args},
    {"tty", "TT", f_tty},
    {"tt", "TT", f_tty},
    {"ftty", "TTY", f_tty},
    {"rss", "RSS", f_rss},
    {"rssize", "RSS", f_rss},
    {"vsz", "VSZ", f_vsz},
    {"vsize", "VSZ", f_vsz},
    {"nlwp", "NLWP", f_nlwp},
    {"thcount", "THCNT", f_nlwp},
    {"ni", "NI", f_nice},
    {"nice", "NI", f_nice},
    {"c", "C", f_c},
    {"%cpu", "%CPU", f_pcpu},
    {"pcpu", "%CPU", f_pcpu},
    {"%mem", "%MEM", f_pmem},
    {"pmem", "%MEM", f_pmem},
    {"time", "TIME", f_time},
    {"cputime", "TIME", f_time},
    {"bsdtime", "TIME", f_bsdtime},
    {"etime", "ELAPSED", f_etime},
    {"stime", "STIME", f_stime},
    {"start", "START", f_stime},
    {"stat", "STAT", f_stat},
    {"s", "S", f_s},
    {"state", "S", f_s},
};

struct fmt {
    const struct col *c[32];
    const char *head[32];
    size_t n;
};

static int add_col(struct fmt *f, const char *spec)
{
    char name[32];
    const char *eq = strchr(spec, '=');
    snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - spec) : strlen(spec)), spec);
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        if (strcmp(cols[i].name, name) == 0 && f->n < 32) {
            f->c[f->n] = &cols[i];
            f->head[f->n++] = eq ? eq + 1 : cols[i].head;
            return 0;
        }
    fprintf(stderr, "mydocker: top: unknown ps format field: %s\n", name);
    return -1;
}

static int add_list(struct fmt *f, const char *list)
{
    cleanup_free char *copy = md_xstrdup(list);
    for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        if (add_col(f, t) < 0) return -1;
    return 0;
}

static int add_preset(struct fmt *f, const char *const *names)
{
    for (; *names; names++)
        if (add_col(f, *names) < 0) return -1;
    return 0;
}

/* ps's option letters (-ef, aux, -o LIST, -eo LIST); -e/-A/a/x select
 * every process, which the container's cgroup already limits */
static int parse_ps(int argc, char **argv, struct fmt *f)
{
    static const char *const def[] = {"pid", "ftty", "time", "cmd", NULL};
    static const char *const full[] = {"fuser", "pid",  "ppid", "c", "stime",
                                       "ftty",  "time", "cmd",  NULL};
    static const char *const user[] = {"user", "pid",  "%cpu",  "%mem",    "vsz",     "rss",
                                       "tt",   "stat", "start", "bsdtime", "command", NULL};
    int want_full = argc == 0, want_user = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i] + (argv[i][0] == '-');
        for (; *a; a++) {
            if (strchr("eAaxwT", *a)) continue;
            if (*a == 'f') {
                want_full = 1;
                continue;
            }
            if (*a == 'u') {
                want_user = 1;
                continue;
            }
            if (*a == 'o') {
                const char *list = a[1] ? a + 1 : (i + 1 < argc ? argv[++i] : NULL);
                if (list == NULL || add_list(f, list) < 0) return -1;
                break;
            }
            fprintf(stderr, "mydocker: top: unsupported ps option: %s\n", argv[i]);
            return -1;
        }
    }
    if (f->n > 0) return 0;
    return add_preset(f, want_user ? user : want_full ? full : def);
}

static int by_pid(const void *a, const void *b)
{
    return *(const pid_t *)a - *(const pid_t *)b;
}

static void print_top(const struct fmt *f, pid_t *pids, size_t n)
{
    struct top_ctx t = {.uptime = md_uptime_s(),
                        .hz = sysconf(_SC_CLK_TCK),
                        .mem_kb = md_mem_total_kb(),
                        .now = time(NULL)};
    if (t.hz <= 0) t.hz = 100;
    qsort(pids, n, sizeof(*pids), by_pid);
    char ***rows = md_xcalloc(n + 1, sizeof(*rows));
    size_t nr = 0;
    rows[nr++] = (char **)f->head;
    for (size_t i = 0; i < n; i++) {
        struct md_procinfo p;
        if (md_procinfo_read(pids[i], &p) < 0) continue; /* ended meanwhile */
        rows[nr] = md_xcalloc(f->n, sizeof(char *));
        for (size_t c = 0; c < f->n; c++) {
            char buf[4096];
            f->c[c]->fn(&p, &t, buf, sizeof(buf));
            rows[nr][c] = md_xstrdup(buf);
        }
        nr++;
        md_procinfo_clear(&p);
    }
    md_table_write(stdout, rows, nr, f->n, 20, 3, "\n"); /* docker: tabwriter(20, 1, 3) */
    for (size_t r = 1; r < nr; r++) {
        for (size_t c = 0; c < f->n; c++)
            free(rows[r][c]);
        free(rows[r]);
    }
    free(rows);
}

int cmd_top(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("Usage:  mydocker top CONTAINER [ps OPTIONS]\n\nDisplay the running processes of a "
             "container");
        return 0;
    }
    if (argc < 2) {
        fputs("mydocker: \"top\" requires at least 1 argument.\nSee 'mydocker top --help'.\n",
              stderr);
        return 1;
    }
    struct fmt f = {0};
    if (parse_ps(argc - 2, argv + 2, &f) < 0) return 1;
    int has_pid = 0;
    for (size_t i = 0; i < f.n; i++)
        has_pid |= f.c[i]->fn == f_pid;
    if (!has_pid) {
        fputs("mydocker: Couldn't find PID field in ps output\n", stderr);
        return 1;
    }
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    pid_t *pids = NULL;
    size_t n = 0;
    int r = md_ctr_load(argv[1], &c, &err);
    if (r == 0) r = md_engine_pids(c, &pids, &n, &err);
    md_ctr_free(c);
    if (r < 0) {
        md_error_report(&err);
        return 1;
    }
    print_top(&f, pids, n);
    free(pids);
    return 0;
}
