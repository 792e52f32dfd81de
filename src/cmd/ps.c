#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/filters.h"
#include "cli/ps_filters.h"
#include "engine/health.h"
#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "engine/lifecycle.h"
#include "store/cstore.h"
#include "store/ctr.h"
#include "net/net.h"
#include "cli/format.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

struct ps_opts {
    int all, quiet, no_trunc, last, latest;
    struct md_filters filters;
    const char *format;
};

static struct json_object *labels_text(struct md_ctr *c)
{
    struct json_object *cfg = NULL, *labels = NULL;
    if (json_object_object_get_ex(c->record, "Config", &cfg))
        json_object_object_get_ex(cfg, "Labels", &labels);
    return md_labels_text(labels);
}

static struct json_object *row_data(struct md_ctr *c, int no_trunc)
{
    struct json_object *d = json_object_new_object();
    char id[65];
    snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, c->id);
    cleanup_free char *cmd = md_command_column(c, no_trunc), *status = md_health_status_text(c);
    int64_t created = md_parse_rfc3339(md_ctr_str(c, "Created"));
    cleanup_free char *running_for = md_time_ago(created);
    char cat[64];
    md_time_utc_text(created, cat, sizeof(cat));
    const char *image = md_ctr_str(c, "Config.Image");
    json_object_object_add(d, "ID", json_object_new_string(id));
    json_object_object_add(d, "Image", json_object_new_string(image ? image : ""));
    json_object_object_add(d, "Command", json_object_new_string(cmd ? cmd : ""));
    json_object_object_add(d, "CreatedAt", json_object_new_string(cat));
    json_object_object_add(d, "RunningFor", json_object_new_string(running_for ? running_for : ""));
    json_object_object_add(d, "Status", json_object_new_string(status ? status : ""));
    json_object_object_add(d, "State", json_object_new_string(md_ctr_status_name(c->status)));
    cleanup_free char *ports =
        md_net_ports_text(c->record, c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED);
    json_object_object_add(d, "Ports", json_object_new_string(ports ? ports : ""));
    json_object_object_add(d, "Names", json_object_new_string(c->name));
    json_object_object_add(d, "Labels", labels_text(c));
    return d;
}

static void print_rows(struct json_object **rows, size_t n, const struct ps_opts *o)
{
    static const char *const cols[] = {"ID",     "Image", "Command", "RunningFor",
                                       "Status", "Ports", "Names"};
    static const char *const heads[] = {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
                                        "STATUS",       "PORTS", "NAMES"};
    char ***cells = md_xcalloc(n + 1, sizeof(char **));
    cells[0] = (char **)heads;
    for (size_t i = 0; i < n; i++) {
        cells[i + 1] = md_xcalloc(7, sizeof(char *));
        for (size_t c = 0; c < 7; c++) {
            struct json_object *v;
            json_object_object_get_ex(rows[i], cols[c], &v);
            cells[i + 1][c] = (char *)json_object_get_string(v);
        }
    }
    md_table_print(cells, n + 1, 7);
    for (size_t i = 0; i < n; i++)
        free(cells[i + 1]);
    free(cells);
    (void)o;
}

static int print_formatted(struct json_object **rows, size_t n, const char *fmt)
{
    static const struct md_format_head heads[] = {{"ID", "CONTAINER ID"},
                                                  {"Image", "IMAGE"},
                                                  {"Command", "COMMAND"},
                                                  {"CreatedAt", "CREATED AT"},
                                                  {"RunningFor", "CREATED"},
                                                  {"Status", "STATUS"},
                                                  {"Ports", "PORTS"},
                                                  {"Names", "NAMES"},
                                                  {"State", "STATE"},
                                                  {"Labels", "LABELS"},
                                                  {NULL, NULL}};
    md_error_t *err = NULL;
    return md_format_rows(fmt, rows, n, heads, &err) < 0 ? md_error_report(&err) : 0;
}

static int parse_ps(int argc, char **argv, struct ps_opts *o)
{
    static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"no-trunc", no_argument, NULL, 'T'},
                                       {"last", required_argument, NULL, 'n'},
                                       {"latest", no_argument, NULL, 'l'},
                                       {"filter", required_argument, NULL, 'f'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"size", no_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    opterr = 0;
    o->last = -1;
    while ((c = md_getopt_long(argc, argv, "aqn:lf:s", lo, NULL)) != -1) {
        switch (c) {
        case 'a':
            o->all = 1;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'T':
            o->no_trunc = 1;
            break;
        case 'n':
            o->last = atoi(optarg);
            break;
        case 'l':
            o->latest = 1;
            break;
        case 's':
            break;
        case 'f': {
            md_error_t *err = NULL;
            if (md_filters_add(&o->filters, optarg, md_ps_filter_keys, &err) < 0) {
                md_error_report(&err);
                return -2;
            }
            if (md_ps_filter_check(&o->filters, &err) < 0) return md_error_report(&err), -2;
            /* docker lists stopped containers for these without -a */
            if (strcmp(optarg, "status=running") != 0 &&
                (strncmp(optarg, "status=", 7) == 0 || strncmp(optarg, "exited=", 7) == 0))
                o->all = 1;
            break;
        }
        case 'F':
            o->format = optarg;
            break;
        default:
            fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker ps --help'.\n",
                    MD_FLAG_NAME(argv[optind - 1]));
            return -1;
        }
    }
    if (o->latest) o->last = 1;
    if (o->last >= 0) o->all = 1;
    return 0;
}

int cmd_ps(int argc, char **argv)
{
    struct ps_opts o = {0};
    int pr = parse_ps(argc, argv, &o);
    if (pr < 0) {
        md_filters_free(&o.filters);
        return pr == -2 ? 1 : MD_EXIT_ENGINE; /* a filter: the daemon's refusal in docker */
    }
    /* `run --rm` containers whose owner was killed are gone, not "Exited" */
    md_autoremove_sweep();
    struct md_ctr **all = NULL;
    size_t n = md_ctr_load_summaries(&all), k = 0;
    struct json_object **rows = md_xcalloc(n + 1, sizeof(*rows));
    for (size_t i = 0; i < n; i++) {
        struct md_ctr *c = all[i];
        int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED ||
                   c->status == MD_CTR_RESTARTING;
        if ((o.all || live) && md_ps_matches(c, &o.filters) && (o.last < 0 || (int)k < o.last))
            rows[k++] = row_data(c, o.no_trunc);
    }
    int r = 0;
    if (o.quiet)
        for (size_t i = 0; i < k; i++) {
            struct json_object *v;
            json_object_object_get_ex(rows[i], "ID", &v);
            puts(json_object_get_string(v));
        }
    else if (o.format)
        r = print_formatted(rows, k, o.format);
    else
        print_rows(rows, k, &o);
    for (size_t i = 0; i < k; i++)
        json_object_put(rows[i]);
    md_ctrs_free(all, n);
    free(rows);
    md_filters_free(&o.filters);
    return r;
}
