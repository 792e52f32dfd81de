/* --ipc, --pid, --uts, --userns, --shm-size, --sysctl, --domainname,
 * --annotation, --group-add, --stop-timeout: parsing with docker's checks and
 * messages, the HostConfig view, and the start-time join of another
 * container's namespaces. */
#include "engine/sysopts.h"
#include "engine/labels.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/spec.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/size.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Only sysctls of namespaces a container owns may be set: the rest change
 * the whole host (kernel.core_pattern names a program the kernel runs as
 * root). docker's CLI list (opts.ValidateSysctl). */
static int sysctl_allowed(const char *key)
{
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (size_t i = 0; i < sizeof(ipc) / sizeof(*ipc); i++)
        if (strcmp(key, ipc[i]) == 0) return 'i';
    if (strncmp(key, "fs.mqueue.", 10) == 0) return 'i';
    if (strncmp(key, "net.", 4) == 0) return 'n';
    return 0;
}

static int add_sysctl(struct md_sys_opts *o, const char *v, md_error_t **err)
{
    const char *eq = strchr(v, '=');
    if (eq == NULL || eq == v)
        return md_error(err, 0,
                        "invalid argument \"%s\" for \"--sysctl\" flag: %s is not a valid sysctl",
                        v, v);
    cleanup_free char *key = md_xstrndup(v, (size_t)(eq - v));
    if (!sysctl_allowed(key))
        return md_error(err, 0,
                        "invalid argument \"%s\" for \"--sysctl\" flag: sysctl '%s' is not allowed",
                        v, v);
    return md_strv_append(&o->sysctls, v);
}

/* "container:" with a name after it */
static int container_mode(const char *v)
{
    return strncmp(v, "container:", 10) == 0 && v[10] != '\0';
}

static int mode_opt(char **slot, const char *v, const char *const *ok, int container,
                    const char *msg, md_error_t **err)
{
    int valid = v[0] == '\0' || (container && container_mode(v));
    for (const char *const *m = ok; !valid && *m; m++)
        valid = strcmp(v, *m) == 0;
    if (!valid) return md_error(err, 0, "%s\nSee 'mydocker run --help'.", msg);
    free(*slot);
    *slot = md_xstrdup(v);
    return 0;
}

static int stop_timeout(struct md_sys_opts *o, const char *v, md_error_t **err)
{
    char *end;
    errno = 0;
    long t = strtol(v, &end, 10);
    if (errno || *end || end == v || t < INT_MIN || t > INT_MAX)
        return md_error(err, 0,
                        "invalid argument \"%s\" for \"--stop-timeout\" flag: strconv.ParseInt: "
                        "parsing \"%s\": invalid syntax",
                        v, v);
    o->stop_timeout = (int)t;
    o->has_stop_timeout = 1;
    return 0;
}

static int shm_size(struct md_sys_opts *o, const char *v, md_error_t **err)
{
    long long n = md_parse_size(v);
    if (n < 0)
        return md_error(
            err, 0, "invalid argument \"%s\" for \"--shm-size\" flag: invalid size: '%s'", v, v);
    o->shm_size = n;
    return 0;
}

int md_sys_opt_parse(struct md_sys_opts *o, int c, const char *v, md_error_t **err)
{
    static const char *const ipc[] = {"private", "shareable", "none", "host", NULL};
    static const char *const host[] = {"host", NULL};
    switch (c) {
    case MD_SOPT_IPC:
        return mode_opt(&o->ipc, v, ipc, 1, "--ipc: invalid IPC mode", err);
    case MD_SOPT_PID:
        return mode_opt(&o->pid, v, host, 1, "--pid: invalid PID mode", err);
    case MD_SOPT_UTS:
        return mode_opt(&o->uts, v, host, 0, "--uts: invalid UTS mode", err);
    case MD_SOPT_USERNS:
        return mode_opt(&o->userns, v, host, 0, "--userns: invalid USER mode", err);
    case MD_SOPT_SHM_SIZE:
        return shm_size(o, v, err);
    case MD_SOPT_SYSCTL:
        return add_sysctl(o, v, err);
    case MD_SOPT_DOMAINNAME:
        free(o->domainname);
        o->domainname = md_xstrdup(v);
        return 0;
    case MD_SOPT_ANNOTATION:
        return md_strv_append(&o->annotations, v);
    case MD_SOPT_GROUP_ADD:
        return md_strv_append(&o->group_add, v);
    case MD_SOPT_STOP_TIMEOUT:
        return stop_timeout(o, v, err);
    }
    return md_error(err, 0, "unknown flag");
}

static int is(const char *v, const char *want)
{
    return v && strcmp(v, want) == 0;
}

int md_sys_opts_check(const struct md_sys_opts *o, const char *hostname, const char *network,
                      md_error_t **err)
{
    if (is(o->uts, "host") && hostname && hostname[0])
        return md_error(err, 0, "Conflicting options: hostname and the UTS mode");
    for (char **s = o->sysctls; s && *s; s++) {
        cleanup_free char *key = md_xstrndup(*s, strcspn(*s, "="));
        int ns = sysctl_allowed(key);
        if (ns == 'n' && is(network, "host"))
            return md_error(err, 0, "--sysctl %s cannot be used with --net=host", key);
        if (ns == 'i' && is(o->ipc, "host"))
            return md_error(err, 0, "--sysctl %s cannot be used with --ipc=host", key);
    }
    return 0;
}

void md_sys_opts_free(struct md_sys_opts *o)
{
    free(o->ipc);
    free(o->pid);
    free(o->uts);
    free(o->userns);
    free(o->domainname);
    md_strv_free(o->sysctls);
    md_strv_free(o->annotations);
    md_strv_free(o->group_add);
    memset(o, 0, sizeof(*o));
}

void md_sys_to_hostconfig(const struct md_sys_opts *o, struct json_object *hc)
{
    json_object_object_add(hc, "IpcMode",
                           json_object_new_string(o->ipc && o->ipc[0] ? o->ipc : "private"));
    json_object_object_add(hc, "PidMode", json_object_new_string(o->pid ? o->pid : ""));
    json_object_object_add(hc, "UTSMode", json_object_new_string(o->uts ? o->uts : ""));
    json_object_object_add(hc, "UsernsMode", json_object_new_string(o->userns ? o->userns : ""));
    json_object_object_add(hc, "ShmSize",
                           json_object_new_int64(o->shm_size ? o->shm_size : 67108864));
    if (o->sysctls) json_object_object_add(hc, "Sysctls", md_labels_json(NULL, o->sysctls));
    if (o->annotations)
        json_object_object_add(hc, "Annotations", md_labels_json(NULL, o->annotations));
    struct json_object *g = NULL;
    if (o->group_add) {
        g = json_object_new_array();
        for (char **s = o->group_add; *s; s++)
            json_object_array_add(g, json_object_new_string(*s));
    }
    json_object_object_add(hc, "GroupAdd", g);
}

/* container:X of one namespace kind, joined by /proc/<pid>/ns/<kind> */
static int join(const char *mode, const char *what, const char *kind, struct md_namespace *ns,
                md_error_t **err)
{
    if (mode == NULL || !container_mode(mode)) return 0;
    struct md_ctr *t = NULL;
    int r = md_ctr_load(mode + 10, &t, err);
    if (r < 0) return md_error_prefix(err, "joining %s namespace of container", what);
    if (t->status != MD_CTR_RUNNING && t->status != MD_CTR_PAUSED)
        r = md_error(err, 0, "cannot join %s of a non running container: %s", what, t->name);
    if (r == 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)t->pid, kind);
        free(ns->path);
        ns->present = 1;
        ns->path = md_xstrdup(path);
    }
    md_ctr_free(t);
    return r;
}

int md_sys_prepare(struct md_ctr *c, struct md_spec *spec, md_error_t **err)
{
    const char *ipc = md_ctr_str(c, "HostConfig.IpcMode"),
               *pid = md_ctr_str(c, "HostConfig.PidMode");
    int r = join(ipc, "IPC", "ipc", &spec->ns[MD_NS_IPC], err);
    if (r == 0) r = join(pid, "PID", "pid", &spec->ns[MD_NS_PID], err);
    return r;
}
