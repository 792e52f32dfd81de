/* `mydocker run` flag parsing (src/engine/opts.c): md_run_opts_parse and
 * md_ulimit_parse. Pure; the only file touched is a temp --env-file. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/run_opts.h"
#include "engine/mountspec.h"
#include "unit.h"
#include "util/error.h"
#include "util/fs.h"

#define SEE_HELP "\nSee 'mydocker run --help'."

static md_error_t *err;

/* Parse a NULL-terminated list of literal arguments (copied: getopt may
 * permute or keep pointers into argv). */
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
    return r;
}
#define PARSE(o, ...) parse_v((o), (const char *const[]){__VA_ARGS__, NULL})

static const char *errmsg(void)
{
    return err && err->msg ? err->msg : "(no error)";
}

static int strv_eq(char **v, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++)
        if (v == NULL || v[i] == NULL || strcmp(v[i], want[i]) != 0) return 0;
    return v == NULL ? i == 0 : v[i] == NULL;
}
#define STRV_EQ(v, ...) strv_eq((v), (const char *const[]){__VA_ARGS__, NULL})

static void test_full_command_line(void)
{
    struct md_run_opts o;
    int r =
        PARSE(&o, "run", "-it", "--rm", "--name", "web", "-e", "A=1", "--env", "B=2", "--env=C=3",
              "-eD=4", "-w", "/app", "-u", "1000:1000", "-h", "myhost", "--init", "--read-only",
              "--network", "none", "--stop-signal", "SIGINT", "alpine:3.19", "sh", "-c", "echo hi");
    CHECK_INT(r, 0);
    CHECK_INT(o.interactive, 1);
    CHECK_INT(o.tty, 1);
    CHECK_INT(o.rm, 1);
    CHECK_INT(o.detach, 0);
    CHECK_INT(o.init, 1);
    CHECK_INT(o.read_only, 1);
    CHECK_INT(o.privileged, 0);
    CHECK_STR(o.name, "web");
    CHECK_STR(o.workdir, "/app");
    CHECK_STR(o.user, "1000:1000");
    CHECK_STR(o.hostname, "myhost");
    CHECK_STR(o.network, "none");
    CHECK_STR(o.stop_signal, "SIGINT");
    CHECK_STR(o.image, "alpine:3.19");
    CHECK(o.rootfs == NULL);
    CHECK_INT(o.entrypoint_set, 0);
    CHECK(STRV_EQ(o.env, "A=1", "B=2", "C=3", "D=4"));
    CHECK(STRV_EQ(o.args, "sh", "-c", "echo hi"));
    md_run_opts_free(&o);
    CHECK(o.image == NULL && o.args == NULL && o.env == NULL);
}

static void test_stops_at_image(void)
{
    struct md_run_opts o;
    /* flags after the image belong to the command */
    CHECK_INT(PARSE(&o, "run", "-d", "busybox", "ls", "-la", "--rm", "-e", "X=1"), 0);
    CHECK_INT(o.detach, 1);
    CHECK_INT(o.rm, 0);
    CHECK(o.env == NULL);
    CHECK_STR(o.image, "busybox");
    CHECK(STRV_EQ(o.args, "ls", "-la", "--rm", "-e", "X=1"));
    md_run_opts_free(&o);

    /* no command: args is an empty vector, not NULL */
    CHECK_INT(PARSE(&o, "run", "busybox"), 0);
    CHECK(o.args != NULL && o.args[0] == NULL);
    md_run_opts_free(&o);

    /* "--" ends the flags */
    CHECK_INT(PARSE(&o, "run", "--rm", "--", "busybox", "--help"), 0);
    CHECK_STR(o.image, "busybox");
    CHECK(STRV_EQ(o.args, "--help"));
    md_run_opts_free(&o);

    /* the seeds' host mode: an absolute path as the "image" */
    CHECK_INT(PARSE(&o, "run", "-it", "/bin/sh", "-c", "id"), 0);
    CHECK_STR(o.image, "/bin/sh");
    CHECK(STRV_EQ(o.args, "-c", "id"));
    md_run_opts_free(&o);
}

static void test_combined_short_flags(void)
{
    struct md_run_opts o;
    CHECK_INT(PARSE(&o, "run", "-itd", "img"), 0);
    CHECK(o.interactive && o.tty && o.detach);
    md_run_opts_free(&o);
    CHECK_INT(PARSE(&o, "run", "-ti", "-d", "img"), 0);
    CHECK(o.interactive && o.tty && o.detach);
    md_run_opts_free(&o);
    /* a short flag with its value glued, in a cluster */
    CHECK_INT(PARSE(&o, "run", "-iw/srv", "img"), 0);
    CHECK(o.interactive);
    CHECK_STR(o.workdir, "/srv");
    md_run_opts_free(&o);
}

static void test_entrypoint(void)
{
    struct md_run_opts o;
    CHECK_INT(PARSE(&o, "run", "--entrypoint", "", "img"), 0);
    CHECK_INT(o.entrypoint_set, 1);
    CHECK_STR(o.entrypoint, "");
    md_run_opts_free(&o);

    CHECK_INT(PARSE(&o, "run", "--entrypoint=/bin/sh", "img", "-c", "x"), 0);
    CHECK_INT(o.entrypoint_set, 1);
    CHECK_STR(o.entrypoint, "/bin/sh");
    CHECK(STRV_EQ(o.args, "-c", "x"));
    md_run_opts_free(&o);

    CHECK_INT(PARSE(&o, "run", "img"), 0);
    CHECK_INT(o.entrypoint_set, 0);
    CHECK(o.entrypoint == NULL);
    md_run_opts_free(&o);

    /* last one wins */
    CHECK_INT(PARSE(&o, "run", "--entrypoint", "a", "--entrypoint", "b", "--name", "n1", "--name",
                    "n2", "img"),
              0);
    CHECK_STR(o.entrypoint, "b");
    CHECK_STR(o.name, "n2");
    md_run_opts_free(&o);
}

static void test_env_from_host(void)
{
    struct md_run_opts o;
    setenv("MD_UNIT_HOSTVAR", "from host", 1);
    unsetenv("MD_UNIT_UNSET");
    CHECK_INT(PARSE(&o, "run", "-e", "MD_UNIT_HOSTVAR", "-e", "MD_UNIT_UNSET", "-e", "E=", "-e",
                    "F=a=b", "img"),
              0);
    /* KEY alone takes the host's value, dropped when the host has none */
    CHECK(STRV_EQ(o.env, "MD_UNIT_HOSTVAR=from host", "E=", "F=a=b"));
    md_run_opts_free(&o);
}

static void test_env_file(void)
{
    char dir[] = "/tmp/md-unit-opts-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], bad[128];
    snprintf(path, sizeof(path), "%s/env", dir);
    snprintf(bad, sizeof(bad), "%s/bad", dir);
    const char *text = "# a comment\n"
                       "\n"
                       "A=1\n"
                       "   B=two words  \n"
                       "\tC=x\r\n"
                       "MD_UNIT_FILEVAR\n"
                       "MD_UNIT_UNSET\n"
                       "D=last";
    setenv("MD_UNIT_FILEVAR", "hv", 1);
    unsetenv("MD_UNIT_UNSET");
    CHECK_INT(md_write_file_atomic(path, text, strlen(text), 0644, 0, NULL), 0);
    CHECK_INT(md_write_file_atomic(bad, "A=1\n=oops\n", 10, 0644, 0, NULL), 0);

    struct md_run_opts o;
    CHECK_INT(PARSE(&o, "run", "-e", "Z=0", "--env-file", path, "-e", "Y=9", "img"), 0);
    /* order: flags and file lines as they come; leading blanks trimmed,
     * trailing kept (docker keeps them too), CRLF stripped */
    CHECK(STRV_EQ(o.env, "Z=0", "A=1", "B=two words  ", "C=x", "MD_UNIT_FILEVAR=hv", "D=last",
                  "Y=9"));
    md_run_opts_free(&o);

    CHECK(PARSE(&o, "run", "--env-file", bad, "img") < 0);
    CHECK_STR(errmsg(), "invalid environment variable: =oops");
    md_run_opts_free(&o);

    char missing[160];
    snprintf(missing, sizeof(missing), "%s/nope", dir);
    CHECK_INT(PARSE(&o, "run", "--env-file", missing, "img"), -ENOENT);
    char want[256];
    snprintf(want, sizeof(want), "open %s: No such file or directory", missing);
    CHECK_STR(errmsg(), want);
    md_run_opts_free(&o);
    md_rm_rf(dir, NULL);
}

static void test_errors(void)
{
    struct md_run_opts o;
    CHECK(PARSE(&o, "run") < 0);
    CHECK_STR(errmsg(), "\"mydocker run\" requires at least 1 argument." SEE_HELP);
    md_run_opts_free(&o);

    CHECK(PARSE(&o, "run", "--rm", "-it") < 0);
    CHECK_STR(errmsg(), "\"mydocker run\" requires at least 1 argument." SEE_HELP);
    md_run_opts_free(&o);

    CHECK(PARSE(&o, "run", "--bogus", "img") < 0);
    CHECK_STR(errmsg(), "unknown flag: --bogus" SEE_HELP);
    md_run_opts_free(&o);

    /* no abbreviations: glibc would take --pi as --pid or --pids-limit, docker's parser refuses it
     */
    CHECK(PARSE(&o, "run", "--pi", "host", "img") < 0);
    CHECK_STR(errmsg(), "unknown flag: --pi" SEE_HELP);
    md_run_opts_free(&o);
    CHECK_INT(PARSE(&o, "run", "--pid", "host", "--ipc=container:db", "--sysctl",
                    "net.core.somaxconn=1024", "--shm-size", "1g", "--stop-timeout", "-1", "img"),
              0);
    CHECK_STR(o.sys.pid, "host");
    CHECK_STR(o.sys.ipc, "container:db");
    CHECK_STR(o.sys.sysctls ? o.sys.sysctls[0] : NULL, "net.core.somaxconn=1024");
    CHECK_INT(o.sys.shm_size, 1LL << 30);
    CHECK_INT(o.sys.stop_timeout, -1);
    CHECK_INT(o.res.has_pids_limit, 0);
    md_run_opts_free(&o);
    CHECK(PARSE(&o, "run", "--ipc", "container:", "img") < 0);
    CHECK_STR(errmsg(), "--ipc: invalid IPC mode" SEE_HELP);
    md_run_opts_free(&o);
    CHECK(PARSE(&o, "run", "--pids-lim=3", "img") < 0);
    CHECK_STR(errmsg(), "unknown flag: --pids-lim" SEE_HELP);
    md_run_opts_free(&o);
    CHECK(PARSE(&o, "run", "--nosuch=1", "img") < 0);
    CHECK_STR(errmsg(), "unknown flag: --nosuch" SEE_HELP);
    md_run_opts_free(&o);
    CHECK_INT(PARSE(&o, "run", "--pids-limit", "3", "--name=web", "--hostname", "--rm", "img"), 0);
    CHECK_INT(o.res.pids_limit, 3);
    CHECK_STR(o.name, "web");
    CHECK_STR(o.hostname, "--rm"); /* a value that looks like a flag is still the value */
    md_run_opts_free(&o);

    CHECK(PARSE(&o, "run", "-x", "img") < 0);
    CHECK(strstr(errmsg(), "-x") != NULL);
    md_run_opts_free(&o);

    /* an unknown short flag inside a cluster must name that cluster, not
     * the argument before it */
    CHECK(PARSE(&o, "run", "-xi", "img") < 0);
    if (strstr(errmsg(), "-xi") == NULL)
        UNIT_FAIL("run -xi img: error names the wrong argument: \"%s\"", errmsg());
    else
        unit_passed++;
    md_run_opts_free(&o);

    /* a flag missing its value (docker: "flag needs an argument: --name") */
    CHECK(PARSE(&o, "run", "--name") < 0);
    CHECK_STR(errmsg(), "flag needs an argument: --name" SEE_HELP);
    md_run_opts_free(&o);
    CHECK(PARSE(&o, "run", "-e") < 0);
    CHECK(strncmp(errmsg(), "flag needs an argument", 22) == 0);
    md_run_opts_free(&o);

    CHECK(PARSE(&o, "run", "-w", "relative/dir", "img") < 0);
    CHECK_STR(errmsg(),
              "the working directory 'relative/dir' is invalid, it needs to be an absolute path");
    md_run_opts_free(&o);

    CHECK(PARSE(&o, "run", "--security-opt", "bogus", "img") < 0);
    CHECK_STR(errmsg(), "invalid --security-opt: \"bogus\"");
    md_run_opts_free(&o);

    CHECK(PARSE(&o, "run", "--ulimit", "nofile", "img") < 0);
    CHECK_STR(errmsg(), "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit "
                        "argument: nofile");
    md_run_opts_free(&o);
}

static void test_security_caps_network(void)
{
    struct md_run_opts o;
    CHECK_INT(PARSE(&o, "run", "--security-opt", "no-new-privileges", "--security-opt",
                    "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--security-opt",
                    "label=disable", "--cap-add", "NET_ADMIN", "--cap-add", "sys_ptrace",
                    "--cap-drop", "ALL", "--privileged", "--net", "host", "img"),
              0);
    CHECK_INT(o.no_new_privs, 1);
    CHECK_INT(o.seccomp_unconfined, 1);
    CHECK(o.seccomp_profile == NULL);
    CHECK_INT(o.privileged, 1);
    CHECK(STRV_EQ(o.cap_add, "NET_ADMIN", "sys_ptrace"));
    CHECK(STRV_EQ(o.cap_drop, "ALL"));
    CHECK_STR(o.network, "host");
    md_run_opts_free(&o);

    CHECK_INT(PARSE(&o, "run", "--security-opt", "no-new-privileges:true", "--security-opt",
                    "no-new-privileges=false", "--security-opt", "seccomp=/etc/prof.json", "img"),
              0);
    CHECK_INT(o.no_new_privs, 0);
    CHECK_INT(o.seccomp_unconfined, 0);
    CHECK_STR(o.seccomp_profile, "/etc/prof.json");
    md_run_opts_free(&o);

    CHECK_INT(PARSE(&o, "run", "--security-opt", "seccomp:unconfined", "img"), 0);
    CHECK_INT(o.seccomp_unconfined, 1);
    md_run_opts_free(&o);
}

static void test_rootfs(void)
{
    struct md_run_opts o;
    /* with --rootfs there is no image: everything left is the command */
    CHECK_INT(PARSE(&o, "run", "--rootfs", "/srv/root", "/bin/sh", "-c", "true"), 0);
    CHECK_STR(o.rootfs, "/srv/root");
    CHECK(o.image == NULL);
    CHECK(STRV_EQ(o.args, "/bin/sh", "-c", "true"));
    md_run_opts_free(&o);
    CHECK_INT(PARSE(&o, "run", "--rootfs", "/srv/root"), 0);
    CHECK(o.args != NULL && o.args[0] == NULL);
    md_run_opts_free(&o);
}

static void test_ulimit_flags(void)
{
    struct md_run_opts o;
    CHECK_INT(PARSE(&o, "run", "--ulimit", "nofile=1024:2048", "--ulimit", "nproc=64", "img"), 0);
    CHECK_INT(o.n_ulimits, 2);
    if (o.n_ulimits == 2) {
        CHECK_STR(o.ulimits[0].name, "nofile");
        CHECK_INT(o.ulimits[0].soft, 1024);
        CHECK_INT(o.ulimits[0].hard, 2048);
        CHECK_STR(o.ulimits[1].name, "nproc");
        CHECK_INT(o.ulimits[1].soft, 64);
        CHECK_INT(o.ulimits[1].hard, 64);
    }
    md_run_opts_free(&o);
    CHECK(o.ulimits == NULL && o.n_ulimits == 0);
}

static void test_help_and_reparse(void)
{
    struct md_run_opts o;
    /* --help prints the usage on stdout and returns 1: silence it */
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    int r = PARSE(&o, "run", "--help");
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(devnull);
    CHECK_INT(r, 1);
    md_run_opts_free(&o);

    /* getopt state is reset: a second parse in the same process works,
     * including after an error left optind in the middle of a cluster */
    CHECK(PARSE(&o, "run", "-iz", "img") < 0);
    md_run_opts_free(&o);
    CHECK_INT(PARSE(&o, "run", "-t", "img2", "x"), 0);
    CHECK_INT(o.tty, 1);
    CHECK_INT(o.interactive, 0);
    CHECK_STR(o.image, "img2");
    CHECK(STRV_EQ(o.args, "x"));
    md_run_opts_free(&o);
}

static void test_ulimit_parse(void)
{
    struct md_ulimit u = {0};
    CHECK_INT(md_ulimit_parse("nofile=1024", &u, &err), 0);
    CHECK_STR(u.name, "nofile");
    CHECK_INT(u.soft, 1024);
    CHECK_INT(u.hard, 1024);
    free(u.name);

    memset(&u, 0, sizeof(u));
    CHECK_INT(md_ulimit_parse("core=0:0", &u, &err), 0);
    CHECK_STR(u.name, "core");
    CHECK_INT(u.soft, 0);
    CHECK_INT(u.hard, 0);
    free(u.name);

    memset(&u, 0, sizeof(u));
    CHECK_INT(md_ulimit_parse("nofile=100:18446744073709551615", &u, &err), 0);
    CHECK(u.hard == UINT64_MAX && u.soft == 100);
    free(u.name);

    /* docker: a hard limit of -1 is unlimited */
    memset(&u, 0, sizeof(u));
    CHECK_INT(md_ulimit_parse("nofile=1024:-1", &u, &err), 0);
    CHECK(u.soft == 1024 && u.hard == UINT64_MAX);
    free(u.name);

    /* docker (go-units ParseUlimit): -1 means unlimited, `--ulimit core=-1`
     * is the usual way to ask for unlimited core dumps */
    memset(&u, 0, sizeof(u));
    md_error_free(&err);
    int r = md_ulimit_parse("core=-1", &u, &err);
    if (r == 0 && u.soft == UINT64_MAX && u.hard == UINT64_MAX)
        unit_passed++;
    else
        UNIT_FAIL("md_ulimit_parse(\"core=-1\"): want soft=hard=RLIM_INFINITY, got r=%d \"%s\"", r,
                  errmsg());
    free(u.name);
    md_error_free(&err);

    memset(&u, 0, sizeof(u));
    CHECK(md_ulimit_parse("nofile=2048:1024", &u, &err) < 0);
    CHECK_STR(errmsg(), "invalid argument \"nofile=2048:1024\" for \"--ulimit\" flag: ulimit soft "
                        "limit must be less than or equal to hard limit: 2048 > 1024");
    CHECK(u.name == NULL);

    CHECK(md_ulimit_parse("=10", &u, &err) < 0);
    CHECK_STR(errmsg(), "invalid argument \"=10\" for \"--ulimit\" flag: invalid ulimit "
                        "argument: =10");
    CHECK(md_ulimit_parse("nofile=abc", &u, &err) < 0);
    CHECK_STR(errmsg(),
              "invalid argument \"nofile=abc\" for \"--ulimit\" flag: invalid ulimit value");
    CHECK(md_ulimit_parse("nofile=", &u, &err) < 0);
    CHECK(md_ulimit_parse("nofile=10:20x", &u, &err) < 0);
    CHECK(md_ulimit_parse("nofile=10:20:30", &u, &err) < 0);
    CHECK(md_ulimit_parse("nofile=99999999999999999999999", &u, &err) < 0);
    /* an empty hard limit is not a number (docker: strconv.ParseInt error) */
    r = md_ulimit_parse("nofile=0:", &u, &err);
    if (r < 0)
        unit_passed++;
    else
        UNIT_FAIL("md_ulimit_parse(\"nofile=0:\"): accepted (soft=%llu hard=%llu), want an error",
                  (unsigned long long)u.soft, (unsigned long long)u.hard);
    if (r == 0) free(u.name);
    md_error_free(&err);
}

/* -v and --mount values (engine/mountspec.c): pure, nothing is created */
static void test_mount_specs(void)
{
    struct md_mount_req q;
    CHECK(md_volume_flag_parse("data:/srv:ro,nocopy", &q, &err) == 0);
    CHECK_INT(q.kind, MD_MOUNT_VOLUME);
    CHECK_STR(q.source, "data");
    CHECK_STR(q.destination, "/srv");
    CHECK(q.rw == 0 && q.nocopy == 1 && q.create_source == 1);
    md_mount_req_clear(&q);
    CHECK(md_volume_flag_parse("/data", &q, &err) == 0);
    CHECK(q.kind == MD_MOUNT_VOLUME && q.source == NULL && q.rw == 1);
    md_mount_req_clear(&q);
    CHECK(md_volume_flag_parse("/h:/c:rw,z,rslave", &q, &err) == 0);
    CHECK(q.kind == MD_MOUNT_BIND && q.rw == 1);
    md_mount_req_clear(&q);
    CHECK(md_volume_flag_parse("/h:/c:bogus", &q, &err) < 0);
    CHECK_STR(err->msg, "invalid mode: bogus");
    CHECK(md_volume_flag_parse("./h:/c", &q, &err) < 0);
    CHECK(md_volume_flag_parse("/h:/", &q, &err) < 0);
    CHECK_STR(err->msg, "invalid specification: destination can't be '/'");
    CHECK(md_volume_flag_parse("v:rel", &q, &err) < 0);
    CHECK(md_mount_flag_parse("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777", &q, &err) == 0);
    CHECK_INT(q.kind, MD_MOUNT_TMPFS);
    CHECK_STR(q.tmpfs_opts, "size=1048576,mode=1777");
    md_mount_req_clear(&q);
    CHECK(md_mount_flag_parse("type=bind,src=/x,dst=/y,readonly", &q, &err) == 0);
    CHECK(q.kind == MD_MOUNT_BIND && q.rw == 0 && q.create_source == 0);
    md_mount_req_clear(&q);
    CHECK(md_mount_flag_parse("type=bind,target=/y", &q, &err) < 0);
    CHECK(md_mount_flag_parse("type,target=/y", &q, &err) < 0);
    CHECK_STR(err->msg, "invalid mount config: mount type unknown: \"\"");
    CHECK(md_mount_flag_parse("type=nfs,target=/y", &q, &err) < 0);
    CHECK(md_mount_flag_parse("type=tmpfs,target=/t,tmpfs-size=1e77", &q, &err) < 0);
    CHECK_STR(err->msg, "invalid tmpfs-size: 1e77");
    CHECK(md_mount_flag_parse("target=/y,color=red", &q, &err) < 0);
    CHECK_STR(err->msg, "invalid field 'color' must be a key=value pair");
}

int main(void)
{
    test_full_command_line();
    test_stops_at_image();
    test_combined_short_flags();
    test_entrypoint();
    test_env_from_host();
    test_env_file();
    test_errors();
    test_security_caps_network();
    test_rootfs();
    test_ulimit_flags();
    test_help_and_reparse();
    test_ulimit_parse();
    test_mount_specs();
    md_error_free(&err);
    return UNIT_END("opts");
}
