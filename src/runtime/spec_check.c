/* md_spec_check: every field of config.json is either honoured or an
 * error before clone. A runtime that skips what it does not know runs a
 * container with less isolation than its spec asked for (an LSM profile,
 * an idmapped mount, a notify listener) and nobody hears of it. The parts
 * the runtime models are refused by their parsers (spec.c and the files
 * it calls); this file refuses the fields it does not model at all. */
#include "spec_check.h"

#include <string.h>

#include "hooks.h"
#include "spec_json.h"
#include "sysctl.h"
#include "util/fs.h"

/* apparmorProfile, selinuxLabel and mountLabel are applied where the host
 * has the LSM; runc ignores them elsewhere, and so do we. We apply neither
 * LSM, so a host that has one gets an error instead of a silent no-op. */
static int lsm_check(struct json_object *doc, md_error_t **err)
{
    if (md_jstr(md_jpath(doc, "process", NULL), "apparmorProfile") &&
        md_path_exists("/sys/kernel/security/apparmor"))
        return md_error(err, 0, "config: process.apparmorProfile: AppArmor is not supported");
    if ((md_jstr(md_jpath(doc, "process", NULL), "selinuxLabel") ||
         md_jstr(md_jpath(doc, "linux", NULL), "mountLabel")) &&
        md_path_exists("/sys/fs/selinux/enforce"))
        return md_error(err, 0, "config: SELinux labels are not supported");
    return 0;
}

static int nonzero(struct json_object *o, const char *k)
{
    struct json_object *v = md_jpath(o, k, NULL);
    return v && json_object_get_int64(v) != 0;
}

static int resources_check(struct json_object *res, md_error_t **err)
{
    struct json_object *net = md_jpath(res, "network", NULL), *rdma = md_jpath(res, "rdma", NULL);
    if (net && (nonzero(net, "classID") || md_jlen(md_jpath(net, "priorities", NULL)) > 0))
        return md_error(err, 0, "config: linux.resources.network is not supported");
    if (rdma && json_object_object_length(rdma) > 0)
        return md_error(err, 0, "config: linux.resources.rdma is not supported");
    struct json_object *cpu = md_jpath(res, "cpu", NULL);
    if (nonzero(cpu, "realtimeRuntime") || nonzero(cpu, "realtimePeriod"))
        return md_error(err, 0, "config: linux.resources.cpu realtime limits are not supported");
    return 0;
}

static int seccomp_check(struct json_object *sc, md_error_t **err)
{
    if (sc == NULL) return 0;
    if (md_jstr(sc, "listenerPath"))
        return md_error(err, 0,
                        "config: linux.seccomp.listenerPath (SCMP_ACT_NOTIFY) is not supported");
    struct json_object *calls = md_jpath(sc, "syscalls", NULL);
    for (size_t i = 0; i < md_jlen(calls); i++) {
        const char *a = md_jstr(json_object_array_get_idx(calls, i), "action");
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
    for (size_t i = 0; i < md_jlen(mounts); i++) {
        struct json_object *m = json_object_array_get_idx(mounts, i);
        if (md_jpath(m, "uidMappings", NULL) || md_jpath(m, "gidMappings", NULL))
            return md_error(err, 0, "config: mount %s: idmapped mounts are not supported",
                            md_jstr(m, "destination") ? md_jstr(m, "destination") : "?");
    }
    return 0;
}

static int linux_check(const struct md_spec *s, struct json_object *lx, md_error_t **err)
{
    static const char *const unsupported[] = {"intelRdt", "memoryPolicy", "netDevices"};
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        if (md_jpath(lx, unsupported[i], NULL))
            return md_error(err, 0, "config: linux.%s is not supported", unsupported[i]);
    /* the spec: a namespace given by path is set up already */
    if (s->ns[MD_NS_USER].present && s->ns[MD_NS_USER].path && (s->n_uid_maps || s->n_gid_maps))
        return md_error(err, 0,
                        "config: uidMappings/gidMappings with a user namespace joined by path");
    if ((s->n_uid_maps || s->n_gid_maps) && !s->ns[MD_NS_USER].present)
        return md_error(err, 0, "config: uidMappings/gidMappings need a user namespace");
    if (md_jpath(lx, "timeOffsets", NULL) &&
        !(s->ns[MD_NS_TIME].present && !s->ns[MD_NS_TIME].path))
        return md_error(err, 0, "config: linux.timeOffsets need a new time namespace");
    int r = resources_check(md_jpath(lx, "resources", NULL), err);
    if (r == 0) r = md_sysctl_check(s, err);
    return r < 0 ? r : seccomp_check(s->seccomp, err);
}

int md_spec_check(const struct md_spec *s, md_error_t **err)
{
    struct json_object *doc = s->json;
    static const char *const platforms[] = {"solaris", "windows", "vm", "zos"};
    for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
        if (md_jpath(doc, platforms[i], NULL))
            return md_error(err, 0, "config: \"%s\" is not supported on Linux", platforms[i]);
    /* a 2.x document may mean things we do not know; a missing version is
     * taken as 1.x, as runc does */
    const char *ver = md_jstr(doc, "ociVersion");
    if (ver && strncmp(ver, "1.", 2) != 0)
        return md_error(err, 0, "config: ociVersion %s is not supported (1.x)", ver);
    struct json_object *proc = md_jpath(doc, "process", NULL);
    if (md_jpath(proc, "commandLine", NULL) || md_jpath(proc, "execCPUAffinity", NULL))
        return md_error(err, 0, "config: process.%s is not supported",
                        md_jpath(proc, "commandLine", NULL) ? "commandLine" : "execCPUAffinity");
    int r = lsm_check(doc, err);
    if (r == 0) r = md_hooks_validate(s->hooks, err);
    if (r == 0) r = mounts_check(s, md_jpath(doc, "mounts", NULL), err);
    if (r == 0) r = linux_check(s, md_jpath(doc, "linux", NULL), err);
    return r;
}
