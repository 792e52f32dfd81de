/* logs: docker's json-file log of a container, also after it exited. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

struct logs_opts {
    int follow, timestamps;
    long tail; /* -1: all */
    int64_t since, until;
};

/* "2024-01-02T03:04:05Z", a unix timestamp, or a duration ago ("10m", "2h", "30s") */
/* docker's forms: "1h30m" (any Go duration) back from now, Unix seconds, RFC 3339 */
static int64_t parse_time(const char *s)
{
    int64_t t;
    return md_parse_timestamp(s, md_now_ns(), &t) < 0 ? -1 : t;
}

static void emit(struct json_object *e, const struct logs_opts *o)
{
    struct json_object *log, *stream, *tm;
    if (!json_object_object_get_ex(e, "log", &log) ||
        !json_object_object_get_ex(e, "stream", &stream))
        return;
    const char *t = json_object_object_get_ex(e, "time", &tm) ? json_object_get_string(tm) : "";
    int64_t ns = md_parse_rfc3339(t);
    if ((o->since && ns < o->since) || (o->until && ns > o->until)) return;
    FILE *f = strcmp(json_object_get_string(stream), "stderr") == 0 ? stderr : stdout;
    if (o->timestamps) fprintf(f, "%s ", t);
    fwrite(json_object_get_string(log), 1, (size_t)json_object_get_string_len(log), f);
}

/* Lines of all rotated files, oldest first; *cur_len: the bytes of the current file's complete
 * lines (where a follow goes on: what the monitor appends after our read is not lost) */
static char **read_lines(struct md_ctr *c, const char *logpath, off_t *cur_len)
{
    char **lines = md_xcalloc(1, sizeof(char *));
    for (int i = 9; i >= 0 && lines; i--) {
        char path[4400];
        if (i)
            snprintf(path, sizeof(path), "%s.%d", logpath, i);
        else
            snprintf(path, sizeof(path), "%s", logpath);
        cleanup_free char *text = NULL;
        size_t len = 0;
        if (md_read_file(path, &text, &len, NULL) < 0) continue;
        if (i == 0) {
            char *nl = memrchr(text, '\n', len);
            *cur_len = nl ? nl - text + 1 : 0;
            if (nl)
                nl[1] = '\0';
            else
                text[0] = '\0';
        }
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save))
            md_strv_append(&lines, l);
    }
    (void)c;
    return lines;
}

/* Print the complete lines available on f; returns the bytes consumed. */
static void drain_lines(FILE *f, const struct logs_opts *o)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    off_t pos = ftello(f);
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n') { /* half-written by the monitor: next round */
            fseeko(f, pos, SEEK_SET);
            break;
        }
        struct json_object *e = json_tokener_parse(line);
        if (e) emit(e, o);
        json_object_put(e);
        pos = ftello(f);
    }
    clearerr(f);
    free(line);
    fflush(stdout);
    fflush(stderr);
}

/* What of each log file (by inode) has been printed already. */
/* inode numbers are reused at once when rotation deletes the oldest file:
 * the birth time tells a new file from an old one with the same number */
struct seen_file {
    ino_t ino;
    int64_t born;
    off_t off;
};

struct seen_set {
    struct seen_file f[16];
    size_t n;
};

static struct seen_file *seen_get(struct seen_set *s, ino_t ino, int64_t born, off_t initial)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->f[i].ino == ino && s->f[i].born == born) return &s->f[i];
    if (s->n == sizeof(s->f) / sizeof(s->f[0])) {
        memmove(s->f, s->f + 1, sizeof(s->f) - sizeof(s->f[0]));
        s->n--;
    }
    s->f[s->n] = (struct seen_file){ino, born, initial};
    return &s->f[s->n++];
}

/* f's record; a file seen for the first time has its first `initial` bytes printed already
 * (-1: all of it) */
static struct seen_file *seen_of(struct seen_set *seen, FILE *f, off_t initial)
{
    struct statx st;
    if (statx(fileno(f), "", AT_EMPTY_PATH, STATX_INO | STATX_SIZE | STATX_BTIME, &st) < 0)
        return NULL;
    int64_t born = (st.stx_mask & STATX_BTIME)
                       ? (int64_t)st.stx_btime.tv_sec * 1000000000LL + st.stx_btime.tv_nsec
                       : 0;
    return seen_get(seen, st.stx_ino, born, initial < 0 ? (off_t)st.stx_size : initial);
}

static void read_new(FILE *f, struct seen_file *sf, const struct logs_opts *o)
{
    if (sf == NULL) return;
    fseeko(f, sf->off, SEEK_SET);
    drain_lines(f, o);
    sf->off = ftello(f);
}

/* One pass: first the file we hold open (rotation may have renamed or even
 * deleted it: the open file still has what was appended to it), then
 * LOG.9 ... LOG.1, LOG oldest first for anything appended since the last
 * pass. At the first pass what the dump printed counts as printed already. */
static void follow_pass(const char *logpath, struct seen_set *seen, FILE **cur, int first,
                        off_t cur_len, const struct logs_opts *o)
{
    if (*cur) read_new(*cur, seen_of(seen, *cur, 0), o);
    for (int i = 9; i >= 0; i--) {
        char path[4400];
        if (i)
            snprintf(path, sizeof(path), "%s.%d", logpath, i);
        else
            snprintf(path, sizeof(path), "%s", logpath);
        FILE *f = fopen(path, "re");
        if (f == NULL) continue;
        read_new(f, seen_of(seen, f, !first ? 0 : i ? -1 : cur_len), o);
        if (i == 0) {
            if (*cur) fclose(*cur);
            *cur = f; /* hold the newest file open until the next pass */
        } else {
            fclose(f);
        }
    }
}

static void follow(struct md_ctr *c, const char *logpath, off_t cur_len, const struct logs_opts *o)
{
    struct seen_set seen = {.n = 0};
    FILE *cur = NULL;
    follow_pass(logpath, &seen, &cur, 1, cur_len, o);
    for (;;) {
        md_ctr_read_and_settle(c);
        int done = c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED &&
                   c->status != MD_CTR_RESTARTING;
        follow_pass(logpath, &seen, &cur, 0, 0, o);
        if (done) break;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (cur) fclose(cur);
}

int cmd_logs(int argc, char **argv)
{
    static const struct option lo[] = {{"follow", no_argument, NULL, 'f'},
                                       {"timestamps", no_argument, NULL, 't'},
                                       {"tail", required_argument, NULL, 'n'},
                                       {"since", required_argument, NULL, 'S'},
                                       {"until", required_argument, NULL, 'U'},
                                       {"details", no_argument, NULL, 'D'},
                                       {NULL, 0, NULL, 0}};
    struct logs_opts o = {.tail = -1};
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = md_getopt_long(argc, argv, "ftn:", lo, NULL)) != -1) {
        switch (ch) {
        case 'f':
            o.follow = 1;
            break;
        case 't':
            o.timestamps = 1;
            break;
        case 'n':
            o.tail = strcmp(optarg, "all") == 0 ? -1 : atol(optarg);
            break;
        case 'S':
            o.since = parse_time(optarg);
            break;
        case 'U':
            o.until = parse_time(optarg);
            break;
        case 'D':
            break;
        default:
            fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker logs --help'.\n",
                    MD_FLAG_NAME(argv[optind - 1]));
            return MD_EXIT_ENGINE;
        }
        if (o.since < 0 || o.until < 0) {
            fprintf(stderr, "mydocker: invalid time value: %s\n", optarg);
            return MD_EXIT_ENGINE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "mydocker: \"logs\" requires exactly 1 argument.\n");
        return 1;
    }
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load(argv[optind], &c, &err) < 0) return (md_error_report(&err), 1);
    const char *driver = md_ctr_str(c, "HostConfig.LogConfig.Type");
    if (driver && strcmp(driver, "none") == 0) {
        fprintf(stderr, "mydocker: configured logging driver does not support reading\n");
        md_ctr_free(c);
        return 1;
    }
    char logpath[4300];
    snprintf(logpath, sizeof(logpath), "%s/%s-json.log", c->dir, c->id);
    off_t cur_len = 0;
    cleanup_strv char **lines = read_lines(c, logpath, &cur_len);
    size_t n = md_strv_len(lines),
           start = (o.tail >= 0 && (size_t)o.tail < n) ? n - (size_t)o.tail : 0;
    for (size_t i = start; i < n; i++) {
        struct json_object *e = json_tokener_parse(lines[i]);
        if (e) emit(e, &o);
        json_object_put(e);
    }
    fflush(stdout);
    if (o.follow) follow(c, logpath, cur_len, &o);
    md_ctr_free(c);
    return 0;
}
