#include "specgen.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/devices.h"
#include "engine/labels.h"
#include "engine/volumes.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const default_caps[] = {
    "CHOWN",  "DAC_OVERRIDE", "FSETID",  "FOWNER",           "MKNOD",      "NET_RAW", "SETGID",
    "SETUID", "SETFCAP",      "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",    "AUDIT_WRITE",
};

static const char *const masked_paths[] = {
    "/proc/asound",      "/proc/acpi",          "/proc/interrupts", "/proc/kcore",
    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
    "/proc/sched_debug", "/proc/scsi",          "/sys/firmware",    "/sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static size_t key_len(const char *kv)
{
    const char *eq = strchr(kv, '=');
    return eq ? (size_t)(eq - kv) : strlen(kv);
}

static int env_set(char ***env, const char *kv)
{
    size_t kl = key_len(kv);
    for (char **e = *env; e && *e; e++) {
        if (key_len(*e) == kl && strncmp(*e, kv, kl) == 0) {
            char *n = strdup(kv);
            if (n == NULL) return -ENOMEM;
            free(*e);
            *e = n;
            return 0;
        }
    }
    return md_strv_append(env, kv);
}

static int env_has(char **env, const char *key)
{
    size_t kl = strlen(key);
    for (char **e = env; e && *e; e++)
        if (key_len(*e) == kl && strncmp(*e, key, kl) == 0) return 1;
    return 0;
}

char **md_env_merge(char **image_env, char **user_env, const char *hostname, int tty,
                    const char *home)
{
    char **env = NULL;
    char *buf = NULL;
    /* docker: PATH first (the image's value replaces the default in place) */
    int r = md_strv_append(&env, DEFAULT_PATH);
    if (r == 0 && hostname && asprintf(&buf, "HOSTNAME=%s", hostname) >= 0) {
        r = md_strv_append(&env, buf);
        free(buf);
    }
    if (r == 0 && tty) r = md_strv_append(&env, "TERM=xterm");
    for (char **e = image_env; r == 0 && e && *e; e++)
        r = env_set(&env, *e);
    for (char **e = user_env; r == 0 && e && *e; e++)
        r = env_set(&env, *e);
    if (r == 0 && !env_has(env, "HOME") && asprintf(&buf, "HOME=%s", home ? home : "/") >= 0) {
        r = md_strv_append(&env, buf);
        free(buf);
    }
    if (r < 0) {
        md_strv_free(env);
        return NULL;
    }
    return env ? env : calloc(1, sizeof(char *));
}

static int append_json_strv(char ***v, struct json_object *arr)
{
    for (size_t i = 0;
         arr && json_object_is_type(arr, json_type_array) && i < json_object_array_length(arr); i++)
        if (md_strv_append(v, json_object_get_string(json_object_array_get_idx(arr, i))) < 0)
            return -ENOMEM;
    return 0;
}

static struct json_object *img_get(struct json_object *cfg, const char *k)
{
    struct json_object *v = NULL;
    if (cfg && json_object_object_get_ex(cfg, k, &v) && !json_object_is_type(v, json_type_null))
        return v;
    return NULL;
}

int md_argv_merge(const struct md_run_opts *o, struct json_object *ic, char ***out,
                  md_error_t **err)
{
    char **argv = NULL;
    int r = 0;
    if (o->entrypoint_set) {
        if (o->entrypoint[0] != '\0') r = md_strv_append(&argv, o->entrypoint);
    } else {
        r = append_json_strv(&argv, img_get(ic, "Entrypoint"));
    }
    if (r == 0 && o->args && o->args[0])
        for (char **a = o->args; r == 0 && *a; a++)
            r = md_strv_append(&argv, *a);
    else if (r == 0 && !o->entrypoint_set)
        r = append_json_strv(&argv, img_get(ic, "Cmd"));
    if (r < 0) {
        md_strv_free(argv);
        return md_error(err, ENOMEM, "argv");
    }
    if (argv == NULL || argv[0] == NULL) {
        md_strv_free(argv);
        return md_error(err, 0, "no command specified");
    }
    *out = argv;
    return 0;
}

static int cap_list_apply(char **list, uint64_t all, uint64_t *caps, int add, md_error_t **err)
{
    for (char **c = list; c && *c; c++) {
        if (strcasecmp(*c, "ALL") == 0) {
            *caps = add ? all : 0;
            continue;
        }
        int n = md_cap_from_name(*c);
        if (n < 0)
            return md_error(err, 0, "unknown capability: \"%s%s\"",
                            strncasecmp(*c, "CAP_", 4) == 0 ? "" : "CAP_", *c);
        if (add)
            *caps |= 1ULL << n;
        else
            *caps &= ~(1ULL << n);
    }
    return 0;
}

int md_caps_compute(const struct md_run_opts *o, uint64_t host_caps, uint64_t *out,
                    md_error_t **err)
{
    uint64_t caps = 0;
    if (o->privileged) {
        /* the host's bounding set, not every known capability: a root
         * without CAP_SYS_RESOURCE cannot grant it (docker fails there) */
        *out = host_caps;
        return 0;
    }
    for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
        caps |= 1ULL << md_cap_from_name(default_caps[i]);
    /* docker: with --cap-add ALL every capability but the dropped ones;
     * otherwise drops first, then adds, so "--cap-drop ALL --cap-add X" keeps X */
    int add_all = 0;
    for (char **c = o->cap_add; c && *c; c++)
        add_all |= strcasecmp(*c, "ALL") == 0;
    int r = 0;
    if (add_all) {
        caps = host_caps;
        r = cap_list_apply(o->cap_add, host_caps, &caps, 1, err);
        if (r == 0) r = cap_list_apply(o->cap_drop, host_caps, &caps, 0, err);
    } else {
        r = cap_list_apply(o->cap_drop, host_caps, &caps, 0, err);
        if (r == 0) r = cap_list_apply(o->cap_add, host_caps, &caps, 1, err);
    }
    *out = caps & host_caps;
    return r;
}

static struct json_object *strv_json(char *const *v)
{
    struct json_object *a = json_object_new_array();
    for (; v && *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

static struct json_object *cstrv_json(const char *const *v, size_t n)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(v[i]));
    return a;
}

static struct json_object *caps_json(uint64_t caps)
{
    static const char *const names[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    };
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (caps & (1ULL << i)) json_object_array_add(a, json_object_new_string(names[i]));
    return a;
}

static struct json_object *capabilities_obj(uint64_t caps)
{
    struct json_object *c = json_object_new_object();
    json_object_object_add(c, "bounding", caps_json(caps));
    json_object_object_add(c, "effective", caps_json(caps));
    json_object_object_add(c, "permitted", caps_json(caps));
    /* inheritable stays empty (CVE-2022-24769) */
    json_object_object_add(c, "inheritable", json_object_new_array());
    json_object_object_add(c, "ambient", json_object_new_array());
    return c;
}

static struct json_object *rlimits_json(const struct md_run_opts *o, md_error_t **err)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < o->n_ulimits; i++) {
        char name[64];
        snprintf(name, sizeof(name), "RLIMIT_%s", o->ulimits[i].name);
        for (char *c = name; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        if (md_rlimit_from_name(name) < 0) {
            json_object_put(a);
            md_error(err, 0,
                     "invalid argument \"%s\" for \"--ulimit\" flag: invalid ulimit type: %s",
                     o->ulimits[i].name, o->ulimits[i].name);
            return NULL;
        }
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "type", json_object_new_string(name));
        json_object_object_add(e, "hard", json_object_new_uint64(o->ulimits[i].hard));
        json_object_object_add(e, "soft", json_object_new_uint64(o->ulimits[i].soft));
        json_object_array_add(a, e);
    }
    return a;
}

static struct json_object *user_obj(const struct md_user *u)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "uid", json_object_new_int64(u ? u->uid : 0));
    json_object_object_add(o, "gid", json_object_new_int64(u ? u->gid : 0));
    if (u && u->n_gids) {
        struct json_object *g = json_object_new_array();
        for (size_t i = 0; i < u->n_gids; i++)
            json_object_array_add(g, json_object_new_int64(u->gids[i]));
        json_object_object_add(o, "additionalGids", g);
    }
    return o;
}

static const char *workdir(const struct md_specgen_in *in)
{
    const char *w = in->opts->workdir;
    struct json_object *iw = img_get(in->image_config, "WorkingDir");
    if (w == NULL && iw && json_object_get_string_len(iw) > 0) w = json_object_get_string(iw);
    return w ? w : "/";
}

static int process_obj(const struct md_specgen_in *in, struct json_object **out, md_error_t **err)
{
    const struct md_run_opts *o = in->opts;
    cleanup_strv char **argv = NULL, **img_env = NULL, **env = NULL;
    int r = md_argv_merge(o, in->image_config, &argv, err);
    if (r < 0) return r;
    uint64_t caps;
    if ((r = md_caps_compute(o, in->host_caps, &caps, err)) < 0) return r;
    if (append_json_strv(&img_env, img_get(in->image_config, "Env")) < 0)
        return md_error(err, ENOMEM, "env");
    env = md_env_merge(img_env, o->env, in->host_root ? NULL : in->hostname, o->tty,
                       in->user ? in->user->home : "/");
    struct json_object *rl = rlimits_json(o, err);
    if (env == NULL || rl == NULL) {
        json_object_put(rl);
        return env ? -1 : md_error(err, ENOMEM, "env");
    }
    struct json_object *p = json_object_new_object();
    json_object_object_add(p, "terminal", json_object_new_boolean(o->tty));
    if (o->tty && in->rows && in->cols) {
        struct json_object *cs = json_object_new_object();
        json_object_object_add(cs, "height", json_object_new_int(in->rows));
        json_object_object_add(cs, "width", json_object_new_int(in->cols));
        json_object_object_add(p, "consoleSize", cs);
    }
    json_object_object_add(p, "user", user_obj(in->user));
    json_object_object_add(p, "args", strv_json(argv));
    json_object_object_add(p, "env", strv_json(env));
    json_object_object_add(p, "cwd", json_object_new_string(workdir(in)));
    json_object_object_add(p, "capabilities", capabilities_obj(caps));
    json_object_object_add(p, "rlimits", rl);
    json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(o->no_new_privs));
    if (o->res.has_oom_score_adj)
        json_object_object_add(p, "oomScoreAdj", json_object_new_int(o->res.oom_score_adj));
    *out = p;
    return 0;
}

static void add_mount(struct json_object *arr, const char *dst, const char *type, const char *src,
                      const char *opts)
{
    struct json_object *m = json_object_new_object();
    json_object_object_add(m, "destination", json_object_new_string(dst));
    json_object_object_add(m, "type", json_object_new_string(type));
    json_object_object_add(m, "source", json_object_new_string(src));
    struct json_object *o = json_object_new_array();
    cleanup_free char *copy = md_xstrdup(opts);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_object_array_add(o, json_object_new_string(t));
    json_object_object_add(m, "options", o);
    json_object_array_add(arr, m);
}

static int mode_is(const char *mode, const char *want)
{
    return mode && strcmp(mode, want) == 0;
}

/* --ipc none: no /dev/shm; host: the host's; else a tmpfs of --shm-size
 * (docker's 64 MiB); container:X gets X's at start (engine/sysopts.c) */
static void shm_mount(struct json_object *a, const struct md_sys_opts *s)
{
    char opts[128];
    if (mode_is(s->ipc, "none")) return;
    if (mode_is(s->ipc, "host")) {
        add_mount(a, "/dev/shm", "bind", "/dev/shm", "rbind,nosuid,noexec,nodev");
        return;
    }
    snprintf(opts, sizeof(opts), "nosuid,noexec,nodev,mode=1777,size=%lld",
             (long long)(s->shm_size ? s->shm_size : 64LL << 20));
    add_mount(a, "/dev/shm", "tmpfs", "shm", opts);
}

static struct json_object *mounts_json(const struct md_specgen_in *in)
{
    struct json_object *a = json_object_new_array();
    add_mount(a, "/proc", "proc", "proc", "nosuid,noexec,nodev");
    if (in->host_root) {
        add_mount(a, "/dev/pts", "devpts", "devpts",
                  "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5");
        return a;
    }
    add_mount(a, "/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k");
    add_mount(a, "/dev/pts", "devpts", "devpts",
              "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5");
    add_mount(a, "/sys", "sysfs", "sysfs",
              in->opts->privileged ? "nosuid,noexec,nodev,rw" : "nosuid,noexec,nodev,ro");
    /* docker's: the container's own cgroups (the runtime's md_mount_cgroup: cgroup2 on v2,
     * a tmpfs of binds on v1/hybrid), writable only with --privileged */
    add_mount(a, "/sys/fs/cgroup", "cgroup", "cgroup",
              in->opts->privileged ? "nosuid,noexec,nodev,rw" : "nosuid,noexec,nodev,ro");
    add_mount(a, "/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev");
    shm_mount(a, &in->opts->sys);
    if (in->etc_dir) {
        static const char *const files[] = {"resolv.conf", "hostname", "hosts"};
        for (size_t i = 0; i < 3; i++) {
            char src[4096], dst[64];
            snprintf(src, sizeof(src), "%s/%s", in->etc_dir, files[i]);
            snprintf(dst, sizeof(dst), "/etc/%s", files[i]);
            add_mount(a, dst, "bind", src, "rbind,rprivate");
        }
    }
    md_vmounts_to_spec(in->vmounts, in->n_vmounts, a);
    return a;
}

static struct json_object *namespaces_json(const struct md_run_opts *o)
{
    const char *types[] = {"pid", "ipc", "uts", "mount", "network", "cgroup"};
    struct json_object *a = json_object_new_array();
    int host_net = o->network && strcmp(o->network, "host") == 0;
    int host_cgroupns = o->res.cgroupns && strcmp(o->res.cgroupns, "host") == 0;
    /* --pid/--ipc/--uts host: the host's own namespace, none of the container's */
    const char *host[] = {mode_is(o->sys.pid, "host") ? "pid" : "",
                          mode_is(o->sys.ipc, "host") ? "ipc" : "",
                          mode_is(o->sys.uts, "host") ? "uts" : ""};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (host_net && strcmp(types[i], "network") == 0) continue;
        if (host_cgroupns && strcmp(types[i], "cgroup") == 0) continue;
        if (!strcmp(types[i], host[0]) || !strcmp(types[i], host[1]) || !strcmp(types[i], host[2]))
            continue;
        struct json_object *n = json_object_new_object();
        json_object_object_add(n, "type", json_object_new_string(types[i]));
        json_object_array_add(a, n);
    }
    return a;
}

static int seccomp_json(const struct md_specgen_in *in, uint64_t caps, struct json_object **out,
                        md_error_t **err)
{
    const struct md_run_opts *o = in->opts;
    *out = NULL;
    if (o->seccomp_unconfined || (o->privileged && o->seccomp_profile == NULL)) return 0;
    if (o->seccomp_profile) {
        cleanup_free char *text = NULL;
        int r = md_read_file(o->seccomp_profile, &text, NULL, err);
        if (r < 0) return md_error_prefix(err, "opening seccomp profile");
        *out = json_tokener_parse(text);
        if (*out == NULL)
            return md_error(err, 0, "decoding seccomp profile failed: %s", o->seccomp_profile);
        return 0;
    }
    *out = md_seccomp_default(caps);
    return 0;
}

static int linux_json(const struct md_specgen_in *in, uint64_t caps, struct json_object **out,
                      md_error_t **err)
{
    const struct md_run_opts *o = in->opts;
    struct json_object *lx = json_object_new_object();
    json_object_object_add(lx, "namespaces", namespaces_json(o));
    if (in->cgroups_path)
        json_object_object_add(lx, "cgroupsPath", json_object_new_string(in->cgroups_path));
    struct json_object *devs = NULL, *rules = NULL, *res;
    struct md_devices_in din = {
        .privileged = o->privileged, .devices = o->devices, .cgroup_rules = o->device_cgroup_rules};
    int r = md_devices_json(&din, &devs, &rules, err);
    if (r < 0) {
        json_object_put(lx);
        return r;
    }
    res = NULL;
    if (in->resources == NULL || json_object_deep_copy(in->resources, &res, NULL) < 0)
        res = json_object_new_object();
    json_object_object_add(res, "devices", rules);
    json_object_object_add(lx, "resources", res);
    /* the host's root (the seeds' demo) has the host's /dev already */
    if (in->host_root)
        json_object_put(devs);
    else
        json_object_object_add(lx, "devices", devs);
    if (!in->host_root && !o->privileged) {
        json_object_object_add(
            lx, "maskedPaths",
            cstrv_json(masked_paths, sizeof(masked_paths) / sizeof(*masked_paths)));
        json_object_object_add(
            lx, "readonlyPaths",
            cstrv_json(readonly_paths, sizeof(readonly_paths) / sizeof(*readonly_paths)));
    }
    struct json_object *sc;
    r = in->host_root ? (sc = NULL, 0) : seccomp_json(in, caps, &sc, err);
    if (r < 0) {
        json_object_put(lx);
        return r;
    }
    if (sc) json_object_object_add(lx, "seccomp", sc);
    if (o->sys.sysctls) json_object_object_add(lx, "sysctl", md_labels_json(NULL, o->sys.sysctls));
    *out = lx;
    return 0;
}

static struct json_object *annotations_json(const struct md_specgen_in *in)
{
    struct json_object *a = json_object_new_object();
    if (in->overlay_lower) {
        json_object_object_add(a, MD_ANNOT_OVERLAY_LOWER,
                               json_object_new_string(in->overlay_lower));
        json_object_object_add(a, MD_ANNOT_OVERLAY_UPPER,
                               json_object_new_string(in->overlay_upper));
        json_object_object_add(a, MD_ANNOT_OVERLAY_WORK, json_object_new_string(in->overlay_work));
        /* an upper dir that is thrown away at exit need not be synced */
        if (in->opts->rm)
            json_object_object_add(a, MD_ANNOT_OVERLAY_VOLATILE, json_object_new_string("true"));
    }
    if (in->opts->init) json_object_object_add(a, MD_ANNOT_INIT, json_object_new_string("true"));
    /* --annotation: the user's, but never over the engine's own keys */
    struct json_object *user = md_labels_json(NULL, in->opts->sys.annotations);
    json_object_object_foreach(user, k, v)
    {
        if (!json_object_object_get_ex(a, k, NULL))
            json_object_object_add(a, k, json_object_get(v));
    }
    json_object_put(user);
    return a;
}

int md_specgen(const struct md_specgen_in *in, struct json_object **out, md_error_t **err)
{
    struct json_object *proc = NULL, *lx = NULL;
    int r = process_obj(in, &proc, err);
    uint64_t caps = 0;
    if (r == 0) r = md_caps_compute(in->opts, in->host_caps, &caps, err);
    if (r == 0) r = linux_json(in, caps, &lx, err);
    if (r < 0) {
        json_object_put(proc);
        return r;
    }
    struct json_object *doc = json_object_new_object(), *root = json_object_new_object();
    json_object_object_add(doc, "ociVersion", json_object_new_string("1.2.0"));
    json_object_object_add(doc, "process", proc);
    json_object_object_add(root, "path", json_object_new_string(in->rootfs));
    json_object_object_add(root, "readonly", json_object_new_boolean(in->opts->read_only));
    json_object_object_add(doc, "root", root);
    /* --uts host: the host's names, which the runtime must not set */
    if (in->hostname && !in->host_root && !mode_is(in->opts->sys.uts, "host"))
        json_object_object_add(doc, "hostname", json_object_new_string(in->hostname));
    if (in->opts->sys.domainname && !in->host_root && !mode_is(in->opts->sys.uts, "host"))
        json_object_object_add(doc, "domainname", json_object_new_string(in->opts->sys.domainname));
    json_object_object_add(doc, "mounts", mounts_json(in));
    json_object_object_add(doc, "linux", lx);
    json_object_object_add(doc, "annotations", annotations_json(in));
    *out = doc;
    return 0;
}
