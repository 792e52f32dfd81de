/* The runtime pieces behind mydocker-runc, in one process: hooks (state on
 * stdin, order, env, timeout, failures, validation), the exec fifo
 * protocol (ready, EOF on exec, error records, an init that died),
 * md_spec_check's refusals, recursive mount options, the exec lookup and
 * HOME from passwd. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/mount.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/child.h"
#include "runtime/fifo.h"
#include "runtime/hooks.h"
#include "runtime/spec_check.h"
#include "runtime/spec.h"
#include "unit.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"

static md_error_t *err;
static char tmp[] = "/tmp/mydocker-unit-oci.XXXXXX";

static const char *errmsg(void)
{
    return err && err->msg ? err->msg : "(no error)";
}

static struct json_object *J(const char *text)
{
    struct json_object *o = json_tokener_parse(text);
    if (o == NULL) UNIT_FAIL("bad JSON in test: %s", text);
    return o;
}

static char *slurp(const char *path)
{
    char *s = NULL;
    md_error_t *e = NULL;
    if (md_read_file(path, &s, NULL, &e) < 0) {
        md_error_free(&e);
        return strdup("");
    }
    return s;
}

static void test_hooks(void)
{
    char log[256], hooks[2048];
    snprintf(log, sizeof(log), "%s/hooks.log", tmp);
    /* each hook appends "<arg> <its env X> <the state it read>" */
    snprintf(
        hooks, sizeof(hooks),
        "{\"prestart\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo one $X $(cat) "
        ">>%s\"], \"env\": [\"X=x1\"]},"
        "               {\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo two >>%s\"]}],"
        " \"poststop\": [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/sh\", \"args\": [\"sh\", "
        "\"-c\", \"echo never >>%s\"]}],"
        " \"poststart\": [{\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"10\"], \"timeout\": "
        "1}]}",
        log, log, log);
    struct json_object *h = J(hooks), *ann = J("{\"a\": \"b\"}");
    struct md_hook_state st = {
        .id = "c1", .bundle = "/b", .status = "creating", .pid = 42, .annotations = ann};
    CHECK_INT(md_hooks_validate(h, &err), 0);
    CHECK(md_hooks_present(h, "prestart") && !md_hooks_present(h, "createRuntime"));
    CHECK_INT(md_hooks_run(h, "prestart", &st, &err), 0);
    char *got = slurp(log);
    CHECK_STR(got,
              "one x1 {\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,"
              "\"bundle\":\"/b\",\"annotations\":{\"a\":\"b\"}}\ntwo\n");
    free(got);
    CHECK_INT(md_hooks_run(h, "createRuntime", &st, &err), 0); /* none: nothing to do */
    CHECK(md_hooks_run(h, "poststop", &st, &err) < 0);
    CHECK(strstr(errmsg(), "poststop hook #0: hook /bin/false failed: exit status 1") != NULL);
    md_error_free(&err);
    got = slurp(log);
    CHECK(strstr(got, "never") == NULL); /* the first failure stops the list */
    free(got);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(md_hooks_run(h, "poststart", &st, &err) < 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(strstr(errmsg(), "timed out after 1 s") != NULL);
    CHECK(t1.tv_sec - t0.tv_sec < 5);
    md_error_free(&err);
    struct json_object *missing = J("{\"prestart\": [{\"path\": \"/nonexistent/hook\"}]}");
    CHECK(md_hooks_run(missing, "prestart", &st, &err) < 0);
    CHECK(strstr(errmsg(), "/nonexistent/hook") != NULL);
    md_error_free(&err);
    static const char *const bad[] = {
        "{\"prestart\": [{\"path\": \"rel\"}]}",
        "{\"prestart\": [{\"path\": \"/x\", \"timeout\": 0}]}",
        "{\"prestart\": [{\"path\": \"/x\", \"args\": [1]}]}",
        "{\"prestart\": {}}",
        "{\"prestop\": []}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json_object *b = J(bad[i]);
        if (md_hooks_validate(b, &err) == 0)
            UNIT_FAIL("accepted bad hooks %s", bad[i]);
        else
            unit_passed++;
        md_error_free(&err);
        json_object_put(b);
    }
    json_object_put(missing);
    json_object_put(h);
    json_object_put(ann);
}

/* A forked "init" speaking the child side of the fifo protocol. mode 0:
 * ready then exec true; 1: ready then an error record; 2: exit before. */
static pid_t fake_init(const char *fifo, int mode)
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    struct md_fifo_child f;
    md_error_t *e = NULL;
    if (mode == 2) _exit(3);
    if (md_fifo_child_prepare(fifo, &f, &e) < 0 || md_fifo_child_wait(&f, &e) < 0) _exit(1);
    if (mode == 1) {
        md_error_code(&e, 127, 0, "exec: \"x\": executable file not found in $PATH");
        md_fifo_child_error(&f, &e);
        _exit(127);
    }
    execl("/bin/true", "true", (char *)NULL);
    _exit(126);
}

static void test_fifo(void)
{
    char fifo[256];
    snprintf(fifo, sizeof(fifo), "%s/exec.fifo", tmp);
    for (int mode = 0; mode < 3; mode++) {
        unlink(fifo);
        if (mkfifo(fifo, 0622) < 0) {
            UNIT_FAIL("mkfifo: %s", strerror(errno));
            return;
        }
        pid_t pid = fake_init(fifo, mode);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        int r = md_fifo_start(fifo, pidfd, &err);
        if (mode == 0) {
            CHECK_INT(r, 0); /* '0', then EOF when execve closed the fd */
        } else if (mode == 1) {
            CHECK(r < 0);
            CHECK(err && err->exit_code == 127);
            CHECK(strstr(errmsg(), "executable file not found") != NULL);
        } else {
            CHECK(r < 0);
            CHECK(strstr(errmsg(), "exited before it was started") != NULL);
        }
        md_error_free(&err);
        close(pidfd);
        waitpid(pid, NULL, 0);
    }
    unlink(fifo);
}

static int check_spec(const char *config, const char *want_error)
{
    struct json_object *doc = J(config);
    struct md_spec *s = NULL;
    int r = md_spec_parse(doc, &s, &err);
    if (r == 0) r = md_spec_check(s, &err);
    int ok = want_error ? (r < 0 && strstr(errmsg(), want_error) != NULL) : r == 0;
    if (!ok)
        UNIT_FAIL("spec %s: got \"%s\", want %s", config, r < 0 ? errmsg() : "ok",
                  want_error ? want_error : "ok");
    else
        unit_passed++;
    md_error_free(&err);
    md_spec_free(s);
    json_object_put(doc);
    return r;
}

#define BASE "\"root\": {\"path\": \"/r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}"

static void test_spec_check(void)
{
    check_spec("{" BASE "}", NULL);
    check_spec("{\"ociVersion\": \"1.2.0\", " BASE "}", NULL);
    check_spec("{\"ociVersion\": \"2.0.0\", " BASE "}", "ociVersion 2.0.0 is not supported");
    check_spec("{" BASE ", \"linux\": {\"personality\": {\"domain\": \"LINUX32\"}}}", NULL);
    check_spec("{" BASE ", \"linux\": {\"personality\": {\"domain\": \"SVR4\"}}}",
               "personality.domain SVR4");
    check_spec("{" BASE ", \"linux\": {\"intelRdt\": {}}}", "linux.intelRdt is not supported");
    check_spec("{" BASE ", \"linux\": {\"netDevices\": {}}}", "linux.netDevices is not supported");
    check_spec("{" BASE ", \"windows\": {}}", "\"windows\" is not supported");
    check_spec(
        "{" BASE
        ", \"linux\": {\"namespaces\": [{\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}]}}",
        NULL);
    check_spec(
        "{" BASE
        ", \"linux\": {\"namespaces\": [{\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}],"
        " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}}",
        "with a user namespace joined by path");
    check_spec(
        "{" BASE
        ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}}",
        "need a user namespace");
    check_spec("{" BASE ", \"linux\": {\"timeOffsets\": {\"boottime\": {\"secs\": 1}}}}",
               "need a new time namespace");
    check_spec("{" BASE ", \"linux\": {\"resources\": {\"network\": {\"classID\": 5}}}}",
               "resources.network");
    check_spec("{" BASE ", \"linux\": {\"resources\": {\"cpu\": {\"realtimeRuntime\": 5}}}}",
               "realtime");
    check_spec("{" BASE ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
               "\"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"]}}}",
               NULL);
    check_spec("{" BASE ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
               "\"flags\": [\"BOGUS\"]}}}",
               "seccomp.flags: BOGUS");
    check_spec("{" BASE
               ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
               "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}}}",
               "SCMP_ACT_NOTIFY");
    check_spec("{\"root\": {\"path\": \"/r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
               "\"commandLine\": \"x\"}}",
               "commandLine");
    check_spec("{\"root\": {\"path\": \"/r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
               "\"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 4}}}",
               NULL);
    check_spec("{\"root\": {\"path\": \"/r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
               "\"ioPriority\": {\"class\": \"IOPRIO_CLASS_X\"}}}",
               "ioPriority.class");
    check_spec("{\"root\": {\"path\": \"/r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
               "\"scheduler\": {\"policy\": \"SCHED_BATCH\"}}}",
               NULL);
    check_spec("{\"root\": {\"path\": \"/r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
               "\"scheduler\": {\"policy\": \"SCHED_NOPE\"}}}",
               "scheduler.policy");
    check_spec("{" BASE ", \"hooks\": {\"prestart\": [{\"path\": \"x\"}]}}",
               "must be an absolute path");
    /* data options on a bind are ignored (runc, crun); idmap is refused */
    check_spec("{" BASE ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": "
               "\"/s\", \"options\": [\"rbind\", \"mode=755\", \"size=1k\"]}]}",
               NULL);
    check_spec("{" BASE ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": "
               "\"/s\", \"options\": [\"rbind\", \"idmap\"]}]}",
               "idmapped mounts are not supported");
    check_spec("{" BASE ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": "
               "\"/s\", \"options\": [\"rbind\", \"tmpcopyup\"]}]}",
               "tmpcopyup is for tmpfs mounts");
    check_spec("{" BASE ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"tmpfs\", \"source\": "
               "\"t\", \"options\": [\"tmpcopyup\"]}]}",
               NULL);
    check_spec("{" BASE ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"tmpfs\", \"source\": "
               "\"t\", \"options\": [\"size=1m\"]}]}",
               NULL);
    check_spec("{" BASE ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": "
               "\"/s\", \"options\": [\"bind\"], \"uidMappings\": []}]}",
               "idmapped mounts");
}

static void test_mount_options(void)
{
    struct md_mount m = {0};
    struct json_object *o =
        J("[\"rbind\", \"rro\", \"rnosuid\", \"rnoatime\", \"nosymfollow\", \"rrw\"]");
    CHECK_INT(md_mount_options(&m, o, &err), 0);
    CHECK_INT(m.bind, 2);
    CHECK(!(m.attr_set & MOUNT_ATTR_RDONLY) &&
          (m.attr_clr & MOUNT_ATTR_RDONLY)); /* rrw after rro */
    CHECK((m.attr_set & MOUNT_ATTR_NOSUID) && (m.attr_set & MOUNT_ATTR_NOATIME));
    CHECK(m.attr_clr & MOUNT_ATTR__ATIME);
    CHECK(m.flags & MS_NOSYMFOLLOW);
    CHECK(m.data == NULL);
    free(m.data);
    json_object_put(o);
}

static void test_exec_lookup(void)
{
    char *argv[2] = {NULL, NULL};
    char *env[] = {"PATH=/nonexistent:/bin", NULL};
    argv[0] = "sh";
    CHECK_INT(md_exec_lookup(argv, env, &err), 0);
    argv[0] = "nosuchcmd-xyz";
    CHECK(md_exec_lookup(argv, env, &err) < 0 && err->exit_code == 127);
    CHECK(strstr(errmsg(), "executable file not found in $PATH") != NULL);
    md_error_free(&err);
    argv[0] = "/etc";
    CHECK(md_exec_lookup(argv, env, &err) < 0 && err->exit_code == 126);
    CHECK(strstr(errmsg(), "is a directory") != NULL);
    md_error_free(&err);
    argv[0] = "/etc/passwd"; /* not executable */
    CHECK(md_exec_lookup(argv, env, &err) < 0 && err->exit_code == 126);
    md_error_free(&err);
    argv[0] = "/no/such";
    CHECK(md_exec_lookup(argv, env, &err) < 0 && err->exit_code == 127);
    md_error_free(&err);
    struct md_process p = {0};
    p.uid = 0;
    md_strv_append(&p.env, "A=b");
    CHECK_INT(md_env_default_home(&p, &err), 0);
    CHECK(p.env[1] && strncmp(p.env[1], "HOME=", 5) == 0); /* the host's passwd here */
    CHECK_INT(md_env_default_home(&p, &err), 0);
    CHECK(p.env[2] == NULL); /* HOME present: kept */
    md_strv_free(p.env);
}

int main(void)
{
    if (mkdtemp(tmp) == NULL) {
        UNIT_FAIL("mkdtemp: %s", strerror(errno));
        return UNIT_END("oci_core");
    }
    test_hooks();
    test_fifo();
    test_spec_check();
    test_mount_options();
    test_exec_lookup();
    md_rm_rf(tmp, &err);
    md_error_free(&err);
    return UNIT_END("oci_core");
}
