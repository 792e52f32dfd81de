#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_setup.h"
#include "child.h"
#include "hooks.h"
#include "seccomp.h"
#include "spec_check.h"
#include "timens.h"
#include "userns.h"
#include "sync.h"
#include "util/cleanup.h"
#include "util/trace.h"

void md_container_init(struct md_container *c)
{
    memset(c, 0, sizeof(*c));
    c->pid = -1;
    c->pidfd = -1;
    c->sock = -1;
    c->pty_master = -1;
}

static int clone_flags(const struct md_spec *s)
{
    static const int f[MD_NS_COUNT] = {
        [MD_NS_PID] = CLONE_NEWPID, [MD_NS_NET] = CLONE_NEWNET, [MD_NS_MNT] = CLONE_NEWNS,
        [MD_NS_IPC] = CLONE_NEWIPC, [MD_NS_UTS] = CLONE_NEWUTS, [MD_NS_USER] = CLONE_NEWUSER,
    };
    int flags = 0;
    for (int i = 0; i < MD_NS_COUNT; i++)
        if (s->ns[i].present && s->ns[i].path == NULL) flags |= f[i];
    return flags;
}

/* The pid namespace to join must be entered before clone: it only applies to
 * children. A new time namespace likewise. */
static int prepare_parent_namespaces(const struct md_spec *s, md_error_t **err)
{
    if (s->ns[MD_NS_PID].present && s->ns[MD_NS_PID].path) {
        cleanup_close int fd = open(s->ns[MD_NS_PID].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWPID) < 0)
            return md_error(err, errno, "join pid namespace %s", s->ns[MD_NS_PID].path);
    }
    if (s->ns[MD_NS_TIME].present && s->ns[MD_NS_TIME].path == NULL) {
        if (unshare(CLONE_NEWTIME) < 0) return md_error(err, errno, "unshare time namespace");
        return md_timens_offsets_write(s->time_offsets, err);
    }
    return 0;
}

const char *md_container_process_json(struct md_spec *spec)
{
    struct json_object *p = NULL;
    json_object_object_get_ex(spec->json, "process", &p);
    return json_object_to_json_string_ext(p,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Compile (or fetch from the cache) the seccomp filter before clone: the
 * child only loads it, and does not need libseccomp's compiler. */
int md_container_prepare_seccomp(struct md_spec *spec, md_error_t **err)
{
    if (spec->seccomp == NULL || spec->seccomp_bpf != NULL) return 0;
    struct md_seccomp_prog prog;
    int r = md_seccomp_prepare(spec->seccomp, &prog, err);
    spec->seccomp_bpf = prog.insns;
    spec->seccomp_bpf_len = prog.len;
    return r;
}

/* On cgroup v2 the child can be born in its cgroup (clone3 with
 * CLONE_INTO_CGROUP): no migration afterwards, so none of the RCU grace
 * period a move costs. -1 when not possible (v1/hybrid, old kernel): the
 * caller clones and moves the child as usual. */
static long clone_into_cgroup(struct md_spec *spec, struct md_container *c, int *pidfd)
{
    int cgfd = md_cgroup_setup_fd(c->cgroup);
    if (cgfd < 0) return -1;
    struct clone_args args = {
        .flags = (uint64_t)clone_flags(spec) | CLONE_PIDFD | CLONE_INTO_CGROUP,
        .pidfd = (uint64_t)(uintptr_t)pidfd,
        .exit_signal = SIGCHLD,
        .cgroup = (uint64_t)cgfd,
    };
    long pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid > 0) c->born_in_cgroup = 1;
    return pid;
}

/* A new task waits for its parent's CPU in most starts here: the scheduler queued the child
 * beside us instead of on the idle CPU, and it ran only when we blocked, 0.6-1 ms later (we
 * have the cgroups to make meanwhile). Kept off our CPU, it runs at once; it restores the
 * mask when PROCESS comes, which is after this. */
static void place_child(pid_t pid, const cpu_set_t *mask)
{
    int cpu = sched_getcpu();
    if (cpu < 0 || CPU_COUNT(mask) < 2 || !CPU_ISSET(cpu, mask)) return;
    cpu_set_t away = *mask;
    CPU_CLR(cpu, &away);
    sched_setaffinity(pid, sizeof(away), &away);
}

static int spawn_child(struct md_spec *spec, const struct md_create_opts *opts,
                       struct md_container *c, md_error_t **err)
{
    static cpu_set_t mask;
    int have_mask = sched_getaffinity(0, sizeof(mask), &mask) == 0 && CPU_COUNT(&mask) > 1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return md_error(err, errno, "socketpair");
    int pidfd = -1;
    /* raw clone: the child continues on a copy of our stack, like fork, but
     * born in its namespaces. It must not use raise() or pthreads (glibc's
     * cached tid is the parent's). */
    int helper = md_userns_needs_helper(spec);
    long pid = -1;
    if (!helper && c->cgroup) pid = clone_into_cgroup(spec, c, &pidfd);
    if (pid < 0)
        pid = helper ? md_userns_clone(spec, (unsigned long)clone_flags(spec), &pidfd, err)
                     : syscall(SYS_clone, (unsigned long)clone_flags(spec) | CLONE_PIDFD | SIGCHLD,
                               NULL, &pidfd, NULL, NULL);
    if (pid < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return helper ? (int)pid : md_error(err, e, "clone");
    }
    if (pid == 0) {
        close(sv[0]);
        struct md_child_args a = {.spec = spec,
                                  .sock = sv[1],
                                  .exec_fifo = opts ? opts->exec_fifo : NULL,
                                  .opts = opts,
                                  .affinity = have_mask ? &mask : NULL};
        _exit(md_child_main(&a));
    }
    if (have_mask) place_child((pid_t)pid, &mask);
    close(sv[1]);
    c->pid = (pid_t)pid;
    c->pidfd = pidfd;
    c->sock = sv[0];
    return 0;
}

static int send_process(struct md_container *c, md_error_t **err)
{
    const char *pj = md_container_process_json(c->spec);
    int r = md_sync_send(c->sock, MD_SYNC_PROCESS, pj, strlen(pj), -1);
    if (r < 0) return md_error(err, -r, "send process to container");
    return 0;
}

/* prestart and createRuntime hooks: in the runtime's namespaces, once the
 * child has made its mounts and before it pivots (it waits for RESUME). */
static int run_parent_hooks(struct md_container *c, const struct md_create_opts *opts,
                            md_error_t **err)
{
    struct md_hook_state st = {.id = opts ? opts->id : NULL,
                               .bundle = opts ? opts->bundle : NULL,
                               .status = "creating",
                               .pid = c->pid,
                               .annotations = c->spec->annotations};
    int r = md_hooks_run(c->spec->hooks, "prestart", &st, err);
    if (r == 0) r = md_hooks_run(c->spec->hooks, "createRuntime", &st, err);
    if (r == 0 && (r = md_sync_send(c->sock, MD_SYNC_RESUME, NULL, 0, -1)) < 0)
        r = md_error(err, -r, "resume container");
    return r;
}

/* Until READY: the pty master (process.terminal), the hooks stage, or an
 * error record. */
static int wait_ready(struct md_container *c, const struct md_create_opts *opts, md_error_t **err)
{
    for (;;) {
        struct md_sync_msg msg;
        int r = md_sync_recv(c->sock, &msg);
        if (r == -EPIPE) return md_error(err, 0, "container init exited before it was ready");
        if (r < 0) return md_error(err, -r, "sync with container");
        if (msg.type == MD_SYNC_READY) {
            md_sync_msg_clear(&msg);
            return 0;
        }
        if (msg.type == MD_SYNC_ERROR) {
            r = md_sync_error_from_msg(&msg, err);
        } else if (msg.type == MD_SYNC_PTY && msg.fd >= 0 && c->pty_master < 0) {
            c->pty_master = msg.fd;
            msg.fd = -1;
        } else if (msg.type == MD_SYNC_HOOKS) {
            r = run_parent_hooks(c, opts, err);
        } else {
            r = md_error(err, 0, "sync with container: unexpected message %u", msg.type);
        }
        md_sync_msg_clear(&msg);
        if (r < 0) return r;
    }
}

int md_container_create(struct md_spec *spec, const struct md_create_opts *opts,
                        struct md_container *c, md_error_t **err)
{
    md_container_init(c);
    c->spec = spec;
    int r = md_spec_check(spec, err);
    if (r == 0) r = md_container_prepare_seccomp(spec, err);
    md_trace("rt: seccomp");
    if (r == 0) r = prepare_parent_namespaces(spec, err);
    if (r == 0 && opts && opts->set_cgroup) r = md_cgroup_setup_open(spec, &c->cgroup, err);
    /* v2: the child is born in its cgroup, which must exist first. v1: it is moved in after
     * the clone anyway, so the cgroup is made then, while the child makes its mounts (~0.6 ms
     * of mkdirs and writes in every hierarchy, off the path to the exec) */
    int made_late = c->cgroup && !md_cgroup_setup_is_v2(c->cgroup);
    if (r == 0 && c->cgroup && !made_late) r = md_cgroup_setup_make(spec, c->cgroup, err);
    md_trace("rt: cgroup made");
    if (r == 0) r = spawn_child(spec, opts, c, err);
    /* the child waits for PROCESS: its ids must be mapped before it reads it */
    if (r == 0 && spec->ns[MD_NS_USER].present && spec->ns[MD_NS_USER].path == NULL)
        r = md_userns_write_maps(c->pid, spec, err);
    /* Moving a task between v1 cgroups waits for an RCU grace period (the
     * cgroup_threadgroup_rwsem write side): several ms. Unless the child
     * needs its cgroup namespace before its mounts, let it set up its root
     * meanwhile; it only runs our code until START, which comes after. */
    md_trace("cloned");
    int late = !md_spec_cgroupns_early(spec);
    if (r == 0 && late) r = send_process(c, err);
    if (r == 0 && made_late) r = md_cgroup_setup_make(spec, c->cgroup, err);
    if (r == 0 && c->cgroup && !c->born_in_cgroup)
        r = md_cgroup_setup_enter(c->cgroup, c->pid, err);
    /* the child makes its cgroup namespace before READY, once it is in its
     * cgroup (src/runtime/child.c late_cgroupns); told before after_clone (the network, the
     * records), which the child does not wait for */
    if (r == 0 && late && (md_spec_cgroupns_new(spec) || md_spec_cgroup_binds(spec))) {
        int e = md_sync_send(c->sock, MD_SYNC_CGROUP, NULL, 0, -1);
        if (e < 0) r = md_error(err, -e, "sync with container");
    }
    md_trace("cgroup entered");
    if (r == 0 && opts && opts->after_clone) r = opts->after_clone(c->pid, opts->data, err);
    if (r == 0 && !late) r = send_process(c, err);
    if (r == 0) r = wait_ready(c, opts, err);
    if (r < 0) md_container_destroy(c);
    return r;
}

int md_container_start(struct md_container *c, md_error_t **err)
{
    int r = md_sync_send(c->sock, MD_SYNC_START, NULL, 0, -1);
    if (r < 0) return md_error(err, -r, "start container");
    struct md_sync_msg msg;
    r = md_sync_recv(c->sock, &msg);
    close(c->sock);
    c->sock = -1;
    if (r == -EPIPE) return 0; /* the socket closed on exec: the command runs */
    if (r < 0) return md_error(err, -r, "start container");
    if (msg.type == MD_SYNC_ERROR)
        r = md_sync_error_from_msg(&msg, err);
    else
        r = md_error(err, 0, "start container: unexpected message %u", msg.type);
    md_sync_msg_clear(&msg);
    return r;
}

int md_container_wait(struct md_container *c, int *status, md_error_t **err)
{
    int st;
    pid_t w;
    do
        w = waitpid(c->pid, &st, 0);
    while (w < 0 && errno == EINTR);
    if (w < 0) return md_error(err, errno, "wait for container");
    c->pid = -1;
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 0;
}

int md_container_signal(struct md_container *c, int sig)
{
    if (c->pidfd >= 0) return (int)syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0);
    return c->pid > 0 ? kill(c->pid, sig) : -1;
}

void md_container_destroy(struct md_container *c)
{
    if (c->pid > 0) {
        md_container_signal(c, SIGKILL);
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        c->pid = -1;
    }
    if (c->cgroup) {
        md_cgroup_setup_destroy(c->cgroup);
        c->cgroup = NULL;
    }
    if (c->sock >= 0) close(c->sock);
    if (c->pidfd >= 0) close(c->pidfd);
    if (c->pty_master >= 0) close(c->pty_master);
    c->sock = c->pidfd = c->pty_master = -1;
}
