/* spec (a default config.json, runc's), features, update. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "runc/runc.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* runc's default spec: a read-only busybox-style root, three capabilities,
 * the usual mounts, masked and read-only /proc paths. */
static const char default_spec[] =
    "{\"ociVersion\":\"1.0.2\","
    "\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/"
    "bin\",\"TERM=xterm\"],"
    "\"cwd\":\"/\","
    "\"capabilities\":{\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"mydocker-runc\","
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/"
    "dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode="
    "755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/"
    "pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\",\"noexec\","
    "\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
    "{\"destination\":\"/dev/"
    "shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"noexec\",\"nodev\","
    "\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/"
    "mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":[\"nosuid\",\"noexec\","
    "\"nodev\"]},"
    "{\"destination\":\"/"
    "sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\",\"nodev\","
    "\"ro\"]},"
    "{\"destination\":\"/sys/fs/"
    "cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\","
    "\"nodev\",\"relatime\",\"ro\"]}],"
    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":"
    "\"uts\"},{\"type\":\"mount\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\",\"/proc/"
    "latency_stats\","
    "\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/"
    "scsi\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/"
    "sysrq-trigger\"]}}";

static struct json_object *idmap(unsigned host)
{
    struct json_object *arr = json_object_new_array(), *m = json_object_new_object();
    json_object_object_add(m, "containerID", json_object_new_int(0));
    json_object_object_add(m, "hostID", json_object_new_int64(host));
    json_object_object_add(m, "size", json_object_new_int(1));
    json_object_array_add(arr, m);
    return arr;
}

/* runc spec --rootless: our ids mapped to root of a user namespace, /sys
 * bound rather than mounted, no cgroup mount, no resources. */
static void make_rootless(struct json_object *doc)
{
    struct json_object *lx = NULL, *ns = NULL, *mounts = NULL;
    json_object_object_get_ex(doc, "linux", &lx);
    json_object_object_get_ex(lx, "namespaces", &ns);
    struct json_object *user = json_object_new_object();
    json_object_object_add(user, "type", json_object_new_string("user"));
    json_object_array_add(ns, user);
    json_object_object_add(lx, "uidMappings", idmap(geteuid()));
    json_object_object_add(lx, "gidMappings", idmap(getegid()));
    json_object_object_del(lx, "resources");
    json_object_object_get_ex(doc, "mounts", &mounts);
    struct json_object *kept = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(mounts); i++) {
        struct json_object *m = json_object_array_get_idx(mounts, i), *d = NULL, *opts = NULL;
        json_object_object_get_ex(m, "destination", &d);
        const char *dest = json_object_get_string(d);
        if (strcmp(dest, "/sys/fs/cgroup") == 0) continue;
        if (strcmp(dest, "/sys") == 0) {
            json_object_object_add(m, "type", json_object_new_string("none"));
            json_object_object_add(m, "source", json_object_new_string("/sys"));
            json_object *o = json_object_new_array();
            const char *v[] = {"rbind", "nosuid", "noexec", "nodev", "ro"};
            for (size_t k = 0; k < 5; k++)
                json_object_array_add(o, json_object_new_string(v[k]));
            json_object_object_add(m, "options", o);
        } else if (json_object_object_get_ex(m, "options", &opts)) {
            /* gid=5 names a group the user namespace does not map */
            struct json_object *o = json_object_new_array();
            for (size_t k = 0; k < json_object_array_length(opts); k++) {
                const char *s = json_object_get_string(json_object_array_get_idx(opts, k));
                if (strncmp(s, "gid=", 4) != 0 && strncmp(s, "uid=", 4) != 0)
                    json_object_array_add(o, json_object_new_string(s));
            }
            json_object_object_add(m, "options", o);
        }
        json_object_array_add(kept, json_object_get(m));
    }
    json_object_object_add(doc, "mounts", kept);
}

int runc_cmd_spec(int argc, char **argv)
{
    static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
                                         {"rootless", no_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *bundle = ".";
    int rootless = 0, c;
    while ((c = getopt_long_only(argc, argv, "+b:", opts, NULL)) != -1) {
        if (c == 'b')
            bundle = optarg;
        else if (c == 'r')
            rootless = 1;
        else
            return runc_usage_error("spec", "flag provided but not defined: %s", argv[optind - 1]);
    }
    md_error_t *err = NULL;
    char path[4200];
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    if (access(path, F_OK) == 0) {
        md_error(&err, 0, "File %s exists. Remove it first or use a different bundle", path);
        return runc_fail(&err);
    }
    struct json_object *doc = json_tokener_parse(default_spec);
    if (rootless) make_rootless(doc);
    const char *text = json_object_to_json_string_ext(
        doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    int r = md_write_file_atomic(path, text, strlen(text), 0666, 0, &err);
    json_object_put(doc);
    return r < 0 ? runc_fail(&err) : 0;
}

static struct json_object *strings(const char *const *v, size_t n)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(v[i]));
    return a;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct json_object *linux_features(void)
{
    static const char *const ns[] = {"cgroup", "ipc",  "mount", "network",
                                     "pid",    "time", "user",  "uts"};
    static const char *const actions[] = {
        "SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",   "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"};
    static const char *const ops[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                      "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                                      "SCMP_CMP_NE"};
    static const char *const archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
                                        "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
    struct json_object *lx = json_object_new_object();
    json_object_object_add(lx, "namespaces", strings(ns, N(ns)));
    struct json_object *caps = json_object_new_array();
    for (int i = 0; md_cap_name(i) != NULL; i++) {
        char b[48];
        snprintf(b, sizeof(b), "CAP_%s", md_cap_name(i));
        json_object_array_add(caps, json_object_new_string(b));
    }
    json_object_object_add(lx, "capabilities", caps);
    struct json_object *cg = json_object_new_object();
    json_object_object_add(cg, "v1", json_object_new_boolean(1));
    json_object_object_add(cg, "v2", json_object_new_boolean(1));
    json_object_object_add(cg, "systemd", json_object_new_boolean(0));
    json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
    json_object_object_add(lx, "cgroup", cg);
    struct json_object *sc = json_object_new_object();
    json_object_object_add(sc, "enabled", json_object_new_boolean(1));
    json_object_object_add(sc, "actions", strings(actions, N(actions)));
    json_object_object_add(sc, "operators", strings(ops, N(ops)));
    json_object_object_add(sc, "archs", strings(archs, N(archs)));
    json_object_object_add(lx, "seccomp", sc);
    struct json_object *off = json_object_new_object();
    json_object_object_add(off, "enabled", json_object_new_boolean(0));
    json_object_object_add(lx, "apparmor", json_object_get(off));
    json_object_object_add(lx, "selinux", off);
    return lx;
}

int runc_cmd_features(int argc, char **argv)
{
    static const char *const hooks[] = {"prestart",       "createRuntime", "createContainer",
                                        "startContainer", "poststart",     "poststop"};
    static const char *const mopts[] = {
        "async",        "atime",          "bind",        "defaults",  "dev",
        "diratime",     "dirsync",        "exec",        "loud",      "mand",
        "noatime",      "nodev",          "nodiratime",  "noexec",    "nomand",
        "norelatime",   "nostrictatime",  "nosuid",      "private",   "rbind",
        "relatime",     "remount",        "ro",          "rprivate",  "rshared",
        "rslave",       "runbindable",    "rw",          "shared",    "silent",
        "slave",        "strictatime",    "suid",        "sync",      "unbindable",
        "tmpcopyup",    "nosymfollow",    "symfollow",   "rro",       "rrw",
        "rnosuid",      "rsuid",          "rnodev",      "rdev",      "rnoexec",
        "rexec",        "rnoatime",       "ratime",      "rrelatime", "rnorelatime",
        "rstrictatime", "rnostrictatime", "rnodiratime", "rdiratime", "rnosymfollow",
        "rsymfollow"};
    struct json_object *o = json_object_new_object(), *ann = json_object_new_object();
    json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
    json_object_object_add(o, "ociVersionMax", json_object_new_string("1.0.2"));
    json_object_object_add(o, "hooks", strings(hooks, N(hooks)));
    json_object_object_add(o, "mountOptions", strings(mopts, N(mopts)));
    json_object_object_add(o, "linux", linux_features());
    const struct scmp_version *v = seccomp_version();
    char ver[32];
    snprintf(ver, sizeof(ver), "%u.%u.%u", v->major, v->minor, v->micro);
    json_object_object_add(ann, "io.github.seccomp.libseccomp.version",
                           json_object_new_string(ver));
    json_object_object_add(ann, "org.mydocker.runc.version", json_object_new_string(MD_VERSION));
    json_object_object_add(o, "annotations", ann);
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return 0;
}
