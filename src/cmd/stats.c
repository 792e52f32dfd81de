/* stats [-a] [--no-stream] [--format T] [--no-trunc] [CONTAINER...]: docker's
 * columns from each container's cgroup. CPU % needs two samples, so even
 * --no-stream waits one interval. On a terminal each frame is drawn over
 * the last (cursor home, each line cleared to its end) without a flicker. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "engine/cgctl.h"
#include "cli/format.h"
#include "cli/table.h"
#include "util/size.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

#define NO_STREAM_MS 500
#define STREAM_MS 1000

struct entry {
    char *ref; /* as the user named it (docker's .Container) */
    struct md_ctr *c;
    struct md_stats_sample prev, cur;
};

struct stats_opts {
    int all, no_stream, no_trunc, named;
    const char *format;
};

static const char *const fields[] = {"ID",      "Name",  "CPUPerc", "MemUsage",
                                     "MemPerc", "NetIO", "BlockIO", "PIDs"};
static const char *const heads[] = {"CONTAINER ID", "NAME",    "CPU %",     "MEM USAGE / LIMIT",
                                    "MEM %",        "NET I/O", "BLOCK I/O", "PIDS"};
#define NCOLS 8

/* docker stats: memory in binary units, I/O in decimal ones (util/size.c) */
static void bin_size(char *b, size_t n, uint64_t v)
{
    md_size_binary(b, n, (double)v, 4);
}

static void dec_size(char *b, size_t n, uint64_t v)
{
    md_size_decimal(b, n, (double)v, 3);
}

static void add(struct json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *row_json(struct entry *e, int no_trunc)
{
    const struct md_stats_sample *s = &e->cur;
    struct json_object *o = json_object_new_object();
    char id[65], a[64], b[64], buf[160];
    snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, e->c->id);
    add(o, "Container", e->ref);
    add(o, "ID", id);
    add(o, "Name", e->c->name);
    uint64_t usage = s->cg.mem_usage, limit = s->cg.mem_limit;
    /* docker: the page cache that can be dropped is not "used" */
    if (s->cg.mem_inactive_file < usage) usage -= s->cg.mem_inactive_file;
    if (limit == MD_CGROUP_UNLIMITED || (s->host_mem && limit > s->host_mem)) limit = s->host_mem;
    if (!s->valid) usage = limit = 0;
    snprintf(buf, sizeof(buf), "%.2f%%", md_stats_cpu_percent(&e->prev, s));
    add(o, "CPUPerc", buf);
    bin_size(a, sizeof(a), usage);
    bin_size(b, sizeof(b), limit);
    snprintf(buf, sizeof(buf), "%s / %s", a, b);
    add(o, "MemUsage", buf);
    snprintf(buf, sizeof(buf), "%.2f%%", limit ? (double)usage * 100.0 / (double)limit : 0.0);
    add(o, "MemPerc", buf);
    dec_size(a, sizeof(a), s->net_rx);
    dec_size(b, sizeof(b), s->net_tx);
    snprintf(buf, sizeof(buf), "%s / %s", a, b);
    add(o, "NetIO", buf);
    dec_size(a, sizeof(a), s->cg.blkio_read_bytes);
    dec_size(b, sizeof(b), s->cg.blkio_write_bytes);
    snprintf(buf, sizeof(buf), "%s / %s", a, b);
    add(o, "BlockIO", buf);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(s->valid ? s->cg.pids_current : 0));
    add(o, "PIDs", buf);
    return o;
}

static void print_table(FILE *f, struct json_object **rows, size_t n, const char *eol)
{
    char ***cells = calloc(n + 1, sizeof(*cells));
    char **mem = calloc(n * NCOLS + 1, sizeof(*mem));
    if (cells == NULL || mem == NULL) goto out;
    cells[0] = (char **)heads;
    for (size_t i = 0; i < n; i++) {
        cells[i + 1] = mem + i * NCOLS;
        for (size_t c = 0; c < NCOLS; c++) {
            struct json_object *v = NULL;
            json_object_object_get_ex(rows[i], fields[c], &v);
            cells[i + 1][c] = (char *)json_object_get_string(v);
        }
    }
    md_table_write(f, cells, n + 1, NCOLS, 10, 3, eol); /* docker: tabwriter(10, 1, 3) */
out:
    free(mem);
    free(cells);
}

/* Split rendered lines at tabs into the cells of a docker table. */
static void table_lines(FILE *f, char **lines, size_t n, const char *eol)
{
    size_t ncols = 1;
    for (size_t i = 0; i < n; i++) {
        size_t c = 1;
        for (const char *p = lines[i]; *p; p++)
            c += *p == '\t';
        if (c > ncols) ncols = c;
    }
    char ***rows = md_xcalloc(n + 1, sizeof(*rows));
    for (size_t i = 0; rows && i < n; i++) {
        rows[i] = md_xcalloc(ncols, sizeof(char *));
        char *save = NULL, *p = lines[i];
        for (size_t c = 0; rows[i] && c < ncols; c++, p = NULL) {
            char *t = strtok_r(p, "\t", &save);
            rows[i][c] = t ? t : (char *)"";
        }
    }
    if (rows) md_table_write(f, rows, n, ncols, 10, 3, eol);
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i]);
    free(rows);
}

static int print_template(FILE *f, struct json_object **rows, size_t n, const char *fmt,
                          const char *eol, md_error_t **err)
{
    if (strcmp(fmt, "json") == 0) {
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s%s",
                    json_object_to_json_string_ext(rows[i], JSON_C_TO_STRING_PLAIN |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE),
                    eol);
        return 0;
    }
    int table = strncmp(fmt, "table", 5) == 0;
    char **lines = calloc(n + 2, sizeof(*lines));
    size_t nl = 0;
    int r = lines ? 0 : md_error(err, ENOMEM, "stats");
    if (r == 0 && table) {
        fmt += 5 + (fmt[5] == ' ');
        struct json_object *h = json_object_new_object();
        add(h, "Container", "CONTAINER");
        for (size_t c = 0; c < NCOLS; c++)
            add(h, fields[c], heads[c]);
        r = md_template_render(fmt, h, &lines[nl], err);
        nl += r == 0;
        json_object_put(h);
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = md_template_render(fmt, rows[i], &lines[nl], err);
        nl += r == 0;
    }
    if (r == 0 && table)
        table_lines(f, lines, nl, eol);
    else if (r == 0)
        for (size_t i = 0; i < nl; i++)
            fprintf(f, "%s%s", lines[i], eol);
    for (size_t i = 0; i < nl; i++)
        free(lines[i]);
    free(lines);
    return r;
}

/* One frame, written at once so a terminal never shows half of it. */
static int draw(struct entry *v, size_t n, const struct stats_opts *o, int tty, md_error_t **err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) return md_error(err, errno, "stats");
    const char *eol = tty ? "\033[K\n" : "\n";
    struct json_object **rows = md_xcalloc(n + 1, sizeof(*rows));
    for (size_t i = 0; rows && i < n; i++)
        rows[i] = row_json(&v[i], o->no_trunc);
    if (tty) fputs("\033[H", f);
    int r = 0;
    if (o->format && strcmp(o->format, "table") != 0)
        r = print_template(f, rows, n, o->format, eol, err);
    else
        print_table(f, rows, n, eol);
    if (tty) fputs("\033[J", f); /* whatever a longer previous frame left below */
    fclose(f);
    for (size_t i = 0; rows && i < n; i++)
        json_object_put(rows[i]);
    free(rows);
    if (r == 0) md_write_all(STDOUT_FILENO, buf, len);
    free(buf);
    return r;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0)
        ;
}

static void entries_free(struct entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].ref);
        md_ctr_free(v[i].c);
    }
    free(v);
}

/* Without names: every running container (all with -a), picked up again
 * at each frame so that new ones appear and removed ones go. Samples of
 * containers seen before are kept for their CPU %. */
static size_t list_all(struct entry **vp, size_t n, int all)
{
    cleanup_strv char **ids = md_ctr_list_ids();
    size_t m = 0, cap = md_strv_len(ids);
    struct entry *nv = md_xcalloc(cap + 1, sizeof(*nv));
    for (char **id = ids; nv && id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_id(*id, &c, NULL) < 0) continue;
        if (!all && c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED) {
            md_ctr_free(c);
            continue;
        }
        nv[m] = (struct entry){.ref = md_xstrdup(c->id), .c = c};
        for (size_t i = 0; i < n; i++)
            if (strcmp((*vp)[i].c->id, c->id) == 0) nv[m].prev = (*vp)[i].prev;
        m++;
    }
    entries_free(*vp, n);
    *vp = nv;
    return m;
}

static int parse(int argc, char **argv, struct stats_opts *o)
{
    static const struct option lo[] = {
        {"all", no_argument, NULL, 'a'},      {"no-stream", no_argument, NULL, 'S'},
        {"no-trunc", no_argument, NULL, 'T'}, {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'H'},     {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, "a", lo, NULL)) != -1) {
        switch (c) {
        case 'a':
            o->all = 1;
            break;
        case 'S':
            o->no_stream = 1;
            break;
        case 'T':
            o->no_trunc = 1;
            break;
        case 'F':
            o->format = optarg;
            break;
        case 'H':
            puts("Usage:  mydocker stats [OPTIONS] [CONTAINER...]\n\n"
                 "Display a live stream of container(s) resource usage statistics\n\n"
                 "Options:\n"
                 "  -a, --all             Show all containers (default shows just running)\n"
                 "      --format string   Format output using a custom template\n"
                 "      --no-stream       Disable streaming stats and only pull the first result\n"
                 "      --no-trunc        Do not truncate output");
            return 1;
        default:
            fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker stats --help'.\n",
                    MD_FLAG_NAME(argv[optind - 1]));
            return -1;
        }
    }
    return 0;
}

static int load_named(int argc, char **argv, struct entry **vp, size_t *n)
{
    *vp = md_xcalloc((size_t)argc + 1, sizeof(**vp));
    for (int i = optind; *vp && i < argc; i++) {
        md_error_t *err = NULL;
        struct md_ctr *c = NULL;
        if (md_ctr_load(argv[i], &c, &err) < 0) {
            md_error_report(&err);
            return -1;
        }
        (*vp)[(*n)++] = (struct entry){.ref = md_xstrdup(argv[i]), .c = c};
    }
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    struct stats_opts o = {0};
    int r = parse(argc, argv, &o);
    if (r != 0) return r > 0 ? 0 : MD_EXIT_ENGINE;
    struct entry *v = NULL;
    size_t n = 0;
    o.named = optind < argc;
    if (o.named ? load_named(argc, argv, &v, &n) < 0 : (n = list_all(&v, 0, o.all), 0)) {
        entries_free(v, n);
        return 1;
    }
    int tty = !o.no_stream && isatty(STDOUT_FILENO);
    if (tty) fputs("\033[2J", stdout), fflush(stdout);
    for (size_t i = 0; i < n; i++)
        md_stats_sample(v[i].c, &v[i].prev);
    md_error_t *err = NULL;
    for (;;) {
        sleep_ms(o.no_stream ? NO_STREAM_MS : STREAM_MS);
        if (!o.named) n = list_all(&v, n, o.all);
        for (size_t i = 0; i < n; i++)
            md_stats_sample(v[i].c, &v[i].cur);
        if (draw(v, n, &o, tty, &err) < 0) {
            entries_free(v, n);
            return md_error_report(&err);
        }
        if (o.no_stream) break;
        for (size_t i = 0; i < n; i++)
            v[i].prev = v[i].cur;
    }
    entries_free(v, n);
    return 0;
}
