/* stop, kill, rm, wait, start, restart, rename, create, container-exited */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/detach_keys.h"
#include "cli/getopt.h"
#include "cli/run_opts.h"
#include "cmd/cmd.h"
#include "engine/create.h"
#include "engine/lifecycle.h"
#include "engine/start.h"
#include "store/events.h"

struct each_opts {
    int timeout, force, sig, attach, interactive, volumes;
    const char *verb, *detach_keys;
};

typedef int (*each_fn)(struct md_ctr *c, const struct each_opts *o, md_error_t **err);

/* docker applies a verb to each container named, prints what succeeded and
 * one line per failure, and exits 1 if anything failed. */
static int for_each(int argc, char **argv, const struct each_opts *o, each_fn fn, int print)
{
    if (optind >= argc) {
        fprintf(stderr, "mydocker: \"%s\" requires at least 1 argument.\n", o->verb);
        return 1;
    }
    int failed = 0;
    for (int i = optind; i < argc; i++) {
        struct md_ctr *c = NULL;
        md_error_t *err = NULL;
        int r = md_ctr_load(argv[i], &c, &err);
        if (r == 0) r = fn(c, o, &err);
        if (r < 0) {
            md_error_report(&err);
            failed = 1;
        } else if (print) {
            puts(argv[i]);
        }
        md_ctr_free(c);
    }
    return failed;
}

static int parse(int argc, char **argv, const char *shortopts, const struct option *lo,
                 struct each_opts *o)
{
    int c;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) {
            printf("Usage:  mydocker %s [OPTIONS] CONTAINER [CONTAINER...]\n", o->verb);
            return 1;
        }
    optind = 0;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
        switch (c) {
        case 't':
            o->timeout = atoi(optarg);
            break;
        case 'f':
            o->force = 1;
            break;
        case 'v':
            o->volumes = 1;
            break;
        case 'a':
            o->attach = 1;
            break;
        case 'i':
            o->interactive = 1;
            break;
        case 'k':
            if (md_detach_keys_parse(optarg, &(struct md_detach_keys){0}) < 0) {
                fprintf(stderr, "mydocker: Invalid detach keys (%s) provided\n", optarg);
                return -1;
            }
            o->detach_keys = optarg;
            break;
        case 's':
            o->sig = md_signal_parse(optarg);
            if (o->sig < 0) {
                fprintf(stderr, "mydocker: invalid signal: %s\n", optarg);
                return -1;
            }
            break;
        default:
            fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker %s --help'.\n",
                    MD_FLAG_NAME(argv[optind - 1]), o->verb);
            return -1;
        }
    }
    return 0;
}

static int do_stop(struct md_ctr *c, const struct each_opts *o, md_error_t **err)
{
    return md_engine_stop_signal(c, o->timeout, o->sig, err);
}

int cmd_stop(int argc, char **argv)
{
    static const struct option lo[] = {{"time", required_argument, NULL, 't'},
                                       {"timeout", required_argument, NULL, 't'},
                                       {"signal", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
    struct each_opts o = {.timeout = -1, .verb = "stop"};
    int p = parse(argc, argv, "t:s:", lo, &o);
    return p ? (p < 0 ? MD_EXIT_ENGINE : 0) : for_each(argc, argv, &o, do_stop, 1);
}

static int do_kill(struct md_ctr *c, const struct each_opts *o, md_error_t **err)
{
    return md_engine_kill(c, o->sig, err);
}

int cmd_kill(int argc, char **argv)
{
    static const struct option lo[] = {{"signal", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
    struct each_opts o = {.sig = SIGKILL, .verb = "kill"};
    int p = parse(argc, argv, "s:", lo, &o);
    /* docker: the daemon rejects a bad signal, the CLI exits 1 */
    return p ? (p < 0 ? 1 : 0) : for_each(argc, argv, &o, do_kill, 1);
}

static int do_rm(struct md_ctr *c, const struct each_opts *o, md_error_t **err)
{
    int r = md_engine_rm(c, o->force, &md_cli_warn, err);
    if (r == 0 && o->volumes) md_engine_remove_anon_volumes(c, &md_cli_warn);
    return r;
}

int cmd_rm(int argc, char **argv)
{
    static const struct option lo[] = {
        {"force", no_argument, NULL, 'f'}, {"volumes", no_argument, NULL, 'v'}, {NULL, 0, NULL, 0}};
    struct each_opts o = {.verb = "rm"};
    int p = parse(argc, argv, "fv", lo, &o);
    return p ? (p < 0 ? MD_EXIT_ENGINE : 0) : for_each(argc, argv, &o, do_rm, 1);
}

static int do_wait(struct md_ctr *c, const struct each_opts *o, md_error_t **err)
{
    int code = md_engine_wait(c, err);
    if (code >= 0) printf("%d\n", code);
    fflush(stdout);
    return code < 0 ? code : 0;
}

int cmd_wait(int argc, char **argv)
{
    static const struct option lo[] = {{NULL, 0, NULL, 0}};
    struct each_opts o = {.verb = "wait"};
    int p = parse(argc, argv, "", lo, &o);
    return p ? (p < 0 ? MD_EXIT_ENGINE : 0) : for_each(argc, argv, &o, do_wait, 0);
}

static int do_start(struct md_ctr *c, const struct each_opts *o, md_error_t **err)
{
    if (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED) return 0;
    if (o->attach && o->detach_keys) {
        /* the keys leave the container running: it needs a monitor (cmd/run.c) */
        struct md_attach_conn conn;
        int r = md_engine_start_attached(c, &conn, err);
        struct md_attach_req req = {.sock = conn.sock,
                                    .tty = md_cmd_tty_of(c),
                                    .no_stdin = !o->interactive,
                                    .sig_proxy = 1,
                                    .keys = o->detach_keys,
                                    .c = c};
        return r < 0 ? r : md_attach_started(&req, &conn);
    }
    if (o->attach) {
        int r = md_engine_start_foreground(c, o->interactive, err);
        return r < 0 ? r : r; /* exit code of the container */
    }
    return md_engine_start_detached(c, err);
}

int cmd_start(int argc, char **argv)
{
    static const struct option lo[] = {{"attach", no_argument, NULL, 'a'},
                                       {"interactive", no_argument, NULL, 'i'},
                                       {"detach-keys", required_argument, NULL, 'k'},
                                       {NULL, 0, NULL, 0}};
    struct each_opts o = {.verb = "start"};
    int p = parse(argc, argv, "ai", lo, &o);
    if (p) return p < 0 ? MD_EXIT_ENGINE : 0;
    if (o.attach && optind < argc) {
        struct md_ctr *c = NULL;
        md_error_t *err = NULL;
        int r = md_ctr_load(argv[optind], &c, &err);
        if (r == 0) r = do_start(c, &o, &err);
        md_ctr_free(c);
        return r < 0 ? md_error_report(&err) : r;
    }
    return for_each(argc, argv, &o, do_start, 1);
}

static int do_restart(struct md_ctr *c, const struct each_opts *o, md_error_t **err)
{
    int r = md_engine_stop_signal(c, o->timeout, o->sig, err);
    if (r == 0) {
        md_ctr_read_and_settle(c);
        r = md_engine_start_detached(c, err);
    }
    if (r == 0) md_event_container(c, "restart", NULL);
    return r;
}

int cmd_restart(int argc, char **argv)
{
    static const struct option lo[] = {{"time", required_argument, NULL, 't'},
                                       {"timeout", required_argument, NULL, 't'},
                                       {"signal", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
    struct each_opts o = {.timeout = -1, .verb = "restart"};
    int p = parse(argc, argv, "t:s:", lo, &o);
    return p ? (p < 0 ? MD_EXIT_ENGINE : 0) : for_each(argc, argv, &o, do_restart, 1);
}

int cmd_rename(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "mydocker: \"rename\" requires exactly 2 arguments.\n");
        return 1;
    }
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    int r = md_ctr_load(argv[1], &c, &err);
    if (r == 0) r = md_engine_rename(c, argv[2], &err);
    md_ctr_free(c);
    return r < 0 ? (md_error_report(&err), 1) : 0;
}

static int create_detached(struct md_run_opts *o, char id[65], md_error_t **err)
{
    return md_engine_create(o, id, NULL, err);
}

int cmd_create(int argc, char **argv)
{
    struct md_run_opts o;
    md_error_t *err = NULL;
    argv[0] = "create";
    int r = md_run_opts_parse(argc, argv, &o, &err);
    char id[65];
    struct md_cidfile cid = {.fd = -1};
    if (r == 0 && (o.detach_keys || o.sig_proxy_set)) /* run's own, as in docker */
        r = md_error(&err, 0, "unknown flag: --%s\nSee 'mydocker create --help'.",
                     o.detach_keys ? "detach-keys" : "sig-proxy");
    if (r == 0) {
        o.detach = 1; /* nobody holds a created container: no --rm lock */
        o.warn = md_cli_warn;
        r = md_run_opts_check_tty(&o, &err);
        if (r == 0) r = md_cidfile_open(&cid, &o, &err);
        if (r == 0) r = md_cli_create_pulling(&o, id, create_detached, &err);
        md_cidfile_close(&cid);
    }
    md_run_opts_free(&o);
    if (r == 1) return 0;
    if (r < 0) return md_error_report(&err);
    if (r > 0) return r; /* a failed pull, already reported */
    puts(id);
    return 0;
}

/* internal: the monitor execs this when the container's PID 1 has ended */
int cmd_container_exited(int argc, char **argv)
{
    if (argc != 3) return 2;
    md_error_t *err = NULL;
    if (md_engine_container_exited(argv[1], atoi(argv[2]), &err) < 0) md_error_free(&err);
    return 0;
}
