#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/cgctl.h"
#include "store/cstore.h"
#include "net/net.h"
#include "runtime/cgroup_setup.h"
#include "engine/volumes.h"
#include "store/events.h"
#include "util/cleanup.h"
#include "util/trace.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void mark_stopped(struct md_ctr *c)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/stopped", c->rundir);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
}

/* Wait for the process behind the pidfd to end, up to ms (-1: forever). */
static int wait_pidfd(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r;
    do
        r = poll(&p, 1, ms);
    while (r < 0 && errno == EINTR);
    return r > 0;
}

/* the monitor's pidfd: it ends when its `container-exited` (the same process) has recorded
 * the end; -1 when there is no monitor (a foreground run) or it is gone */
static int monitor_pidfd(struct md_ctr *c)
{
    if (!md_ctr_monitor_alive(c)) return -1;
    int fd = (int)syscall(SYS_pidfd_open, c->monitor, 0);
    if (fd >= 0 && !md_ctr_monitor_alive(c)) { /* the pid was reused in between */
        close(fd);
        return -1;
    }
    return fd;
}

void md_engine_wait_monitor(struct md_ctr *c, int ms)
{
    cleanup_close int fd = monitor_pidfd(c);
    if (fd >= 0) {
        wait_pidfd(fd, ms);
        return;
    }
    for (int waited = 0; waited < ms && md_ctr_monitor_alive(c); waited += 5)
        sleep_ms(5);
}

void md_engine_wait_recorded(struct md_ctr *c, int ms)
{
    /* done when PID 1 is gone and so is the process that records its end
     * (the monitor's `container-exited`, or a foreground `run`): only then
     * are the record, the cgroup and --rm settled. The monitor's end wakes us at once; a
     * foreground run's is polled */
    for (int waited = 0; waited <= ms; waited += 5) {
        md_ctr_read_and_settle(c);
        if (c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED && !md_ctr_monitor_alive(c))
            return;
        cleanup_close int fd = monitor_pidfd(c);
        if (fd >= 0 && wait_pidfd(fd, 5)) continue;
        if (fd < 0) sleep_ms(5);
    }
}

/* run --stop-timeout, else docker's 10 s */
static int default_stop_timeout(const struct md_ctr *c)
{
    struct json_object *cfg = NULL, *t = NULL;
    if (json_object_object_get_ex(c->record, "Config", &cfg) &&
        json_object_object_get_ex(cfg, "StopTimeout", &t) && json_object_is_type(t, json_type_int))
        return json_object_get_int(t);
    return 10;
}

int md_engine_stop(struct md_ctr *c, int timeout_s, md_error_t **err)
{
    return md_engine_stop_signal(c, timeout_s, 0, err);
}

int md_engine_stop_signal(struct md_ctr *c, int timeout_s, int signal, md_error_t **err)
{
    if (c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED && c->status != MD_CTR_RESTARTING)
        return 0; /* docker: stopping a stopped container succeeds */
    mark_stopped(c);
    if (c->status == MD_CTR_RESTARTING) {
        /* the monitor is in its back-off and sees the marker within 50 ms */
        for (int i = 0; i < 100 && c->status == MD_CTR_RESTARTING; i++) {
            sleep_ms(20);
            md_ctr_read_and_settle(c);
        }
        return 0;
    }
    const char *ss = md_ctr_str(c, "Config.StopSignal");
    if (timeout_s < 0) timeout_s = default_stop_timeout(c);
    int sig = signal > 0 ? signal : ss ? md_signal_parse(ss) : SIGTERM;
    cleanup_close int fd = md_ctr_pidfd(c);
    if (fd < 0) return 0; /* ended meanwhile */
    /* each event before its signal: the exit ("die", written by the monitor) comes after */
    if (sig > 0) md_event_container_num(c, "kill", "signal", sig);
    if (sig > 0) md_ctr_signal(c, sig, NULL);
    md_engine_thaw(c); /* a frozen task acts on no signal (v1: not even SIGKILL) */
    if (sig <= 0 || !wait_pidfd(fd, (timeout_s < 0 ? 0 : timeout_s) * 1000)) {
        md_event_container_num(c, "kill", "signal", SIGKILL);
        md_ctr_signal(c, SIGKILL, NULL);
        if (!wait_pidfd(fd, 10000))
            return md_error(err, 0, "cannot stop container %s: it did not die", c->name);
    }
    md_engine_wait_recorded(c, 2000);
    md_event_container(c, "stop", NULL);
    return 0;
}

int md_engine_kill(struct md_ctr *c, int sig, md_error_t **err)
{
    if (c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED)
        return md_error(err, 0, "cannot kill container: %s: container %s is not running", c->name,
                        c->id);
    if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT) mark_stopped(c);
    md_event_container_num(c, "kill", "signal", sig); /* before the signal, as in stop */
    int r = md_ctr_signal(c, sig, err);
    if (r == 0 && (sig == SIGKILL || sig == SIGTERM || sig == SIGINT)) md_engine_thaw(c);
    if (r == 0 && sig == SIGKILL) md_engine_wait_recorded(c, 2000);
    return r;
}

/* rm -f: the monitor dies before the container. Its bookkeeping (the exit recorded, a restart,
 * --rm) is moot for a container being removed, and waiting for it (an exec of the engine, the
 * record written twice) was half of rm -f; what it would have undone (cgroup, lease, ports),
 * rm undoes. Only the monitor proper, in its relay loop: a foreground `run` owning the
 * container, or a monitor already in its `container-exited`, records the end as usual. */
static int kill_relaying_monitor(struct md_ctr *c)
{
    cleanup_close int fd = monitor_pidfd(c);
    struct md_proc_stat st;
    if (fd < 0 || md_proc_stat_read(c->monitor, &st) < 0 ||
        strcmp(st.comm, "mydocker-monito") != 0) /* its 15-character comm */
        return 0;
    if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0) return 0;
    wait_pidfd(fd, 1000);
    return 1;
}

int md_engine_rm(struct md_ctr *c, int force, const md_warn_t *warn, md_error_t **err)
{
    /* read now: the exit bookkeeping clears them from the record */
    cleanup_strv char **veths = md_net_host_veths(c);
    if (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED ||
        c->status == MD_CTR_RESTARTING) {
        if (!force)
            return md_error(err, 0,
                            "cannot remove container \"/%s\": container is %s: stop the "
                            "container before removing or force remove",
                            c->name, c->status == MD_CTR_PAUSED ? "paused" : "running");
        mark_stopped(c);
        int monitor_killed = kill_relaying_monitor(c);
        cleanup_close int fd = md_ctr_pidfd(c);
        if (fd >= 0) {
            md_ctr_signal(c, SIGKILL, NULL);
            md_engine_thaw(c);
            wait_pidfd(fd, 5000);
        }
        md_trace("rm: killed");
        if (monitor_killed)
            md_event_container_num(c, "die", "exitCode", MD_EXIT_KILLED);
        else
            md_engine_wait_recorded(c, 2000);
        md_trace("rm: exit recorded");
    }
    int lock = md_ctr_lock(c, err);
    if (lock < 0) return lock;
    static const char *const files[] = {"state.json", "exit", "paused", "stopped", "attach.sock"};
    char path[4200];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", c->rundir, files[i]);
        unlink(path);
    }
    rmdir(c->rundir);
    /* normally gone with container-exited; not when its monitor was killed */
    cleanup_free char *cgpath = md_ctr_cgroup_path(c);
    if (md_cgroup_setup_finish(cgpath, NULL) < 0)
        md_warn(warn, "container %.12s: its cgroup %s could not be removed", c->id, cgpath);
    md_trace("rm: cgroup removed");
    md_net_release(c); /* a no-op unless the monitor died before it could */
    md_net_veths_gone(veths);
    md_trace("rm: network released");
    int r = md_container_remove_files(c->id, c->name, err);
    md_trace("rm: files removed");
    close(lock);
    if (r == 0) md_event_container(c, "destroy", NULL);
    return r;
}

void md_engine_remove_anon_volumes(struct md_ctr *c, const md_warn_t *warn)
{
    md_error_t *e = NULL;
    struct json_object *mounts = NULL;
    json_object_object_get_ex(c->record, "Mounts", &mounts);
    for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
        struct json_object *m = json_object_array_get_idx(mounts, i), *a, *n;
        if (json_object_object_get_ex(m, "Anonymous", &a) && json_object_get_boolean(a) &&
            json_object_object_get_ex(m, "Name", &n))
            if (md_volume_remove(json_object_get_string(n), 1, &e) < 0) {
                md_warn(warn, "volume %s not removed: %s", json_object_get_string(n), e->msg);
                md_error_free(&e);
            }
    }
}

int md_engine_wait(struct md_ctr *c, md_error_t **err)
{
    (void)err;
    for (;;) {
        cleanup_close int fd = md_ctr_pidfd(c);
        if (fd >= 0) wait_pidfd(fd, -1);
        md_engine_wait_recorded(c, 2000);
        if (c->status != MD_CTR_RESTARTING && c->status != MD_CTR_RUNNING &&
            c->status != MD_CTR_PAUSED)
            return c->exit_code;
        sleep_ms(50);
    }
}

int md_engine_rename(struct md_ctr *c, const char *new_name, md_error_t **err)
{
    int r = md_name_reserve(new_name, c->id, err);
    if (r < 0) return r;
    cleanup_free char *slashed = NULL;
    if (asprintf(&slashed, "/%s", new_name) < 0) return md_error(err, ENOMEM, "rename");
    json_object_object_add(c->record, "Name", json_object_new_string(slashed));
    r = md_ctr_save(c, err);
    if (r < 0) {
        md_name_release(new_name);
        return r;
    }
    struct json_object *a = json_object_new_object();
    cleanup_free char *old = NULL;
    if (asprintf(&old, "/%s", c->name) < 0) md_oom();
    json_object_object_add(a, "oldName", json_object_new_string(old));
    md_name_release(c->name);
    free(c->name);
    c->name = md_xstrdup(new_name);
    md_event_container(c, "rename", a);
    return 0;
}
