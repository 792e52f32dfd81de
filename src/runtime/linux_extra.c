#include "linux_extra.h"
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hooks.h"
#include "security.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

/* sched_setattr(2)'s argument; glibc has no wrapper and the uapi header
 * clashes with <sched.h> */
struct sched_attr {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};

static struct json_object *jpath(struct json_object *o, const char *a, const char *b)
{
    struct json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, a, &v)) return NULL;
    if (b && (v == NULL || !json_object_object_get_ex(v, b, &v))) return NULL;
    return v;
}

static const char *jstr(struct json_object *o, const char *k)
{
    struct json_object *v = jpath(o, k, NULL);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int personality_domain(struct json_object *doc, unsigned long *out, md_error_t **err)
{
    struct json_object *p = jpath(doc, "linux", "personality");
    *out = (unsigned long)-1;
    if (p == NULL) return 0;
    const char *d = jstr(p, "domain");
    if (d && strcmp(d, "LINUX") == 0)
        *out = PER_LINUX;
    else if (d && strcmp(d, "LINUX32") == 0)
        *out = PER_LINUX32;
    else
        return md_error(err, 0, "config: linux.personality.domain %s is not supported",
                        d ? d : "(none)");
    struct json_object *flags = jpath(p, "flags", NULL);
    if (flags && json_object_array_length(flags) > 0)
        return md_error(err, 0, "config: linux.personality.flags are not supported");
    return 0;
}

static const struct {
    const char *name;
    int cls;
} io_classes[] = {{"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
                  {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
                  {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE}};

static int io_priority(struct json_object *doc, int *out, md_error_t **err)
{
    struct json_object *io = jpath(doc, "process", "ioPriority");
    *out = -1;
    if (io == NULL) return 0;
    const char *c = jstr(io, "class");
    int prio = json_object_get_int(jpath(io, "priority", NULL));
    for (size_t i = 0; c && i < sizeof(io_classes) / sizeof(io_classes[0]); i++)
        if (strcmp(c, io_classes[i].name) == 0) {
            if (prio < 0 || prio > 7)
                return md_error(err, 0, "config: process.ioPriority.priority %d out of 0-7", prio);
            *out = (io_classes[i].cls << IOPRIO_CLASS_SHIFT) | prio;
            return 0;
        }
    return md_error(err, 0, "config: process.ioPriority.class %s is not supported",
                    c ? c : "(none)");
}

static int sched_policy(const char *p)
{
    static const struct {
        const char *n;
        int v;
    } t[] = {{"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
             {"SCHED_BATCH", SCHED_BATCH}, {"SCHED_IDLE", SCHED_IDLE}, {"SCHED_DEADLINE", 6}};
    for (size_t i = 0; p && i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(p, t[i].n) == 0) return t[i].v;
    return -1;
}

static int sched_attr_of(struct json_object *doc, struct sched_attr *a, int *has, md_error_t **err)
{
    struct json_object *s = jpath(doc, "process", "scheduler");
    memset(a, 0, sizeof(*a));
    *has = s != NULL;
    if (s == NULL) return 0;
    int pol = sched_policy(jstr(s, "policy"));
    if (pol < 0)
        return md_error(err, 0, "config: process.scheduler.policy %s is not supported",
                        jstr(s, "policy") ? jstr(s, "policy") : "(none)");
    struct json_object *flags = jpath(s, "flags", NULL);
    if (flags && json_object_array_length(flags) > 0)
        return md_error(err, 0, "config: process.scheduler.flags are not supported");
    a->size = sizeof(*a);
    a->sched_policy = (unsigned)pol;
    a->sched_nice = json_object_get_int(jpath(s, "nice", NULL));
    a->sched_priority = (unsigned)json_object_get_int(jpath(s, "priority", NULL));
    a->sched_runtime = json_object_get_uint64(jpath(s, "runtime", NULL));
    a->sched_deadline = json_object_get_uint64(jpath(s, "deadline", NULL));
    a->sched_period = json_object_get_uint64(jpath(s, "period", NULL));
    return 0;
}

int md_process_extras_apply(struct json_object *doc, md_error_t **err)
{
    unsigned long dom;
    int io, has_sched;
    struct sched_attr sa;
    int r = personality_domain(doc, &dom, err);
    if (r == 0) r = io_priority(doc, &io, err);
    if (r == 0) r = sched_attr_of(doc, &sa, &has_sched, err);
    if (r < 0) return r;
    if (dom != (unsigned long)-1 && personality(dom) < 0)
        return md_error(err, errno, "personality");
    if (io >= 0 && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, io) < 0)
        return md_error(err, errno, "ioprio_set");
    if (has_sched && syscall(SYS_sched_setattr, 0, &sa, 0) < 0)
        return md_error(err, errno, "sched_setattr");
    return 0;
}

int md_timens_offsets_write(struct json_object *doc, md_error_t **err)
{
    struct json_object *to = jpath(doc, "linux", "timeOffsets");
    if (to == NULL) return 0;
    char buf[256];
    size_t len = 0;
    json_object_object_foreach(to, clock, v)
    {
        if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
            return md_error(err, 0, "config: linux.timeOffsets: unknown clock %s", clock);
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %lld %lld\n", clock,
                                (long long)json_object_get_int64(jpath(v, "secs", NULL)),
                                (long long)json_object_get_int64(jpath(v, "nanosecs", NULL)));
    }
    if (len == 0) return 0;
    cleanup_close int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
        return md_error(err, errno, "write timens_offsets");
    return 0;
}

static const struct {
    const char *name;
    unsigned flag;
} seccomp_flag_names[] = {{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
                          {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
                          {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW}};

static int seccomp_flags(struct json_object *sc, unsigned *out, md_error_t **err)
{
    struct json_object *flags = jpath(sc, "flags", NULL);
    *out = 0;
    for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
        const char *f = json_object_get_string(json_object_array_get_idx(flags, i));
        size_t k = 0;
        while (k < sizeof(seccomp_flag_names) / sizeof(seccomp_flag_names[0]) &&
               strcmp(f ? f : "", seccomp_flag_names[k].name) != 0)
            k++;
        if (k == sizeof(seccomp_flag_names) / sizeof(seccomp_flag_names[0]))
            return md_error(err, 0, "config: linux.seccomp.flags: %s is not supported",
                            f ? f : "?");
        *out |= seccomp_flag_names[k].flag;
    }
    return 0;
}

int md_seccomp_load_spec(const struct md_spec *s, md_error_t **err)
{
    unsigned flags = 0;
    struct md_seccomp_prog prog = {s->seccomp_bpf, s->seccomp_bpf_len};
    int r = seccomp_flags(s->seccomp, &flags, err);
    if (r < 0 || flags == 0 || s->seccomp_bpf == NULL)
        return r < 0 ? r : md_seccomp_load(&prog, err);
    struct sock_fprog fp = {.len = (unsigned short)(prog.len / sizeof(struct sock_filter)),
                            .filter = (struct sock_filter *)prog.insns};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp) < 0)
        return md_error(err, errno, "seccomp: load filter (flags %#x)", flags);
    return 0;
}

int md_keyring_new_session(md_error_t **err)
{
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
        return md_error(err, errno, "join a new session keyring");
    return 0;
}

/* apparmorProfile, selinuxLabel and mountLabel are applied where the host
 * has the LSM; runc ignores them elsewhere, and so do we. We apply neither
 * LSM, so a host that has one gets an error instead of a silent no-op. */
static int lsm_check(struct json_object *doc, md_error_t **err)
{
    if (jstr(jpath(doc, "process", NULL), "apparmorProfile") &&
        md_path_exists("/sys/kernel/security/apparmor"))
        return md_error(err, 0, "config: process.apparmorProfile: AppArmor is not supported");
    if ((jstr(jpath(doc, "process", NULL), "selinuxLabel") ||
         jstr(jpath(doc, "linux", NULL), "mountLabel")) &&
        md_path_exists("/sys/fs/selinux/enforce"))
        return md_error(err, 0, "config: SELinux labels are not supported");
    return 0;
}

static int nonzero(struct json_object *o, const char *k)
{
    struct json_object *v = jpath(o, k, NULL);
    return v && json_object_get_int64(v) != 0;
}

static int resources_check(struct json_object *res, md_error_t **err)
{
    struct json_object *net = jpath(res, "network", NULL), *rdma = jpath(res, "rdma", NULL);
    if (net &&
        (nonzero(net, "classID") || json_object_array_length(jpath(net, "priorities", NULL)) > 0))
        return md_error(err, 0, "config: linux.resources.network is not supported");
    if (rdma && json_object_object_length(rdma) > 0)
        return md_error(err, 0, "config: linux.resources.rdma is not supported");
    struct json_object *cpu = jpath(res, "cpu", NULL);
    if (nonzero(cpu, "realtimeRuntime") || nonzero(cpu, "realtimePeriod"))
        return md_error(err, 0, "config: linux.resources.cpu realtime limits are not supported");
    return 0;
}

static int seccomp_check(struct json_object *sc, md_error_t **err)
{
    unsigned flags;
    if (sc == NULL) return 0;
    if (seccomp_flags(sc, &flags, err) < 0) return -1;
    if (jstr(sc, "listenerPath"))
        return md_error(err, 0,
                        "config: linux.seccomp.listenerPath (SCMP_ACT_NOTIFY) is not supported");
    struct json_object *calls = jpath(sc, "syscalls", NULL);
    for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
        const char *a = jstr(json_object_array_get_idx(calls, i), "action");
        if (a && strcmp(a, "SCMP_ACT_NOTIFY") == 0)
            return md_error(err, 0, "config: seccomp action SCMP_ACT_NOTIFY is not supported");
    }
    return 0;
}

/* a or b is one of the comma-separated words of list */
static int has_token(const char *list, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if ((n == la && strncmp(p, a, n) == 0) || (n == lb && strncmp(p, b, n) == 0)) return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

static int mounts_check(const struct md_spec *s, struct json_object *mounts, md_error_t **err)
{
    /* a bind mount takes no filesystem data: options such as mode=755 or
     * size=1k on a bind are ignored, as runc and crun ignore them. idmap
     * asks for an idmapped mount, which we do not make: an error, not a
     * mount with the wrong owners. */
    for (size_t i = 0; i < s->n_mounts; i++) {
        const struct md_mount *m = &s->mounts[i];
        if (m->bind && m->data && has_token(m->data, "idmap", "ridmap"))
            return md_error(err, 0, "config: mount %s: idmapped mounts are not supported",
                            m->destination);
        if (m->tmpcopyup && (m->bind || strcmp(m->type, "tmpfs") != 0))
            return md_error(err, 0, "config: mount %s: tmpcopyup is for tmpfs mounts",
                            m->destination);
    }
    for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
        struct json_object *m = json_object_array_get_idx(mounts, i);
        if (jpath(m, "uidMappings", NULL) || jpath(m, "gidMappings", NULL))
            return md_error(err, 0, "config: mount %s: idmapped mounts are not supported",
                            jstr(m, "destination") ? jstr(m, "destination") : "?");
    }
    return 0;
}

static int linux_check(const struct md_spec *s, struct json_object *lx, md_error_t **err)
{
    static const char *const unsupported[] = {"intelRdt", "memoryPolicy", "netDevices"};
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        if (jpath(lx, unsupported[i], NULL))
            return md_error(err, 0, "config: linux.%s is not supported", unsupported[i]);
    /* the spec: a namespace given by path is set up already */
    if (s->ns[MD_NS_USER].present && s->ns[MD_NS_USER].path && (s->n_uid_maps || s->n_gid_maps))
        return md_error(err, 0,
                        "config: uidMappings/gidMappings with a user namespace joined by path");
    if ((s->n_uid_maps || s->n_gid_maps) && !s->ns[MD_NS_USER].present)
        return md_error(err, 0, "config: uidMappings/gidMappings need a user namespace");
    if (jpath(lx, "timeOffsets", NULL) && !(s->ns[MD_NS_TIME].present && !s->ns[MD_NS_TIME].path))
        return md_error(err, 0, "config: linux.timeOffsets need a new time namespace");
    int r = resources_check(jpath(lx, "resources", NULL), err);
    if (r == 0) r = md_sysctl_check(s, err);
    return r < 0 ? r : seccomp_check(s->seccomp, err);
}

int md_spec_check(const struct md_spec *s, md_error_t **err)
{
    struct json_object *doc = s->json;
    static const char *const platforms[] = {"solaris", "windows", "vm", "zos"};
    for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
        if (jpath(doc, platforms[i], NULL))
            return md_error(err, 0, "config: \"%s\" is not supported on Linux", platforms[i]);
    /* a 2.x document may mean things we do not know; a missing version is
     * taken as 1.x, as runc does */
    const char *ver = jstr(doc, "ociVersion");
    if (ver && strncmp(ver, "1.", 2) != 0)
        return md_error(err, 0, "config: ociVersion %s is not supported (1.x)", ver);
    struct json_object *proc = jpath(doc, "process", NULL);
    if (jpath(proc, "commandLine", NULL) || jpath(proc, "execCPUAffinity", NULL))
        return md_error(err, 0, "config: process.%s is not supported",
                        jpath(proc, "commandLine", NULL) ? "commandLine" : "execCPUAffinity");
    unsigned long dom;
    int io, has;
    struct sched_attr sa;
    int r = personality_domain(doc, &dom, err);
    if (r == 0) r = io_priority(doc, &io, err);
    if (r == 0) r = sched_attr_of(doc, &sa, &has, err);
    if (r == 0) r = lsm_check(doc, err);
    if (r == 0) r = md_hooks_validate(s->hooks, err);
    if (r == 0) r = mounts_check(s, jpath(doc, "mounts", NULL), err);
    if (r == 0) r = linux_check(s, jpath(doc, "linux", NULL), err);
    return r;
}
