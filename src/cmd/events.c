/* `events`: docker's event stream read from the engine's event log
 * (store/events.h): replayed from --since, followed until --until (or until
 * interrupted), filtered and formatted as docker's CLI does. */
#include <ctype.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/filters.h"
#include "cli/format.h"
#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "store/events.h"
#include "util/cleanup.h"
#include "util/duration.h"
#include "util/time.h"
#include "util/xalloc.h"

struct events_opts {
    int64_t since, until; /* ns; -1: not given */
    const char *format;
    struct md_filters filters;
};

static const char *const event_keys[] = {"container", "event",   "image", "label", "type",
                                         "volume",    "network", "scope", NULL};

static int parse_args(int argc, char **argv, struct events_opts *o, md_error_t **err)
{
    static const struct option lo[] = {{"filter", required_argument, NULL, 'f'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"since", required_argument, NULL, 's'},
                                       {"until", required_argument, NULL, 'u'},
                                       {NULL, 0, NULL, 0}};
    int c;
    int64_t now = md_now_ns();
    optind = 1;
    opterr = 0;
    o->since = o->until = -1;
    while ((c = md_getopt_long(argc, argv, ":f:", lo, NULL)) != -1) {
        if (c == 'f' && md_filters_add(&o->filters, optarg, event_keys, err) < 0) return -1;
        if (c == 'F') o->format = optarg;
        if ((c == 's' && md_parse_timestamp(optarg, now, &o->since) < 0) ||
            (c == 'u' && md_parse_timestamp(optarg, now, &o->until) < 0))
            return md_error(err, 0, "failed to parse value as time or duration: \"%s\"", optarg);
        if (c == '?' || c == ':')
            return md_error(err, 0, "unknown flag: %.*s\nSee 'mydocker events --help'.",
                            MD_FLAG_NAME(argv[optind - 1]));
    }
    if (optind < argc)
        return md_error(err, 0,
                        "\"mydocker events\" accepts no arguments.\nSee 'mydocker events --help'.");
    return 0;
}

/* ---- filters ---- */

static struct json_object *jget(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *jstr(struct json_object *o, const char *k)
{
    struct json_object *v = jget(o, k);
    return v ? json_object_get_string(v) : "";
}

struct ev {
    struct json_object *e, *attrs;
    const char *type, *action, *id;
};

static int f_type(const char *v, void *x)
{
    return strcmp(((struct ev *)x)->type, v) == 0;
}

/* "health_status" matches "health_status: healthy", as docker */
static int f_event(const char *v, void *x)
{
    const char *a = ((struct ev *)x)->action;
    size_t n = strcspn(a, ":");
    return strcmp(a, v) == 0 || (strlen(v) == n && strncmp(a, v, n) == 0);
}

/* container=, volume=, network=: that type, by id (prefix for containers) or name */
static int actor_is(const struct ev *x, const char *type, const char *v)
{
    if (strcmp(x->type, type) != 0) return 0;
    if (strcmp(x->id, v) == 0 || strcmp(jstr(x->attrs, "name"), v) == 0) return 1;
    return strcmp(type, "volume") != 0 && strncmp(x->id, v, strlen(v)) == 0;
}

static int f_container(const char *v, void *x)
{
    return actor_is(x, "container", v);
}

static int f_volume(const char *v, void *x)
{
    return actor_is(x, "volume", v);
}

static int f_network(const char *v, void *x)
{
    return actor_is(x, "network", v);
}

static int f_image(const char *v, void *x)
{
    const struct ev *e = x;
    const char *img = strcmp(e->type, "image") == 0 ? e->id : jstr(e->attrs, "image");
    size_t n = strlen(v);
    return strcmp(img, v) == 0 || (strncmp(img, v, n) == 0 && img[n] == ':');
}

static int f_scope(const char *v, void *x)
{
    (void)x;
    return strcmp(v, "local") == 0;
}

static int wanted(const struct md_filters *f, struct ev *x)
{
    return md_filters_any(f, "type", f_type, x) && md_filters_any(f, "event", f_event, x) &&
           md_filters_any(f, "container", f_container, x) &&
           md_filters_any(f, "volume", f_volume, x) && md_filters_any(f, "network", f_network, x) &&
           md_filters_any(f, "image", f_image, x) && md_filters_any(f, "scope", f_scope, x) &&
           md_filters_labels(f, x->attrs);
}

/* ---- output ---- */

/* docker: RFC3339Nano with fixed 9 digits in local time */
static void print_time(int64_t ns)
{
    time_t s = (time_t)(ns / 1000000000);
    struct tm tm;
    char buf[64], zone[48];
    localtime_r(&s, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff;
    if (off == 0)
        snprintf(zone, sizeof(zone), "Z");
    else
        snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
                 labs(off) % 3600 / 60);
    printf("%s.%09lld%s", buf, (long long)(ns % 1000000000), zone);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_text(const struct ev *x, int64_t ns)
{
    print_time(ns);
    printf(" %s %s %s", x->type, x->action, x->id);
    size_t n = 0, cap = (size_t)json_object_object_length(x->attrs);
    const char **keys = md_xcalloc(cap + 1, sizeof(char *));
    json_object_object_foreach(x->attrs, k, v)
    {
        (void)v;
        keys[n++] = k;
    }
    qsort(keys, n, sizeof(char *), cmp_keys);
    for (size_t i = 0; i < n; i++)
        printf("%s%s=%s", i ? ", " : " (", keys[i], jstr(x->attrs, keys[i]));
    printf("%s\n", n ? ")" : "");
    free(keys);
}

/* the template sees Go's field names (Status, ID, From, Scope, Time, TimeNano) too */
static int print_format(const char *fmt, struct json_object *e, const char *line, md_error_t **err)
{
    if (strcmp(fmt, "json") == 0 || strcmp(fmt, "{{json .}}") == 0) {
        fputs(line, stdout);
        return 0;
    }
    static const char *const alias[][2] = {{"status", "Status"}, {"id", "ID"},
                                           {"from", "From"},     {"scope", "Scope"},
                                           {"time", "Time"},     {"timeNano", "TimeNano"}};
    for (size_t i = 0; i < sizeof(alias) / sizeof(*alias); i++)
        if (jget(e, alias[i][0]))
            json_object_object_add(e, alias[i][1], json_object_get(jget(e, alias[i][0])));
    cleanup_free char *out = NULL;
    if (md_template_render(fmt, e, &out, err) < 0) return -1;
    puts(out);
    return 0;
}

/* 1: past --until (stop), 0: shown or skipped, -1: a template error */
static int one_line(const struct events_opts *o, const char *line, md_error_t **err)
{
    struct json_object *e = json_tokener_parse(line);
    if (e == NULL) return 0;
    int64_t ns = json_object_get_int64(jget(e, "timeNano"));
    struct ev x = {e, jget(jget(e, "Actor"), "Attributes"), jstr(e, "Type"), jstr(e, "Action"),
                   jstr(jget(e, "Actor"), "ID")};
    int r = 0;
    if (o->until >= 0 && ns > o->until)
        r = 1;
    else if (ns >= o->since && wanted(&o->filters, &x))
        r = o->format ? print_format(o->format, e, line, err) : (print_text(&x, ns), 0);
    json_object_put(e);
    fflush(stdout);
    return r;
}

/* ---- reading and following the log ---- */

struct reader {
    FILE *f;
    ino_t ino;
    char *line;
    size_t cap;
};

static int open_log(struct reader *rd, int previous)
{
    char path[4200];
    struct stat st;
    if (md_events_path(path, sizeof(path), previous) < 0) return -1;
    rd->f = fopen(path, "re");
    if (rd->f == NULL) return -1;
    if (fstat(fileno(rd->f), &st) == 0) rd->ino = st.st_ino;
    return 0;
}

/* every complete line now in the file; 1 to stop, -1 on error */
static int drain(struct reader *rd, const struct events_opts *o, md_error_t **err)
{
    for (;;) {
        long at = ftell(rd->f);
        ssize_t n = getline(&rd->line, &rd->cap, rd->f);
        if (n <= 0 || rd->line[n - 1] != '\n') { /* a line being written: read it again */
            clearerr(rd->f);
            fseek(rd->f, at, SEEK_SET);
            return 0;
        }
        int r = one_line(o, rd->line, err);
        if (r != 0) return r;
    }
}

/* the log turned over: the old file is complete, go on with the new one */
static int turned_over(struct reader *rd)
{
    char path[4200];
    struct stat st;
    return md_events_path(path, sizeof(path), 0) == 0 && stat(path, &st) == 0 &&
           (rd->f == NULL || st.st_ino != rd->ino);
}

static int follow(struct reader *rd, const struct events_opts *o, md_error_t **err)
{
    for (;;) {
        int r = rd->f ? drain(rd, o, err) : 0;
        if (r != 0) return r < 0 ? -1 : 0;
        if (turned_over(rd)) {
            if (rd->f && (r = drain(rd, o, err)) != 0) return r < 0 ? -1 : 0;
            if (rd->f) fclose(rd->f);
            open_log(rd, 0);
            continue;
        }
        if (o->until >= 0 && md_now_ns() >= o->until) return 0;
        usleep(100000);
    }
}

int cmd_events(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("Usage:  mydocker events [OPTIONS]\n\nGet real time events from the server\n\n"
               "Options:\n"
               "  -f, --filter filter   Filter output based on conditions provided\n"
               "      --format string   Format the output using the given Go template\n"
               "      --since string    Show all events created since timestamp\n"
               "      --until string    Stream events until this timestamp\n");
        return 0;
    }
    struct events_opts o = {0};
    md_error_t *err = NULL;
    struct reader rd = {0};
    int r = parse_args(argc, argv, &o, &err);
    if (r == 0 && o.since >= 0) { /* the previous part first: it may hold the start */
        if (open_log(&rd, 1) == 0) r = drain(&rd, &o, &err) < 0 ? -1 : 0;
        if (rd.f) fclose(rd.f);
        rd.f = NULL;
    }
    if (r == 0 && open_log(&rd, 0) == 0 && o.since < 0) fseek(rd.f, 0, SEEK_END);
    if (o.since < 0) o.since = 0;
    if (r == 0) r = follow(&rd, &o, &err);
    if (rd.f) fclose(rd.f);
    free(rd.line);
    md_filters_free(&o.filters);
    return r < 0 ? md_error_report(&err) : 0;
}
