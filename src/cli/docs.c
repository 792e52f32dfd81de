/* The documents docker's API and CLI share: version, info, a container's inspect. Front ends
 * render them (templates, HTTP), the engine and store fill them. */
#include "cli/docs.h"

#include <json-c/json.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "image/store.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/paths.h"
#include "util/strv.h"
#include "util/time.h"

const char *md_arch_name(const struct utsname *u)
{
    return strcmp(u->machine, "x86_64") == 0 ? "amd64" : u->machine;
}

static void put(struct json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v));
}

/* docker's version structure: daemonless, the engine is this binary, so
 * Server describes the same build as Client (podman does the same) */
struct json_object *md_version_doc(void)
{
    struct utsname u;
    uname(&u);
    struct json_object *d = json_object_new_object(), *sides[2];
    for (int i = 0; i < 2; i++) {
        struct json_object *s = sides[i] = json_object_new_object(), *pl = json_object_new_object();
        put(pl, "Name", "mydocker");
        json_object_object_add(s, "Platform", pl);
        put(s, "Version", MD_VERSION);
        put(s, "ApiVersion", "1.41");
        put(s, "Os", "linux");
        put(s, "Arch", md_arch_name(&u));
        put(s, "BuildTime", __DATE__);
        if (i == 1) put(s, "KernelVersion", u.release);
    }
    json_object_object_add(d, "Client", sides[0]);
    json_object_object_add(d, "Server", sides[1]);
    return d;
}

/* container counts by state, as docker's info */
static void count_containers(struct json_object *d)
{
    int n[4] = {0, 0, 0, 0}; /* all, running, paused, stopped */
    cleanup_strv char **ids = md_ctr_list_ids();
    for (char **id = ids; id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_summary(*id, &c, NULL) < 0) continue;
        n[0]++;
        n[c->status == MD_CTR_RUNNING ? 1 : c->status == MD_CTR_PAUSED ? 2 : 3]++;
        md_ctr_free(c);
    }
    const char *keys[] = {"Containers", "ContainersRunning", "ContainersPaused",
                          "ContainersStopped"};
    for (int i = 0; i < 4; i++)
        json_object_object_add(d, keys[i], json_object_new_int(n[i]));
}

struct json_object *md_info_doc(const struct md_hostinfo *hi)
{
    struct utsname u;
    uname(&u);
    struct json_object *d = json_object_new_object(), *sec = json_object_new_array();
    count_containers(d);
    md_image_info_t *list = NULL;
    size_t n = 0;
    if (md_image_list(&list, &n, NULL) == 0) md_image_list_free(list, n);
    json_object_object_add(d, "Images", json_object_new_int((int)n));
    put(d, "Driver", "overlay2");
    put(d, "DockerRootDir", md_lib_root());
    put(d, "CgroupDriver", "cgroupfs");
    put(d, "CgroupVersion",
        strcmp(md_cgroup_version_name(), "v2") == 0 ? "2" : "1"); /* hybrid: 1 */
    put(d, "KernelVersion", u.release);
    put(d, "OperatingSystem", "Linux");
    put(d, "OSType", "linux");
    put(d, "Architecture", u.machine);
    json_object_object_add(d, "NCPU", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
    json_object_object_add(
        d, "MemTotal",
        json_object_new_int64((int64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE)));
    put(d, "Name", u.nodename);
    put(d, "ServerVersion", MD_VERSION);
    put(d, "DefaultRuntime", "mydocker");
    if (hi->seccomp_filter)
        json_object_array_add(sec, json_object_new_string("name=seccomp,profile=builtin"));
    json_object_object_add(d, "SecurityOptions", sec);
    json_object_object_add(d, "MemoryLimit", json_object_new_boolean(hi->cg.memory));
    json_object_object_add(d, "SwapLimit", json_object_new_boolean(hi->cg.swap));
    json_object_object_add(d, "CpuCfsQuota", json_object_new_boolean(hi->cg.cpu_cfs));
    json_object_object_add(d, "CPUShares", json_object_new_boolean(hi->cg.cpu_shares));
    json_object_object_add(d, "PidsLimit", json_object_new_boolean(hi->cg.pids));
    json_object_object_add(d, "OomKillDisable", json_object_new_boolean(hi->cg.oom_kill_disable));
    struct json_object *w = json_object_new_array();
    cleanup_strv char **warn = md_hostinfo_warnings(hi);
    for (size_t i = 0; warn && warn[i]; i++)
        json_object_array_add(w, json_object_new_string(warn[i]));
    json_object_object_add(d, "Warnings", w);
    return d;
}

struct json_object *md_container_doc(struct md_ctr *c)
{
    struct json_object *doc = NULL;
    json_object_deep_copy(c->record, &doc, NULL);
    struct json_object *st = NULL;
    json_object_object_get_ex(doc, "State", &st);
    int live = c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED;
    json_object_object_add(st, "Status", json_object_new_string(md_ctr_status_name(c->status)));
    json_object_object_add(st, "Running", json_object_new_boolean(live));
    json_object_object_add(st, "Paused", json_object_new_boolean(c->status == MD_CTR_PAUSED));
    json_object_object_add(st, "Restarting",
                           json_object_new_boolean(c->status == MD_CTR_RESTARTING));
    json_object_object_add(st, "Dead", json_object_new_boolean(c->status == MD_CTR_DEAD));
    json_object_object_add(st, "Pid", json_object_new_int(live ? c->pid : 0));
    if (!json_object_object_get_ex(st, "OOMKilled", NULL))
        json_object_object_add(st, "OOMKilled", json_object_new_boolean(0));
    if (c->status == MD_CTR_EXITED) {
        json_object_object_add(st, "ExitCode", json_object_new_int(c->exit_code));
        if (c->finished_ns) {
            cleanup_free char *t = md_time_rfc3339(c->finished_ns);
            json_object_object_add(st, "FinishedAt", json_object_new_string(t));
        }
    }
    static const char *const zero_time = "0001-01-01T00:00:00Z";
    if (!json_object_object_get_ex(st, "StartedAt", NULL))
        json_object_object_add(st, "StartedAt", json_object_new_string(zero_time));
    if (!json_object_object_get_ex(st, "FinishedAt", NULL))
        json_object_object_add(st, "FinishedAt", json_object_new_string(zero_time));
    json_object_object_del(doc, "image_id");
    json_object_object_del(doc, "cgroup_path");
    if (!json_object_object_get_ex(doc, "Mounts", NULL))
        json_object_object_add(doc, "Mounts", json_object_new_array());
    if (!json_object_object_get_ex(doc, "NetworkSettings", NULL))
        json_object_object_add(doc, "NetworkSettings", json_object_new_object());
    char logpath[4300];
    snprintf(logpath, sizeof(logpath), "%s/%s-json.log", c->dir, c->id);
    json_object_object_add(doc, "LogPath", json_object_new_string(logpath));
    return doc;
}
