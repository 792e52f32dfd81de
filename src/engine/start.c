#include "start.h"
#include "start_int.h"

#include <errno.h>
#include <spawn.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/cgctl.h"
#include "engine/health.h"
#include "store/cstore.h"
#include "store/events.h"
#include "engine/lifecycle.h"
#include "engine/opts.h"
#include "engine/volume_store.h"
#include "net/net.h"
#include "cgroup/cgroup.h"
#include "runtime/cgroup_setup.h"
#include "runtime/container.h"
#include "runtime/io.h"
#include "util/cleanup.h"
#include "util/proc.h"
#include "util/fs.h"
#include "util/size.h"
#include "util/jsonlog.h"
#include "util/trace.h"

char *md_self_path(const char *sibling)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0) return NULL;
    self[n] = '\0';
    char *out = NULL;
    if (sibling == NULL) return strdup(self);
    return asprintf(&out, "%s/%s", dirname(self), sibling) < 0 ? NULL : out;
}

char *md_engine_binary(void)
{
    cleanup_free char *self = md_self_path(NULL);
    const char *base = self ? strrchr(self, '/') : NULL;
    /* the API server and the image tool run containers too: their bookkeeping is mydocker's */
    if (base && strncmp(base + 1, "mydocker-", 9) == 0) return md_self_path("mydocker");
    return md_steal_ptr(&self);
}

struct json_object *md_start_state_obj(struct md_ctr *c)
{
    struct json_object *st = NULL;
    json_object_object_get_ex(c->record, "State", &st);
    return st;
}

void md_start_set_state(struct md_ctr *c, const char *status, int pid, int64_t ns, int exit_code)
{
    struct json_object *st = md_start_state_obj(c);
    cleanup_free char *t = md_time_rfc3339(ns);
    int running = strcmp(status, "running") == 0;
    json_object_object_add(st, "Status", json_object_new_string(status));
    json_object_object_add(st, "Running", json_object_new_boolean(running));
    json_object_object_add(st, "Paused", json_object_new_boolean(0));
    json_object_object_add(st, "Restarting",
                           json_object_new_boolean(strcmp(status, "restarting") == 0));
    json_object_object_add(st, "Pid", json_object_new_int(pid));
    if (running) {
        json_object_object_add(st, "StartedAt", json_object_new_string(t));
        json_object_object_add(st, "ExitCode", json_object_new_int(0));
        json_object_object_add(st, "OOMKilled", json_object_new_boolean(0));
        json_object_object_add(st, "Error", json_object_new_string(""));
    } else if (strcmp(status, "exited") == 0 || strcmp(status, "restarting") == 0) {
        json_object_object_add(st, "FinishedAt", json_object_new_string(t));
        json_object_object_add(st, "ExitCode", json_object_new_int(exit_code));
    }
}

static int write_runtime_state(struct md_ctr *c, pid_t pid, pid_t monitor, int64_t started,
                               md_error_t **err)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "pid", json_object_new_int(pid));
    json_object_object_add(o, "pid_start", json_object_new_uint64(md_proc_starttime(pid)));
    json_object_object_add(o, "monitor", json_object_new_int(monitor));
    json_object_object_add(o, "monitor_start", json_object_new_uint64(md_proc_starttime(monitor)));
    json_object_object_add(o, "started_ns", json_object_new_int64(started));
    char path[4200];
    snprintf(path, sizeof(path), "%s/state.json", c->rundir);
    const char *text = json_object_to_json_string(o);
    int r = md_write_file_atomic(path, text, strlen(text), 0600, 0, err);
    json_object_put(o);
    return r;
}

static void clear_state_files(const char *rundir, size_t n)
{
    static const char *const files[] = {"state.json", "exit", "paused", "stopped", "attach.sock"};
    char path[4200];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", rundir, files[i]);
        unlink(path);
    }
}

void md_start_clear_runtime_state(const char *rundir)
{
    clear_state_files(rundir, 5);
}

/* doc: the spec its creator still holds (`run`), or NULL to read config.json */
static int prepare_start(struct md_ctr *c, struct json_object *doc, struct md_spec **spec,
                         md_error_t **err)
{
    if (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED)
        return md_error(err, 0, "container %s is already running", c->name);
    int r = md_mkdir_p(c->rundir, 0700, err);
    if (r < 0) return r;
    clear_state_files(c->rundir, 4); /* not attach.sock: a detached start made it already */
    char path[4200];
    snprintf(path, sizeof(path), "%s/config.json", c->dir);
    r = doc ? md_spec_parse(doc, spec, err) : md_spec_load(path, spec, err);
    struct json_object *mounts = NULL;
    json_object_object_get_ex(c->record, "Mounts", &mounts);
    if (r == 0) r = md_volume_mount_all(mounts, err); /* local-driver volumes (-o type=...) */
    if (r == 0) r = md_net_prepare(c, *spec, err);    /* --network container:NAME */
    if (r == 0) r = md_sys_prepare(c, *spec, err);    /* --ipc/--pid container:NAME */
    if (r < 0) {
        md_spec_free(*spec);
        *spec = NULL;
    }
    return r;
}

int md_start_autoremove(struct md_ctr *c)
{
    struct json_object *v = NULL;
    json_object_object_get_ex(c->record, "HostConfig", &v);
    return v && json_object_object_get_ex(v, "AutoRemove", &v) && json_object_get_boolean(v);
}

/* The container is running: make that true on disk. */
static int record_running(struct md_ctr *c, pid_t pid, pid_t monitor, md_error_t **err)
{
    int64_t now = md_now_ns();
    int r = write_runtime_state(c, pid, monitor, now, err);
    md_start_set_state(c, "running", pid, now, 0);
    md_health_reset(c->record);
    return r == 0 ? md_ctr_save(c, err) : r;
}

static void announce_running(struct md_ctr *c)
{
    md_event_container(c, "start", NULL);
    md_health_spawn(c);
}

/* A foreground start records the container as running as soon as its pid is known, while the
 * child makes its mounts: the three files (state, record, summary) cost ~0.5 ms here, off the
 * path to the exec now. A start that fails after this is undone by start_failed. */
struct fg_clone {
    struct md_ctr *c;
    int mntns; /* --rm: the container's mount namespace, for the remover to let go of */
};

static int fg_after_clone(pid_t pid, void *data, md_error_t **err)
{
    struct fg_clone *fc = data;
    int r = md_net_after_clone(pid, fc->c, err);
    md_error_t *e2 = NULL;
    if (r == 0 && record_running(fc->c, pid, getpid(), &e2) < 0)
        md_error_free(&e2); /* it runs; a stale record is not fatal */
    if (r == 0 && md_start_autoremove(fc->c)) {
        char ns[64];
        snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)pid);
        fc->mntns = open(ns, O_RDONLY | O_CLOEXEC);
    }
    md_trace("marked running");
    return r;
}

/* --rm: the remover, forked now, also does the last close of the mount namespace: its
 * teardown (every mount of the container unmounted, an expedited RCU grace period) was in
 * the container's exit, between PID 1's end and ours */
static void fg_prepare_removal(struct fg_clone *fc)
{
    if (!md_start_autoremove(fc->c)) return;
    md_container_removal_prepare();
    if (fc->mntns >= 0) md_container_removal_hold(fc->mntns);
    fc->mntns = -1;
}

void md_start_remove_container(struct md_ctr *c)
{
    md_error_t *e = NULL;
    md_engine_remove_anon_volumes(c, NULL); /* docker: --rm takes anonymous volumes along */
    md_trace("rm: volumes");
    if (md_container_remove_files(c->id, c->name, &e) == 0) md_event_container(c, "destroy", NULL);
    md_trace("rm: files");
    md_error_free(&e);
    md_autoremove_release(c->id, -1);
    md_trace("rm: autoremove released");
}

/* docker keeps a container whose start failed as "Created", with the error */
static void start_failed(struct md_ctr *c, md_error_t *err)
{
    md_net_release(c);
    md_start_clear_runtime_state(c->rundir);
    if (md_start_autoremove(c)) {
        md_start_remove_container(c);
        return;
    }
    md_start_set_state(c, "created", 0, md_now_ns(), 0);
    struct json_object *st = md_start_state_obj(c);
    json_object_object_add(st, "ExitCode",
                           json_object_new_int(err ? err->exit_code : MD_EXIT_ENGINE));
    json_object_object_add(st, "Error", json_object_new_string(err && err->msg ? err->msg : ""));
    md_error_t *e = NULL;
    if (md_ctr_save(c, &e) < 0) md_error_free(&e);
}

static void tty_restore_cleanup(struct md_tty_saved *s)
{
    md_tty_restore(s);
}

/* A foreground container's output goes through pipes (or its pty) so that,
 * as with docker, it reaches the json-file log as well as the terminal. */
struct fg_io {
    int out[2], err[2], saved[2];
    char logpath[4300];
    struct md_jsonlog log;
};

static int log_opt_int(struct md_ctr *c, const char *key, long long def);
static void log_path(struct md_ctr *c, char *buf, size_t len);

/* Before create: the child will inherit the pipes as its fds 1 and 2. */
static int fg_io_setup(struct fg_io *io, struct md_ctr *c, int tty, md_error_t **err)
{
    *io = (struct fg_io){.out = {-1, -1}, .err = {-1, -1}, .saved = {-1, -1}};
    log_path(c, io->logpath, sizeof(io->logpath));
    md_jsonlog_init(&io->log, io->logpath, log_opt_int(c, "max-size", 0),
                    log_opt_int(c, "max-file", 1));
    if (tty) return 0;
    if (pipe2(io->out, O_CLOEXEC) < 0 || pipe2(io->err, O_CLOEXEC) < 0 ||
        (io->saved[0] = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
        (io->saved[1] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
        dup2(io->out[1], STDOUT_FILENO) < 0 || dup2(io->err[1], STDERR_FILENO) < 0)
        return md_error(err, errno, "output pipes");
    return 0;
}

/* After create: our own stdout/stderr back; only the child writes the pipes. */
static void fg_io_restore(struct fg_io *io)
{
    for (int i = 0; i < 2; i++) {
        if (io->saved[i] >= 0) {
            dup2(io->saved[i], i + 1);
            close(io->saved[i]);
            io->saved[i] = -1;
        }
    }
    if (io->out[1] >= 0) close(io->out[1]);
    if (io->err[1] >= 0) close(io->err[1]);
    io->out[1] = io->err[1] = -1;
}

static void fg_io_close(struct fg_io *io)
{
    fg_io_restore(io);
    if (io->out[0] >= 0) close(io->out[0]);
    if (io->err[0] >= 0) close(io->err[0]);
    io->out[0] = io->err[0] = -1;
    md_jsonlog_close(&io->log);
}

/* *doc is dropped once the container runs (and set to NULL) */
static int run_foreground(struct md_ctr *c, struct json_object **doc, int attach_stdin,
                          md_error_t **err)
{
    struct md_spec *spec = NULL;
    /* the lock orders this start after the bookkeeping of a previous run */
    cleanup_close int lock = md_ctr_lock(c, err);
    if (lock < 0) return lock;
    md_trace("start: locked");
    md_ctr_read_and_settle(c);
    md_trace("start: settled");
    int r = prepare_start(c, *doc, &spec, err);
    if (r < 0) return r;
    struct md_container ct;
    __attribute__((cleanup(tty_restore_cleanup))) struct md_tty_saved saved = {.fd = -1};
    struct fg_clone fc = {c, -1};
    struct md_create_opts copts = {.set_cgroup = 1, .after_clone = fg_after_clone, .data = &fc};
    md_trace("spec loaded");
    struct fg_io io;
    struct md_stdio_relay relay = MD_STDIO_RELAY_INIT;
    r = fg_io_setup(&io, c, spec->process.terminal, err);
    /* with a pty the caller's terminal is not passed; without one stdout
     * and stderr are pipes already, and a terminal on stdin needs one */
    if (r == 0 && !spec->process.terminal) r = md_stdio_relay_setup(&relay, attach_stdin, err);
    md_trace("start: io set up");
    if (r == 0)
        r = md_container_create(spec, &copts, &ct, err);
    else
        md_container_init(&ct);
    md_stdio_relay_restore(&relay);
    fg_io_restore(&io);
    md_trace("container ready");
    if (r == 0) r = md_io_block_signals(err);
    if (r == 0 && ct.pty_master >= 0) {
        md_tty_copy_winsize(STDIN_FILENO, ct.pty_master);
        if (attach_stdin) md_tty_raw(STDIN_FILENO, &saved);
    }
    if (r == 0) r = md_container_start(&ct, err);
    md_trace("exec done");
    int status = 0;
    if (r == 0) {
        announce_running(c);
        fg_prepare_removal(&fc);
        json_object_put(*doc);
        *doc = NULL;
        close(lock);
        lock = -1;
        struct md_io_out out = {io.out[0], io.err[0], &io.log, relay.in_w};
        relay.in_w = -1; /* md_io_wait_out closes it */
        r = md_io_wait_out(&ct, attach_stdin, &out, &status, err);
        md_trace("container exited");
    }
    fg_io_close(&io);
    md_stdio_relay_close(&relay);
    if (r == 0 && ct.cgroup) {
        /* container_exited reads the OOM state, then removes the cgroup */
        md_cgroup_free(ct.cgroup);
        ct.cgroup = NULL;
    }
    md_container_destroy(&ct);
    if (fc.mntns >= 0) close(fc.mntns); /* the start failed before the remover took it */
    md_spec_free(spec);
    md_tty_restore(&saved);
    if (r < 0) {
        start_failed(c, *err);
        return r;
    }
    md_error_t *e3 = NULL;
    md_trace("destroyed");
    md_engine_container_exited(c->id, status, &e3);
    md_trace("exited: returned");
    md_error_free(&e3);
    return status;
}

int md_engine_start_foreground(struct md_ctr *c, int attach_stdin, md_error_t **err)
{
    return md_engine_run_foreground(c, NULL, attach_stdin, err);
}

int md_engine_run_foreground(struct md_ctr *c, struct json_object *doc, int attach_stdin,
                             md_error_t **err)
{
    int r = run_foreground(c, &doc, attach_stdin, err);
    json_object_put(doc);
    return r;
}

struct monitor_fds {
    int out[2], err[2], in[2];
    int tty, interactive;
    int listen, exit_w; /* the attach socket; the write end of an md_attach_conn's exit_fd */
};

/* the log file, or "" with --log-driver none (nothing is written) */
static void log_path(struct md_ctr *c, char *buf, size_t len)
{
    const char *type = md_ctr_str(c, "HostConfig.LogConfig.Type");
    if (type && strcmp(type, "none") == 0)
        buf[0] = '\0';
    else
        snprintf(buf, len, "%s/%s-json.log", c->dir, c->id);
}

/* a --log-opt, else the driver's default (local: docker's 20 MB x 5) */
static int log_opt_int(struct md_ctr *c, const char *key, long long def)
{
    const char *type = md_ctr_str(c, "HostConfig.LogConfig.Type");
    if (type && strcmp(type, "local") == 0) def = strcmp(key, "max-size") == 0 ? 20000000 : 5;
    struct json_object *v = NULL;
    json_object_object_get_ex(c->record, "HostConfig", &v);
    json_object_object_get_ex(v, "LogConfig", &v);
    json_object_object_get_ex(v, "Config", &v);
    if (v == NULL || !json_object_object_get_ex(v, key, &v)) return (int)def;
    long long n = strcmp(key, "max-size") == 0 ? md_parse_size(json_object_get_string(v))
                                               : atoll(json_object_get_string(v));
    return n > 0 ? (int)n : (int)def;
}

/* In the monitor-to-be: stdio for the container, then create + start. */
static int monitor_stdio(struct monitor_fds *f, md_error_t **err)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) return md_error(err, errno, "open /dev/null");
    int in = f->interactive && !f->tty ? f->in[0] : null; /* a tty is its own input */
    int out = f->tty ? null : f->out[1], er = f->tty ? null : f->err[1];
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(er, 2) < 0) return md_error(err, errno, "dup2");
    close(null);
    return 0;
}

/* The attach socket, listening before the start is reported: an `attach`
 * right behind `run -d` finds it (the monitor only serves it). -1 without. */
static int attach_listener(const char *rundir)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/attach.sock", rundir);
    unlink(sa.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

static void exec_monitor(struct md_ctr *c, struct md_container *ct, struct monitor_fds *f)
{
    char logpath[4300], a_size[32], a_files[16], a_pidfd[16], a_out[16], a_err[16], a_in[16];
    char a_listen[16], a_exit[16];
    log_path(c, logpath, sizeof(logpath));
    snprintf(a_size, sizeof(a_size), "%d", log_opt_int(c, "max-size", 0));
    snprintf(a_files, sizeof(a_files), "%d", log_opt_int(c, "max-file", 1));
    int pidfd = ct->pidfd, outfd = f->tty ? ct->pty_master : f->out[0];
    int errfd = f->tty ? -1 : f->err[0], infd = f->interactive && !f->tty ? f->in[1] : -1;
    int listenfd = f->listen;
    int keep[] = {pidfd, outfd, errfd, infd, listenfd, f->exit_w};
    for (size_t i = 0; i < 6; i++)
        if (keep[i] >= 0) fcntl(keep[i], F_SETFD, 0);
    snprintf(a_pidfd, sizeof(a_pidfd), "%d", pidfd);
    snprintf(a_out, sizeof(a_out), "%d", outfd);
    snprintf(a_err, sizeof(a_err), "%d", errfd);
    snprintf(a_in, sizeof(a_in), "%d", infd);
    snprintf(a_listen, sizeof(a_listen), "%d", listenfd);
    snprintf(a_exit, sizeof(a_exit), "%d", f->exit_w);
    cleanup_free char *mon = md_self_path("mydocker-monitor"), *self = md_engine_binary();
    if (mon && self)
        execl(mon, "mydocker-monitor", c->id, c->rundir, logpath, a_size, a_files, a_pidfd, a_out,
              a_err, a_in, f->tty ? "1" : "0", self, a_listen, a_exit, (char *)NULL);
}

static void report(int fd, md_error_t *err)
{
    const char *m = err && err->msg ? err->msg : "monitor failed";
    md_write_all(fd, m, strlen(m));
}

static int monitor_after_clone(pid_t pid, void *data, md_error_t **err)
{
    struct md_ctr *c = data;
    int r = md_net_after_clone(pid, c, err);
    return r == 0 ? record_running(c, pid, getpid(), err) : r;
}

/* The monitor process: becomes the container's parent, then execs the tiny
 * monitor binary so that the engine's memory image does not stay around. */
static void become_monitor(struct md_ctr *c, struct monitor_fds *f, int status_fd)
{
    md_error_t *err = NULL;
    struct md_spec *spec = NULL;
    struct md_container ct;
    md_container_init(&ct);
    setsid();
    md_trace("monitor: begin");
    int r = prepare_start(c, NULL, &spec, &err);
    if (r == 0) r = monitor_stdio(f, &err);
    md_trace("monitor: spec loaded");
    /* recorded running while the child makes its mounts, as a foreground start is: the
     * monitor's pid is this process's, which execs the monitor binary */
    struct md_create_opts copts = {.set_cgroup = 1, .after_clone = monitor_after_clone, .data = c};
    if (r == 0) r = md_container_create(spec, &copts, &ct, &err);
    md_trace("monitor: container ready");
    if (r == 0) r = md_container_start(&ct, &err);
    md_trace("monitor: exec done");
    if (r == 0) announce_running(c);
    md_trace("monitor: marked running");
    if (r == 0) {
        /* status_fd is close-on-exec: EOF without a message means started */
        exec_monitor(c, &ct, f);
        r = md_error(&err, errno, "exec mydocker-monitor");
    }
    start_failed(c, err);
    report(status_fd, err);
    md_container_destroy(&ct);
    _exit(1);
}

/* A caller with threads (the API server, util/proc.h) must not run library code in a forked
 * child: its monitor-to-be execs `mydocker __become-monitor` at once instead, which does the
 * same from a fresh process (one hung in json-c's parse, on the locale lock another thread
 * held at the fork, and kept the container's lock for good). */
struct exec_plan {
    char path[4200];
    char nums[11][24];
    char *argv[16];
    int v[11]; /* tty, interactive, then the fds (out, err, in pairs, listen, exit_w, status) */
};

/* everything the child needs, made before the fork: after it, only system calls */
static int plan_exec(struct md_ctr *c, struct monitor_fds *f, int status_fd, struct exec_plan *x)
{
    const char *self = md_helper_binary();
    if (self == NULL || snprintf(x->path, sizeof(x->path), "%s", self) >= (int)sizeof(x->path))
        return -1;
    const int v[11] = {f->tty,   f->interactive, f->out[0], f->out[1], f->err[0], f->err[1],
                       f->in[0], f->in[1],       f->listen, f->exit_w, status_fd};
    int n = 0;
    x->argv[n++] = "mydocker";
    x->argv[n++] = "__become-monitor";
    x->argv[n++] = c->id;
    for (int i = 0; i < 11; i++) {
        x->v[i] = v[i];
        snprintf(x->nums[i], sizeof(x->nums[i]), "%d", v[i]);
        x->argv[n++] = x->nums[i];
    }
    x->argv[n] = NULL;
    return 0;
}

/* posix_spawn (a vfork, not a copy of the server's memory and threads), the fds kept across
 * this exec only (a dup2 onto itself clears FD_CLOEXEC); `__become-monitor` forks once more
 * itself, so that the monitor is nobody's child but init's */
static int spawn_become_monitor(struct exec_plan *x, md_error_t **err)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int i = 2; i < 11; i++)
        if (x->v[i] >= 0) posix_spawn_file_actions_adddup2(&fa, x->v[i], x->v[i]);
    pid_t pid;
    int r = posix_spawn(&pid, x->path, &fa, NULL, x->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) return md_error(err, r, "exec %s __become-monitor", x->path);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

int md_engine_become_monitor(const char *id, const int v[11])
{
    struct md_ctr *c = NULL;
    md_error_t *err = NULL;
    if (md_ctr_load_id(id, &c, &err) < 0) {
        report(v[10], err);
        _exit(1);
    }
    struct monitor_fds f = {.tty = v[0],
                            .interactive = v[1],
                            .out = {v[2], v[3]},
                            .err = {v[4], v[5]},
                            .in = {v[6], v[7]},
                            .listen = v[8],
                            .exit_w = v[9]};
    for (int i = 2; i < 11; i++) /* as the forked path has them */
        if (v[i] >= 0) fcntl(v[i], F_SETFD, FD_CLOEXEC);
    pid_t p = fork(); /* the server waits for this process only */
    if (p < 0) {
        md_error(&err, errno, "fork");
        report(v[10], err);
        _exit(1);
    }
    if (p > 0) _exit(0);
    become_monitor(c, &f, v[10]);
    return -1; /* not reached */
}

static struct json_object *config_bool(struct md_ctr *c, const char *key)
{
    struct json_object *v = NULL;
    json_object_object_get_ex(c->record, "Config", &v);
    return v && json_object_object_get_ex(v, key, &v) ? v : NULL;
}

static void close_pair(int p[2])
{
    for (int i = 0; i < 2; i++)
        if (p[i] >= 0) close(p[i]);
}

/* Before the fork, under the lock: the attach socket (and, for a caller that attaches, its
 * connection, queued before the container exists so that it misses no output). */
static int attach_setup(struct md_ctr *c, struct monitor_fds *f, struct md_attach_conn *conn,
                        md_error_t **err)
{
    int r = md_mkdir_p(c->rundir, 0700, err);
    if (r < 0) return r;
    f->listen = attach_listener(c->rundir);
    if (conn == NULL) return 0;
    int ex[2];
    if (f->listen < 0 || pipe2(ex, O_CLOEXEC) < 0) return md_error(err, errno, "attach socket");
    conn->exit_fd = ex[0];
    f->exit_w = ex[1];
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/attach.sock", c->rundir);
    conn->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (conn->sock < 0 || connect(conn->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return md_error(err, errno, "connect %s", sa.sun_path);
    return 0;
}

void md_attach_conn_close(struct md_attach_conn *conn)
{
    if (conn == NULL) return;
    if (conn->sock >= 0) close(conn->sock);
    if (conn->exit_fd >= 0) close(conn->exit_fd);
    conn->sock = conn->exit_fd = -1;
}

static void close_fds(int st[2], struct monitor_fds *f)
{
    close_pair(st), close_pair(f->out), close_pair(f->err), close_pair(f->in);
    if (f->listen >= 0) close(f->listen);
    if (f->exit_w >= 0) close(f->exit_w);
    f->listen = f->exit_w = -1;
}

/* The monitor's first words: nothing (EOF) when the container runs, else the error. */
static int start_reported(int fd, md_error_t **err)
{
    cleanup_free char *msg = NULL;
    size_t len = 0;
    md_error_t *rerr = NULL;
    int r = md_read_fd(fd, &msg, &len, &rerr);
    md_error_free(&rerr);
    if (r == 0 && len > 0) {
        int code = strstr(msg, "executable file not found") ? MD_EXIT_NOT_FOUND
                   : strstr(msg, "exec: ")                  ? MD_EXIT_CANNOT_INVOKE
                                                            : MD_EXIT_ENGINE;
        if (strstr(msg, "stat ") && code == MD_EXIT_CANNOT_INVOKE) code = MD_EXIT_NOT_FOUND;
        return md_error_code(err, code, 0, "%s", msg);
    }
    return 0;
}

/* a start that failed before its monitor ran: no attach socket left behind in the rundir (a
 * monitor-to-be that failed removed it itself: start_failed) */
static void attach_gone(struct md_ctr *c, struct md_attach_conn *conn)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/attach.sock", c->rundir);
    unlink(path);
    md_attach_conn_close(conn);
}

static int start_detached(struct md_ctr *c, struct md_attach_conn *conn, md_error_t **err)
{
    struct monitor_fds f = {
        .out = {-1, -1}, .err = {-1, -1}, .in = {-1, -1}, .listen = -1, .exit_w = -1};
    if (conn) conn->sock = conn->exit_fd = -1;
    f.tty = json_object_get_boolean(config_bool(c, "Tty"));
    f.interactive = json_object_get_boolean(config_bool(c, "OpenStdin"));
    int st[2] = {-1, -1};
    if (pipe2(st, O_CLOEXEC) < 0 ||
        (!f.tty && (pipe2(f.out, O_CLOEXEC) < 0 || pipe2(f.err, O_CLOEXEC) < 0)) ||
        (f.interactive && !f.tty && pipe2(f.in, O_CLOEXEC) < 0)) {
        int e = errno;
        close_fds(st, &f);
        return md_error(err, e, "pipe");
    }
    /* held until the monitor reports: a start waits for the end of the
     * previous run's bookkeeping (its cgroup removed, its lease freed) */
    cleanup_close int lock = md_ctr_lock(c, err);
    if (lock < 0) {
        close_fds(st, &f);
        return lock;
    }
    md_ctr_read_and_settle(c);
    /* before the attach socket is made anew: a running container's monitor serves the old one */
    if (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED) {
        close_fds(st, &f);
        return md_error(err, 0, "container %s is already running", c->name);
    }
    if (attach_setup(c, &f, conn, err) < 0) {
        close_fds(st, &f);
        attach_gone(c, conn);
        return -1;
    }
    struct exec_plan plan;
    int r = 0;
    md_trace("start: forking");
    if (md_helper_binary() && plan_exec(c, &f, st[1], &plan) == 0) {
        if (md_engine_start_helper_send(c->id, plan.v) < 0) r = spawn_become_monitor(&plan, err);
    } else {
        /* double fork: the monitor is nobody's child but init's (or a subreaper's) */
        pid_t mid = fork();
        if (mid == 0) {
            close(st[0]);
            if (fork() == 0) become_monitor(c, &f, st[1]);
            _exit(0);
        }
        if (mid < 0) r = md_error(err, errno, "fork");
        if (mid > 0) waitpid(mid, NULL, 0);
    }
    close(st[1]);
    st[1] = -1;
    md_trace("start: forked");
    if (r == 0) r = start_reported(st[0], err);
    md_trace("start: reported");
    close_fds(st, &f);
    if (r < 0) attach_gone(c, conn);
    return r;
}

int md_engine_start_detached(struct md_ctr *c, md_error_t **err)
{
    return start_detached(c, NULL, err);
}

int md_engine_start_attached(struct md_ctr *c, struct md_attach_conn *conn, md_error_t **err)
{
    return start_detached(c, conn, err);
}

int md_attach_conn_status(struct md_attach_conn *conn)
{
    char buf[32];
    size_t have = 0;
    ssize_t n;
    while (have < sizeof(buf) - 1 &&
           ((n = read(conn->exit_fd, buf + have, sizeof(buf) - 1 - have)) > 0 ||
            (n < 0 && errno == EINTR)))
        have += n > 0 ? (size_t)n : 0;
    buf[have] = '\0';
    md_attach_conn_close(conn);
    return have ? atoi(buf) : -1;
}
