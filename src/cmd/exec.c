/* exec: run a process in a running container (docker exec). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/getopt.h"
#include "cli/run_opts.h"
#include "cmd/cmd.h"
#include "util/trace.h"
#include "store/cstore.h"
#include "store/ctr.h"
#include "store/events.h"
#include "engine/specgen.h"
#include "engine/user.h"
#include "runtime/container.h"
#include "runtime/io.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

struct exec_opts {
    int interactive, tty, detach, privileged;
    char **env;
    const char *workdir, *user;
};

static int parse_exec(int argc, char **argv, struct exec_opts *o)
{
    static const struct option lo[] = {{"interactive", no_argument, NULL, 'i'},
                                       {"tty", no_argument, NULL, 't'},
                                       {"detach", no_argument, NULL, 'd'},
                                       {"env", required_argument, NULL, 'e'},
                                       {"workdir", required_argument, NULL, 'w'},
                                       {"user", required_argument, NULL, 'u'},
                                       {"privileged", no_argument, NULL, 'P'},
                                       {"env-file", required_argument, NULL, 'E'},
                                       {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    opterr = 0;
    while ((c = md_getopt_long(argc, argv, "+itde:w:u:", lo, NULL)) != -1) {
        switch (c) {
        case 'i':
            o->interactive = 1;
            break;
        case 't':
            o->tty = 1;
            break;
        case 'd':
            o->detach = 1;
            break;
        case 'e':
            md_env_entry(&o->env, optarg, NULL); /* a bad one is dropped */
            break;
        case 'E': {
            md_error_t *err = NULL;
            if (md_cli_read_entries(optarg, md_env_entry, &o->env, &err) < 0) {
                md_error_report(&err);
                return -1;
            }
            break;
        }
        case 'w':
            o->workdir = optarg;
            break;
        case 'u':
            o->user = optarg;
            break;
        case 'P':
            o->privileged = 1;
            break;
        default:
            fprintf(stderr, "mydocker: unknown flag: %.*s\nSee 'mydocker exec --help'.\n",
                    MD_FLAG_NAME(argv[optind - 1]));
            return -1;
        }
    }
    if (argc - optind < 2) {
        fprintf(stderr,
                "mydocker: \"exec\" requires at least 2 arguments.\nSee 'mydocker exec --help'.\n");
        return -1;
    }
    return 0;
}

static struct json_object *strv_json(char **v)
{
    struct json_object *a = json_object_new_array();
    for (; v && *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

static FILE *container_file(pid_t pid, const char *path)
{
    char root[64];
    snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
    cleanup_close int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int fd = rfd < 0 ? -1 : md_openat_in_root(rfd, path, O_RDONLY, 0, NULL);
    return fd < 0 ? NULL : fdopen(fd, "re");
}

static int set_user(struct json_object *proc, struct md_ctr *c, const char *spec, md_error_t **err)
{
    cleanup_fclose FILE *pw = container_file(c->pid, "/etc/passwd");
    cleanup_fclose FILE *gr = container_file(c->pid, "/etc/group");
    struct md_user u;
    int r = md_user_resolve(spec, pw, gr, &u, err);
    if (r < 0) {
        md_user_clear(&u);
        return r;
    }
    struct json_object *uo = json_object_new_object(), *g = json_object_new_array();
    json_object_object_add(uo, "uid", json_object_new_int64(u.uid));
    json_object_object_add(uo, "gid", json_object_new_int64(u.gid));
    for (size_t i = 0; i < u.n_gids; i++)
        json_object_array_add(g, json_object_new_int64(u.gids[i]));
    json_object_object_add(uo, "additionalGids", g);
    json_object_object_add(proc, "user", uo);
    md_user_clear(&u);
    return 0;
}

static void set_env(struct json_object *proc, char **extra)
{
    struct json_object *env = NULL;
    json_object_object_get_ex(proc, "env", &env);
    char **merged = NULL;
    for (size_t i = 0; env && i < json_object_array_length(env); i++)
        md_strv_append(&merged, json_object_get_string(json_object_array_get_idx(env, i)));
    char **out = md_env_merge(merged, extra, NULL, 0, NULL);
    json_object_object_add(proc, "env", strv_json(out));
    md_strv_free(merged);
    md_strv_free(out);
}

static int build_process(struct json_object *doc, struct md_ctr *c, struct exec_opts *o,
                         char **args, md_error_t **err)
{
    struct json_object *proc = NULL;
    json_object_object_get_ex(doc, "process", &proc);
    json_object_object_add(proc, "args", strv_json(args));
    json_object_object_add(proc, "terminal", json_object_new_boolean(o->tty));
    struct winsize ws;
    if (o->tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row) {
        struct json_object *cs = json_object_new_object();
        json_object_object_add(cs, "height", json_object_new_int(ws.ws_row));
        json_object_object_add(cs, "width", json_object_new_int(ws.ws_col));
        json_object_object_add(proc, "consoleSize", cs);
    }
    set_env(proc, o->env);
    if (o->workdir) json_object_object_add(proc, "cwd", json_object_new_string(o->workdir));
    if (o->user && set_user(proc, c, o->user, err) < 0) return -1;
    if (o->privileged) {
        /* no capability sets: the process keeps ours, the host's bounding set;
         * and no seccomp filter, as docker's exec --privileged */
        struct json_object *lx = NULL;
        json_object_object_del(proc, "capabilities");
        if (json_object_object_get_ex(doc, "linux", &lx)) json_object_object_del(lx, "seccomp");
    }
    return 0;
}

static int load_spec(struct md_ctr *c, struct exec_opts *o, char **args, struct md_spec **spec,
                     md_error_t **err)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/config.json", c->dir);
    cleanup_free char *text = NULL;
    int r = md_read_file(path, &text, NULL, err);
    if (r < 0) return r;
    struct json_object *doc = json_tokener_parse(text);
    if (doc == NULL) return md_error(err, 0, "%s: invalid JSON", path);
    r = build_process(doc, c, o, args, err);
    if (r == 0) r = md_spec_parse(doc, spec, err);
    json_object_put(doc);
    return r;
}

static void stdio_for(struct exec_opts *o)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) return;
    if (!o->interactive || o->detach) dup2(null, 0);
    if (o->detach) {
        dup2(null, 1);
        dup2(null, 2);
    }
    close(null);
}

/* docker's exec_create / exec_start ("exec_start: CMD ARGS") and exec_die events, all with
 * the exec's id */
static void exec_event(const struct md_ctr *c, const char *verb, const char *exec_id, char **cmd,
                       int code)
{
    cleanup_free char *line = md_strv_join(cmd, " ");
    char action[512];
    if (code < 0)
        snprintf(action, sizeof(action), "%s: %s", verb, line ? line : "");
    else
        snprintf(action, sizeof(action), "%s", verb);
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "execID", json_object_new_string(exec_id));
    if (code >= 0) {
        char s[16];
        snprintf(s, sizeof(s), "%d", code);
        json_object_object_add(a, "exitCode", json_object_new_string(s));
    }
    md_event_container(c, action, a);
}

int cmd_exec(int argc, char **argv)
{
    struct exec_opts o = {0};
    md_trace("exec: main");
    if (parse_exec(argc, argv, &o) < 0) return MD_EXIT_ENGINE;
    struct md_ctr *c = NULL;
    struct md_spec *spec = NULL;
    md_error_t *err = NULL;
    int r = md_ctr_load(argv[optind], &c, &err), status = 0;
    if (r == 0 && c->status != MD_CTR_RUNNING)
        r = md_error(&err, 0, "container %s is %s", c->id,
                     c->status == MD_CTR_PAUSED ? "paused, unpause the container before exec"
                                                : "not running");
    if (r < 0) {
        md_ctr_free(c);
        md_strv_free(o.env);
        return (md_error_report(&err), 1);
    }
    md_trace("exec: loaded");
    cleanup_close int pidfd = md_ctr_pidfd(c);
    r = pidfd < 0 ? md_error(&err, 0, "container %s is not running", c->id) : 0;
    if (r == 0) r = load_spec(c, &o, argv + optind + 1, &spec, &err);
    md_trace("exec: spec");
    char exec_id[65] = "";
    if (r == 0 && md_new_container_id(exec_id, NULL) == 0)
        exec_event(c, "exec_create", exec_id, argv + optind + 1, -1);
    if (r == 0) {
        stdio_for(&o);
        struct md_container ct;
        struct md_tty_saved saved = {.fd = -1};
        struct md_stdio_relay relay = MD_STDIO_RELAY_INIT;
        /* without -t, a terminal of ours is relayed, never handed over */
        if (!o.tty && !o.detach) r = md_stdio_relay_setup(&relay, o.interactive, &err);
        if (r == 0)
            r = md_container_exec(spec, c->pid, pidfd, &ct, &err);
        else
            md_container_init(&ct);
        md_trace("exec: ready");
        md_stdio_relay_restore(&relay);
        if (r == 0 && !o.detach) r = md_io_block_signals(&err);
        if (r == 0 && ct.pty_master >= 0 && !o.detach) {
            md_tty_copy_winsize(STDIN_FILENO, ct.pty_master);
            if (o.interactive) md_tty_raw(STDIN_FILENO, &saved);
        }
        if (r == 0) r = md_container_start(&ct, &err);
        md_trace("exec: started");
        if (r == 0) exec_event(c, "exec_start", exec_id, argv + optind + 1, -1);
        if (r == 0 && !o.detach) {
            struct md_io_out out = {relay.out_r, relay.err_r, NULL, relay.in_w};
            relay.in_w = -1; /* md_io_wait_out closes it */
            r = md_io_wait_out(&ct, o.interactive, &out, &status, &err);
            md_trace("exec: exited");
            if (r == 0) exec_event(c, "exec_die", exec_id, NULL, status);
        }
        md_stdio_relay_close(&relay);
        if (o.detach) ct.pid = -1; /* it runs on: do not kill it */
        md_tty_restore(&saved);
        md_container_destroy(&ct);
    }
    md_spec_free(spec);
    md_ctr_free(c);
    md_strv_free(o.env);
    if (r < 0)
        return err && err->exit_code != MD_EXIT_ENGINE ? md_error_report(&err)
                                                       : (md_error_report(&err), 126);
    return status;
}
