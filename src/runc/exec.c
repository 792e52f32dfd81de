/* exec: a new process in a created or running container, described by
 * --process FILE (a runtime-spec "process" object) or built from the
 * container's own process with the flags' changes. The runtime core joins
 * the container's namespaces and cgroup through a pidfd. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runc/runc.h"
#include "runtime/container.h"
#include "runtime/io.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

struct exec_opts {
    const char *console_socket, *cwd, *user, *process, *pid_file;
    char **env, **gids, **caps;
    int tty, detach, no_new_privs, preserve_fds, ignore_paused;
};

enum {
    E_CONSOLE = 256,
    E_CWD,
    E_PIDFILE,
    E_LABEL,
    E_APPARMOR,
    E_NNP,
    E_PRESERVE,
    E_CGROUP,
    E_IGNORE_PAUSED
};

static int parse_exec(int argc, char **argv, struct exec_opts *o)
{
    static const struct option opts[] = {
        {"console-socket", required_argument, NULL, E_CONSOLE},
        {"cwd", required_argument, NULL, E_CWD},
        {"env", required_argument, NULL, 'e'},
        {"tty", no_argument, NULL, 't'},
        {"user", required_argument, NULL, 'u'},
        {"additional-gids", required_argument, NULL, 'g'},
        {"process", required_argument, NULL, 'p'},
        {"detach", no_argument, NULL, 'd'},
        {"pid-file", required_argument, NULL, E_PIDFILE},
        {"process-label", required_argument, NULL, E_LABEL},
        {"apparmor", required_argument, NULL, E_APPARMOR},
        {"no-new-privs", no_argument, NULL, E_NNP},
        {"cap", required_argument, NULL, 'c'},
        {"preserve-fds", required_argument, NULL, E_PRESERVE},
        {"cgroup", required_argument, NULL, E_CGROUP},
        {"ignore-paused", no_argument, NULL, E_IGNORE_PAUSED},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long_only(argc, argv, "+e:tu:g:p:dc:", opts, NULL)) != -1) {
        switch (c) {
        case E_CONSOLE:
            o->console_socket = optarg;
            break;
        case E_CWD:
            o->cwd = optarg;
            break;
        case 'e':
            md_strv_append(&o->env, optarg);
            break;
        case 't':
            o->tty = 1;
            break;
        case 'u':
            o->user = optarg;
            break;
        case 'g':
            md_strv_append(&o->gids, optarg);
            break;
        case 'p':
            o->process = optarg;
            break;
        case 'd':
            o->detach = 1;
            break;
        case E_PIDFILE:
            o->pid_file = optarg;
            break;
        case E_LABEL:
        case E_APPARMOR:
            break; /* no LSM on this runtime: ignored, as runc does without one */
        case E_NNP:
            o->no_new_privs = 1;
            break;
        case 'c':
            md_strv_append(&o->caps, optarg);
            break;
        case E_PRESERVE:
            o->preserve_fds = atoi(optarg);
            break;
        case E_CGROUP:
            return runc_usage_error("exec", "--cgroup is not supported"), -1;
        case E_IGNORE_PAUSED:
            o->ignore_paused = 1;
            break;
        default:
            return runc_usage_error("exec", "flag provided but not defined: %s", argv[optind - 1]),
                   -1;
        }
    }
    if (optind >= argc)
        return runc_usage_error("exec", "requires at least 1 argument (the container id)"), -1;
    if (o->process == NULL && optind + 1 >= argc)
        return runc_usage_error("exec", "a command to run, or --process, is required"), -1;
    return 0;
}

static void add_strings(struct json_object *obj, const char *key, char **v)
{
    struct json_object *arr = NULL;
    if (!json_object_object_get_ex(obj, key, &arr) || !json_object_is_type(arr, json_type_array)) {
        arr = json_object_new_array();
        json_object_object_add(obj, key, arr);
    }
    for (; v && *v; v++)
        json_object_array_add(arr, json_object_new_string(*v));
}

static int apply_user(struct json_object *p, struct exec_opts *o, md_error_t **err)
{
    struct json_object *user = NULL;
    if (!json_object_object_get_ex(p, "user", &user)) {
        user = json_object_new_object();
        json_object_object_add(p, "user", user);
    }
    if (o->user) {
        char *end;
        long uid = strtol(o->user, &end, 10), gid = -1;
        if (*end == ':') gid = strtol(end + 1, &end, 10);
        if (*end != '\0' || end == o->user || uid < 0)
            return md_error(err, 0, "exec --user %s: want UID[:GID] (numbers)", o->user);
        json_object_object_add(user, "uid", json_object_new_int64(uid));
        if (gid >= 0) json_object_object_add(user, "gid", json_object_new_int64(gid));
    }
    if (o->gids) {
        struct json_object *arr = json_object_new_array();
        for (char **g = o->gids; *g; g++)
            json_object_array_add(arr, json_object_new_int64(atoll(*g)));
        json_object_object_add(user, "additionalGids", arr);
    }
    return 0;
}

/* The container's process, changed as the flags say (runc's getProcess). */
static struct json_object *process_from_flags(struct json_object *config, struct exec_opts *o,
                                              char **args, md_error_t **err)
{
    struct json_object *base = NULL;
    json_object_object_get_ex(config, "process", &base);
    struct json_object *p = NULL;
    if (base == NULL || json_object_deep_copy(base, &p, NULL) < 0) {
        md_error(err, 0, "container has no process to start from");
        return NULL;
    }
    struct json_object *argv = json_object_new_array();
    for (char **a = args; *a; a++)
        json_object_array_add(argv, json_object_new_string(*a));
    json_object_object_add(p, "args", argv);
    json_object_object_add(p, "terminal", json_object_new_boolean(o->tty));
    json_object_object_del(p, "consoleSize");
    if (o->cwd) json_object_object_add(p, "cwd", json_object_new_string(o->cwd));
    add_strings(p, "env", o->env);
    if (o->no_new_privs) json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(1));
    if (o->caps) {
        struct json_object *caps = NULL;
        if (!json_object_object_get_ex(p, "capabilities", &caps)) {
            caps = json_object_new_object();
            json_object_object_add(p, "capabilities", caps);
        }
        static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable",
                                           "ambient"};
        for (size_t i = 0; i < 5; i++)
            add_strings(caps, sets[i], o->caps);
    }
    if (apply_user(p, o, err) < 0) {
        json_object_put(p);
        return NULL;
    }
    return p;
}

static int exec_spec(struct runc_state *st, struct exec_opts *o, char **args, struct md_spec **spec,
                     md_error_t **err)
{
    struct json_object *proc = NULL;
    if (o->process) {
        cleanup_free char *text = NULL;
        int r = md_read_file(o->process, &text, NULL, err);
        if (r < 0) return r;
        proc = json_tokener_parse(text);
        if (proc == NULL || !json_object_is_type(proc, json_type_object)) {
            json_object_put(proc);
            return md_error(err, 0, "%s: not a JSON object", o->process);
        }
    } else if ((proc = process_from_flags(st->config, o, args, err)) == NULL) {
        return -1;
    }
    struct json_object *doc = NULL;
    if (json_object_deep_copy(st->config, &doc, NULL) < 0) {
        json_object_put(proc);
        return md_error(err, ENOMEM, "exec");
    }
    json_object_object_add(doc, "process", proc);
    int r = md_spec_parse(doc, spec, err);
    json_object_put(doc);
    if (r == 0) runc_warn_unknown_caps(&(*spec)->process);
    return r;
}

static int check_state(struct runc_state *st, struct exec_opts *o, int terminal, md_error_t **err)
{
    enum runc_status s = runc_status(st);
    if (s == RUNC_STOPPED) return md_error(err, 0, "cannot exec in a stopped container");
    if (s == RUNC_PAUSED && !o->ignore_paused)
        return md_error(err, 0,
                        "cannot exec in a paused container (use --ignore-paused to override)");
    if (terminal && o->detach && o->console_socket == NULL)
        return md_error(err, 0,
                        "cannot allocate tty if runc will detach without setting console socket");
    if (!terminal && o->console_socket)
        return md_error(err, 0,
                        "cannot use console socket if runc will not detach or allocate tty");
    return 0;
}

static int run_exec(struct runc_state *st, struct md_spec *spec, struct exec_opts *o, int *status,
                    md_error_t **err)
{
    cleanup_close int pidfd = runc_pidfd(st);
    if (pidfd < 0) return md_error(err, 0, "cannot exec in a stopped container");
    struct md_create_opts copts = {
        .preserve_fds = o->preserve_fds, .detached = o->detach, .default_home = 1};
    struct md_container c;
    struct md_tty_saved saved = {.fd = -1};
    int r = md_container_exec_opts(spec, st->pid, pidfd, &copts, &c, err);
    if (r == 0 && o->console_socket && c.pty_master >= 0) {
        r = runc_send_console(o->console_socket, c.pty_master, err);
        close(c.pty_master);
        c.pty_master = -1;
    }
    if (r == 0 && !o->detach) r = md_io_block_signals(err);
    if (r == 0 && c.pty_master >= 0 && !o->detach) {
        md_tty_copy_winsize(STDIN_FILENO, c.pty_master);
        md_tty_raw(STDIN_FILENO, &saved);
    }
    if (r == 0) r = md_container_start(&c, err);
    if (r == 0 && o->pid_file) r = runc_write_pid_file(o->pid_file, c.pid, err);
    if (r == 0 && !o->detach) r = md_io_wait(&c, c.pty_master >= 0, status, err);
    if (r == 0 && o->detach) c.pid = -1; /* it runs on, reaped by our caller (a subreaper) */
    md_tty_restore(&saved);
    md_container_destroy(&c);
    return r;
}

int runc_cmd_exec(int argc, char **argv)
{
    struct exec_opts o;
    memset(&o, 0, sizeof(o));
    int status = 0;
    if (parse_exec(argc, argv, &o) < 0) status = -1;
    md_error_t *err = NULL;
    struct runc_state *st = NULL;
    struct md_spec *spec = NULL;
    int r = status;
    if (r == 0) r = runc_state_load(argv[optind], 0, &st, &err);
    if (r == 0) r = exec_spec(st, &o, argv + optind + 1, &spec, &err);
    if (r == 0) r = check_state(st, &o, spec->process.terminal, &err);
    if (r == 0) r = run_exec(st, spec, &o, &status, &err);
    md_spec_free(spec);
    runc_state_free(st);
    md_strv_free(o.env);
    md_strv_free(o.gids);
    md_strv_free(o.caps);
    if (status < 0) return 1;
    /* runc's: 255 when the process could not be run (its own statuses are
     * the process's) */
    return r < 0 ? (runc_fail(&err), 255) : status;
}
