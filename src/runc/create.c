/* create, start, run: the runtime core in exec-fifo mode. `create` leaves
 * the init blocked on <root>/<id>/exec.fifo and exits; `start` opens the
 * fifo, which lets the init go on to execve. `run` does both, and unless
 * -d also waits for the init, relaying the terminal when there is one. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "runc/runc.h"
#include "runtime/container.h"
#include "runtime/fifo.h"
#include "runtime/hooks.h"
#include "runtime/io.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/trace.h"
#include "util/xalloc.h"

struct create_opts {
    const char *bundle, *pid_file, *console_socket;
    char pid_buf[PATH_MAX], console_buf[PATH_MAX]; /* made absolute: we chdir to the bundle */
    int no_pivot, no_new_keyring, preserve_fds;
    int detach, keep; /* run only */
};

enum {
    O_BUNDLE = 'b',
    O_DETACH = 'd',
    O_PIDFILE = 256,
    O_CONSOLE,
    O_NOPIVOT,
    O_NOKEYRING,
    O_PRESERVE,
    O_KEEP,
    O_NOSUBREAPER
};

static int parse_create(int argc, char **argv, int is_run, struct create_opts *o)
{
    static const struct option opts[] = {
        {"bundle", required_argument, NULL, O_BUNDLE},
        {"pid-file", required_argument, NULL, O_PIDFILE},
        {"console-socket", required_argument, NULL, O_CONSOLE},
        {"no-pivot", no_argument, NULL, O_NOPIVOT},
        {"no-new-keyring", no_argument, NULL, O_NOKEYRING},
        {"preserve-fds", required_argument, NULL, O_PRESERVE},
        {"detach", no_argument, NULL, O_DETACH},
        {"keep", no_argument, NULL, O_KEEP},
        {"no-subreaper", no_argument, NULL, O_NOSUBREAPER},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->bundle = ".";
    int c;
    while ((c = getopt_long_only(argc, argv, is_run ? "+b:d" : "+b:", opts, NULL)) != -1) {
        switch (c) {
        case O_BUNDLE:
            o->bundle = optarg;
            break;
        case O_PIDFILE:
            o->pid_file = runc_abspath(optarg, o->pid_buf, sizeof(o->pid_buf));
            break;
        case O_CONSOLE:
            o->console_socket = runc_abspath(optarg, o->console_buf, sizeof(o->console_buf));
            break;
        case O_NOPIVOT:
            o->no_pivot = 1;
            break;
        case O_NOKEYRING:
            o->no_new_keyring = 1;
            break;
        case O_PRESERVE:
            o->preserve_fds = atoi(optarg);
            break;
        case O_NOSUBREAPER:
            break;
        case O_DETACH:
        case O_KEEP:
            if (!is_run)
                return runc_usage_error(argv[0], "flag provided but not defined: %s",
                                        argv[optind - 1]),
                       -1;
            if (c == O_DETACH)
                o->detach = 1;
            else
                o->keep = 1;
            break;
        default:
            return runc_usage_error(argv[0], "flag provided but not defined: %s", argv[optind - 1]),
                   -1;
        }
    }
    if (optind != argc - 1)
        return runc_usage_error(argv[0], "requires exactly 1 argument (the container id)"), -1;
    if (o->preserve_fds < 0)
        return runc_usage_error(argv[0], "--preserve-fds must not be negative"), -1;
    return 0;
}

/* config.json from the bundle; relative paths (root.path, bind sources)
 * are the bundle's: we work from inside it, as runc does. */
static int load_bundle(struct create_opts *o, char **abs_bundle, struct md_spec **spec,
                       md_error_t **err)
{
    *abs_bundle = realpath(o->bundle, NULL);
    if (*abs_bundle == NULL) return md_error(err, errno, "bundle %s", o->bundle);
    if (chdir(*abs_bundle) < 0) return md_error(err, errno, "chdir %s", *abs_bundle);
    int r = md_spec_load("config.json", spec, err);
    if (r < 0) {
        md_error_prefix(err, "%s/config.json", *abs_bundle);
        return r;
    }
    runc_warn_unknown_caps(&(*spec)->process);
    char *root = realpath((*spec)->root_path, NULL);
    if (root == NULL) return md_error(err, errno, "rootfs (%s)", (*spec)->root_path);
    free((*spec)->root_path);
    (*spec)->root_path = root;
    (*spec)->no_pivot = o->no_pivot;
    struct md_process *p = &(*spec)->process;
    if (p->terminal && o->console_socket == NULL && o->detach)
        return md_error(err, 0,
                        "cannot allocate tty if runc will detach without setting console socket");
    if (!p->terminal && o->console_socket)
        return md_error(err, 0,
                        "cannot use console socket if runc will not detach or allocate tty");
    return 0;
}

static int new_state_dir(const char *id, struct runc_state **out, md_error_t **err)
{
    int r = md_mkdir_p(runc_g.root, 0700, err);
    if (r < 0) return r;
    cleanup_free char *dir = runc_dir(id);
    if (mkdir(dir, 0711) < 0)
        return errno == EEXIST ? md_error(err, 0, "container with id exists: %s", id)
                               : md_error(err, errno, "mkdir %s", dir);
    struct runc_state *st = calloc(1, sizeof(*st));
    if (st == NULL) return md_error(err, ENOMEM, "state");
    st->id = md_xstrdup(id);
    st->dir = md_steal_ptr(&dir);
    st->lock_fd = -1;
    *out = st;
    return 0;
}

static int fill_state(struct runc_state *st, struct md_spec *spec, const char *bundle, pid_t pid)
{
    char now[64];
    runc_now(now, sizeof(now));
    st->pid = pid;
    st->start = runc_proc_start(pid, NULL);
    st->bundle = strdup(bundle);
    st->rootfs = strdup(spec->root_path);
    st->created = strdup(now);
    st->cgroup = spec->cgroups_path ? strdup(spec->cgroups_path) : NULL;
    st->config = json_object_get(spec->json);
    return st->start ? 0 : -ESRCH;
}

/* Everything `create` does; on success the init waits on the fifo and c
 * holds it (the caller decides whether to keep or drop it). */
static int do_create(const char *id, struct create_opts *o, struct md_container *c,
                     struct runc_state **stp, md_error_t **err)
{
    cleanup_free char *bundle = NULL;
    struct md_spec *spec = NULL;
    struct runc_state *st = NULL;
    md_container_init(c);
    int r = runc_valid_id(id, err);
    if (r == 0) r = load_bundle(o, &bundle, &spec, err);
    md_trace("bundle loaded");
    if (r == 0) r = new_state_dir(id, &st, err);
    if (r < 0) {
        md_spec_free(spec);
        return r;
    }
    char fifo[PATH_MAX];
    snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
    if (spec->cgroups_path == NULL && asprintf(&spec->cgroups_path, "mydocker-runc/%s", id) < 0)
        spec->cgroups_path = NULL;
    /* 0622: the init may run as a mapped uid of a user namespace by then */
    if (mkfifo(fifo, 0622) < 0 || chmod(fifo, 0622) < 0)
        r = md_error(err, errno, "mkfifo %s", fifo);
    const char *lfds = getenv("LISTEN_FDS");
    struct md_create_opts copts = {.exec_fifo = fifo,
                                   .set_cgroup = 1,
                                   .id = id,
                                   .bundle = bundle,
                                   .preserve_fds = o->preserve_fds + (lfds ? atoi(lfds) : 0),
                                   .new_keyring = !o->no_new_keyring,
                                   .default_home = 1};
    if (r == 0) r = md_container_create(spec, &copts, c, err);
    md_trace("created (READY)");
    if (r == 0 && o->console_socket && c->pty_master >= 0) {
        r = runc_send_console(o->console_socket, c->pty_master, err);
        close(c->pty_master);
        c->pty_master = -1;
    }
    if (r == 0 && fill_state(st, spec, bundle, c->pid) < 0)
        r = md_error(err, ESRCH, "container init exited");
    if (r == 0) r = runc_state_save(st, err);
    md_trace("state saved");
    if (r == 0 && o->pid_file) r = runc_write_pid_file(o->pid_file, c->pid, err);
    c->spec = NULL; /* spec is freed below; only fds and the pid are used on */
    if (r < 0) {
        md_container_destroy(c);
        md_error_t *e2 = NULL;
        if (st->config == NULL) st->config = json_object_get(spec->json);
        st->bundle = st->bundle ? st->bundle : strdup(bundle);
        runc_destroy(st, &e2); /* poststop hooks, as the spec's lifecycle says */
        md_error_free(&e2);
        runc_state_free(st);
        md_spec_free(spec);
        return r;
    }
    md_spec_free(spec);
    *stp = st;
    return 0;
}

/* The container is the caller's now: forget our handles without killing. */
static void release(struct md_container *c)
{
    if (c->cgroup) md_cgroup_free(c->cgroup);
    c->cgroup = NULL;
    c->pid = -1;
    md_container_destroy(c);
}

int runc_cmd_create(int argc, char **argv)
{
    struct create_opts o;
    if (parse_create(argc, argv, 0, &o) < 0) return 1;
    o.detach = 1;
    md_error_t *err = NULL;
    struct md_container c;
    struct runc_state *st = NULL;
    if (do_create(argv[optind], &o, &c, &st, &err) < 0) return runc_fail(&err);
    release(&c);
    runc_state_free(st);
    return 0;
}

static void poststart(struct runc_state *st)
{
    struct json_object *hooks = NULL, *ann = NULL;
    json_object_object_get_ex(st->config, "hooks", &hooks);
    json_object_object_get_ex(st->config, "annotations", &ann);
    struct md_hook_state hs = {.id = st->id,
                               .bundle = st->bundle,
                               .status = "running",
                               .pid = st->pid,
                               .annotations = ann};
    md_error_t *err = NULL;
    /* the spec: a failing poststart hook is a warning */
    if (md_hooks_run(hooks, "poststart", &hs, &err) < 0) {
        runc_log("warning", "%s", err->msg);
        fprintf(stderr, "%s: warning: %s\n", md_progname, err->msg);
        md_error_free(&err);
    }
}

static int do_start(struct runc_state *st, md_error_t **err)
{
    enum runc_status s = runc_status(st);
    if (s != RUNC_CREATED)
        return md_error(err, 0,
                        s == RUNC_STOPPED ? "cannot start a container that has stopped"
                                          : "cannot start an already running container");
    char fifo[PATH_MAX];
    snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
    cleanup_close int pidfd = runc_pidfd(st);
    int r = md_fifo_start(fifo, pidfd, err);
    md_trace("started (exec'd)");
    unlink(fifo);
    if (r == 0) poststart(st);
    return r;
}

int runc_cmd_start(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return runc_usage_error("start", "requires exactly 1 argument (the container id)");
    md_error_t *err = NULL;
    struct runc_state *st = NULL;
    int r = runc_state_load(argv[1], 1, &st, &err);
    if (r == 0) r = do_start(st, &err);
    runc_state_free(st);
    return r < 0 ? runc_fail(&err) : 0;
}

/* Foreground run: we are the init's parent; relay the terminal (no console
 * socket), forward signals, and give the init's exit status as ours. */
static int run_foreground(struct md_container *c, struct runc_state *st, struct create_opts *o,
                          md_error_t **err)
{
    struct md_tty_saved saved = {.fd = -1};
    int r = md_io_block_signals(err), status = 0;
    if (r == 0 && c->pty_master >= 0) {
        md_tty_copy_winsize(STDIN_FILENO, c->pty_master);
        md_tty_raw(STDIN_FILENO, &saved);
    }
    if (r == 0) r = do_start(st, err);
    if (r == 0) r = md_io_wait(c, c->pty_master >= 0, &status, err);
    md_trace("exited");
    md_tty_restore(&saved);
    if (c->cgroup) md_cgroup_free(c->cgroup); /* removed by runc_destroy, by path */
    c->cgroup = NULL;
    md_container_destroy(c);
    md_error_t *e2 = NULL;
    if (!o->keep && runc_destroy(st, &e2) < 0) {
        runc_log("warning", "%s", e2->msg);
        md_error_free(&e2);
    }
    md_trace("deleted");
    return r < 0 ? r : status;
}

int runc_cmd_run(int argc, char **argv)
{
    struct create_opts o;
    if (parse_create(argc, argv, 1, &o) < 0) return 1;
    md_error_t *err = NULL;
    struct md_container c;
    struct runc_state *st = NULL;
    if (do_create(argv[optind], &o, &c, &st, &err) < 0) return runc_fail(&err);
    int r;
    if (o.detach) {
        r = do_start(st, &err);
        if (r < 0) {
            md_error_t *e2 = NULL;
            md_container_destroy(&c);
            runc_destroy(st, &e2);
            md_error_free(&e2);
        } else {
            release(&c);
        }
    } else {
        r = run_foreground(&c, st, &o, &err);
    }
    runc_state_free(st);
    return r < 0 ? runc_fail(&err) : r;
}
