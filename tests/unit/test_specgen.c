/* docker semantics -> OCI config.json (src/engine/specgen.c and
 * seccomp_default.c): env, argv and capability rules, then whole documents. */
#include <errno.h>
#include <json-c/json.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "cli/run_opts.h"
#include "engine/specgen.h"
#include "engine/user.h"
#include "runtime/spec.h"
#include "unit.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define ALL_CAPS ((1ULL << (CAP_CHECKPOINT_RESTORE + 1)) - 1)
#define BIT(c) (1ULL << (c))

static md_error_t *err;

static const char *errmsg(void)
{
    return err && err->msg ? err->msg : "(no error)";
}

/* ---- helpers ---------------------------------------------------------- */

static int parse_v(struct md_run_opts *o, const char *const *args)
{
    char *argv[64];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = strdup(args[argc]);
    argv[argc] = NULL;
    md_error_free(&err);
    int r = md_run_opts_parse(argc, argv, o, &err);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    if (r != 0) UNIT_FAIL("md_run_opts_parse: %d %s", r, errmsg());
    return r;
}
#define PARSE(o, ...) parse_v((o), (const char *const[]){"run", __VA_ARGS__, NULL})

static char *joinv(char *const *v)
{
    size_t n = 1;
    for (char *const *p = v; p && *p; p++)
        n += strlen(*p) + 1;
    char *s = calloc(1, n);
    for (char *const *p = v; p && *p; p++) {
        if (p != v) strcat(s, "|");
        strcat(s, *p);
    }
    return s;
}

/* "a|b|c" form of a char** for CHECK_STR */
#define CHECK_STRV(v, want)                                                                        \
    do {                                                                                           \
        char *j_ = joinv(v);                                                                       \
        CHECK_STR(j_, want);                                                                       \
        free(j_);                                                                                  \
    } while (0)

static char *join_json(struct json_object *arr)
{
    char **v = NULL;
    for (size_t i = 0;
         arr && json_object_is_type(arr, json_type_array) && i < json_object_array_length(arr);
         i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        md_strv_append(&v, json_object_is_type(e, json_type_string)
                               ? json_object_get_string(e)
                               : json_object_to_json_string(e));
    }
    char *s = joinv(v);
    md_strv_free(v);
    return s;
}

#define CHECK_JARR(arr, want)                                                                      \
    do {                                                                                           \
        char *j_ = join_json(arr);                                                                 \
        CHECK_STR(j_, want);                                                                       \
        free(j_);                                                                                  \
    } while (0)

/* Walk "a.b.c" through objects */
static struct json_object *jpath(struct json_object *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
        struct json_object *n;
        if (o == NULL || !json_object_object_get_ex(o, k, &n)) return NULL;
        o = n;
    }
    return o;
}

static const char *jstr(struct json_object *o, const char *path)
{
    struct json_object *v = jpath(o, path);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* an annotation (the keys hold dots, so not through jpath) */
static const char *annot(struct json_object *doc, const char *key)
{
    struct json_object *v, *a = jpath(doc, "annotations");
    if (a && json_object_object_get_ex(a, key, &v) && json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return NULL;
}

static long long jint(struct json_object *o, const char *path)
{
    struct json_object *v = jpath(o, path);
    return v ? json_object_get_int64(v) : -999;
}

static int jbool(struct json_object *o, const char *path)
{
    struct json_object *v = jpath(o, path);
    return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : -1;
}

static int jarr_has(struct json_object *arr, const char *s)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0) return 1;
    return 0;
}

static struct json_object *find_mount(struct json_object *doc, const char *dst)
{
    struct json_object *m = jpath(doc, "mounts");
    for (size_t i = 0; m && i < json_object_array_length(m); i++) {
        struct json_object *e = json_object_array_get_idx(m, i);
        if (strcmp(jstr(e, "destination"), dst) == 0) return e;
    }
    return NULL;
}

static char *mount_dests(struct json_object *doc)
{
    char **v = NULL;
    struct json_object *m = jpath(doc, "mounts");
    for (size_t i = 0; m && i < json_object_array_length(m); i++)
        md_strv_append(&v, jstr(json_object_array_get_idx(m, i), "destination"));
    char *s = joinv(v);
    md_strv_free(v);
    return s;
}

static char *ns_types(struct json_object *doc)
{
    char **v = NULL;
    struct json_object *m = jpath(doc, "linux.namespaces");
    for (size_t i = 0; m && i < json_object_array_length(m); i++)
        md_strv_append(&v, jstr(json_object_array_get_idx(m, i), "type"));
    char *s = joinv(v);
    md_strv_free(v);
    return s;
}

/* names of the syscalls refused by a seccomp profile */
/* How a profile treats a call with any arguments: 1 refused (no rule allows
 * it and the default refuses, or an unconditional ERRNO rule names it), 0
 * allowed whatever the arguments, 2 allowed only for some arguments. */
static int seccomp_verdict(struct json_object *prof, const char *call)
{
    struct json_object *calls = jpath(prof, "syscalls");
    int conditional = 0;
    for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
        struct json_object *r = json_object_array_get_idx(calls, i);
        if (!jarr_has(jpath(r, "names"), call)) continue;
        int allow = strcmp(jstr(r, "action"), "SCMP_ACT_ALLOW") == 0;
        if (jpath(r, "args") != NULL)
            conditional |= allow;
        else
            return allow ? 0 : 1;
    }
    if (conditional) return 2;
    return strcmp(jstr(prof, "defaultAction"), "SCMP_ACT_ALLOW") == 0 ? 0 : 1;
}
static int seccomp_refuses(struct json_object *prof, const char *call)
{
    return seccomp_verdict(prof, call) == 1;
}

static const uint64_t docker_default_caps =
    BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) | BIT(CAP_MKNOD) |
    BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) |
    BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);

/* ---- md_env_merge ----------------------------------------------------- */

static void test_env_merge(void)
{
    char **e = md_env_merge(NULL, NULL, "h1", 0, "/root");
    CHECK_STRV(e, DEFAULT_PATH "|HOSTNAME=h1|HOME=/root");
    md_strv_free(e);

    e = md_env_merge(NULL, NULL, "h1", 1, NULL);
    CHECK_STRV(e, DEFAULT_PATH "|HOSTNAME=h1|TERM=xterm|HOME=/");
    md_strv_free(e);

    /* no hostname (host mode): no HOSTNAME */
    e = md_env_merge(NULL, NULL, NULL, 0, "/");
    CHECK_STRV(e, DEFAULT_PATH "|HOME=/");
    md_strv_free(e);

    /* -e replaces an image variable in place and appends new ones */
    char *img[] = {"A=1", "B=2", "C=3", NULL};
    char *usr[] = {"B=20", "D=4", "A=10", NULL};
    e = md_env_merge(img, usr, "h", 0, "/home/u");
    CHECK_STRV(e, DEFAULT_PATH "|HOSTNAME=h|A=10|B=20|C=3|D=4|HOME=/home/u");
    md_strv_free(e);

    /* the user's HOSTNAME, TERM, HOME win, in place */
    char *usr2[] = {"HOSTNAME=mine", "TERM=dumb", "HOME=/x", NULL};
    e = md_env_merge(NULL, usr2, "h", 1, "/root");
    CHECK_STRV(e, DEFAULT_PATH "|HOSTNAME=mine|TERM=dumb|HOME=/x");
    md_strv_free(e);

    /* an image HOME is kept (no second HOME) */
    char *img3[] = {"HOME=/img", NULL};
    e = md_env_merge(img3, NULL, "h", 0, "/root");
    CHECK_STRV(e, DEFAULT_PATH "|HOSTNAME=h|HOME=/img");
    md_strv_free(e);

    /* a user PATH replaces the default */
    char *usr4[] = {"PATH=/mine", NULL};
    e = md_env_merge(NULL, usr4, "h", 0, "/");
    int n_path = 0;
    for (char **p = e; p && *p; p++)
        n_path += strncmp(*p, "PATH=", 5) == 0;
    CHECK_INT(n_path, 1);
    md_strv_free(e);

    /* the image's PATH (every real image has one) replaces the default, and
     * docker keeps it where the default was: first, before HOSTNAME
     * (container.CreateDaemonEnvironment + ReplaceOrAppendEnvValues), so
     * `docker run alpine env` prints PATH, HOSTNAME, ..., HOME */
    char *img5[] = {"PATH=/usr/bin:/bin", "LANG=C", NULL};
    e = md_env_merge(img5, NULL, "h", 1, "/root");
    int has = 0;
    for (char **p = e; p && *p; p++)
        has += strcmp(*p, "PATH=/usr/bin:/bin") == 0 || strcmp(*p, "LANG=C") == 0 ||
               strcmp(*p, "HOSTNAME=h") == 0 || strcmp(*p, "TERM=xterm") == 0 ||
               strcmp(*p, "HOME=/root") == 0;
    CHECK_INT(has, 5);
    CHECK_INT(md_strv_len(e), 5);
    CHECK_STRV(e, "PATH=/usr/bin:/bin|HOSTNAME=h|TERM=xterm|LANG=C|HOME=/root");
    md_strv_free(e);
}

/* ---- md_argv_merge ---------------------------------------------------- */

static void check_argv(const char *const *args, const char *image_cfg, const char *want)
{
    struct md_run_opts o;
    memset(&o, 0, sizeof(o));
    parse_v(&o, args);
    struct json_object *ic = image_cfg ? json_tokener_parse(image_cfg) : NULL;
    char **argv = NULL;
    md_error_free(&err);
    int r = md_argv_merge(&o, ic, &argv, &err);
    if (want == NULL) {
        CHECK(r < 0);
        CHECK_STR(errmsg(), "no command specified");
    } else {
        CHECK_INT(r, 0);
        CHECK_STRV(argv, want);
    }
    md_strv_free(argv);
    json_object_put(ic);
    md_run_opts_free(&o);
}
#define ARGS(...) ((const char *const[]){"run", __VA_ARGS__, NULL})

static void test_argv_merge(void)
{
    const char *both = "{\"Entrypoint\":[\"/ep\",\"-x\"],\"Cmd\":[\"c1\",\"c2\"]}";
    const char *cmd_only = "{\"Entrypoint\":null,\"Cmd\":[\"/bin/sh\"]}";
    const char *none = "{\"Entrypoint\":null,\"Cmd\":null}";

    check_argv(ARGS("img"), both, "/ep|-x|c1|c2");
    /* args replace Cmd, the image Entrypoint stays */
    check_argv(ARGS("img", "a", "b"), both, "/ep|-x|a|b");
    check_argv(ARGS("img"), cmd_only, "/bin/sh");
    check_argv(ARGS("img", "ls", "-l"), cmd_only, "ls|-l");
    /* --entrypoint replaces the image's and drops the image Cmd */
    check_argv(ARGS("--entrypoint", "/bin/echo", "img"), both, "/bin/echo");
    check_argv(ARGS("--entrypoint", "/bin/echo", "img", "hi"), both, "/bin/echo|hi");
    /* --entrypoint "" resets it: only the args are left */
    check_argv(ARGS("--entrypoint", "", "img", "ls"), both, "ls");
    check_argv(ARGS("--entrypoint", "", "img"), both, NULL);
    /* nothing at all */
    check_argv(ARGS("img"), none, NULL);
    check_argv(ARGS("img"), NULL, NULL);
    check_argv(ARGS("img", "true"), NULL, "true");
    /* an argument with spaces stays one argument */
    check_argv(ARGS("img", "sh", "-c", "echo a b"), cmd_only, "sh|-c|echo a b");
}

/* ---- md_caps_compute -------------------------------------------------- */

static uint64_t caps_of(const char *const *args, uint64_t host, int *r)
{
    struct md_run_opts o;
    parse_v(&o, args);
    uint64_t caps = 0xdeadbeef;
    md_error_free(&err);
    *r = md_caps_compute(&o, host, &caps, &err);
    md_run_opts_free(&o);
    return caps;
}

static void test_caps(void)
{
    int r;
    CHECK_INT(__builtin_popcountll(docker_default_caps), 14);
    CHECK(caps_of(ARGS("img"), ALL_CAPS, &r) == docker_default_caps);
    CHECK_INT(r, 0);

    CHECK(caps_of(ARGS("--cap-add", "SYS_ADMIN", "img"), ALL_CAPS, &r) ==
          (docker_default_caps | BIT(CAP_SYS_ADMIN)));
    /* names are case-insensitive and may carry CAP_ */
    CHECK(caps_of(ARGS("--cap-add", "cap_sys_ptrace", "--cap-add", "net_admin", "img"), ALL_CAPS,
                  &r) == (docker_default_caps | BIT(CAP_SYS_PTRACE) | BIT(CAP_NET_ADMIN)));
    CHECK(caps_of(ARGS("--cap-drop", "NET_RAW", "--cap-drop", "CAP_MKNOD", "img"), ALL_CAPS, &r) ==
          (docker_default_caps & ~(BIT(CAP_NET_RAW) | BIT(CAP_MKNOD))));
    /* drop ALL then add: only the added */
    CHECK(caps_of(ARGS("--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "img"), ALL_CAPS, &r) ==
          BIT(CAP_NET_ADMIN));
    CHECK(caps_of(ARGS("--cap-add", "NET_ADMIN", "--cap-drop", "all", "img"), ALL_CAPS, &r) ==
          BIT(CAP_NET_ADMIN));
    CHECK(caps_of(ARGS("--cap-drop", "ALL", "img"), ALL_CAPS, &r) == 0);
    /* add ALL: everything the host has */
    CHECK(caps_of(ARGS("--cap-add", "ALL", "img"), ALL_CAPS, &r) == ALL_CAPS);
    /* add ALL with a drop: docker (oci/caps.TweakCapabilities) gives every
     * capability except the dropped ones */
    uint64_t c = caps_of(ARGS("--cap-add", "ALL", "--cap-drop", "NET_RAW", "img"), ALL_CAPS, &r);
    if (c == (ALL_CAPS & ~BIT(CAP_NET_RAW)))
        unit_passed++;
    else
        UNIT_FAIL("--cap-add ALL --cap-drop NET_RAW: got %#llx, want %#llx (NET_RAW %s)",
                  (unsigned long long)c, (unsigned long long)(ALL_CAPS & ~BIT(CAP_NET_RAW)),
                  c & BIT(CAP_NET_RAW) ? "kept" : "dropped");
    /* the host's bounding set limits the result */
    uint64_t host = ALL_CAPS & ~(BIT(CAP_NET_RAW) | BIT(CAP_SYS_ADMIN));
    CHECK(caps_of(ARGS("--cap-add", "SYS_ADMIN", "img"), host, &r) ==
          (docker_default_caps & ~BIT(CAP_NET_RAW)));
    /* --privileged: exactly the host's bounding set, flags ignored */
    CHECK(caps_of(ARGS("--privileged", "img"), host, &r) == host);
    CHECK(caps_of(ARGS("--privileged", "--cap-drop", "ALL", "img"), ALL_CAPS, &r) == ALL_CAPS);
    /* unknown names */
    caps_of(ARGS("--cap-add", "FOO", "img"), ALL_CAPS, &r);
    CHECK(r < 0);
    CHECK(strstr(errmsg(), "FOO") != NULL);
    caps_of(ARGS("--cap-drop", "NOPE", "img"), ALL_CAPS, &r);
    CHECK(r < 0);
    CHECK(strstr(errmsg(), "NOPE") != NULL);
}

/* ---- md_specgen: whole documents -------------------------------------- */

static const char *image_cfg_text =
    "{\"User\":\"\",\"Env\":[\"PATH=/usr/bin:/bin\",\"LANG=C.UTF-8\",\"X=img\"],"
    "\"Entrypoint\":[\"/docker-entrypoint.sh\"],\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"],"
    "\"WorkingDir\":\"/srv\"}";

struct gen {
    struct md_run_opts o;
    struct json_object *ic;
    struct md_user user;
    struct md_specgen_in in;
    struct json_object *doc;
    int r;
};

static void gen_run(struct gen *g, const char *const *args, int overlay)
{
    memset(g, 0, sizeof(*g));
    parse_v(&g->o, args);
    g->ic = json_tokener_parse(image_cfg_text);
    g->user.uid = 1000;
    g->user.gid = 1001;
    g->user.gids = calloc(2, sizeof(gid_t));
    g->user.gids[0] = 10;
    g->user.gids[1] = 20;
    g->user.n_gids = 2;
    g->user.home = strdup("/home/u");
    g->in = (struct md_specgen_in){
        .opts = &g->o,
        .hostname = "c0ffee",
        .image_config = g->ic,
        .rootfs = "/var/lib/mydocker/containers/abc/rootfs",
        .overlay_lower = overlay ? "/l/2:/l/1" : NULL,
        .overlay_upper = overlay ? "/c/upper" : NULL,
        .overlay_work = overlay ? "/c/work" : NULL,
        .etc_dir = "/var/lib/mydocker/containers/abc",
        .user = &g->user,
        .host_root = 0,
        .rows = 40,
        .cols = 120,
        .host_caps = ALL_CAPS,
    };
    md_error_free(&err);
    g->r = md_specgen(&g->in, &g->doc, &err);
    if (g->r != 0) UNIT_FAIL("md_specgen: %d %s", g->r, errmsg());
}

static void gen_free(struct gen *g)
{
    json_object_put(g->doc);
    json_object_put(g->ic);
    md_user_clear(&g->user);
    md_run_opts_free(&g->o);
}

static void test_specgen_default(void)
{
    struct gen g;
    gen_run(&g, ARGS("-e", "X=usr", "-e", "Y=1", "img"), 1);
    struct json_object *d = g.doc;
    if (d == NULL) return;
    CHECK(jstr(d, "ociVersion") != NULL);
    /* process */
    CHECK_INT(jbool(d, "process.terminal"), 0);
    CHECK(jpath(d, "process.consoleSize") == NULL);
    CHECK_JARR(jpath(d, "process.args"), "/docker-entrypoint.sh|nginx|-g|daemon off;");
    /* (the order is checked by test_env_merge) */
    const char *env[] = {"PATH=/usr/bin:/bin",
                         "HOSTNAME=c0ffee",
                         "LANG=C.UTF-8",
                         "X=usr",
                         "Y=1",
                         "HOME=/home/u",
                         NULL};
    CHECK_INT(json_object_array_length(jpath(d, "process.env")), 6);
    for (const char **p = env; *p; p++)
        if (jarr_has(jpath(d, "process.env"), *p))
            unit_passed++;
        else
            UNIT_FAIL("process.env lacks %s", *p);
    CHECK_STR(jstr(d, "process.cwd"), "/srv");
    CHECK_INT(jint(d, "process.user.uid"), 1000);
    CHECK_INT(jint(d, "process.user.gid"), 1001);
    CHECK_JARR(jpath(d, "process.user.additionalGids"), "10|20");
    const char *caps = "CAP_CHOWN|CAP_DAC_OVERRIDE|CAP_FOWNER|CAP_FSETID|CAP_KILL|CAP_SETGID|"
                       "CAP_SETUID|CAP_SETPCAP|CAP_NET_BIND_SERVICE|CAP_NET_RAW|CAP_SYS_CHROOT|"
                       "CAP_MKNOD|CAP_AUDIT_WRITE|CAP_SETFCAP";
    CHECK_JARR(jpath(d, "process.capabilities.bounding"), caps);
    CHECK_JARR(jpath(d, "process.capabilities.effective"), caps);
    CHECK_JARR(jpath(d, "process.capabilities.permitted"), caps);
    CHECK_JARR(jpath(d, "process.capabilities.inheritable"), "");
    CHECK_JARR(jpath(d, "process.capabilities.ambient"), "");
    CHECK_INT(json_object_array_length(jpath(d, "process.rlimits")), 0);
    CHECK_INT(jbool(d, "process.noNewPrivileges"), 0);
    /* root, hostname */
    CHECK_STR(jstr(d, "root.path"), "/var/lib/mydocker/containers/abc/rootfs");
    CHECK_INT(jbool(d, "root.readonly"), 0);
    CHECK_STR(jstr(d, "hostname"), "c0ffee");
    /* mounts */
    char *m = mount_dests(d);
    CHECK_STR(m, "/proc|/dev|/dev/pts|/sys|/sys/fs/cgroup|/dev/mqueue|/dev/shm|/etc/resolv.conf|"
                 "/etc/hostname|/etc/hosts");
    free(m);
    struct json_object *e = find_mount(d, "/proc");
    CHECK_STR(jstr(e, "type"), "proc");
    CHECK_JARR(jpath(e, "options"), "nosuid|noexec|nodev");
    e = find_mount(d, "/dev");
    CHECK_STR(jstr(e, "type"), "tmpfs");
    CHECK_JARR(jpath(e, "options"), "nosuid|strictatime|mode=755|size=65536k");
    e = find_mount(d, "/dev/pts");
    CHECK_STR(jstr(e, "type"), "devpts");
    CHECK_JARR(jpath(e, "options"), "nosuid|noexec|newinstance|ptmxmode=0666|mode=0620|gid=5");
    e = find_mount(d, "/sys");
    CHECK_STR(jstr(e, "type"), "sysfs");
    CHECK(jarr_has(jpath(e, "options"), "ro"));
    CHECK(!jarr_has(jpath(e, "options"), "rw"));
    e = find_mount(d, "/dev/mqueue");
    CHECK_STR(jstr(e, "type"), "mqueue");
    e = find_mount(d, "/dev/shm");
    CHECK_STR(jstr(e, "type"), "tmpfs");
    CHECK_STR(jstr(e, "source"), "shm");
    CHECK_JARR(jpath(e, "options"), "nosuid|noexec|nodev|mode=1777|size=67108864");
    e = find_mount(d, "/etc/resolv.conf");
    CHECK_STR(jstr(e, "type"), "bind");
    CHECK_STR(jstr(e, "source"), "/var/lib/mydocker/containers/abc/resolv.conf");
    CHECK_JARR(jpath(e, "options"), "rbind|rprivate");
    CHECK_STR(jstr(find_mount(d, "/etc/hostname"), "source"),
              "/var/lib/mydocker/containers/abc/hostname");
    CHECK_STR(jstr(find_mount(d, "/etc/hosts"), "source"),
              "/var/lib/mydocker/containers/abc/hosts");
    /* linux */
    char *ns = ns_types(d);
    CHECK_STR(ns, "pid|ipc|uts|mount|network|cgroup");
    free(ns);
    CHECK_JARR(jpath(d, "linux.maskedPaths"),
               "/proc/asound|/proc/acpi|/proc/interrupts|/proc/kcore|/proc/keys|"
               "/proc/latency_stats|/proc/timer_list|/proc/timer_stats|/proc/sched_debug|"
               "/proc/scsi|/sys/firmware|/sys/devices/virtual/powercap");
    CHECK_JARR(jpath(d, "linux.readonlyPaths"),
               "/proc/bus|/proc/fs|/proc/irq|/proc/sys|/proc/sysrq-trigger");
    /* docker's device allowlist: deny all first, fuse denied, no host node */
    CHECK_INT((int)json_object_array_length(jpath(d, "linux.devices")), 0);
    struct json_object *dr = jpath(d, "linux.resources.devices");
    CHECK_INT((int)json_object_array_length(dr), 13);
    struct json_object *r0 = json_object_array_get_idx(dr, 0),
                       *fuse = json_object_array_get_idx(dr, 7);
    CHECK(!json_object_get_boolean(jpath(r0, "allow")) && jpath(r0, "type") == NULL);
    CHECK_STR(jstr(r0, "access"), "rwm");
    CHECK(!json_object_get_boolean(jpath(fuse, "allow")) && jint(fuse, "major") == 10 &&
          jint(fuse, "minor") == 229);
    struct json_object *sc = jpath(d, "linux.seccomp");
    CHECK(sc != NULL);
    CHECK_STR(jstr(sc, "defaultAction"), "SCMP_ACT_ERRNO");
    CHECK(seccomp_refuses(sc, "mount"));
    CHECK(seccomp_refuses(sc, "kexec_load"));
    CHECK(seccomp_refuses(sc, "kcmp"));
    CHECK(!seccomp_refuses(sc, "read"));
    /* annotations */
    CHECK_STR(annot(d, MD_ANNOT_OVERLAY_LOWER), "/l/2:/l/1");
    CHECK_STR(annot(d, MD_ANNOT_OVERLAY_UPPER), "/c/upper");
    CHECK_STR(annot(d, MD_ANNOT_OVERLAY_WORK), "/c/work");
    CHECK(annot(d, MD_ANNOT_INIT) == NULL);

    /* the runtime reads back what the engine wrote */
    struct md_spec *s = NULL;
    md_error_free(&err);
    CHECK_INT(md_spec_parse(d, &s, &err), 0);
    if (s) {
        CHECK_STR(s->process.args[0], "/docker-entrypoint.sh");
        CHECK_INT(s->process.uid, 1000);
        CHECK_INT(s->process.n_gids, 2);
        CHECK(s->process.cap_bounding == docker_default_caps);
        CHECK(s->process.cap_inheritable == 0);
        CHECK_INT(s->n_mounts, 10);
        if (s->n_mounts == 10) {
            CHECK(s->mounts[3].flags & MS_RDONLY);  /* /sys */
            CHECK_STR(s->mounts[4].type, "cgroup"); /* /sys/fs/cgroup */
            CHECK(s->mounts[4].flags & MS_RDONLY);
            CHECK_STR(s->mounts[1].data, "mode=755,size=65536k"); /* /dev */
            CHECK_INT(s->mounts[7].bind, 2);                      /* resolv.conf */
            CHECK(s->mounts[7].propagation == (MS_PRIVATE | MS_REC));
        }
        CHECK(s->ns[MD_NS_NET].present && s->ns[MD_NS_PID].present && !s->ns[MD_NS_USER].present);
        CHECK(s->seccomp != NULL);
        CHECK_STR(s->overlay_lower, "/l/2:/l/1");
        CHECK_INT(s->init, 0);
        md_spec_free(s);
    }
    gen_free(&g);
}

static void test_specgen_flags(void)
{
    struct gen g;
    gen_run(&g,
            ARGS("-t", "--init", "--read-only", "-w", "/work", "--entrypoint", "/bin/sh",
                 "--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined",
                 "--ulimit", "nofile=100:200", "--ulimit", "core=0", "--cap-drop", "ALL",
                 "--cap-add", "KILL", "--network", "host", "img", "-c", "exit 3"),
            0);
    struct json_object *d = g.doc;
    if (d == NULL) return;
    CHECK_INT(jbool(d, "process.terminal"), 1);
    CHECK_INT(jint(d, "process.consoleSize.height"), 40);
    CHECK_INT(jint(d, "process.consoleSize.width"), 120);
    CHECK_JARR(jpath(d, "process.args"), "/bin/sh|-c|exit 3");
    CHECK_STR(jstr(d, "process.cwd"), "/work");
    CHECK(jarr_has(jpath(d, "process.env"), "TERM=xterm"));
    CHECK_JARR(jpath(d, "process.capabilities.bounding"), "CAP_KILL");
    CHECK_INT(jbool(d, "process.noNewPrivileges"), 1);
    struct json_object *rl = jpath(d, "process.rlimits");
    CHECK_INT(json_object_array_length(rl), 2);
    if (json_object_array_length(rl) == 2) {
        CHECK_STR(jstr(json_object_array_get_idx(rl, 0), "type"), "RLIMIT_NOFILE");
        CHECK_INT(jint(json_object_array_get_idx(rl, 0), "soft"), 100);
        CHECK_INT(jint(json_object_array_get_idx(rl, 0), "hard"), 200);
        CHECK_STR(jstr(json_object_array_get_idx(rl, 1), "type"), "RLIMIT_CORE");
        CHECK_INT(jint(json_object_array_get_idx(rl, 1), "hard"), 0);
    }
    CHECK_INT(jbool(d, "root.readonly"), 1);
    /* --network host: no network namespace */
    char *ns = ns_types(d);
    CHECK_STR(ns, "pid|ipc|uts|mount|cgroup");
    free(ns);
    /* seccomp=unconfined: no profile at all */
    CHECK(jpath(d, "linux.seccomp") == NULL);
    CHECK(jpath(d, "linux.maskedPaths") != NULL);
    /* --init annotation, no overlay annotations */
    CHECK_STR(annot(d, MD_ANNOT_INIT), "true");
    CHECK(annot(d, MD_ANNOT_OVERLAY_LOWER) == NULL);

    struct md_spec *s = NULL;
    CHECK_INT(md_spec_parse(d, &s, &err), 0);
    if (s) {
        CHECK_INT(s->init, 1);
        CHECK(!s->ns[MD_NS_NET].present);
        CHECK_INT(s->process.n_rlimits, 2);
        CHECK(s->root_readonly);
        md_spec_free(s);
    }
    gen_free(&g);

    /* --network none keeps the namespace */
    gen_run(&g, ARGS("--network", "none", "img"), 0);
    ns = ns_types(g.doc);
    CHECK_STR(ns, "pid|ipc|uts|mount|network|cgroup");
    CHECK(jpath(g.doc, "process.oomScoreAdj") == NULL);
    gen_free(&g);
    free(ns);

    /* --cgroupns host: no cgroup namespace; --oom-score-adj reaches the process */
    gen_run(&g, ARGS("--cgroupns", "host", "--oom-score-adj", "-17", "--network", "none", "img"),
            0);
    ns = ns_types(g.doc);
    CHECK_STR(ns, "pid|ipc|uts|mount|network");
    free(ns);
    CHECK_INT(jint(g.doc, "process.oomScoreAdj"), -17);
    gen_free(&g);
}

static void test_specgen_privileged(void)
{
    struct gen g;
    gen_run(&g, ARGS("--privileged", "img"), 0);
    struct json_object *d = g.doc;
    if (d == NULL) return;
    CHECK(jpath(d, "linux.maskedPaths") == NULL);
    CHECK(jpath(d, "linux.readonlyPaths") == NULL);
    CHECK(jpath(d, "linux.seccomp") == NULL);
    /* all capabilities of the host */
    CHECK_INT(json_object_array_length(jpath(d, "process.capabilities.bounding")),
              CAP_CHECKPOINT_RESTORE + 1);
    CHECK(jarr_has(jpath(d, "process.capabilities.bounding"), "CAP_SYS_ADMIN"));
    CHECK_JARR(jpath(d, "process.capabilities.inheritable"), "");
    /* /sys writable, host devices listed */
    struct json_object *e = find_mount(d, "/sys");
    CHECK(jarr_has(jpath(e, "options"), "rw"));
    CHECK(!jarr_has(jpath(e, "options"), "ro"));
    struct json_object *dev = jpath(d, "linux.devices");
    CHECK(dev != NULL && json_object_is_type(dev, json_type_array));
    int has_null = 0;
    for (size_t i = 0; dev && i < json_object_array_length(dev); i++) {
        struct json_object *x = json_object_array_get_idx(dev, i);
        if (strcmp(jstr(x, "path"), "/dev/null") == 0)
            has_null =
                jint(x, "major") == 1 && jint(x, "minor") == 3 && strcmp(jstr(x, "type"), "c") == 0;
    }
    CHECK(has_null);
    struct md_spec *s = NULL;
    CHECK_INT(md_spec_parse(d, &s, &err), 0);
    md_spec_free(s);
    gen_free(&g);

    /* --privileged with an explicit profile keeps the profile */
    char dir[] = "/tmp/md-unit-specgen-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/prof.json", dir);
    const char *prof = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}";
    CHECK_INT(md_write_file_atomic(path, prof, strlen(prof), 0644, 0, NULL), 0);
    char opt[160];
    snprintf(opt, sizeof(opt), "seccomp=%s", path);
    gen_run(&g, ARGS("--privileged", "--security-opt", opt, "img"), 0);
    CHECK_STR(jstr(g.doc, "linux.seccomp.defaultAction"), "SCMP_ACT_ERRNO");
    gen_free(&g);
    gen_run(&g, ARGS("--security-opt", opt, "img"), 0);
    CHECK_STR(jstr(g.doc, "linux.seccomp.defaultAction"), "SCMP_ACT_ERRNO");
    gen_free(&g);
    md_rm_rf(dir, NULL);
}

static void expect_specgen_error(const char *const *args, const char *needle)
{
    struct md_run_opts o;
    parse_v(&o, args);
    struct md_user u = {.home = NULL};
    struct md_specgen_in in = {
        .opts = &o, .hostname = "h", .rootfs = "/r", .user = &u, .host_caps = ALL_CAPS};
    struct json_object *doc = NULL;
    md_error_free(&err);
    int r = md_specgen(&in, &doc, &err);
    CHECK(r < 0);
    CHECK(doc == NULL);
    if (strstr(errmsg(), needle) == NULL)
        UNIT_FAIL("md_specgen error \"%s\" does not contain \"%s\"", errmsg(), needle);
    else
        unit_passed++;
    json_object_put(doc);
    md_run_opts_free(&o);
}

static void test_specgen_errors(void)
{
    expect_specgen_error(ARGS("img"), "no command specified");
    expect_specgen_error(ARGS("--cap-add", "BOGUS", "img", "x"), "BOGUS");
    expect_specgen_error(ARGS("--ulimit", "foo=1", "img", "x"),
                         "for \"--ulimit\" flag: invalid ulimit type: foo");
    expect_specgen_error(ARGS("--security-opt", "seccomp=/nonexistent/prof.json", "img", "x"),
                         "opening seccomp profile");
}

static void test_specgen_host_root(void)
{
    /* the seeds' mode: the host's own root, fresh namespaces and /proc */
    struct md_run_opts o;
    /* what run.c makes of `run /bin/sh -c id`: argv is the whole command */
    parse_v(&o, ARGS("--entrypoint", "", "--rootfs", "/", "/bin/sh", "-c", "id"));
    struct md_specgen_in in = {.opts = &o,
                               .hostname = "h",
                               .rootfs = "/",
                               .user = NULL,
                               .host_root = 1,
                               .host_caps = ALL_CAPS};
    struct json_object *d = NULL;
    CHECK_INT(md_specgen(&in, &d, &err), 0);
    if (d == NULL) {
        md_run_opts_free(&o);
        return;
    }
    CHECK_JARR(jpath(d, "process.args"), "/bin/sh|-c|id");
    char *m = mount_dests(d);
    CHECK_STR(m, "/proc|/dev/pts");
    free(m);
    CHECK(jpath(d, "hostname") == NULL);
    CHECK(jpath(d, "linux.maskedPaths") == NULL);
    CHECK(jpath(d, "linux.seccomp") == NULL);
    CHECK_INT(jint(d, "process.user.uid"), 0);
    CHECK(jpath(d, "process.user.additionalGids") == NULL);
    CHECK_STR(jstr(d, "process.cwd"), "/");
    struct json_object *env = jpath(d, "process.env");
    int hostname_env = 0;
    for (size_t i = 0; env && i < json_object_array_length(env); i++)
        hostname_env |=
            strncmp(json_object_get_string(json_object_array_get_idx(env, i)), "HOSTNAME=", 9) == 0;
    CHECK(!hostname_env);
    CHECK(jarr_has(env, "HOME=/"));
    json_object_put(d);
    md_run_opts_free(&o);
}

static void test_seccomp_default(void)
{
    struct json_object *p = md_seccomp_default(docker_default_caps);
    /* docker's allowlist: whatever is not named is refused with EPERM */
    CHECK_STR(jstr(p, "defaultAction"), "SCMP_ACT_ERRNO");
    CHECK_INT(jint(p, "defaultErrnoRet"), EPERM);
    CHECK(jarr_has(jpath(p, "architectures"), "SCMP_ARCH_X86_64"));
    const char *refused[] = {"mount",
                             "umount2",
                             "unshare",
                             "setns",
                             "pivot_root",
                             "bpf",
                             "reboot",
                             "init_module",
                             "kcmp",
                             "pidfd_getfd",
                             "iopl",
                             "settimeofday",
                             "clock_settime",
                             "acct",
                             "syslog",
                             "vhangup",
                             "open_by_handle_at",
                             "kexec_load",
                             "keyctl",
                             "add_key",
                             "swapon",
                             "userfaultfd",
                             "io_uring_setup",
                             "io_uring_enter",
                             "io_uring_register",
                             "a_call_of_the_future",
                             NULL};
    for (const char **c = refused; *c; c++)
        if (!seccomp_refuses(p, *c))
            UNIT_FAIL("default profile allows %s", *c);
        else
            unit_passed++;
    CHECK_INT(seccomp_verdict(p, "clone"), 2);       /* only without namespace flags */
    CHECK_INT(seccomp_verdict(p, "socket"), 2);      /* not AF_VSOCK */
    CHECK_INT(seccomp_verdict(p, "personality"), 2); /* not READ_IMPLIES_EXEC */
    CHECK_INT(seccomp_verdict(p, "read"), 0);
    CHECK_INT(seccomp_verdict(p, "close_range"), 0);
    CHECK_INT(seccomp_verdict(p, "chroot"), 0); /* CAP_SYS_CHROOT is a default cap */
    /* docker's default profile allows ptrace without CAP_SYS_PTRACE on
     * kernels >= 4.8 (moby profiles/seccomp/default.json: "ptrace",
     * includes.minKernel "4.8"), so strace/gdb work in a plain container */
    if (seccomp_refuses(p, "ptrace"))
        UNIT_FAIL(
            "default profile (default caps) refuses ptrace; docker allows it on kernel >= 4.8");
    else
        unit_passed++;
    /* clone3 answers ENOSYS so libc falls back to clone */
    struct json_object *calls = jpath(p, "syscalls");
    int clone3_enosys = 0, clone_masked = 0;
    for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
        struct json_object *r = json_object_array_get_idx(calls, i);
        if (jarr_has(jpath(r, "names"), "clone3")) clone3_enosys = jint(r, "errnoRet") == ENOSYS;
        if (jarr_has(jpath(r, "names"), "clone") && jpath(r, "args")) clone_masked++;
    }
    CHECK(clone3_enosys);
    CHECK_INT(clone_masked, 1);
    json_object_put(p);

    /* the capability opens its calls */
    p = md_seccomp_default(docker_default_caps | BIT(CAP_SYS_ADMIN) | BIT(CAP_SYS_PTRACE) |
                           BIT(CAP_SYS_TIME));
    CHECK(!seccomp_refuses(p, "mount"));
    CHECK(!seccomp_refuses(p, "unshare"));
    CHECK(!seccomp_refuses(p, "ptrace"));
    CHECK(!seccomp_refuses(p, "settimeofday"));
    CHECK(seccomp_refuses(p, "reboot"));
    CHECK(seccomp_refuses(p, "kexec_load")); /* never, whatever the caps */
    calls = jpath(p, "syscalls");
    clone_masked = 0;
    for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
        struct json_object *r = json_object_array_get_idx(calls, i);
        clone_masked += jarr_has(jpath(r, "names"), "clone") && jpath(r, "args");
    }
    CHECK_INT(clone_masked, 0);
    CHECK_INT(seccomp_verdict(p, "clone"), 0);
    CHECK_INT(seccomp_verdict(p, "clone3"), 0);
    json_object_put(p);
}

int main(void)
{
    test_env_merge();
    test_argv_merge();
    test_caps();
    test_specgen_default();
    test_specgen_flags();
    test_specgen_privileged();
    test_specgen_errors();
    test_specgen_host_root();
    test_seccomp_default();
    md_error_free(&err);
    return UNIT_END("specgen");
}
