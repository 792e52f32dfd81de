/* network ls and network prune: listing and selecting networks with
 * docker's filters (cli/filters.c), never ignoring one. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/filters.h"
#include "cli/format.h"
#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "cmd/network.h"
#include "cmd/prune.h"
#include "net/net.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/time.h"
#include "util/xalloc.h"

/* host and none are not stored: a fixed id each, as stable as docker's */
static const char *builtin_id(const char *name)
{
    return strcmp(name, "host") == 0
               ? "6d0c4a1d5e1f8a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b"
               : "9a1f2e3d4c5b6a7980f1e2d3c4b5a69788f9e0d1c2b3a4958677f8e9d0c1b2a3";
}

/* One network as docker's formatter sees it, plus what the filters need. */
struct net_row {
    struct json_object *row; /* .ID .Name .Driver .Scope .IPv6 .Internal .Labels .CreatedAt */
    const char *id, *name, *driver;
    struct json_object *labels;
    int builtin, members, internal;
};

static struct json_object *row_json(const struct net_row *r, int no_trunc, const char *created)
{
    struct json_object *o = json_object_new_object();
    char id[65];
    snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, r->id);
    json_object_object_add(o, "ID", json_object_new_string(id));
    json_object_object_add(o, "Name", json_object_new_string(r->name));
    json_object_object_add(o, "Driver", json_object_new_string(r->driver));
    json_object_object_add(o, "Scope", json_object_new_string("local"));
    json_object_object_add(o, "IPv6", json_object_new_string("false"));
    json_object_object_add(o, "Internal", json_object_new_string(r->internal ? "true" : "false"));
    json_object_object_add(o, "Labels", md_labels_text(r->labels));
    json_object_object_add(o, "CreatedAt", json_object_new_string(created ? created : ""));
    return o;
}

static int leases(struct md_network *n)
{
    md_error_t *err = NULL;
    struct json_object *l = NULL;
    if (md_ipam_load(n, &err) < 0) md_error_free(&err);
    if (n->ipam) json_object_object_get_ex(n->ipam, "Leases", &l);
    return l ? json_object_object_length(l) : 0;
}

/* ---- filters: driver id label label! name scope type dangling ---- */

static int f_driver(const char *v, void *r)
{
    return strcmp(((struct net_row *)r)->driver, v) == 0;
}

static int f_id(const char *v, void *r)
{
    return strstr(((struct net_row *)r)->id, v) != NULL;
}

static int f_name(const char *v, void *r)
{
    return strstr(((struct net_row *)r)->name, v) != NULL;
}

static int f_scope(const char *v, void *r)
{
    (void)r;
    return strcmp(v, "local") == 0;
}

static int f_type(const char *v, void *r)
{
    return strcmp(v, ((struct net_row *)r)->builtin ? "builtin" : "custom") == 0;
}

/* docker: predefined networks are never dangling */
static int f_dangling(const char *v, void *r)
{
    const struct net_row *n = r;
    int unused = !n->builtin && n->members == 0;
    return md_filter_bool(v) == unused;
}

static int selected(const struct md_filters *f, struct net_row *r)
{
    return md_filters_any(f, "driver", f_driver, r) && md_filters_any(f, "id", f_id, r) &&
           md_filters_any(f, "name", f_name, r) && md_filters_any(f, "scope", f_scope, r) &&
           md_filters_any(f, "type", f_type, r) && md_filters_any(f, "dangling", f_dangling, r) &&
           md_filters_labels(f, r->labels);
}

static int check_values(const struct md_filters *f, md_error_t **err)
{
    for (size_t i = 0; f->keys && f->keys[i]; i++) {
        const char *k = f->keys[i], *v = f->values[i];
        int bad = (strcmp(k, "dangling") == 0 && md_filter_bool(v) < 0) ||
                  (strcmp(k, "type") == 0 && strcmp(v, "custom") != 0 && strcmp(v, "builtin") != 0);
        if (bad) return md_error_code(err, 1, 0, "invalid filter '%s=%s'", k, v);
    }
    return 0;
}

/* every network, filtered, as rows (the caller frees them) */
static struct json_object *list(const struct md_filters *f, int no_trunc)
{
    struct json_object *rows = json_object_new_array();
    struct md_network *dflt = NULL;
    md_error_t *err = NULL;
    if (md_network_open(MD_DEFAULT_NETWORK, &dflt, &err) < 0) /* listed as docker lists bridge */
        md_error_free(&err);
    md_network_free(dflt);
    cleanup_strv char **names = md_network_names();
    for (char **nm = names; nm && *nm; nm++) {
        struct md_network *n = NULL;
        if (md_network_load(*nm, &n, NULL) < 0) continue;
        struct net_row r = {NULL,      n->id,      n->name,
                            "bridge",  n->labels,  strcmp(n->name, MD_DEFAULT_NETWORK) == 0,
                            leases(n), n->internal};
        if (selected(f, &r)) json_object_array_add(rows, row_json(&r, no_trunc, n->created));
        md_network_free(n);
    }
    static const char *const builtins[][2] = {{"host", "host"}, {"none", "null"}};
    for (int i = 0; i < 2; i++) {
        struct net_row r = {
            NULL, builtin_id(builtins[i][0]), builtins[i][0], builtins[i][1], NULL, 1, 0, 0};
        if (selected(f, &r)) json_object_array_add(rows, row_json(&r, no_trunc, NULL));
    }
    return rows;
}

static const char *const ls_keys[] = {"driver", "id",   "label",    "label!", "name",
                                      "scope",  "type", "dangling", NULL};

static const struct md_format_head net_heads[] = {
    {"ID", "NETWORK ID"}, {"Name", "NAME"},         {"Driver", "DRIVER"},
    {"Scope", "SCOPE"},   {"IPv6", "IPV6"},         {"Internal", "INTERNAL"},
    {"Labels", "LABELS"}, {"CreatedAt", "CREATED"}, {NULL, NULL},
};

int md_network_ls(int argc, char **argv)
{
    static const struct option lo[] = {{"quiet", no_argument, NULL, 'q'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"filter", required_argument, NULL, 'f'},
                                       {"no-trunc", no_argument, NULL, 'n'},
                                       {NULL, 0, NULL, 0}};
    int quiet = 0, no_trunc = 0, ch;
    const char *fmt = NULL;
    struct md_filters f = {0};
    md_error_t *err = NULL;
    while ((ch = md_getopt_long(argc, argv, "qf:", lo, NULL)) != -1) {
        if (ch == 'q' || ch == 'n')
            *(ch == 'q' ? &quiet : &no_trunc) = 1;
        else if (ch == 'F')
            fmt = optarg;
        else if (ch != 'f')
            return (md_filters_free(&f), md_network_bad_flag("ls", argv));
        else if (md_filters_add(&f, optarg, ls_keys, &err) < 0)
            break;
    }
    if (err == NULL) check_values(&f, &err);
    if (err) return (md_filters_free(&f), md_error_report(&err));
    struct json_object *rows = list(&f, no_trunc);
    size_t n = json_object_array_length(rows);
    struct json_object **v = md_xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_object_array_get_idx(rows, i);
    if (fmt == NULL || strcmp(fmt, "table") == 0)
        fmt = quiet ? "{{.ID}}" : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
    int r = md_format_rows(fmt, v, n, net_heads, &err);
    free(v);
    json_object_put(rows);
    md_filters_free(&f);
    return r < 0 ? md_error_report(&err) : 0;
}

/* ---- prune: custom networks no container uses, filters label label! ---- */

static int prune_one(const char *name, const struct md_filters *f, int *first)
{
    struct md_network *n = NULL;
    md_error_t *err = NULL;
    if (strcmp(name, MD_DEFAULT_NETWORK) == 0 || md_network_load(name, &n, NULL) < 0) return 0;
    int64_t created = md_parse_rfc3339(n->created);
    int take = md_filters_labels(f, n->labels) && md_filters_until(f, created);
    md_network_free(n);
    if (!take || md_network_remove(name, &err) < 0) { /* in use: kept */
        md_error_free(&err);
        return 0;
    }
    if (*first) puts("Deleted Networks:");
    *first = 0;
    puts(name);
    return 0;
}

void md_network_prune_section(const struct md_filters *f)
{
    cleanup_strv char **names = md_network_names();
    int first = 1;
    for (char **nm = names; nm && *nm; nm++)
        prune_one(*nm, f, &first);
    if (!first) putchar('\n');
}

int md_network_prune(int argc, char **argv)
{
    static const char *const keys[] = {"label", "label!", "until", NULL};
    static const struct option lo[] = {{"force", no_argument, NULL, 'f'},
                                       {"filter", required_argument, NULL, 'F'},
                                       {NULL, 0, NULL, 0}};
    int ch, force = 0;
    struct md_filters f = {0};
    md_error_t *err = NULL;
    while (err == NULL && (ch = md_getopt_long(argc, argv, "f", lo, NULL)) != -1) {
        if (ch == 'f')
            force = 1;
        else if (ch == 'F')
            md_filters_add(&f, optarg, keys, &err);
        else
            return (md_filters_free(&f), md_network_bad_flag("prune", argv));
    }
    if (err == NULL) md_filters_check_until(&f, &err);
    if (err) return (md_filters_free(&f), md_error_report(&err));
    if (!force) {
        fputs("WARNING! This will remove all custom networks not used by at least one container.\n"
              "Are you sure you want to continue? [y/N] ",
              stdout);
        fflush(stdout);
        char line[16] = "";
        if (fgets(line, sizeof(line), stdin) == NULL || (line[0] != 'y' && line[0] != 'Y'))
            return (md_filters_free(&f), 0);
    }
    cleanup_strv char **names = md_network_names();
    int first = 1;
    for (char **nm = names; nm && *nm; nm++)
        prune_one(*nm, &f, &first);
    md_filters_free(&f);
    return 0;
}
