/* compose run: a one-off container of a service (its dependencies up first unless --no-deps),
 * run by `mydocker run` itself so that a tty, stdin and the exit code are run's own. Named
 * "<project>-<service>-run-<12 hex>", labelled oneoff=True; no published ports unless
 * --service-ports or -p. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "compose/cmds.h"
#include "compose/up.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct run_cli {
    char **extra;
    int detach, no_deps, service_ports, tty, build;
    const char *name;
};

static int run_args(int argc, char **argv, struct run_cli *r)
{
    static const struct option lo[] = {{"detach", no_argument, NULL, 'd'},
                                       {"rm", no_argument, NULL, 'R'},
                                       {"env", required_argument, NULL, 'e'},
                                       {"name", required_argument, NULL, 'n'},
                                       {"no-deps", no_argument, NULL, 'D'},
                                       {"no-TTY", no_argument, NULL, 'T'},
                                       {"user", required_argument, NULL, 'u'},
                                       {"workdir", required_argument, NULL, 'w'},
                                       {"entrypoint", required_argument, NULL, 'E'},
                                       {"publish", required_argument, NULL, 'p'},
                                       {"service-ports", no_argument, NULL, 'S'},
                                       {"volume", required_argument, NULL, 'v'},
                                       {"label", required_argument, NULL, 'l'},
                                       {"interactive", no_argument, NULL, 'i'},
                                       {"build", no_argument, NULL, 'B'},
                                       {"quiet-pull", no_argument, NULL, 'q'},
                                       {NULL, 0, NULL, 0}};
    static const char *const flag_of[128] = {
        ['e'] = "--env",     ['u'] = "--user",   ['w'] = "--workdir", ['E'] = "--entrypoint",
        ['p'] = "--publish", ['v'] = "--volume", ['l'] = "--label"};
    int c;
    r->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    while ((c = getopt_long(argc, argv, "+de:u:w:p:v:l:Ti", lo, NULL)) != -1) {
        if (c > 0 && c < 128 && flag_of[c]) {
            md_strv_append(&r->extra, flag_of[c]);
            md_strv_append(&r->extra, optarg);
            continue;
        }
        switch (c) {
        case 'd':
            r->detach = 1;
            break;
        case 'R':
            md_strv_append(&r->extra, "--rm");
            break;
        case 'n':
            r->name = optarg;
            break;
        case 'D':
            r->no_deps = 1;
            break;
        case 'T':
            r->tty = 0;
            break;
        case 'S':
            r->service_ports = 1;
            break;
        case 'B':
            r->build = 1;
            break;
        case 'i':
        case 'q':
            break;
        default:
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "\"docker compose run\" requires at least 1 argument.\n");
        return -1;
    }
    return 0;
}

/* the dependencies of the service up (not the service itself) */
static int deps_up(struct md_compose_project *p, const char *service, struct run_cli *r,
                   md_error_t **err)
{
    struct json_object *svc = md_compose_service(p, service), *deps = NULL;
    if (!json_object_object_get_ex(svc, "depends_on", &deps) || r->no_deps) return 0;
    struct md_compose_up_opts o = {.start = 1, .timeout = -1, .no_recreate = 0};
    json_object_object_foreach(md_compose_mapping(deps), name, v)
    {
        (void)v;
        md_strv_append(&o.services, name);
    }
    int rc = md_compose_up(p, &o, err);
    md_strv_free(o.services);
    return rc;
}

int md_compose_cmd_run(struct md_compose_project *p, int argc, char **argv)
{
    struct run_cli r = {0};
    md_error_t *err = NULL;
    if (run_args(argc, argv, &r) < 0) return md_strv_free(r.extra), MD_COMPOSE_FAILED;
    const char *service = argv[optind];
    struct json_object *svc = md_compose_service(p, service);
    if (svc == NULL) {
        fprintf(stderr, "no such service: %s\n", service);
        return md_strv_free(r.extra), MD_COMPOSE_FAILED;
    }
    if (md_compose_resources_up(p, &err) < 0 || deps_up(p, service, &r, &err) < 0 ||
        md_compose_ensure_image(p, service, svc, r.build, &err) < 0) {
        md_strv_free(r.extra);
        return md_compose_report(&err);
    }
    unsigned char rnd[6];
    char name[300];
    if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) memset(rnd, 0, sizeof(rnd));
    snprintf(name, sizeof(name), "%s-%s-run-%02x%02x%02x%02x%02x%02x", p->name, service, rnd[0],
             rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
    cleanup_free char *hash = md_compose_config_hash(svc);
    cleanup_free char *image = md_compose_image_name(p, service, svc);
    if (!r.detach) md_strv_append(&r.extra, r.tty ? "-it" : "-i");
    struct md_compose_ctr_spec spec = {.name = r.name ? r.name : name,
                                       .image = image,
                                       .oneoff = !r.service_ports,
                                       .attached = !r.detach,
                                       .extra = r.extra,
                                       .command = optind + 1 < argc ? argv + optind + 1 : NULL};
    md_compose_spec_labels(p, service, hash, 1, 1, &spec.labels);
    md_compose_spec_network(p, service, svc, &spec);
    cleanup_strv char **run = md_compose_run_argv(p, service, svc, &spec);
    int rc = md_compose_tool("mydocker", run, 0);
    md_strv_free(spec.labels);
    md_strv_free(spec.aliases);
    md_strv_free(r.extra);
    return rc;
}
