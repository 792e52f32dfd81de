/* exec: a new process in a running container. The helper child joins the
 * container's cgroup and every namespace at once through a pidfd (one setns
 * call), forks the process that will exec (a pid namespace applies to
 * children only) and exits; the caller is a child subreaper, so that process
 * becomes its child to wait for. The rest is the normal child path
 * (docs/protocol.md) in exec mode: same stages, same privileges drop. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "container.h"
#include "sync.h"
#include "userns.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* Write our pid into every cgroup the target is in, as the host sees them. */
static int join_cgroups_of(pid_t target, md_error_t **err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)target);
    cleanup_free char *text = NULL;
    int r = md_read_file(path, &text, NULL, err);
    if (r < 0) return r;
    char pid[16];
    int pl = snprintf(pid, sizeof(pid), "%d", (int)getpid());
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL || strcmp(c2 + 1, "/") == 0) continue;
        *c2 = '\0';
        const char *ctrl = c1 + 1;
        char procs[4200];
        if (*ctrl == '\0')
            snprintf(procs, sizeof(procs), "/sys/fs/cgroup/%s%s/cgroup.procs",
                     md_path_exists("/sys/fs/cgroup/unified") ? "unified" : "", c2 + 1);
        else if (strncmp(ctrl, "name=", 5) == 0)
            snprintf(procs, sizeof(procs), "/sys/fs/cgroup/%s%s/cgroup.procs", ctrl + 5, c2 + 1);
        else
            snprintf(procs, sizeof(procs), "/sys/fs/cgroup/%s%s/cgroup.procs", ctrl, c2 + 1);
        cleanup_close int fd = open(procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && strchr(ctrl, ',')) {
            *strchr(ctrl, ',') = '\0'; /* "cpu,cpuacct" mounted as cpu/ */
            snprintf(procs, sizeof(procs), "/sys/fs/cgroup/%s%s/cgroup.procs", ctrl, c2 + 1);
            fd = open(procs, O_WRONLY | O_CLOEXEC);
        }
        if (fd >= 0 && md_write_all(fd, pid, (size_t)pl) < 0)
            return md_error(err, errno, "join cgroup %s", procs);
    }
    return 0;
}

static int join_namespaces(pid_t target, int pidfd, md_error_t **err)
{
    int flags =
        CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP;
    /* unlike the others, asking for the user or time namespace we are
     * already in is EINVAL */
    if (md_ns_differs(target, "user")) flags |= CLONE_NEWUSER;
    if (md_ns_differs(target, "time")) flags |= CLONE_NEWTIME;
    /* namespaces the container shares with the host (e.g. --network host) are
     * the ones we are already in: setns then is a no-op */
    if (setns(pidfd, flags) < 0) return md_error(err, errno, "join the container's namespaces");
    return 0;
}

static void helper_main(struct md_spec *spec, pid_t target, int pidfd, int sock,
                        const struct md_create_opts *opts)
{
    md_error_t *err = NULL;
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* before it joins the container's namespaces, and inherited by the
     * process it forks there: no container process may open our exe
     * (CVE-2019-5736, see md_child_main) */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    int r = join_cgroups_of(target, &err);
    if (r == 0) r = join_namespaces(target, pidfd, &err);
    if (r < 0) {
        md_sync_send_error(sock, &err);
        _exit(1);
    }
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0) {
        md_error(&err, errno, "pipe");
        md_sync_send_error(sock, &err);
        _exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        /* speak on the socket only after the helper has said our pid */
        char b;
        close(go[1]);
        if (read(go[0], &b, 1) != 1) _exit(1);
        close(go[0]);
        struct md_child_args a = {.spec = spec, .sock = sock, .exec_mode = 1, .opts = opts};
        _exit(md_child_main(&a));
    }
    if (pid < 0) {
        md_error(&err, errno, "fork");
        md_sync_send_error(sock, &err);
        _exit(1);
    }
    int32_t p32 = pid;
    md_sync_send(sock, MD_SYNC_PID, &p32, sizeof(p32), -1);
    if (write(go[1], "g", 1) != 1) _exit(1);
    _exit(0);
}

static int wait_ready(struct md_container *c, md_error_t **err)
{
    struct md_sync_msg msg;
    const char *eof = "exec: process exited before it was ready";
    int r = md_sync_expect(c->sock, MD_SYNC_PID, &msg, eof, err);
    if (r < 0) return r;
    int32_t p32 = 0;
    memcpy(&p32, msg.data, msg.len >= sizeof(p32) ? sizeof(p32) : 0);
    md_sync_msg_clear(&msg);
    c->pid = p32;
    c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
    r = md_sync_expect(c->sock, c->spec->process.terminal ? MD_SYNC_PTY : MD_SYNC_READY, &msg, eof,
                       err);
    if (r == 0 && msg.type == MD_SYNC_PTY) {
        c->pty_master = msg.fd;
        msg.fd = -1;
        md_sync_msg_clear(&msg);
        r = md_sync_expect(c->sock, MD_SYNC_READY, &msg, eof, err);
    }
    md_sync_msg_clear(&msg);
    return r;
}

int md_container_exec(struct md_spec *spec, pid_t target, int target_pidfd, struct md_container *c,
                      md_error_t **err)
{
    return md_container_exec_opts(spec, target, target_pidfd, NULL, c, err);
}

int md_container_exec_opts(struct md_spec *spec, pid_t target, int target_pidfd,
                           const struct md_create_opts *opts, struct md_container *c,
                           md_error_t **err)
{
    md_container_init(c);
    c->spec = spec;
    int r0 = md_container_prepare_seccomp(spec, err);
    if (r0 < 0) return r0;
    /* the exec'd process is our grandchild: be its reaper */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        return md_error(err, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return md_error(err, errno, "socketpair");
    pid_t helper = fork();
    if (helper == 0) {
        close(sv[0]);
        helper_main(spec, target, target_pidfd, sv[1], opts);
    }
    close(sv[1]);
    c->sock = sv[0];
    if (helper < 0) {
        md_container_destroy(c);
        return md_error(err, errno, "fork");
    }
    const char *pj = md_container_process_json(spec);
    int r = md_sync_send(c->sock, MD_SYNC_PROCESS, pj, strlen(pj), -1);
    if (r < 0) r = md_error(err, -r, "send process");
    if (r == 0) r = wait_ready(c, err);
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
        ;
    if (r < 0) md_container_destroy(c);
    return r;
}
