/* Healthchecks: flags, Config.Healthcheck, docker's State.Health machine
 * (daemon/health.go: a success makes it healthy; a failure counts towards
 * Retries unless it came within the start period while still "starting"),
 * and the start of the probe runner. */
#include "engine/health.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/start.h"
#include "store/ctr.h"
#include "store/events.h"
#include "util/cleanup.h"
#include "util/duration.h"
#include "util/strv.h"
#include "util/time.h"
#include "util/xalloc.h"

/* docker's defaults (api/types/container: DefaultHealthcheck*) */
#define DEF_INTERVAL (30LL * 1000000000LL)
#define DEF_TIMEOUT (30LL * 1000000000LL)
#define DEF_START_INTERVAL (5LL * 1000000000LL)
#define DEF_RETRIES 3
#define MAX_LOG 5

static const char *flag_of(int c)
{
    static const char *const names[] = {"--health-cmd",          "--health-interval",
                                        "--health-timeout",      "--health-retries",
                                        "--health-start-period", "--health-start-interval"};
    return c >= MD_HOPT_FIRST && c < MD_HOPT_NONE ? names[c - MD_HOPT_FIRST] : "--health";
}

static int duration_opt(int64_t *slot, int c, const char *arg, md_error_t **err)
{
    if (md_parse_duration(arg, slot) < 0)
        return md_error(err, 0,
                        "invalid argument \"%s\" for \"%s\" flag: time: invalid duration \"%s\"",
                        arg, flag_of(c), arg);
    return 0;
}

int md_health_opt_parse(struct md_health_opts *o, int c, const char *arg, md_error_t **err)
{
    char *end;
    long v;
    switch (c) {
    case MD_HOPT_CMD:
        free(o->cmd);
        o->cmd = md_xstrdup(arg);
        return 0;
    case MD_HOPT_INTERVAL:
        return duration_opt(&o->interval, c, arg, err);
    case MD_HOPT_TIMEOUT:
        return duration_opt(&o->timeout, c, arg, err);
    case MD_HOPT_START_PERIOD:
        return duration_opt(&o->start_period, c, arg, err);
    case MD_HOPT_START_INTERVAL:
        return duration_opt(&o->start_interval, c, arg, err);
    case MD_HOPT_RETRIES:
        v = strtol(arg, &end, 10);
        if (*end || end == arg || v < INT_MIN || v > INT_MAX)
            return md_error(
                err, 0,
                "invalid argument \"%s\" for \"--health-retries\" flag: strconv.ParseInt: "
                "parsing \"%s\": invalid syntax",
                arg, arg);
        o->retries = (int)v;
        return 0;
    case MD_HOPT_NONE:
        o->none = 1;
        return 0;
    }
    return md_error(err, 0, "unknown flag");
}

/* docker's CLI checks (cli/command/container/opts.go) */
int md_health_opts_check(const struct md_health_opts *o, md_error_t **err)
{
    int any =
        o->cmd || o->interval || o->timeout || o->retries || o->start_period || o->start_interval;
    if (o->none && any)
        return md_error(err, 0, "--no-healthcheck conflicts with --health-* options");
    const struct {
        int64_t v;
        const char *flag;
    } d[] = {{o->interval, "--health-interval"},
             {o->timeout, "--health-timeout"},
             {o->start_period, "--health-start-period"},
             {o->start_interval, "--health-start-interval"}};
    for (size_t i = 0; i < sizeof(d) / sizeof(*d); i++)
        if (d[i].v < 0) return md_error(err, 0, "%s cannot be negative", d[i].flag);
    if (o->retries < 0) return md_error(err, 0, "--health-retries cannot be negative");
    return 0;
}

void md_health_opts_free(struct md_health_opts *o)
{
    free(o->cmd);
    memset(o, 0, sizeof(*o));
}

static void put_ns(struct json_object *h, const char *k, int64_t v)
{
    if (v) json_object_object_add(h, k, json_object_new_int64(v));
}

struct json_object *md_health_config(const struct md_health_opts *o, struct json_object *image_cfg)
{
    struct json_object *ih = NULL, *h = json_object_new_object();
    if (o->none) {
        struct json_object *t = json_object_new_array();
        json_object_array_add(t, json_object_new_string("NONE"));
        json_object_object_add(h, "Test", t);
        return h;
    }
    if (image_cfg) json_object_object_get_ex(image_cfg, "Healthcheck", &ih);
    if (ih && json_object_is_type(ih, json_type_object)) {
        json_object_object_foreach(ih, k, v)
        {
            json_object_object_add(h, k, json_object_get(v));
        }
    }
    if (o->cmd) {
        struct json_object *t = json_object_new_array();
        json_object_array_add(t, json_object_new_string("CMD-SHELL"));
        json_object_array_add(t, json_object_new_string(o->cmd));
        json_object_object_add(h, "Test", t);
    }
    put_ns(h, "Interval", o->interval);
    put_ns(h, "Timeout", o->timeout);
    put_ns(h, "StartPeriod", o->start_period);
    put_ns(h, "StartInterval", o->start_interval);
    if (o->retries) json_object_object_add(h, "Retries", json_object_new_int(o->retries));
    if (json_object_object_length(h) == 0) {
        json_object_put(h);
        return NULL;
    }
    return h;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static int64_t ns_or(struct json_object *h, const char *k, int64_t def)
{
    int64_t v = json_object_get_int64(jget(h, k));
    return v > 0 ? v : def;
}

int md_health_plan_get(struct json_object *record, struct md_health_plan *p)
{
    memset(p, 0, sizeof(*p));
    struct json_object *h = jget(jget(record, "Config"), "Healthcheck"), *t = jget(h, "Test");
    size_t n = t && json_object_is_type(t, json_type_array) ? json_object_array_length(t) : 0;
    const char *kind = n ? json_object_get_string(json_object_array_get_idx(t, 0)) : "";
    if (n < 2 || (strcmp(kind, "CMD") != 0 && strcmp(kind, "CMD-SHELL") != 0)) return 0;
    if (strcmp(kind, "CMD-SHELL") == 0) {
        md_strv_append(&p->argv, "/bin/sh");
        md_strv_append(&p->argv, "-c");
    }
    for (size_t i = 1; i < n; i++)
        md_strv_append(&p->argv, json_object_get_string(json_object_array_get_idx(t, i)));
    p->interval = ns_or(h, "Interval", DEF_INTERVAL);
    p->timeout = ns_or(h, "Timeout", DEF_TIMEOUT);
    p->start_period = ns_or(h, "StartPeriod", 0);
    p->start_interval = ns_or(h, "StartInterval", DEF_START_INTERVAL);
    p->retries = (int)ns_or(h, "Retries", DEF_RETRIES);
    return 1;
}

void md_health_plan_free(struct md_health_plan *p)
{
    md_strv_free(p->argv);
    memset(p, 0, sizeof(*p));
}

static struct json_object *state_of(struct json_object *record)
{
    struct json_object *st = jget(record, "State");
    if (st == NULL) {
        st = json_object_new_object();
        json_object_object_add(record, "State", st);
    }
    return st;
}

void md_health_reset(struct json_object *record)
{
    struct md_health_plan p;
    if (!md_health_plan_get(record, &p)) {
        json_object_object_del(state_of(record), "Health");
        return;
    }
    md_health_plan_free(&p);
    struct json_object *h = json_object_new_object();
    json_object_object_add(h, "Status", json_object_new_string("starting"));
    json_object_object_add(h, "FailingStreak", json_object_new_int(0));
    json_object_object_add(h, "Log", json_object_new_array());
    json_object_object_add(state_of(record), "Health", h);
}

static void add_log(struct json_object *h, const struct md_health_result *res)
{
    struct json_object *log = jget(h, "Log"), *e = json_object_new_object();
    if (log == NULL || !json_object_is_type(log, json_type_array)) {
        log = json_object_new_array();
        json_object_object_add(h, "Log", log);
    }
    cleanup_free char *s = md_time_rfc3339_nano(res->start_ns),
                      *t = md_time_rfc3339_nano(res->end_ns);
    json_object_object_add(e, "Start", json_object_new_string(s ? s : ""));
    json_object_object_add(e, "End", json_object_new_string(t ? t : ""));
    json_object_object_add(e, "ExitCode", json_object_new_int(res->exit_code));
    json_object_object_add(e, "Output", json_object_new_string(res->output ? res->output : ""));
    json_object_array_add(log, e);
    size_t n = json_object_array_length(log);
    if (n > MAX_LOG) json_object_array_del_idx(log, 0, n - MAX_LOG);
}

/* docker's handleProbeResult */
static void apply_result(struct json_object *record, const struct md_health_plan *p,
                         const struct md_health_result *res)
{
    struct json_object *h = jget(state_of(record), "Health");
    if (h == NULL) {
        md_health_reset(record);
        h = jget(state_of(record), "Health");
    }
    const char *status = json_object_get_string(jget(h, "Status"));
    int streak = json_object_get_int(jget(h, "FailingStreak"));
    add_log(h, res);
    if (res->exit_code == 0) {
        json_object_object_add(h, "Status", json_object_new_string("healthy"));
        json_object_object_add(h, "FailingStreak", json_object_new_int(0));
        return;
    }
    int64_t started = md_parse_rfc3339(json_object_get_string(jget(state_of(record), "StartedAt")));
    if (status && strcmp(status, "starting") == 0 && res->start_ns - started < p->start_period)
        return; /* a failure within the start period does not count */
    json_object_object_add(h, "FailingStreak", json_object_new_int(++streak));
    if (streak >= p->retries)
        json_object_object_add(h, "Status", json_object_new_string("unhealthy"));
}

int md_health_record(const char *id, const struct md_health_result *res, md_error_t **err)
{
    struct md_ctr *c = NULL;
    int r = md_ctr_load_id(id, &c, err);
    if (r < 0) return r;
    int lock = md_ctr_lock(c, err);
    if (lock < 0) {
        md_ctr_free(c);
        return lock;
    }
    md_ctr_read_state(c); /* under the lock: what stop/rm wrote last */
    struct md_health_plan p;
    if (c->status == MD_CTR_RUNNING && md_health_plan_get(c->record, &p)) {
        const char *before = md_health_status(c->record);
        cleanup_free char *old = before ? md_xstrdup(before) : NULL;
        apply_result(c->record, &p, res);
        md_health_plan_free(&p);
        r = md_ctr_save(c, err);
        /* docker's event, on a change of status only */
        const char *now = md_health_status(c->record);
        char action[64];
        snprintf(action, sizeof(action), "health_status: %s", now ? now : "");
        if (r == 0 && now && (old == NULL || strcmp(old, now) != 0))
            md_event_container(c, action, NULL);
    }
    close(lock);
    md_ctr_free(c);
    return r;
}

const char *md_health_status(struct json_object *record)
{
    struct json_object *h = jget(jget(record, "State"), "Health");
    return h ? json_object_get_string(jget(h, "Status")) : NULL;
}

/* A grandchild in a session of its own, stdio on /dev/null: it outlives
 * this command and holds none of its pipes. */
void md_health_spawn(struct md_ctr *c)
{
    struct md_health_plan p;
    if (!md_health_plan_get(c->record, &p)) return;
    md_health_plan_free(&p);
    cleanup_free char *self = md_engine_binary();
    if (self == NULL) return;
    pid_t pid = fork();
    if (pid < 0) return;
    if (pid == 0) {
        setsid();
        if (fork() != 0) _exit(0);
        int null = open("/dev/null", O_RDWR);
        for (int fd = 0; null >= 0 && fd < 3; fd++)
            dup2(null, fd);
        closefrom(3);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL); /* a foreground run blocks what it forwards */
        signal(SIGPIPE, SIG_DFL);
        execl(self, self, "health-run", c->id, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

char *md_health_status_text(const struct md_ctr *c)
{
    char *s = md_ctr_status_text(c), *out = NULL;
    const char *h = c->status == MD_CTR_RUNNING ? md_health_status(c->record) : NULL;
    if (s == NULL || h == NULL) return s;
    int r = asprintf(&out, "%s (%s%s)", s, strcmp(h, "starting") == 0 ? "health: " : "", h);
    free(s);
    return r < 0 ? NULL : out;
}
