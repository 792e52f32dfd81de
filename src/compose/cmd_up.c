/* compose up, create, build, pull, config */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/cmds.h"
#include "compose/logs.h"
#include "compose/up.h"
#include "engine/health.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"

enum {
    O_BUILD = 256,
    O_NO_BUILD,
    O_FORCE,
    O_NO_RECREATE,
    O_ORPHANS,
    O_SCALE,
    O_WAIT,
    O_ABORT,
    O_EXIT_FROM,
    O_NO_DEPS,
    O_NO_START,
    O_IGNORED,
    O_IGNORED_ARG,
    O_WAIT_TIMEOUT,
    O_REFUSED,
};

struct up_cli {
    struct md_compose_up_opts o;
    int detach, wait, abort_on_exit, wait_timeout;
    const char *exit_code_from;
};

static int up_args(int argc, char **argv, struct up_cli *u)
{
    static const struct option lo[] = {{"detach", no_argument, NULL, 'd'},
                                       {"build", no_argument, NULL, O_BUILD},
                                       {"no-build", no_argument, NULL, O_NO_BUILD},
                                       {"force-recreate", no_argument, NULL, O_FORCE},
                                       {"no-recreate", no_argument, NULL, O_NO_RECREATE},
                                       {"remove-orphans", no_argument, NULL, O_ORPHANS},
                                       {"scale", required_argument, NULL, O_SCALE},
                                       {"wait", no_argument, NULL, O_WAIT},
                                       {"wait-timeout", required_argument, NULL, O_WAIT_TIMEOUT},
                                       {"abort-on-container-exit", no_argument, NULL, O_ABORT},
                                       {"exit-code-from", required_argument, NULL, O_EXIT_FROM},
                                       {"no-deps", no_argument, NULL, O_NO_DEPS},
                                       {"no-start", no_argument, NULL, O_NO_START},
                                       {"timeout", required_argument, NULL, 't'},
                                       {"quiet-pull", no_argument, NULL, O_IGNORED},
                                       {"no-color", no_argument, NULL, O_IGNORED},
                                       {"no-log-prefix", no_argument, NULL, O_IGNORED},
                                       {"pull", required_argument, NULL, O_IGNORED_ARG},
                                       {"renew-anon-volumes", no_argument, NULL, 'V'},
                                       {"attach", required_argument, NULL, O_REFUSED},
                                       {"watch", no_argument, NULL, O_REFUSED},
                                       {NULL, 0, NULL, 0}};
    int c;
    u->o.start = 1;
    u->o.timeout = -1;
    while ((c = getopt_long(argc, argv, "+dt:V", lo, NULL)) != -1) {
        switch (c) {
        case 'd':
            u->detach = 1;
            break;
        case 't':
            u->o.timeout = atoi(optarg);
            break;
        case O_BUILD:
            u->o.build = 1;
            break;
        case O_NO_BUILD:
            u->o.no_build = 1;
            break;
        case O_FORCE:
            u->o.force_recreate = 1;
            break;
        case O_NO_RECREATE:
            u->o.no_recreate = 1;
            break;
        case O_ORPHANS:
            u->o.remove_orphans = 1;
            break;
        case O_SCALE:
            md_strv_append(&u->o.scale, optarg);
            break;
        case O_WAIT:
            u->wait = u->detach = 1;
            break;
        case O_WAIT_TIMEOUT:
            u->wait_timeout = atoi(optarg);
            break;
        case O_ABORT:
            u->abort_on_exit = 1;
            break;
        case O_EXIT_FROM:
            u->exit_code_from = optarg, u->abort_on_exit = 1;
            break;
        case O_NO_DEPS:
            u->o.no_deps = 1;
            break;
        case O_NO_START:
            u->o.start = 0;
            break;
        case O_IGNORED:
        case O_IGNORED_ARG:
            break;
        case 'V':
            u->o.force_recreate = 1;
            break;
        case O_REFUSED:
            fprintf(stderr, "mydocker: compose up %s is not supported\n", argv[optind - 1]);
            return -1;
        default:
            return -1;
        }
    }
    if (u->detach && u->abort_on_exit) {
        fprintf(stderr, "--abort-on-container-exit and --detach are incompatible\n");
        return -1;
    }
    if (u->o.build && u->o.no_build) {
        fprintf(stderr, "--build and --no-build are incompatible\n");
        return -1;
    }
    for (int i = optind; i < argc; i++)
        md_strv_append(&u->o.services, argv[i]);
    return 0;
}

/* --wait: every container running, and healthy where it has a healthcheck */
static int wait_ready(struct md_compose_project *p, int timeout_s)
{
    for (int waited = 0; timeout_s <= 0 || waited < timeout_s * 10; waited++) {
        struct md_compose_ctrs l;
        md_compose_find(p->name, NULL, 0, &l);
        int ready = 1, failed = 0;
        for (size_t i = 0; i < l.n; i++) {
            struct md_ctr *c = l.v[i].c;
            const char *health = md_health_status(c->record);
            if (c->status != MD_CTR_RUNNING) failed = c->status == MD_CTR_EXITED, ready = 0;
            if (health && strcmp(health, "healthy")) ready = 0;
            if (health && strcmp(health, "unhealthy") == 0) failed = 1;
            if (failed)
                fprintf(stderr, "container %s is %s\n", c->name, health ? health : "exited");
        }
        md_compose_ctrs_free(&l);
        if (ready) return 0;
        if (failed) return 1;
        usleep(100000);
    }
    fprintf(stderr, "timeout waiting for the project to be ready\n");
    return 1;
}

static volatile sig_atomic_t interrupted;
static void on_int(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* up without -d: the containers' logs until they end (or ^C stops them) */
static int attached(struct md_compose_project *p, struct up_cli *u)
{
    struct sigaction sa = {.sa_handler = on_int};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct md_compose_logs_opts lo = {.follow = 1,
                                      .services = u->o.services,
                                      .stop_on_first = u->abort_on_exit,
                                      .interrupted = &interrupted};
    md_compose_follow(p, &lo);
    if (interrupted) fprintf(stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
    if (interrupted || u->abort_on_exit) md_compose_stop_project(p, u->o.timeout);
    if (u->exit_code_from == NULL) return interrupted ? 130 : 0;
    struct md_compose_ctrs l;
    md_compose_find(p->name, u->exit_code_from, 0, &l);
    int code = l.n ? l.v[0].c->exit_code : 0;
    md_compose_ctrs_free(&l);
    return code;
}

int md_compose_cmd_up(struct md_compose_project *p, int argc, char **argv)
{
    struct up_cli u = {0};
    md_error_t *err = NULL;
    if (up_args(argc, argv, &u) < 0) return MD_COMPOSE_FAILED;
    int rc = md_compose_up(p, &u.o, &err) < 0 ? md_compose_report(&err) : 0;
    if (rc == 0 && u.wait)
        rc = wait_ready(p, u.wait_timeout);
    else if (rc == 0 && !u.detach && u.o.start)
        rc = attached(p, &u);
    md_strv_free(u.o.services);
    md_strv_free(u.o.scale);
    return rc;
}

int md_compose_cmd_create(struct md_compose_project *p, int argc, char **argv)
{
    struct up_cli u = {0};
    md_error_t *err = NULL;
    if (up_args(argc, argv, &u) < 0) return MD_COMPOSE_FAILED;
    u.o.start = 0;
    int rc = md_compose_up(p, &u.o, &err) < 0 ? md_compose_report(&err) : 0;
    md_strv_free(u.o.services);
    md_strv_free(u.o.scale);
    return rc;
}

static int push_service(struct md_compose_project *p, const char *service, struct json_object *svc)
{
    struct json_object *img = NULL;
    if (!json_object_object_get_ex(svc, "image", &img)) return 0; /* nothing to push to */
    char *args[] = {"push", (char *)json_object_get_string(img), NULL};
    md_compose_progress("Image", args[1], "Pushing");
    int rc = md_compose_tool("mydocker-image", args, 1);
    md_compose_progress("Image", args[1], rc ? "Error" : "Pushed");
    (void)p, (void)service;
    return rc ? MD_COMPOSE_FAILED : 0;
}

/* build, pull, push: each service named (all by default) that has a build / an image */
static int each_service(struct md_compose_project *p, int argc, char **argv, int build)
{
    static const struct option lo[] = {{"quiet", no_argument, NULL, 'q'},
                                       {"no-cache", no_argument, NULL, 'n'},
                                       {"pull", no_argument, NULL, 'P'},
                                       {"ignore-pull-failures", no_argument, NULL, 'i'},
                                       {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "+q", lo, NULL)) != -1)
        if (c == '?') return MD_COMPOSE_FAILED;
    cleanup_strv char **only = NULL, **order = NULL;
    for (int i = optind; i < argc; i++)
        md_strv_append(&only, argv[i]);
    md_error_t *err = NULL;
    if (md_compose_order(p, only, 1, &order, &err) < 0) return md_compose_report(&err);
    for (char **s = order; *s; s++) {
        struct json_object *svc = md_compose_service(p, *s), *b = NULL;
        int has_build = json_object_object_get_ex(svc, "build", &b);
        if (build == 2) {
            if (push_service(p, *s, svc)) return MD_COMPOSE_FAILED;
            continue;
        }
        if (build && has_build && md_compose_build_service(p, *s, svc, &err) < 0)
            return md_compose_report(&err);
        if (!build && !has_build && md_compose_ensure_image(p, *s, svc, 0, &err) < 0)
            return md_compose_report(&err);
    }
    return 0;
}

int md_compose_cmd_build(struct md_compose_project *p, int argc, char **argv)
{
    return each_service(p, argc, argv, 1);
}

int md_compose_cmd_pull(struct md_compose_project *p, int argc, char **argv)
{
    return each_service(p, argc, argv, 0);
}

int md_compose_cmd_push(struct md_compose_project *p, int argc, char **argv)
{
    return each_service(p, argc, argv, 2);
}

int md_compose_cmd_config(struct md_compose_project *p, int argc, char **argv)
{
    static const struct option lo[] = {
        {"services", no_argument, NULL, 's'},       {"volumes", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},          {"format", required_argument, NULL, 'f'},
        {"no-interpolate", no_argument, NULL, 'I'}, {NULL, 0, NULL, 0}};
    int c, what = 0;
    const char *format = "yaml";
    while ((c = getopt_long(argc, argv, "+q", lo, NULL)) != -1) {
        if (c == '?') return MD_COMPOSE_FAILED;
        if (c == 'f') format = optarg;
        if (c == 'I') {
            fprintf(stderr, "mydocker: compose config --no-interpolate is not supported\n");
            return MD_COMPOSE_FAILED;
        }
        if (c != 'f') what = c;
    }
    if (what == 'q') return 0;
    if (what == 's' || what == 'v') {
        json_object_object_foreach(md_compose_mapping(json_object_object_get(
                                       p->model, what == 's' ? "services" : "volumes")),
                                   k, v)
        {
            (void)v;
            printf("%s\n", k);
        }
        return 0;
    }
    if (strcmp(format, "json") == 0) {
        printf("%s\n", json_object_to_json_string_ext(
                           p->model, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
    }
    if (strcmp(format, "yaml")) {
        fprintf(stderr, "unsupported format %s\n", format);
        return MD_COMPOSE_FAILED;
    }
    return md_yaml_print(p->model, stdout) < 0 ? MD_COMPOSE_FAILED : 0;
}
