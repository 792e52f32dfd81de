#include "spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "cgroup/cgroup.h"
#include "seccomp.h"
#include "spec_json.h"
#include "timens.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

static const char *const cap_names[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

const char *md_cap_name(int cap)
{
    return cap >= 0 && (size_t)cap < sizeof(cap_names) / sizeof(cap_names[0]) ? cap_names[cap]
                                                                              : NULL;
}

int md_cap_from_name(const char *name)
{
    if (strncasecmp(name, "CAP_", 4) == 0) name += 4;
    for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
        if (strcasecmp(name, cap_names[i]) == 0) return (int)i;
    return -1;
}

int md_rlimit_from_name(const char *name)
{
    static const struct {
        const char *n;
        int r;
    } t[] = {
        {"CPU", RLIMIT_CPU},           {"FSIZE", RLIMIT_FSIZE},
        {"DATA", RLIMIT_DATA},         {"STACK", RLIMIT_STACK},
        {"CORE", RLIMIT_CORE},         {"RSS", RLIMIT_RSS},
        {"NPROC", RLIMIT_NPROC},       {"NOFILE", RLIMIT_NOFILE},
        {"MEMLOCK", RLIMIT_MEMLOCK},   {"AS", RLIMIT_AS},
        {"LOCKS", RLIMIT_LOCKS},       {"SIGPENDING", RLIMIT_SIGPENDING},
        {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
        {"RTPRIO", RLIMIT_RTPRIO},     {"RTTIME", RLIMIT_RTTIME},
    };
    if (strncmp(name, "RLIMIT_", 7) == 0) name += 7;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcasecmp(name, t[i].n) == 0) return t[i].r;
    return -1;
}

static struct json_object *jget(struct json_object *o, const char *key, json_type type)
{
    struct json_object *v;
    if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type)) return v;
    return NULL;
}

static char *jdup(struct json_object *o, const char *key)
{
    const char *s = md_jstr(o, key);
    return s ? strdup(s) : NULL;
}

static int jstrv(struct json_object *arr, char ***out, const char *what, md_error_t **err)
{
    *out = NULL;
    if (arr == NULL) return 0;
    size_t n = json_object_array_length(arr);
    char **v = calloc(n + 1, sizeof(char *));
    if (v == NULL) return md_error(err, ENOMEM, "%s", what);
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        if (!json_object_is_type(e, json_type_string)) {
            md_strv_free(v);
            return md_error(err, 0, "%s: element %zu is not a string", what, i);
        }
        /* json-c strings may hold NUL bytes; argv cannot, so stop at the first */
        v[i] = strdup(json_object_get_string(e));
        if (v[i] == NULL) {
            md_strv_free(v);
            return md_error(err, ENOMEM, "%s", what);
        }
    }
    *out = v;
    return 0;
}

/* A capability this build or kernel does not know (a newer spec, a typo) is
 * left out and named in p->unknown_caps for the front end's warning, as runc
 * (1.1+) and crun do: refusing it would make the spec unusable here. */
static int parse_caps(struct json_object *arr, uint64_t *mask, struct md_process *p,
                      md_error_t **err)
{
    *mask = 0;
    if (arr == NULL) return 0;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        const char *n = json_object_get_string(e);
        if (!json_object_is_type(e, json_type_string))
            return md_error(err, 0, "config: a capability is not a string");
        int c = md_cap_from_name(n);
        if (c >= 0) {
            *mask |= 1ULL << c;
            continue;
        }
        int seen = 0;
        for (size_t k = 0; p->unknown_caps && p->unknown_caps[k]; k++)
            seen |= strcmp(p->unknown_caps[k], n) == 0;
        if (!seen && md_strv_append(&p->unknown_caps, n) < 0)
            return md_error(err, ENOMEM, "capabilities");
    }
    return 0;
}

static int parse_capabilities(struct json_object *caps, struct md_process *p, md_error_t **err)
{
    if (caps == NULL) return 0;
    p->has_caps = 1;
    int r = parse_caps(jget(caps, "bounding", json_type_array), &p->cap_bounding, p, err);
    if (r == 0) r = parse_caps(jget(caps, "effective", json_type_array), &p->cap_effective, p, err);
    if (r == 0)
        r = parse_caps(jget(caps, "inheritable", json_type_array), &p->cap_inheritable, p, err);
    if (r == 0) r = parse_caps(jget(caps, "permitted", json_type_array), &p->cap_permitted, p, err);
    if (r == 0) r = parse_caps(jget(caps, "ambient", json_type_array), &p->cap_ambient, p, err);
    return r;
}

static int parse_rlimits(struct json_object *arr, struct md_process *p, md_error_t **err)
{
    if (arr == NULL) return 0;
    size_t n = json_object_array_length(arr);
    p->rlimits = calloc(n ? n : 1, sizeof(*p->rlimits));
    if (p->rlimits == NULL) return md_error(err, ENOMEM, "rlimits");
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        const char *t = md_jstr(e, "type");
        int res = t ? md_rlimit_from_name(t) : -1;
        if (res < 0) return md_error(err, 0, "unknown rlimit type %s", t ? t : "(null)");
        struct json_object *s = jget(e, "soft", json_type_int), *h = jget(e, "hard", json_type_int);
        p->rlimits[i].resource = res;
        p->rlimits[i].soft = s ? json_object_get_uint64(s) : 0;
        p->rlimits[i].hard = h ? json_object_get_uint64(h) : 0;
        p->n_rlimits++;
    }
    return 0;
}

static int parse_user(struct json_object *user, struct md_process *p, md_error_t **err)
{
    struct json_object *v;
    if (user == NULL) return 0;
    if ((v = jget(user, "uid", json_type_int))) p->uid = (uid_t)json_object_get_int64(v);
    if ((v = jget(user, "gid", json_type_int))) p->gid = (gid_t)json_object_get_int64(v);
    if ((v = jget(user, "umask", json_type_int))) {
        p->has_umask = 1;
        p->umask = (mode_t)json_object_get_int(v) & 07777;
    }
    struct json_object *gids = jget(user, "additionalGids", json_type_array);
    if (gids) {
        size_t n = json_object_array_length(gids);
        p->gids = calloc(n ? n : 1, sizeof(gid_t));
        if (p->gids == NULL) return md_error(err, ENOMEM, "additionalGids");
        for (size_t i = 0; i < n; i++)
            p->gids[i] = (gid_t)json_object_get_int64(json_object_array_get_idx(gids, i));
        p->n_gids = n;
    }
    return 0;
}

int md_process_parse(struct json_object *proc, struct md_process *p, md_error_t **err)
{
    memset(p, 0, sizeof(*p));
    if (proc == NULL) return md_error(err, 0, "config: process is missing");
    struct json_object *v;
    p->terminal = (v = jget(proc, "terminal", json_type_boolean)) && json_object_get_boolean(v);
    struct json_object *cs = jget(proc, "consoleSize", json_type_object);
    if (cs) {
        p->rows = (unsigned short)json_object_get_int(jget(cs, "height", json_type_int));
        p->cols = (unsigned short)json_object_get_int(jget(cs, "width", json_type_int));
    }
    int r = jstrv(jget(proc, "args", json_type_array), &p->args, "process.args", err);
    if (r == 0) r = jstrv(jget(proc, "env", json_type_array), &p->env, "process.env", err);
    if (r == 0) r = parse_user(jget(proc, "user", json_type_object), p, err);
    if (r == 0) r = parse_capabilities(jget(proc, "capabilities", json_type_object), p, err);
    if (r == 0) r = parse_rlimits(jget(proc, "rlimits", json_type_array), p, err);
    if (r < 0) return r;
    if (p->args == NULL || p->args[0] == NULL)
        return md_error(err, 0, "config: process.args must not be empty");
    p->cwd = jdup(proc, "cwd");
    if (p->cwd == NULL) p->cwd = strdup("/");
    if (p->cwd[0] != '/')
        return md_error(err, 0, "config: process.cwd must be an absolute path: %s", p->cwd);
    p->no_new_privileges =
        (v = jget(proc, "noNewPrivileges", json_type_boolean)) && json_object_get_boolean(v);
    if ((v = jget(proc, "oomScoreAdj", json_type_int))) {
        p->has_oom_score_adj = 1;
        p->oom_score_adj = json_object_get_int(v);
    }
    p->apparmor_profile = jdup(proc, "apparmorProfile");
    p->selinux_label = jdup(proc, "selinuxLabel");
    return 0;
}

void md_process_clear(struct md_process *p)
{
    md_strv_free(p->args);
    md_strv_free(p->env);
    free(p->cwd);
    free(p->gids);
    free(p->rlimits);
    free(p->apparmor_profile);
    free(p->selinux_label);
    md_strv_free(p->unknown_caps);
    memset(p, 0, sizeof(*p));
}

static int parse_mounts(struct json_object *arr, struct md_spec *s, md_error_t **err)
{
    if (arr == NULL) return 0;
    size_t n = json_object_array_length(arr);
    s->mounts = calloc(n ? n : 1, sizeof(*s->mounts));
    if (s->mounts == NULL) return md_error(err, ENOMEM, "mounts");
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        struct md_mount *m = &s->mounts[s->n_mounts++];
        m->destination = jdup(e, "destination");
        m->type = jdup(e, "type");
        m->source = jdup(e, "source");
        if (m->destination == NULL || m->destination[0] != '/')
            return md_error(err, 0, "config: mount %zu: destination must be an absolute path", i);
        int r = md_mount_options(m, jget(e, "options", json_type_array), err);
        if (r < 0) return r;
        if (m->type == NULL && !m->bind)
            return md_error(err, 0, "config: mount %s: no type", m->destination);
    }
    return 0;
}

static int ns_kind(const char *type)
{
    static const char *const names[MD_NS_COUNT] = {
        [MD_NS_PID] = "pid",       [MD_NS_NET] = "network", [MD_NS_MNT] = "mount",
        [MD_NS_IPC] = "ipc",       [MD_NS_UTS] = "uts",     [MD_NS_USER] = "user",
        [MD_NS_CGROUP] = "cgroup", [MD_NS_TIME] = "time",
    };
    for (int i = 0; i < MD_NS_COUNT; i++)
        if (strcmp(type, names[i]) == 0) return i;
    return -1;
}

static int parse_namespaces(struct json_object *arr, struct md_spec *s, md_error_t **err)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        const char *t = md_jstr(e, "type");
        int k = t ? ns_kind(t) : -1;
        if (k < 0) return md_error(err, 0, "config: unknown namespace type %s", t ? t : "(null)");
        if (s->ns[k].present) return md_error(err, 0, "config: namespace %s listed twice", t);
        s->ns[k].present = 1;
        s->ns[k].path = jdup(e, "path");
    }
    return 0;
}

static int parse_idmaps(struct json_object *arr, struct md_idmap **out, size_t *n, md_error_t **err)
{
    if (arr == NULL) return 0;
    *n = json_object_array_length(arr);
    *out = calloc(*n ? *n : 1, sizeof(**out));
    if (*out == NULL) return md_error(err, ENOMEM, "id mappings");
    for (size_t i = 0; i < *n; i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        (*out)[i].container_id =
            (uint32_t)json_object_get_int64(jget(e, "containerID", json_type_int));
        (*out)[i].host_id = (uint32_t)json_object_get_int64(jget(e, "hostID", json_type_int));
        (*out)[i].size = (uint32_t)json_object_get_int64(jget(e, "size", json_type_int));
    }
    return 0;
}

static int parse_devices(struct json_object *arr, struct md_spec *s, md_error_t **err)
{
    if (arr == NULL) return 0;
    size_t n = json_object_array_length(arr);
    s->devices = calloc(n ? n : 1, sizeof(*s->devices));
    if (s->devices == NULL) return md_error(err, ENOMEM, "devices");
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(arr, i), *v;
        struct md_device *d = &s->devices[s->n_devices++];
        const char *t = md_jstr(e, "type");
        d->path = jdup(e, "path");
        if (d->path == NULL || t == NULL || strlen(t) != 1 || !strchr("cbup", t[0]))
            return md_error(err, 0, "config: device %zu: bad path or type", i);
        d->type = t[0];
        d->major = json_object_get_int64(jget(e, "major", json_type_int));
        d->minor = json_object_get_int64(jget(e, "minor", json_type_int));
        if ((v = jget(e, "fileMode", json_type_int))) {
            d->has_mode = 1;
            d->mode = (mode_t)json_object_get_int(v);
        }
        d->uid = (uid_t)json_object_get_int64(jget(e, "uid", json_type_int));
        d->gid = (gid_t)json_object_get_int64(jget(e, "gid", json_type_int));
    }
    return 0;
}

static int parse_sysctl(struct json_object *obj, struct md_spec *s, md_error_t **err)
{
    if (obj == NULL) return 0;
    json_object_object_foreach(obj, key, val)
    {
        if (md_strv_append(&s->sysctl_keys, key) < 0 ||
            md_strv_append(&s->sysctl_values, json_object_get_string(val)) < 0)
            return md_error(err, ENOMEM, "sysctl");
    }
    return 0;
}

static unsigned long parse_propagation(const char *p)
{
    if (p == NULL || *p == '\0') return MS_REC | MS_PRIVATE;
    struct md_mount m = {0};
    struct json_object *arr = json_object_new_array();
    json_object_array_add(arr, json_object_new_string(p));
    md_mount_options(&m, arr, NULL);
    json_object_put(arr);
    free(m.data);
    return m.propagation ? m.propagation : (unsigned long)-1;
}

static int parse_linux(struct json_object *lx, struct md_spec *s, md_error_t **err)
{
    int r = parse_namespaces(jget(lx, "namespaces", json_type_array), s, err);
    if (r == 0)
        r = parse_idmaps(jget(lx, "uidMappings", json_type_array), &s->uid_maps, &s->n_uid_maps,
                         err);
    if (r == 0)
        r = parse_idmaps(jget(lx, "gidMappings", json_type_array), &s->gid_maps, &s->n_gid_maps,
                         err);
    if (r == 0) r = parse_devices(jget(lx, "devices", json_type_array), s, err);
    if (r == 0)
        r = jstrv(jget(lx, "maskedPaths", json_type_array), &s->masked_paths, "maskedPaths", err);
    if (r == 0)
        r = jstrv(jget(lx, "readonlyPaths", json_type_array), &s->readonly_paths, "readonlyPaths",
                  err);
    if (r == 0) r = parse_sysctl(jget(lx, "sysctl", json_type_object), s, err);
    if (r < 0) return r;
    s->rootfs_propagation = parse_propagation(md_jstr(lx, "rootfsPropagation"));
    if (s->rootfs_propagation == (unsigned long)-1)
        return md_error(err, 0, "config: bad rootfsPropagation %s",
                        md_jstr(lx, "rootfsPropagation"));
    s->cgroups_path = jdup(lx, "cgroupsPath");
    s->resources = jget(lx, "resources", json_type_object);
    s->seccomp = jget(lx, "seccomp", json_type_object);
    r = md_seccomp_flags_parse(s->seccomp, &s->seccomp_flags, err);
    if (r == 0)
        r = md_timens_offsets_parse(jget(lx, "timeOffsets", json_type_object), &s->time_offsets,
                                    err);
    return r;
}

static void parse_annotations(struct md_spec *s)
{
    s->annotations = jget(s->json, "annotations", json_type_object);
    s->overlay_lower = jdup(s->annotations, MD_ANNOT_OVERLAY_LOWER);
    s->overlay_upper = jdup(s->annotations, MD_ANNOT_OVERLAY_UPPER);
    s->overlay_work = jdup(s->annotations, MD_ANNOT_OVERLAY_WORK);
    const char *vol = md_jstr(s->annotations, MD_ANNOT_OVERLAY_VOLATILE);
    s->overlay_volatile = vol && strcmp(vol, "true") == 0;
    const char *init = md_jstr(s->annotations, MD_ANNOT_INIT);
    s->init = init && strcmp(init, "true") == 0;
}

int md_spec_parse(struct json_object *doc, struct md_spec **out, md_error_t **err)
{
    struct md_spec *s = calloc(1, sizeof(*s));
    if (s == NULL) return md_error(err, ENOMEM, "config");
    s->json = json_object_get(doc);
    struct json_object *root = jget(doc, "root", json_type_object), *v;
    s->root_path = jdup(root, "path");
    s->root_readonly =
        (v = jget(root, "readonly", json_type_boolean)) && json_object_get_boolean(v);
    s->hostname = jdup(doc, "hostname");
    s->domainname = jdup(doc, "domainname");
    s->hooks = jget(doc, "hooks", json_type_object);
    int r = 0;
    if (s->root_path == NULL) r = md_error(err, 0, "config: root.path is missing");
    if (r == 0) r = md_process_parse(jget(doc, "process", json_type_object), &s->process, err);
    if (r == 0) r = parse_mounts(jget(doc, "mounts", json_type_array), s, err);
    if (r == 0) r = parse_linux(jget(doc, "linux", json_type_object), s, err);
    if (r == 0) r = md_process_attrs_parse(doc, &s->attrs, err);
    if (r < 0) {
        md_spec_free(s);
        return r;
    }
    parse_annotations(s);
    *out = s;
    return 0;
}

int md_spec_cgroupns_new(const struct md_spec *s)
{
    return s->ns[MD_NS_CGROUP].present && s->ns[MD_NS_CGROUP].path == NULL;
}

int md_spec_cgroup_binds(const struct md_spec *s)
{
    md_cgroup_mode_t mode;
    if (s->cgroups_path == NULL || md_cgroup_detect(NULL, &mode, NULL) < 0 || mode == MD_CGROUP_V2)
        return 0;
    for (size_t i = 0; i < s->n_mounts; i++)
        if (!s->mounts[i].bind && s->mounts[i].type && strcmp(s->mounts[i].type, "cgroup") == 0)
            return 1;
    return 0;
}

int md_spec_cgroupns_early(const struct md_spec *s)
{
    int has = 0;
    for (size_t i = 0; i < s->n_mounts; i++)
        if (s->mounts[i].type && strncmp(s->mounts[i].type, "cgroup", 6) == 0) has = 1;
    if (!has) return 0;
    /* On v1 and hybrid hosts a "cgroup" mount binds the host's directories
     * of cgroupsPath (src/runtime/mount_cgroup.c): no need to wait for the
     * move into the cgroup. A cgroup2 filesystem shows the mounter's cgroup
     * namespace, and without a path the child reads its own cgroup. */
    md_cgroup_mode_t mode;
    if (s->cgroups_path && md_cgroup_detect(NULL, &mode, NULL) == 0 && mode != MD_CGROUP_V2) {
        for (size_t i = 0; i < s->n_mounts; i++)
            if (s->mounts[i].type && strcmp(s->mounts[i].type, "cgroup2") == 0) return 1;
        return 0;
    }
    return 1;
}

int md_spec_load(const char *path, struct md_spec **out, md_error_t **err)
{
    cleanup_free char *text = NULL;
    int r = md_read_file(path, &text, NULL, err);
    if (r < 0) return r;
    enum json_tokener_error jerr;
    struct json_object *doc = json_tokener_parse_verbose(text, &jerr);
    if (doc == NULL)
        return md_error(err, 0, "%s: invalid JSON: %s", path, json_tokener_error_desc(jerr));
    r = md_spec_parse(doc, out, err);
    json_object_put(doc);
    return r;
}

void md_spec_free(struct md_spec *s)
{
    if (s == NULL) return;
    md_process_clear(&s->process);
    free(s->time_offsets);
    for (size_t i = 0; i < s->n_mounts; i++) {
        free(s->mounts[i].destination);
        free(s->mounts[i].type);
        free(s->mounts[i].source);
        free(s->mounts[i].data);
    }
    free(s->mounts);
    for (size_t i = 0; i < s->n_devices; i++)
        free(s->devices[i].path);
    free(s->devices);
    for (int i = 0; i < MD_NS_COUNT; i++)
        free(s->ns[i].path);
    free(s->uid_maps);
    free(s->gid_maps);
    md_strv_free(s->masked_paths);
    md_strv_free(s->readonly_paths);
    md_strv_free(s->sysctl_keys);
    md_strv_free(s->sysctl_values);
    free(s->root_path);
    free(s->hostname);
    free(s->domainname);
    free(s->cgroups_path);
    free(s->overlay_lower);
    free(s->overlay_upper);
    free(s->overlay_work);
    free(s->seccomp_bpf);
    json_object_put(s->json);
    free(s);
}
