#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "container.h"
#include "fifo.h"
#include "hooks.h"
#include "process_attrs.h"
#include "seccomp.h"
#include "rootfs.h"
#include "caps.h"
#include "sync.h"
#include "sysctl.h"
#include "userns.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/trace.h"

static const int ns_flags[MD_NS_COUNT] = {
    [MD_NS_PID] = CLONE_NEWPID,       [MD_NS_NET] = CLONE_NEWNET,   [MD_NS_MNT] = CLONE_NEWNS,
    [MD_NS_IPC] = CLONE_NEWIPC,       [MD_NS_UTS] = CLONE_NEWUTS,   [MD_NS_USER] = CLONE_NEWUSER,
    [MD_NS_CGROUP] = CLONE_NEWCGROUP, [MD_NS_TIME] = CLONE_NEWTIME,
};

/* A new cgroup namespace only once the parent has moved us into the
 * container's cgroup, which must become the namespace's root: early when a
 * cgroup filesystem is mounted in the container (the parent then moves us
 * before sending the process), else before READY, once the parent says
 * MD_SYNC_CGROUP: the created process is in its namespace before `start`,
 * as with runc and crun, while the (slow, v1) move still overlaps our mounts. */
static int new_cgroupns(struct md_spec *s, md_error_t **err)
{
    if (s->ns[MD_NS_CGROUP].present && s->ns[MD_NS_CGROUP].path == NULL &&
        unshare(CLONE_NEWCGROUP) < 0)
        return md_error(err, errno, "unshare cgroup namespace");
    return 0;
}

/* Stage: join namespaces given by path (pid and user are handled by the parent). */
static int join_namespaces(struct md_spec *s, md_error_t **err)
{
    static const int order[] = {MD_NS_IPC,    MD_NS_UTS,  MD_NS_NET,
                                MD_NS_CGROUP, MD_NS_TIME, MD_NS_MNT};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        struct md_namespace *n = &s->ns[order[i]];
        if (!n->present || n->path == NULL) continue;
        /* joined before the clone by the user namespace helper
         * (src/runtime/userns.c): from in here we could not */
        if (md_userns_needs_helper(s) && order[i] != MD_NS_TIME && order[i] != MD_NS_MNT) continue;
        cleanup_close int fd = open(n->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return md_error(err, errno, "open namespace %s", n->path);
        if (setns(fd, ns_flags[order[i]]) < 0)
            return md_error(err, errno, "join namespace %s", n->path);
    }
    if (md_spec_cgroupns_early(s)) return new_cgroupns(s, err);
    return 0;
}

/* A new network namespace starts with lo down; every engine brings it up. */
static int loopback_up(struct md_spec *s, md_error_t **err)
{
    if (!s->ns[MD_NS_NET].present || s->ns[MD_NS_NET].path != NULL) return 0;
    cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) return md_error(err, errno, "loopback");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) return md_error(err, errno, "bring up lo");
    return 0;
}

static int receive_process(int sock, struct md_process *p, md_error_t **err)
{
    struct md_sync_msg msg;
    int r = md_sync_expect(sock, MD_SYNC_PROCESS, &msg, "parent went away", err);
    if (r < 0) return r;
    enum json_tokener_error jerr;
    struct json_object *o = json_tokener_parse_verbose(msg.data, &jerr);
    md_sync_msg_clear(&msg);
    if (o == NULL)
        return md_error(err, 0, "process description: %s", json_tokener_error_desc(jerr));
    r = md_process_parse(o, p, err);
    json_object_put(o);
    return r;
}

static int set_identity(struct md_spec *s, md_error_t **err)
{
    if (!s->ns[MD_NS_UTS].present) return 0;
    if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
        return md_error(err, errno, "sethostname %s", s->hostname);
    if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
        return md_error(err, errno, "setdomainname %s", s->domainname);
    return 0;
}

/* Stage: a pty from the container's own devpts; the master goes to the parent. */
static int setup_terminal(int sock, struct md_process *p, md_error_t **err)
{
    cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return md_error(err, errno, "open /dev/ptmx");
    if (unlockpt(master) < 0) return md_error(err, errno, "unlockpt");
    cleanup_close int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) return md_error(err, errno, "open pty slave");
    if (p->rows && p->cols) {
        struct winsize ws = {.ws_row = p->rows, .ws_col = p->cols};
        ioctl(slave, TIOCSWINSZ, &ws);
    }
    int r = md_sync_send(sock, MD_SYNC_PTY, NULL, 0, master);
    if (r < 0) return md_error(err, -r, "send pty to parent");
    if (ioctl(slave, TIOCSCTTY, 0) < 0) return md_error(err, errno, "set controlling terminal");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0) return md_error(err, errno, "dup2 pty");
    return 0;
}

/* The spec: with a terminal, /dev/console is the container's pty (a bind
 * of the slave, as runc makes it), when the container has a /dev. */
static int bind_console(md_error_t **err)
{
    char slave[64];
    struct stat st;
    if (stat("/dev", &st) < 0 || ttyname_r(STDIN_FILENO, slave, sizeof(slave)) != 0) return 0;
    int fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return errno == EROFS ? 0 : md_error(err, errno, "create /dev/console");
    close(fd);
    if (mount(slave, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return md_error(err, errno, "bind %s on /dev/console", slave);
    return 0;
}

/* CVE-2024-21626: a cwd of "/proc/self/fd/N" names whatever fd N is, and a
 * directory fd of the host (a leaked one, or /proc of the host) would put
 * the container's process outside its root. The fds are closed first
 * (close_inherited_fds); this is the second wall, as runc's fix: after the
 * chdir the cwd must be reachable from the root, or the kernel reports it as
 * "(unreachable)" and getcwd fails with ENOENT. */
static int verify_cwd(const char *cwd, md_error_t **err)
{
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
        return md_error_code(err, MD_EXIT_CANNOT_INVOKE, 0,
                             "cwd \"%s\" is outside of the container's root -- possible "
                             "container breakout detected",
                             cwd);
    return 0;
}

static int enter_cwd(const char *cwd, md_error_t **err)
{
    if (chdir(cwd) == 0) return verify_cwd(cwd, err);
    if (errno != ENOENT)
        return md_error(err, errno, "chdir to cwd (\"%s\") set in config.json failed", cwd);
    /* docker creates a missing working directory */
    cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int fd = md_mkpath_in_root(root, cwd, 0, err);
    if (fd < 0) return fd;
    if (fchdir(fd) < 0) return md_error(err, errno, "chdir %s", cwd);
    return verify_cwd(cwd, err);
}

static int set_oom_score(struct md_process *p, md_error_t **err)
{
    if (!p->has_oom_score_adj) return 0;
    char buf[16];
    int n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
    cleanup_close int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || md_write_all(fd, buf, (size_t)n) < 0)
        return md_error(err, errno, "set oom_score_adj %d", p->oom_score_adj);
    return 0;
}

/* The state for the hooks run in the container's namespaces: the spec
 * wants the pid as the container sees it (1 in a new pid namespace). */
static struct md_hook_state hook_state(struct md_child_args *a, const char *status)
{
    struct md_hook_state st = {.id = a->opts ? a->opts->id : NULL,
                               .bundle = a->opts ? a->opts->bundle : NULL,
                               .status = status,
                               .pid = getpid(),
                               .annotations = a->spec->annotations};
    return st;
}

/* md_sync_expect that lets MD_SYNC_CGROUP pass (noted in a->in_cgroup):
 * the parent sends it as soon as the move is done, whatever we wait for. */
static int child_expect(struct md_child_args *a, uint32_t want, md_error_t **err)
{
    for (;;) {
        struct md_sync_msg msg = {.fd = -1};
        int r = md_sync_recv(a->sock, &msg);
        if (r == 0 && msg.type == MD_SYNC_CGROUP && want != MD_SYNC_CGROUP) {
            a->in_cgroup = 1;
            md_sync_msg_clear(&msg);
            continue;
        }
        md_sync_msg_clear(&msg);
        if (r < 0) return md_error(err, -r, "parent went away");
        if (msg.type != want)
            return md_error(err, 0, "sync: unexpected message %u (want %u)", msg.type, want);
        if (want == MD_SYNC_CGROUP) a->in_cgroup = 1;
        return 0;
    }
}

/* md_rootfs_wait's: MD_SYNC_CGROUP says the cgroups exist (and we are in them) */
static int cgroups_made(void *data, md_error_t **err)
{
    struct md_child_args *a = data;
    /* early: PROCESS itself came after the cgroups were made, and no MD_SYNC_CGROUP comes */
    if (a->in_cgroup || md_spec_cgroupns_early(a->spec)) return 0;
    return child_expect(a, MD_SYNC_CGROUP, err);
}

static int late_cgroupns(struct md_child_args *a, md_error_t **err)
{
    struct md_spec *s = a->spec;
    if (a->exec_mode || md_spec_cgroupns_early(s) || !md_spec_cgroupns_new(s)) return 0;
    int r = a->in_cgroup ? 0 : child_expect(a, MD_SYNC_CGROUP, err);
    return r < 0 ? r : new_cgroupns(s, err);
}

/* Between the mounts and pivot_root: the parent runs prestart and
 * createRuntime hooks (we wait for RESUME), then we run createContainer
 * hooks, in the container's namespaces but with the host's paths. */
static int hooks_stage(struct md_child_args *a, md_error_t **err)
{
    struct json_object *h = a->spec->hooks;
    if (md_hooks_present(h, "prestart") || md_hooks_present(h, "createRuntime")) {
        int r = md_sync_send(a->sock, MD_SYNC_HOOKS, NULL, 0, -1);
        if (r < 0) return md_error(err, -r, "hooks stage");
        r = child_expect(a, MD_SYNC_RESUME, err);
        if (r < 0) return r;
    }
    struct md_hook_state st = hook_state(a, "creating");
    return md_hooks_run(h, "createContainer", &st, err);
}

/* Stages up to READY: everything that needs privileges and the host's view. */
static int setup_container(struct md_child_args *a, struct md_process *p, md_error_t **err)
{
    struct md_spec *s = a->spec;
    int r = receive_process(a->sock, p, err);
    /* the CPUs the parent kept us off until now (container.c place_child) */
    if (r == 0 && a->affinity) sched_setaffinity(0, sizeof(*a->affinity), a->affinity);
    if (r == 0 && setsid() < 0) r = md_error(err, errno, "setsid");
    if (r == 0 && a->exec_mode) {
        if (p->terminal) r = setup_terminal(a->sock, p, err);
        /* exec does not create a missing working directory (docker: 126) */
        if (r == 0 && chdir(p->cwd) < 0)
            r = md_error_code(err, MD_EXIT_CANNOT_INVOKE, errno, "chdir to cwd (\"%s\")", p->cwd);
        return r == 0 ? verify_cwd(p->cwd, err) : r;
    }
    if (r == 0 && s->ns[MD_NS_USER].present) r = md_userns_become_root(err);
    if (r == 0 && a->opts && a->opts->new_keyring) r = md_keyring_new_session(err);
    if (r == 0) r = join_namespaces(s, err);
    if (r == 0) r = set_identity(s, err);
    if (r == 0) r = loopback_up(s, err);
    /* A mount namespace joined by path is another container's, set up and
     * pivoted already: setns put us at its root, where the command is
     * looked up (crun). Its root, mounts and /dev are not ours to redo. */
    int own_mnt = s->ns[MD_NS_MNT].present && s->ns[MD_NS_MNT].path == NULL;
    struct md_rootfs_wait w = {cgroups_made, a};
    if (r == 0 && own_mnt) r = md_rootfs_mount(s, &w, err);
    if (r == 0 && s->hooks) r = hooks_stage(a, err);
    if (r == 0 && own_mnt) r = md_rootfs_pivot(s, err);
    if (r == 0 && (own_mnt || !s->ns[MD_NS_MNT].present)) r = md_dev_setup(s, err);
    if (r == 0) r = md_sysctl_apply(s, err);
    if (r == 0 && p->terminal) r = setup_terminal(a->sock, p, err);
    if (r == 0 && p->terminal && own_mnt) r = bind_console(err);
    if (r == 0 && own_mnt) r = md_rootfs_finalize(s, err);
    if (r == 0) r = enter_cwd(p->cwd, err);
    if (r == 0) r = set_oom_score(p, err);
    return r;
}

static int wait_for_start(struct md_child_args *a, struct md_fifo_child *fifo, md_error_t **err)
{
    /* create/start (runc): `create` exits once we are READY, and we must
     * outlive it; from here on we talk only through the fifo. Until start,
     * `exec` can put processes next to us, and we hold fds of the host
     * (its /proc, the fifo): not dumpable, /proc/1/fd is closed to them
     * (execve makes us dumpable again). */
    if (a->exec_fifo != NULL &&
        (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0))
        return md_error(err, errno, "prctl(PR_SET_PDEATHSIG/DUMPABLE)");
    int r = md_sync_send(a->sock, MD_SYNC_READY, NULL, 0, -1);
    if (r < 0) return md_error(err, -r, "report ready");
    if (a->exec_fifo != NULL) return md_fifo_child_wait(fifo, err);
    struct md_sync_msg msg;
    r = md_sync_expect(a->sock, MD_SYNC_START, &msg, "parent went away", err);
    md_sync_msg_clear(&msg);
    return r;
}

static int load_seccomp(const struct md_spec *s, md_error_t **err)
{
    struct md_seccomp_prog prog = {s->seccomp_bpf, s->seccomp_bpf_len};
    return md_seccomp_load(&prog, s->seccomp_flags, err);
}

/* Stages after START, in the order that keeps each one permitted. */
static int drop_privileges(struct md_spec *s, struct md_process *p, int pdeathsig, md_error_t **err)
{
    int r = md_process_attrs_apply(&s->attrs, err);
    if (r == 0) r = md_rlimits_apply(p, err);
    if (r == 0 && p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        r = md_error(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
    if (r == 0 && p->has_umask) umask(p->umask);
    if (r == 0) r = md_caps_drop_bounding(p, err);
    /* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it while we have it */
    if (r == 0 && !p->no_new_privileges) r = load_seccomp(s, err);
    if (r == 0) r = md_switch_user(p, err);
    /* a credential change clears the parent-death signal: set it again */
    if (r == 0 && pdeathsig && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        r = md_error(err, errno, "prctl(PR_SET_PDEATHSIG)");
    if (r == 0) r = md_caps_apply(p, err);
    if (r == 0 && p->no_new_privileges) r = load_seccomp(s, err);
    return r;
}

/* execve keeps ignored signals ignored and the mask as it is: the container
 * must not inherit what the caller's shell did (a background job ignores
 * SIGINT, nohup SIGHUP), or its PID 1 could not even trap them. */
static void reset_signals(void)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Nothing of the caller may reach the container: a directory fd of the host
 * (the exec lock dir, a cgroup dir) is a way out through /proc/self/fd/N as
 * cwd or with openat (CVE-2024-21626). Only stdio, the fds the caller asked
 * to pass (3 .. 3+preserve_fds-1) and the sync socket stay; everything the
 * child needs later it opens itself, CLOEXEC. */
/* the first fd that is not ours to pass on: 3 + --preserve-fds */
static unsigned first_unpassed_fd(const struct md_child_args *a)
{
    return 3 + (unsigned)(a->opts ? a->opts->preserve_fds : 0);
}

static int close_inherited_fds(const struct md_child_args *a, md_error_t **err)
{
    unsigned first = first_unpassed_fd(a);
    unsigned sock = (unsigned)a->sock;
    int r = 0;
    if (sock >= first) {
        if (sock > first) r = (int)syscall(SYS_close_range, first, sock - 1, 0);
        if (r == 0) r = (int)syscall(SYS_close_range, sock + 1, ~0U, 0);
    } else {
        r = (int)syscall(SYS_close_range, first, ~0U, 0);
    }
    return r < 0 ? md_error(err, errno, "close_range") : 0;
}

/* Everything but stdio and the passed fds is CLOEXEC before the seccomp
 * filter: a profile written before close_range existed (2020) refuses it,
 * and after the filter only execve may run. The sync socket stays open to
 * report an exec failure and closes by itself on success. */
static int cloexec_all(const struct md_child_args *a, md_error_t **err)
{
    if (syscall(SYS_close_range, first_unpassed_fd(a), ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        return md_error(err, errno, "close_range");
    return 0;
}

int md_child_main(struct md_child_args *a)
{
    md_error_t *err = NULL;
    struct md_process p;
    memset(&p, 0, sizeof(p));
    struct md_fifo_child fifo = {-1, -1, -1};
    /* a container that must outlive its caller (create/start, exec -d)
     * gets no parent-death signal after READY */
    /* An exec'd process's parent is a helper that exits at once (the
     * process is handed to the caller, a subreaper): a parent-death signal
     * would kill it right away. */
    int outlives = a->exec_fifo || a->exec_mode || (a->opts && a->opts->detached);
    if (!outlives || a->exec_fifo) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* CVE-2019-5736: until execve we are host code, and a process of the
     * container (another exec, or one exec'd next to a created container)
     * could open /proc/<us>/exe and, once we exit, write the host binary.
     * Not dumpable: /proc/<us>/{exe,mem,fd} are closed to it. execve makes
     * the container's program dumpable again. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    md_trace("child: begin");
    reset_signals();
    int r = close_inherited_fds(a, &err);
    if (r == 0 && a->exec_fifo) r = md_fifo_child_prepare(a->exec_fifo, &fifo, &err);
    if (r == 0) r = setup_container(a, &p, &err);
    if (r == 0 && a->opts && a->opts->default_home) r = md_env_default_home(&p, &err);
    /* `start` must not be the one to find out that the command is missing */
    if (r == 0 && a->exec_fifo) r = md_exec_lookup(p.args, p.env, &err);
    if (r == 0) r = late_cgroupns(a, &err);
    if (r == 0) r = wait_for_start(a, &fifo, &err);
    if (r == 0 && !a->exec_mode && a->spec->hooks) {
        struct md_hook_state st = hook_state(a, "created");
        r = md_hooks_run(a->spec->hooks, "startContainer", &st, &err);
    }
    if (r == 0) r = cloexec_all(a, &err);
    if (r == 0) r = drop_privileges(a->spec, &p, !outlives, &err);
    /* --init runs confined as the payload is (tini under docker): its
     * capabilities, user, no_new_privs and seccomp filter */
    if (r == 0 && a->spec->init && !a->exec_mode) r = md_mini_init(a->sock, &err);
    if (r == 0) r = md_exec_path(p.args, p.env, &err);
    int code = err ? err->exit_code : MD_EXIT_ENGINE;
    md_fifo_child_error(&fifo, &err);
    md_sync_send_error(a->sock, &err);
    return code;
}
