#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static int write_map(pid_t pid, const char *file, const struct md_idmap *m, size_t n,
                     md_error_t **err)
{
    if (n == 0)
        return md_error(err, 0, "config: a new user namespace needs %s",
                        file[0] == 'u' ? "linux.uidMappings" : "linux.gidMappings");
    /* the kernel takes the whole map in a single write (at most 340 lines) */
    size_t cap = n * 40 + 1, len = 0;
    cleanup_free char *buf = malloc(cap);
    if (buf == NULL) return md_error(err, ENOMEM, "%s", file);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n", m[i].container_id, m[i].host_id,
                                m[i].size);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", path);
    if (write(fd, buf, len) != (ssize_t)len)
        return md_error(err, errno, "write %s (\"%.*s\")", file, (int)len - 1, buf);
    return 0;
}

int md_userns_write_maps(pid_t pid, const struct md_spec *s, md_error_t **err)
{
    int r = write_map(pid, "uid_map", s->uid_maps, s->n_uid_maps, err);
    return r < 0 ? r : write_map(pid, "gid_map", s->gid_maps, s->n_gid_maps, err);
}

int md_userns_become_root(md_error_t **err)
{
    /* a namespace whose root is not mapped keeps the unmapped ids */
    if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
        return md_error(err, errno, "setresgid 0 in the user namespace");
    if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
        return md_error(err, errno, "setresuid 0 in the user namespace");
    return 0;
}

int md_ns_differs(pid_t pid, const char *ns)
{
    char a[64], b[64];
    struct stat sa, sb;
    snprintf(a, sizeof(a), "/proc/self/ns/%s", ns);
    snprintf(b, sizeof(b), "/proc/%d/ns/%s", (int)pid, ns);
    if (stat(a, &sa) < 0 || stat(b, &sb) < 0) return 0;
    return sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev;
}

/* The namespaces a helper joins before the clone: those given by path that
 * the new user namespace must not own (and cannot join from inside it),
 * then the user namespace given by path. */
static int helper_fds(const struct md_spec *s, int fds[5], int types[5], md_error_t **err)
{
    static const struct {
        int kind, flag;
    } order[] = {{MD_NS_NET, CLONE_NEWNET},
                 {MD_NS_IPC, CLONE_NEWIPC},
                 {MD_NS_UTS, CLONE_NEWUTS},
                 {MD_NS_CGROUP, CLONE_NEWCGROUP},
                 {MD_NS_USER, CLONE_NEWUSER}};
    int n = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const struct md_namespace *ns = &s->ns[order[i].kind];
        if (!ns->present || ns->path == NULL) continue;
        fds[n] = open(ns->path, O_RDONLY | O_CLOEXEC);
        if (fds[n] < 0) {
            int e = errno;
            while (n-- > 0)
                close(fds[n]);
            return md_error(err, e, "open namespace %s", ns->path);
        }
        types[n++] = order[i].flag;
    }
    return n;
}

int md_userns_needs_helper(const struct md_spec *s)
{
    if (!s->ns[MD_NS_USER].present) return 0;
    static const int kinds[] = {MD_NS_USER, MD_NS_NET, MD_NS_IPC, MD_NS_UTS, MD_NS_CGROUP};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (s->ns[kinds[i]].present && s->ns[kinds[i]].path) return 1;
    return 0;
}

long md_userns_clone(const struct md_spec *s, unsigned long flags, int *pidfd, md_error_t **err)
{
    int fds[5], types[5], p[2];
    int nfd = helper_fds(s, fds, types, err);
    if (nfd < 0) return nfd;
    if (pipe2(p, O_CLOEXEC) < 0) {
        int e = errno;
        for (int i = 0; i < nfd; i++)
            close(fds[i]);
        return md_error(err, e, "pipe");
    }
    pid_t helper = fork();
    if (helper == 0) {
        close(p[0]);
        int32_t msg[2] = {-1, 0};
        for (int i = 0; i < nfd && msg[1] == 0; i++)
            if (setns(fds[i], types[i]) < 0) msg[1] = errno;
        if (msg[1] == 0 && (msg[0] = (int32_t)syscall(SYS_clone, flags | CLONE_PARENT | SIGCHLD,
                                                      NULL, NULL, NULL, NULL)) < 0)
            msg[1] = errno;
        if (msg[0] == 0) { /* the container's first process, our caller's child */
            close(p[1]);
            for (int i = 0; i < nfd; i++)
                close(fds[i]);
            return 0;
        }
        if (write(p[1], msg, sizeof(msg)) != (ssize_t)sizeof(msg)) _exit(1);
        _exit(0);
    }
    int e = helper < 0 ? errno : 0;
    for (int i = 0; i < nfd; i++)
        close(fds[i]);
    close(p[1]);
    int32_t msg[2] = {-1, EIO};
    ssize_t n = -1;
    if (helper > 0) {
        do
            n = read(p[0], msg, sizeof(msg));
        while (n < 0 && errno == EINTR);
        while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    close(p[0]);
    if (e) return md_error(err, e, "fork");
    if (n != (ssize_t)sizeof(msg) || msg[0] <= 0)
        return md_error(err, msg[1] ? msg[1] : EIO, "clone into the container's namespaces");
    /* CLONE_PARENT made it our child: its pid cannot be reused before we reap it */
    *pidfd = (int)syscall(SYS_pidfd_open, (pid_t)msg[0], 0);
    return msg[0];
}
