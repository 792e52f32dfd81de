/* OCI config.json -> struct md_spec (src/runtime/spec.c, spec_mount.c). */
#include <errno.h>
#include <json-c/json.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "runtime/spec.h"
#include "unit.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"

#define BIT(c) (1ULL << (c))

static md_error_t *err;

static const char *errmsg(void)
{
    return err && err->msg ? err->msg : "(no error)";
}

static const char *full_config =
    "{"
    "\"ociVersion\":\"1.0.2\","
    "\"process\":{"
    "  \"terminal\":true,"
    "  \"consoleSize\":{\"height\":30,\"width\":100},"
    "  \"user\":{\"uid\":1000,\"gid\":1001,\"umask\":18,\"additionalGids\":[5,6,7]},"
    "  \"args\":[\"/bin/sh\",\"-c\",\"echo \\\"hi\\\" there\",\"\"],"
    "  \"env\":[\"PATH=/usr/bin:/bin\",\"A=b c\",\"EMPTY=\"],"
    "  \"cwd\":\"/tmp/work\","
    "  \"capabilities\":{"
    "    \"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_NET_RAW\"],"
    "    \"effective\":[\"CAP_CHOWN\"],"
    "    \"inheritable\":[],"
    "    \"permitted\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"],"
    "    \"ambient\":[\"CAP_NET_BIND_SERVICE\"]},"
    "  \"rlimits\":["
    "    {\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024},"
    "    {\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,\"soft\":0}],"
    "  \"noNewPrivileges\":true,"
    "  \"oomScoreAdj\":-500,"
    "  \"apparmorProfile\":\"docker-default\","
    "  \"selinuxLabel\":\"system_u:system_r:container_t:s0\"},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"box\","
    "\"domainname\":\"example.org\","
    "\"mounts\":["
    "  {\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "  {\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "   \"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "  {\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "   \"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "  {\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/host/data\","
    "   \"options\":[\"rbind\",\"rw\",\"rslave\"]},"
    "  {\"destination\":\"/x\",\"type\":\"none\",\"source\":\"/host/x\","
    "   \"options\":[\"bind\",\"ro\",\"nosuid\",\"private\"]},"
    "  {\"destination\":\"/y\",\"source\":\"/host/y\","
    "   \"options\":[\"rbind\",\"noatime\",\"nodiratime\",\"shared\",\"exec\",\"suid\"]},"
    "  {\"destination\":\"/z\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "   \"options\":[\"ro\",\"rw\",\"noexec\",\"exec\",\"runbindable\",\"uid=1000\",\"gid=1000\"]}"
    "],"
    "\"linux\":{"
    "  \"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},"
    "    {\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"user\"},"
    "    {\"type\":\"cgroup\"}],"
    "  \"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
    "  \"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":1000},"
    "    {\"containerID\":1000,\"hostID\":300000,\"size\":1}],"
    "  \"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,"
    "    \"fileMode\":438,\"uid\":0,\"gid\":5},"
    "    {\"path\":\"/dev/sda\",\"type\":\"b\",\"major\":8,\"minor\":0}],"
    "  \"maskedPaths\":[\"/proc/kcore\",\"/proc/keys\"],"
    "  \"readonlyPaths\":[\"/proc/sys\"],"
    "  \"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.msgmax\":\"65536\"},"
    "  \"rootfsPropagation\":\"rslave\","
    "  \"cgroupsPath\":\"/mydocker/abc\","
    "  \"resources\":{\"memory\":{\"limit\":1000000}},"
    "  \"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}"
    "},"
    "\"hooks\":{\"prestart\":[]},"
    "\"annotations\":{\"org.mydocker.overlay.lowerdir\":\"/l1:/l2\","
    "  \"org.mydocker.overlay.upperdir\":\"/u\",\"org.mydocker.overlay.workdir\":\"/w\","
    "  \"org.mydocker.init\":\"true\",\"other\":\"x\"}"
    "}";

static int parse_text(const char *text, struct md_spec **s)
{
    struct json_object *doc = json_tokener_parse(text);
    if (doc == NULL) {
        UNIT_FAIL("test JSON does not parse: %s", text);
        return -999;
    }
    md_error_free(&err);
    *s = NULL;
    int r = md_spec_parse(doc, s, &err);
    json_object_put(doc); /* the spec holds its own reference */
    return r;
}

static void test_full(void)
{
    struct md_spec *s;
    CHECK_INT(parse_text(full_config, &s), 0);
    if (s == NULL) {
        UNIT_FAIL("md_spec_parse: %s", errmsg());
        return;
    }
    struct md_process *p = &s->process;
    CHECK_INT(p->terminal, 1);
    CHECK_INT(p->rows, 30);
    CHECK_INT(p->cols, 100);
    CHECK_INT(p->uid, 1000);
    CHECK_INT(p->gid, 1001);
    CHECK_INT(p->has_umask, 1);
    CHECK_INT(p->umask, 022);
    CHECK_INT(p->n_gids, 3);
    if (p->n_gids == 3) CHECK(p->gids[0] == 5 && p->gids[1] == 6 && p->gids[2] == 7);
    CHECK_INT(md_strv_len(p->args), 4);
    CHECK_STR(p->args[0], "/bin/sh");
    CHECK_STR(p->args[2], "echo \"hi\" there");
    CHECK_STR(p->args[3], "");
    CHECK_INT(md_strv_len(p->env), 3);
    CHECK_STR(p->env[1], "A=b c");
    CHECK_STR(p->env[2], "EMPTY=");
    CHECK_STR(p->cwd, "/tmp/work");
    CHECK_INT(p->has_caps, 1);
    CHECK(p->cap_bounding == (BIT(CAP_CHOWN) | BIT(CAP_SYS_ADMIN) | BIT(CAP_NET_RAW)));
    CHECK(p->cap_effective == BIT(CAP_CHOWN));
    CHECK(p->cap_inheritable == 0);
    CHECK(p->cap_permitted == (BIT(CAP_CHOWN) | BIT(CAP_SYS_ADMIN)));
    CHECK(p->cap_ambient == BIT(CAP_NET_BIND_SERVICE));
    CHECK_INT(p->n_rlimits, 2);
    if (p->n_rlimits == 2) {
        CHECK_INT(p->rlimits[0].resource, RLIMIT_NOFILE);
        CHECK_INT(p->rlimits[0].soft, 1024);
        CHECK_INT(p->rlimits[0].hard, 2048);
        CHECK_INT(p->rlimits[1].resource, RLIMIT_CORE);
        CHECK_INT(p->rlimits[1].soft, 0);
        CHECK(p->rlimits[1].hard == UINT64_MAX); /* RLIM_INFINITY survives JSON */
    }
    CHECK_INT(p->no_new_privileges, 1);
    CHECK_INT(p->has_oom_score_adj, 1);
    CHECK_INT(p->oom_score_adj, -500);
    CHECK_STR(p->apparmor_profile, "docker-default");
    CHECK_STR(p->selinux_label, "system_u:system_r:container_t:s0");

    CHECK_STR(s->root_path, "rootfs");
    CHECK_INT(s->root_readonly, 1);
    CHECK_STR(s->hostname, "box");
    CHECK_STR(s->domainname, "example.org");

    CHECK_INT(s->n_mounts, 7);
    if (s->n_mounts == 7) {
        struct md_mount *m = s->mounts;
        CHECK_STR(m[0].destination, "/proc");
        CHECK_STR(m[0].type, "proc");
        CHECK_STR(m[0].source, "proc");
        CHECK(m[0].flags == 0 && m[0].clear_flags == 0 && m[0].propagation == 0);
        CHECK(m[0].data == NULL);
        CHECK_INT(m[0].bind, 0);

        CHECK(m[1].flags == (MS_NOSUID | MS_STRICTATIME));
        CHECK_STR(m[1].data, "mode=755,size=65536k");
        CHECK_INT(m[1].bind, 0);

        CHECK(m[2].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
        CHECK(m[2].data == NULL);

        /* type "bind" + "rbind": recursive bind; "rw" clears MS_RDONLY */
        CHECK_INT(m[3].bind, 2);
        CHECK(m[3].flags == 0);
        CHECK(m[3].clear_flags == MS_RDONLY);
        CHECK(m[3].propagation == (MS_SLAVE | MS_REC));
        CHECK(m[3].data == NULL);

        /* type "none" + "bind" */
        CHECK_STR(m[4].type, "none");
        CHECK_INT(m[4].bind, 1);
        CHECK(m[4].flags == (MS_RDONLY | MS_NOSUID));
        CHECK(m[4].propagation == MS_PRIVATE);

        /* no type at all is fine for a bind */
        CHECK(m[5].type == NULL);
        CHECK_INT(m[5].bind, 2);
        CHECK(m[5].flags == (MS_NOATIME | MS_NODIRATIME));
        CHECK(m[5].clear_flags == (MS_NOEXEC | MS_NOSUID));
        CHECK(m[5].propagation == MS_SHARED);

        /* later options override earlier ones, in both directions */
        CHECK(m[6].flags == 0);
        CHECK(m[6].clear_flags == (MS_RDONLY | MS_NOEXEC));
        CHECK(m[6].propagation == (MS_UNBINDABLE | MS_REC));
        CHECK_STR(m[6].data, "uid=1000,gid=1000");
    }

    CHECK(s->ns[MD_NS_PID].present && s->ns[MD_NS_PID].path == NULL);
    CHECK(s->ns[MD_NS_NET].present);
    CHECK_STR(s->ns[MD_NS_NET].path, "/proc/1/ns/net");
    CHECK(s->ns[MD_NS_MNT].present && s->ns[MD_NS_IPC].present && s->ns[MD_NS_UTS].present);
    CHECK(s->ns[MD_NS_USER].present && s->ns[MD_NS_CGROUP].present);
    CHECK(!s->ns[MD_NS_TIME].present);

    CHECK_INT(s->n_uid_maps, 1);
    if (s->n_uid_maps == 1)
        CHECK(s->uid_maps[0].container_id == 0 && s->uid_maps[0].host_id == 100000 &&
              s->uid_maps[0].size == 65536);
    CHECK_INT(s->n_gid_maps, 2);
    if (s->n_gid_maps == 2)
        CHECK(s->gid_maps[1].container_id == 1000 && s->gid_maps[1].host_id == 300000 &&
              s->gid_maps[1].size == 1);

    CHECK_INT(s->n_devices, 2);
    if (s->n_devices == 2) {
        CHECK_STR(s->devices[0].path, "/dev/fuse");
        CHECK_INT(s->devices[0].type, 'c');
        CHECK_INT(s->devices[0].major, 10);
        CHECK_INT(s->devices[0].minor, 229);
        CHECK_INT(s->devices[0].has_mode, 1);
        CHECK_INT(s->devices[0].mode, 0666);
        CHECK_INT(s->devices[0].gid, 5);
        CHECK_INT(s->devices[1].type, 'b');
        CHECK_INT(s->devices[1].major, 8);
        CHECK_INT(s->devices[1].has_mode, 0);
    }

    CHECK_INT(md_strv_len(s->masked_paths), 2);
    CHECK_STR(s->masked_paths[1], "/proc/keys");
    CHECK_INT(md_strv_len(s->readonly_paths), 1);
    CHECK_STR(s->readonly_paths[0], "/proc/sys");
    CHECK_INT(md_strv_len(s->sysctl_keys), 2);
    CHECK_INT(md_strv_len(s->sysctl_values), 2);
    for (size_t i = 0; i < md_strv_len(s->sysctl_keys); i++) {
        if (strcmp(s->sysctl_keys[i], "net.ipv4.ip_forward") == 0)
            CHECK_STR(s->sysctl_values[i], "1");
        else
            CHECK(strcmp(s->sysctl_keys[i], "kernel.msgmax") == 0 &&
                  strcmp(s->sysctl_values[i], "65536") == 0);
    }
    CHECK(s->rootfs_propagation == (MS_SLAVE | MS_REC));
    CHECK_STR(s->cgroups_path, "/mydocker/abc");
    CHECK(s->resources != NULL && json_object_is_type(s->resources, json_type_object));
    CHECK(s->seccomp != NULL);
    CHECK(s->hooks != NULL);
    CHECK(s->annotations != NULL);
    CHECK_STR(s->overlay_lower, "/l1:/l2");
    CHECK_STR(s->overlay_upper, "/u");
    CHECK_STR(s->overlay_work, "/w");
    CHECK_INT(s->init, 1);
    md_spec_free(s);
}

static void test_minimal_defaults(void)
{
    struct md_spec *s;
    CHECK_INT(parse_text("{\"root\":{\"path\":\"/r\"},\"process\":{\"args\":[\"true\"]}}", &s), 0);
    if (s == NULL) return;
    CHECK_STR(s->process.cwd, "/");
    CHECK_INT(s->process.terminal, 0);
    CHECK_INT(s->process.has_caps, 0);
    CHECK_INT(s->process.has_umask, 0);
    CHECK_INT(s->process.has_oom_score_adj, 0);
    CHECK_INT(s->process.no_new_privileges, 0);
    CHECK(s->process.env == NULL);
    CHECK_INT(s->root_readonly, 0);
    CHECK(s->hostname == NULL);
    CHECK_INT(s->n_mounts, 0);
    for (int i = 0; i < MD_NS_COUNT; i++)
        CHECK(!s->ns[i].present);
    CHECK(s->rootfs_propagation == (MS_REC | MS_PRIVATE));
    CHECK(s->seccomp == NULL && s->resources == NULL && s->annotations == NULL);
    CHECK(s->overlay_lower == NULL);
    CHECK_INT(s->init, 0);
    md_spec_free(s);

    /* time namespace, and a path on user */
    CHECK_INT(parse_text("{\"root\":{\"path\":\"/r\"},\"process\":{\"args\":[\"true\"]},"
                         "\"linux\":{\"namespaces\":[{\"type\":\"time\"},{\"type\":\"user\","
                         "\"path\":\"/proc/2/ns/user\"}]}}",
                         &s),
              0);
    if (s) {
        CHECK(s->ns[MD_NS_TIME].present && s->ns[MD_NS_TIME].path == NULL);
        CHECK_STR(s->ns[MD_NS_USER].path, "/proc/2/ns/user");
        CHECK(!s->ns[MD_NS_PID].present);
    }
    md_spec_free(s);

    /* init annotation other than "true" is off */
    CHECK_INT(parse_text("{\"root\":{\"path\":\"/r\"},\"process\":{\"args\":[\"true\"]},"
                         "\"annotations\":{\"org.mydocker.init\":\"false\"}}",
                         &s),
              0);
    if (s) CHECK_INT(s->init, 0);
    md_spec_free(s);

    const char *props[][2] = {{"private", "p"},    {"rprivate", "rp"},   {"shared", "s"},
                              {"rshared", "rs"},   {"slave", "sl"},      {"rslave", "rsl"},
                              {"unbindable", "u"}, {"runbindable", "ru"}};
    const unsigned long want[] = {
        MS_PRIVATE, MS_PRIVATE | MS_REC, MS_SHARED,     MS_SHARED | MS_REC,
        MS_SLAVE,   MS_SLAVE | MS_REC,   MS_UNBINDABLE, MS_UNBINDABLE | MS_REC};
    for (size_t i = 0; i < 8; i++) {
        char buf[256];
        snprintf(buf, sizeof(buf),
                 "{\"root\":{\"path\":\"/r\"},\"process\":{\"args\":[\"true\"]},"
                 "\"linux\":{\"rootfsPropagation\":\"%s\"}}",
                 props[i][0]);
        CHECK_INT(parse_text(buf, &s), 0);
        if (s && s->rootfs_propagation != want[i])
            UNIT_FAIL("rootfsPropagation %s: got %#lx want %#lx", props[i][0],
                      s->rootfs_propagation, want[i]);
        else if (s)
            unit_passed++;
        md_spec_free(s);
    }
}

static void expect_error(const char *text, const char *want)
{
    struct md_spec *s = (struct md_spec *)1;
    int r = parse_text(text, &s);
    if (r < 0 && s == NULL && strcmp(errmsg(), want) == 0) {
        unit_passed++;
    } else {
        UNIT_FAIL("md_spec_parse(%s): got %d \"%s\", want error \"%s\"", text, r, errmsg(), want);
        if (r == 0) md_spec_free(s);
    }
}

#define ROOT "\"root\":{\"path\":\"/r\"}"
#define PROC "\"process\":{\"args\":[\"true\"]}"

/* runc 1.1 and crun: an unknown capability is left out, with a warning */
static void test_unknown_caps(void)
{
    struct md_spec *s = NULL;
    CHECK_INT(parse_text("{\"root\":{\"path\":\"/r\"},\"process\":{\"args\":[\"true\"],"
                         "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_FOO\"],"
                         "\"ambient\":[\"CAP_NOPE\",\"CAP_FOO\"]}}}",
                         &s),
              0);
    if (s == NULL) return;
    CHECK(s->process.cap_bounding == (1ULL << CAP_CHOWN) && s->process.cap_ambient == 0);
    char **u = s->process.unknown_caps;
    CHECK(u && u[0] && u[1] && !u[2] && strcmp(u[0], "CAP_FOO") == 0 &&
          strcmp(u[1], "CAP_NOPE") == 0);
    md_spec_free(s);
}

static void test_errors(void)
{
    expect_error("{" PROC "}", "config: root.path is missing");
    expect_error("{" ROOT "}", "config: process is missing");
    expect_error("{" ROOT ",\"process\":{\"cwd\":\"/\"}}",
                 "config: process.args must not be empty");
    expect_error("{" ROOT ",\"process\":{\"args\":[]}}", "config: process.args must not be empty");
    expect_error("{" ROOT ",\"process\":{\"args\":[\"a\",1]}}",
                 "process.args: element 1 is not a string");
    expect_error("{" ROOT ",\"process\":{\"args\":[\"a\"],\"env\":[null]}}",
                 "process.env: element 0 is not a string");
    expect_error("{" ROOT ",\"process\":{\"args\":[\"true\"],\"cwd\":\"tmp\"}}",
                 "config: process.cwd must be an absolute path: tmp");
    expect_error("{" ROOT ",\"process\":{\"args\":[\"true\"],"
                 "\"capabilities\":{\"ambient\":[7]}}}",
                 "config: a capability is not a string");
    expect_error("{" ROOT ",\"process\":{\"args\":[\"true\"],"
                 "\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]}}",
                 "unknown rlimit type RLIMIT_BOGUS");
    expect_error("{" ROOT "," PROC ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
                 "{\"type\":\"bogus\"}]}}",
                 "config: unknown namespace type bogus");
    expect_error("{" ROOT "," PROC ",\"linux\":{\"namespaces\":[{}]}}",
                 "config: unknown namespace type (null)");
    expect_error("{" ROOT "," PROC ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
                 "{\"type\":\"net\"}]}}",
                 "config: unknown namespace type net");
    expect_error("{" ROOT "," PROC ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
                 "{\"type\":\"mount\"},{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}]}}",
                 "config: namespace pid listed twice");
    expect_error("{" ROOT "," PROC ",\"mounts\":[{\"destination\":\"rel\",\"type\":\"tmpfs\"}]}",
                 "config: mount 0: destination must be an absolute path");
    expect_error("{" ROOT "," PROC ",\"mounts\":[{\"type\":\"tmpfs\"}]}",
                 "config: mount 0: destination must be an absolute path");
    expect_error("{" ROOT "," PROC ",\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\"},"
                 "{\"destination\":\"/b\",\"source\":\"/x\",\"options\":[\"ro\"]}]}",
                 "config: mount /b: no type");
    expect_error("{" ROOT "," PROC ",\"linux\":{\"devices\":[{\"path\":\"/dev/x\","
                 "\"type\":\"x\"}]}}",
                 "config: device 0: bad path or type");
    expect_error("{" ROOT "," PROC ",\"linux\":{\"devices\":[{\"type\":\"c\"}]}}",
                 "config: device 0: bad path or type");
    expect_error("{" ROOT "," PROC ",\"linux\":{\"rootfsPropagation\":\"sideways\"}}",
                 "config: bad rootfsPropagation sideways");
}

static void test_load(void)
{
    char dir[] = "/tmp/md-unit-spec-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/config.json", dir);
    CHECK_INT(md_write_file_atomic(path, full_config, strlen(full_config), 0600, 0, NULL), 0);
    struct md_spec *s = NULL;
    md_error_free(&err);
    CHECK_INT(md_spec_load(path, &s, &err), 0);
    if (s) {
        CHECK_STR(s->process.args[0], "/bin/sh");
        CHECK_INT(s->n_mounts, 7);
        md_spec_free(s);
    }
    CHECK_INT(md_write_file_atomic(path, "{\"root\":", 8, 0600, 0, NULL), 0);
    s = NULL;
    CHECK(md_spec_load(path, &s, &err) < 0);
    CHECK(s == NULL);
    char want[200];
    snprintf(want, sizeof(want), "%s: invalid JSON: ", path);
    CHECK(strncmp(errmsg(), want, strlen(want)) == 0);
    snprintf(path, sizeof(path), "%s/missing.json", dir);
    CHECK_INT(md_spec_load(path, &s, &err), -ENOENT);
    md_rm_rf(dir, NULL);
}

static void test_mount_options(void)
{
    struct md_mount m = {0};
    struct json_object *o = json_tokener_parse("[\"defaults\",\"sync\",\"dirsync\",\"mand\","
                                               "\"relatime\",\"silent\",\"remount\",\"size=1m\"]");
    CHECK_INT(md_mount_options(&m, o, &err), 0);
    CHECK(m.flags ==
          (MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_RELATIME | MS_SILENT | MS_REMOUNT));
    CHECK_STR(m.data, "size=1m");
    json_object_put(o);
    free(m.data);

    /* "bind"/"rbind" as the type */
    struct md_mount b = {.type = "rbind"};
    CHECK_INT(md_mount_options(&b, NULL, &err), 0);
    CHECK_INT(b.bind, 2);
    struct md_mount b1 = {.type = "bind"};
    CHECK_INT(md_mount_options(&b1, NULL, &err), 0);
    CHECK_INT(b1.bind, 1);
}

static void test_names(void)
{
    CHECK_INT(md_cap_from_name("CAP_CHOWN"), CAP_CHOWN);
    CHECK_INT(md_cap_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
    CHECK_INT(md_cap_from_name("SYS_ADMIN"), CAP_SYS_ADMIN);
    CHECK_INT(md_cap_from_name("cap_sys_admin"), CAP_SYS_ADMIN);
    CHECK_INT(md_cap_from_name("net_bind_service"), CAP_NET_BIND_SERVICE);
    CHECK_INT(md_cap_from_name("CAP_AUDIT_READ"), CAP_AUDIT_READ);
    CHECK_INT(md_cap_from_name("CAP_PERFMON"), CAP_PERFMON);
    CHECK_INT(md_cap_from_name("CAP_BPF"), CAP_BPF);
    CHECK_INT(md_cap_from_name("CAP_CHECKPOINT_RESTORE"), CAP_CHECKPOINT_RESTORE);
    CHECK_INT(md_cap_from_name("CAP_MAC_ADMIN"), CAP_MAC_ADMIN);
    CHECK_INT(md_cap_from_name("CAP_FOO"), -1);
    CHECK_INT(md_cap_from_name("CAP_"), -1);
    CHECK_INT(md_cap_from_name(""), -1);
    CHECK_INT(md_cap_from_name("CAP_CHOWNX"), -1);
    CHECK_INT(md_cap_from_name("ALL"), -1);
    /* every kernel capability up to CAP_LAST_CAP, by its number */
    static const char *const all[] = {"CHOWN",
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
                                      "CHECKPOINT_RESTORE"};
    CHECK_INT(sizeof(all) / sizeof(all[0]), CAP_LAST_CAP + 1);
    int ok = 1;
    for (int i = 0; i <= CAP_LAST_CAP; i++)
        ok &= md_cap_from_name(all[i]) == i;
    CHECK(ok);

    CHECK_INT(md_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
    CHECK_INT(md_rlimit_from_name("NOFILE"), RLIMIT_NOFILE);
    CHECK_INT(md_rlimit_from_name("RLIMIT_CPU"), RLIMIT_CPU);
    CHECK_INT(md_rlimit_from_name("RLIMIT_AS"), RLIMIT_AS);
    CHECK_INT(md_rlimit_from_name("RLIMIT_CORE"), RLIMIT_CORE);
    CHECK_INT(md_rlimit_from_name("RLIMIT_NPROC"), RLIMIT_NPROC);
    CHECK_INT(md_rlimit_from_name("RLIMIT_MEMLOCK"), RLIMIT_MEMLOCK);
    CHECK_INT(md_rlimit_from_name("RLIMIT_MSGQUEUE"), RLIMIT_MSGQUEUE);
    CHECK_INT(md_rlimit_from_name("RLIMIT_RTPRIO"), RLIMIT_RTPRIO);
    CHECK_INT(md_rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
    CHECK_INT(md_rlimit_from_name("RLIMIT_SIGPENDING"), RLIMIT_SIGPENDING);
    CHECK_INT(md_rlimit_from_name("RLIMIT_STACK"), RLIMIT_STACK);
    CHECK_INT(md_rlimit_from_name("RLIMIT_BOGUS"), -1);
    CHECK_INT(md_rlimit_from_name(""), -1);
    CHECK_INT(md_rlimit_from_name("RLIMIT_"), -1);
}

int main(void)
{
    test_full();
    test_minimal_defaults();
    test_errors();
    test_unknown_caps();
    test_load();
    test_mount_options();
    test_names();
    md_error_free(&err);
    return UNIT_END("spec");
}
