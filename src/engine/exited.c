/* The end of a run (the monitor's `container-exited`, or a foreground `run` in-process): the
 * exit recorded (and OOMKilled), the cgroup removed, --rm's removal, or docker's restart
 * policies with their back-off. See docs/lifecycle.md. */
#include "start.h"
#include "start_int.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/cgctl.h"
#include "net/net.h"
#include "runtime/cgroup_setup.h"
#include "store/events.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/time.h"
#include "util/trace.h"

static int restart_wanted(struct md_ctr *c, int status)
{
    struct json_object *p = NULL, *v;
    json_object_object_get_ex(c->record, "HostConfig", &p);
    json_object_object_get_ex(p, "RestartPolicy", &p);
    const char *name =
        p && json_object_object_get_ex(p, "Name", &v) ? json_object_get_string(v) : "no";
    int max =
        p && json_object_object_get_ex(p, "MaximumRetryCount", &v) ? json_object_get_int(v) : 0;
    int count =
        json_object_object_get_ex(c->record, "RestartCount", &v) ? json_object_get_int(v) : 0;
    char path[4200];
    snprintf(path, sizeof(path), "%s/stopped", c->rundir);
    if (md_path_exists(path)) return 0; /* stopped by the user: no policy restarts it */
    if (strcmp(name, "always") == 0 || strcmp(name, "unless-stopped") == 0) return 1;
    if (strcmp(name, "on-failure") == 0 && status != 0) return max == 0 || count < max;
    return 0;
}

/* docker's back-off: 100 ms doubling per restart, at most a minute, reset
 * once a run lasted 10 s */
static void restart_backoff(struct md_ctr *c, int64_t ran_ns)
{
    struct json_object *v;
    int count =
        json_object_object_get_ex(c->record, "RestartCount", &v) ? json_object_get_int(v) : 0;
    int64_t delay = 100 * 1000000LL;
    for (int i = 0; i < count && delay < 60000000000LL && ran_ns < 10000000000LL; i++)
        delay *= 2;
    if (delay > 60000000000LL) delay = 60000000000LL;
    char stopped[4200];
    snprintf(stopped, sizeof(stopped), "%s/stopped", c->rundir);
    /* in steps, so that a `stop` during the back-off takes effect at once */
    for (int64_t slept = 0; slept < delay && !md_path_exists(stopped); slept += 20000000LL) {
        struct timespec ts = {0, 20000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
    }
}

/* After the back-off: start again, unless a `stop` or `rm` came meanwhile. */
static int restart_after_backoff(struct md_ctr *c, int64_t ran, int status, md_error_t **err)
{
    restart_backoff(c, ran);
    char stopped[4200];
    snprintf(stopped, sizeof(stopped), "%s/stopped", c->rundir);
    int lock = md_ctr_lock(c, err);
    if (lock < 0) return lock; /* removed meanwhile */
    int r = 0;
    if (md_path_exists(stopped)) {
        md_start_set_state(c, "exited", 0, md_now_ns(), status);
        json_object_object_add(md_start_state_obj(c), "ExitCode", json_object_new_int(status));
        r = md_ctr_save(c, err);
        md_start_clear_runtime_state(c->rundir);
        close(lock);
        return r;
    }
    close(lock);
    md_ctr_read_and_settle(c); /* re-reads the record: count on the fresh copy */
    if (c->status == MD_CTR_RESTARTING) {
        struct json_object *v;
        int count =
            json_object_object_get_ex(c->record, "RestartCount", &v) ? json_object_get_int(v) : 0;
        json_object_object_add(c->record, "RestartCount", json_object_new_int(count + 1));
        r = md_ctr_save(c, err); /* the start below reads the record afresh */
        if (r == 0) r = md_engine_start_detached(c, err);
    }
    return r;
}

int md_engine_container_exited(const char *id, int status, md_error_t **err)
{
    struct md_ctr *c = NULL;
    int r = md_ctr_load_id(id, &c, err);
    if (r < 0) return r; /* removed meanwhile (rm -f) */
    int lock = md_ctr_lock(c, err);
    if (lock < 0) {
        md_ctr_free(c);
        return lock;
    }
    int64_t ran = md_now_ns() - c->started_ns;
    int oom = 0;
    /* config.json's path: --cgroup-parent may have put it elsewhere */
    cleanup_free char *cgpath = md_ctr_cgroup_path(c);
    md_trace("exited: loaded");
    md_cgroup_setup_finish(cgpath, &oom);
    md_trace("exited: cgroup removed");
    md_net_release(c); /* lease and ports; the veth died with the netns */
    md_trace("exited: net released");
    md_event_container_num(c, "die", "exitCode", status);
    md_trace("exited: die event");
    int again = !md_start_autoremove(c) && restart_wanted(c, status);
    if (md_start_autoremove(c)) {
        md_start_remove_container(c);
    } else {
        md_start_set_state(c, again ? "restarting" : "exited", 0, md_now_ns(), status);
        json_object_object_add(md_start_state_obj(c), "ExitCode", json_object_new_int(status));
        json_object_object_add(md_start_state_obj(c), "OOMKilled", json_object_new_boolean(oom));
        r = md_ctr_save(c, err);
        md_start_clear_runtime_state(c->rundir);
    }
    close(lock);
    md_trace("exited: unlocked");
    if (again) r = restart_after_backoff(c, ran, status, err);
    md_ctr_free(c);
    return r;
}
