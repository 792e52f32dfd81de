/* compose down, rm, and start/stop/restart/kill/pause/unpause on the services' containers */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/compose_int.h"
#include "compose/cmds.h"
#include "compose/parallel.h"
#include "compose/up.h"
#include "engine/cgctl.h"
#include "engine/lifecycle.h"
#include "engine/start.h"
#include "engine/volume_store.h"
#include "net/net.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/signal.h"
#include "util/strv.h"

static int remove_networks(struct md_compose_project *p)
{
    int rc = 0;
    json_object_object_foreach(md_compose_mapping(md_compose_get(p->model, "networks")), key, def)
    {
        (void)key;
        const char *name = json_object_get_string(md_compose_get(def, "name"));
        char *have = md_network_resolve(name);
        if (have == NULL || json_object_get_boolean(md_compose_get(def, "external"))) {
            free(have);
            continue;
        }
        free(have);
        md_error_t *err = NULL;
        md_compose_progress("Network", name, "Removing");
        if (md_network_remove(name, &err) < 0) rc = md_compose_report(&err);
        md_compose_progress("Network", name, rc ? "Error" : "Removed");
    }
    return rc;
}

static int remove_volumes(struct md_compose_project *p)
{
    int rc = 0;
    json_object_object_foreach(md_compose_mapping(md_compose_get(p->model, "volumes")), key, def)
    {
        (void)key;
        const char *name = json_object_get_string(md_compose_get(def, "name"));
        struct json_object *have = md_volume_inspect(name);
        json_object_put(have);
        if (have == NULL || json_object_get_boolean(md_compose_get(def, "external"))) continue;
        md_error_t *err = NULL;
        md_compose_progress("Volume", name, "Removing");
        if (md_volume_remove(name, 0, &err) < 0) rc = md_compose_report(&err);
        md_compose_progress("Volume", name, rc ? "Error" : "Removed");
    }
    return rc;
}

static void remove_images(struct md_compose_project *p, const char *which)
{
    cleanup_strv char **args = NULL;
    md_strv_append(&args, "rmi");
    json_object_object_foreach(md_compose_mapping(md_compose_get(p->model, "services")), name, svc)
    {
        if (strcmp(which, "local") == 0 && md_compose_get(svc, "image")) continue;
        cleanup_free char *image = md_compose_image_name(p, name, svc);
        if (!md_strv_contains(args, image)) md_strv_append(&args, image);
    }
    if (md_strv_len(args) > 1) md_compose_tool("mydocker-image", args, 1);
}

struct down_args {
    struct md_compose_project *p;
    int timeout, volumes, orphans;
};

static int down_one(struct md_compose_ctr *x, void *data)
{
    struct down_args *a = data;
    if (!a->orphans && !x->oneoff && md_compose_service(a->p, x->service) == NULL &&
        md_compose_get(a->p->disabled, x->service) == NULL)
        return 0; /* an orphan: only with --remove-orphans */
    md_error_t *err = NULL;
    return md_compose_remove_ctr(x->c, a->timeout, a->volumes, &err) < 0 ? md_compose_report(&err),
           -1                                                            : 0;
}

int md_compose_cmd_down(struct md_compose_project *p, int argc, char **argv)
{
    static const struct option lo[] = {{"volumes", no_argument, NULL, 'v'},
                                       {"rmi", required_argument, NULL, 'r'},
                                       {"remove-orphans", no_argument, NULL, 'o'},
                                       {"timeout", required_argument, NULL, 't'},
                                       {NULL, 0, NULL, 0}};
    int c, volumes = 0, orphans = 0, timeout = -1;
    const char *rmi = NULL;
    while ((c = getopt_long(argc, argv, "+vt:", lo, NULL)) != -1) {
        switch (c) {
        case 'v':
            volumes = 1;
            break;
        case 'r':
            rmi = optarg;
            break;
        case 'o':
            orphans = 1;
            break;
        case 't':
            timeout = atoi(optarg);
            break;
        default:
            return MD_COMPOSE_FAILED;
        }
    }
    if (rmi && strcmp(rmi, "local") && strcmp(rmi, "all")) {
        fprintf(stderr, "invalid --rmi option %s\n", rmi);
        return MD_COMPOSE_FAILED;
    }
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 1, &l);
    struct down_args a = {p, timeout, volumes, orphans};
    int rc = md_compose_parallel(p, &l, 1, down_one, &a) < 0 ? MD_COMPOSE_FAILED : 0;
    md_compose_ctrs_free(&l);
    if (remove_networks(p)) rc = MD_COMPOSE_FAILED;
    if (volumes && remove_volumes(p)) rc = MD_COMPOSE_FAILED;
    if (rmi) remove_images(p, rmi);
    return rc;
}

/* ---- start stop restart kill pause unpause */

struct each {
    const char *verb;
    int timeout, sig;
    char **order; /* the services named; NULL: all */
};

static int act(const struct each *e, struct md_ctr *c, md_error_t **err)
{
    static const char *const states[][2] = {{"start", "Started"},   {"stop", "Stopped"},
                                            {"restart", "Started"}, {"kill", "Killed"},
                                            {"pause", "Paused"},    {"unpause", "Unpaused"}};
    int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED, r = 0;
    const char *v = e->verb;
    if (strcmp(v, "start") == 0 && !live) r = md_engine_start_detached(c, err);
    if (strcmp(v, "stop") == 0 && live) r = md_engine_stop(c, e->timeout, err);
    if (strcmp(v, "restart") == 0) {
        if (live) r = md_engine_stop(c, e->timeout, err);
        md_ctr_read_and_settle(c);
        if (r == 0) r = md_engine_start_detached(c, err);
    }
    if (strcmp(v, "kill") == 0 && live) r = md_engine_kill(c, e->sig, err);
    if (strcmp(v, "pause") == 0 && c->status == MD_CTR_RUNNING) r = md_engine_pause(c, err);
    if (strcmp(v, "unpause") == 0 && c->status == MD_CTR_PAUSED) r = md_engine_unpause(c, err);
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        if (strcmp(states[i][0], v) == 0)
            md_compose_progress("Container", c->name, r ? "Error" : states[i][1]);
    return r;
}

static int act_one(struct md_compose_ctr *x, void *data)
{
    struct each *e = data;
    md_error_t *err = NULL;
    if (e->order && !md_strv_contains(e->order, x->service)) return 0;
    return act(e, x->c, &err) < 0 ? md_compose_report(&err), -1 : 0;
}

int md_compose_stop_project(struct md_compose_project *p, int timeout)
{
    struct each e = {.verb = "stop", .timeout = timeout}; /* no order: every container */
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 0, &l);
    int r = md_compose_parallel(p, &l, 1, act_one, &e);
    md_compose_ctrs_free(&l);
    return r;
}

int md_compose_cmd_each(struct md_compose_project *p, int argc, char **argv)
{
    static const struct option lo[] = {{"timeout", required_argument, NULL, 't'},
                                       {"signal", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
    struct each e = {.verb = argv[0], .timeout = -1, .sig = 9};
    int c;
    while ((c = getopt_long(argc, argv, "+t:s:", lo, NULL)) != -1) {
        if (c == 't' && strcmp(e.verb, "kill"))
            e.timeout = atoi(optarg);
        else if (c == 's' && strcmp(e.verb, "kill") == 0 && (e.sig = md_signal_parse(optarg)) > 0)
            continue;
        else if (c != 't') {
            if (c == 's') fprintf(stderr, "invalid signal: %s\n", optarg);
            return MD_COMPOSE_FAILED;
        }
    }
    cleanup_strv char **only = NULL, **order = NULL;
    for (int i = optind; i < argc; i++)
        md_strv_append(&only, argv[i]);
    md_error_t *err = NULL;
    if (md_compose_order(p, only, 1, &order, &err) < 0) return md_compose_report(&err);
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 0, &l);
    int start = strcmp(e.verb, "start") == 0 || strcmp(e.verb, "unpause") == 0, rc = 0;
    e.order = order;
    /* starts in dependency order, the rest dependents first */
    rc = md_compose_parallel(p, &l, !start, act_one, &e) < 0 ? MD_COMPOSE_FAILED : 0;
    md_compose_ctrs_free(&l);
    return rc;
}

int md_compose_cmd_rm(struct md_compose_project *p, int argc, char **argv)
{
    static const struct option lo[] = {{"force", no_argument, NULL, 'f'},
                                       {"stop", no_argument, NULL, 's'},
                                       {"volumes", no_argument, NULL, 'v'},
                                       {NULL, 0, NULL, 0}};
    int c, force = 0, stop = 0, volumes = 0;
    while ((c = getopt_long(argc, argv, "+fsv", lo, NULL)) != -1) {
        if (c == 'f')
            force = 1;
        else if (c == 's')
            stop = 1;
        else if (c == 'v')
            volumes = 1;
        else
            return MD_COMPOSE_FAILED;
    }
    struct md_compose_ctrs l;
    md_compose_find(p->name, NULL, 1, &l);
    cleanup_strv char **names = NULL;
    for (size_t i = 0; i < l.n; i++) {
        int live = l.v[i].c->status == MD_CTR_RUNNING || l.v[i].c->status == MD_CTR_PAUSED;
        int picked = optind >= argc || md_strv_contains(argv + optind, l.v[i].service);
        if (picked && (!live || stop)) md_strv_append(&names, l.v[i].c->name);
    }
    if (names == NULL) {
        fprintf(stderr, "No stopped containers\n");
        md_compose_ctrs_free(&l);
        return 0;
    }
    if (!force) {
        cleanup_free char *all = md_strv_join(names, ", ");
        fprintf(stderr, "Going to remove %s\n? Are you sure? [y/N] ", all);
        char answer[16] = "";
        if (fgets(answer, sizeof(answer), stdin) == NULL ||
            (answer[0] != 'y' && answer[0] != 'Y')) {
            md_compose_ctrs_free(&l);
            return 0;
        }
    }
    int rc = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (!md_strv_contains(names, l.v[i].c->name)) continue;
        md_error_t *err = NULL;
        if (md_compose_remove_ctr(l.v[i].c, -1, volumes, &err) < 0) rc = md_compose_report(&err);
    }
    md_compose_ctrs_free(&l);
    return rc;
}
