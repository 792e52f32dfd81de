/* The merged root of a container, running or not. */
#include "ctrroot.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int running_root(struct md_ctr *c, md_root_fn fn, void *arg, md_error_t **err)
{
    cleanup_close int pidfd = md_ctr_pidfd(c);
    if (pidfd < 0) return -ESRCH;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root", (int)c->pid);
    cleanup_close int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return md_error(err, errno, "open %s", path);
    /* the pid could have died and been reused between pidfd_open and open */
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) return -ESRCH;
    return fn(root, arg, err);
}

static const char *annotation(json_object *spec, const char *key)
{
    json_object *ann = json_object_object_get(spec, "annotations");
    return json_object_get_string(json_object_object_get(ann, key));
}

/* In the child: a private mount namespace, the overlay on <dir>/rootfs, fn. */
static int mount_and_run(struct md_ctr *c, md_root_fn fn, void *arg, md_error_t **err)
{
    char path[PATH_MAX], target[PATH_MAX];
    snprintf(path, sizeof(path), "%s/config.json", c->dir);
    snprintf(target, sizeof(target), "%s/rootfs", c->dir);
    json_object *spec = json_object_from_file(path);
    if (spec == NULL) return md_error(err, 0, "container %.12s: no config.json", c->id);
    const char *lower = annotation(spec, "org.mydocker.overlay.lowerdir");
    const char *upper = annotation(spec, "org.mydocker.overlay.upperdir");
    const char *work = annotation(spec, "org.mydocker.overlay.workdir");
    cleanup_free char *data = NULL;
    int r = 0;
    if (lower == NULL)
        r = md_error(err, 0, "container %.12s: no overlay layers recorded", c->id);
    else if (asprintf(&data, "lowerdir=%s%s%s%s%s", lower, upper ? ",upperdir=" : "",
                      upper ? upper : "", work ? ",workdir=" : "", work ? work : "") < 0)
        r = md_error(err, ENOMEM, "overlay");
    json_object_put(spec);
    if (r < 0) return r;
    if (unshare(CLONE_NEWNS) < 0) return md_error(err, errno, "unshare mount namespace");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return md_error(err, errno, "make mounts private");
    if (mount("overlay", target, "overlay", 0, data) < 0)
        return md_error(err, errno, "mount overlay on %s", target);
    cleanup_close int root = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return md_error(err, errno, "open %s", target);
    return fn(root, arg, err);
}

static int stopped_root(struct md_ctr *c, md_root_fn fn, void *arg, md_error_t **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return md_error(err, errno, "pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]), close(p[1]);
        return md_error(err, errno, "fork");
    }
    if (pid == 0) {
        close(p[0]);
        md_error_t *e = NULL;
        int r = mount_and_run(c, fn, arg, &e);
        fflush(NULL);
        if (r < 0 && e) md_write_all(p[1], e->msg, strlen(e->msg));
        _exit(r < 0 ? 1 : 0);
    }
    close(p[1]);
    cleanup_free char *msg = NULL;
    size_t len = 0;
    md_read_fd(p[0], &msg, &len, NULL);
    close(p[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    return md_error(err, 0, "%s", msg && *msg ? msg : "container filesystem: helper failed");
}

int md_ctr_with_root(const char *ref, md_root_fn fn, void *arg, md_error_t **err)
{
    struct md_ctr *c = NULL;
    int r = md_ctr_load(ref, &c, err);
    if (r < 0) return r;
    if (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED) {
        r = running_root(c, fn, arg, err);
        if (r != -ESRCH) {
            md_ctr_free(c);
            return r;
        }
    }
    /* not running: hold the lock so that no start mounts the same upper dir */
    cleanup_close int lock = md_ctr_lock(c, err);
    if (lock < 0) {
        md_ctr_free(c);
        return lock;
    }
    md_ctr_read_and_settle(c);
    if (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED)
        r = running_root(c, fn, arg, err);
    else
        r = stopped_root(c, fn, arg, err);
    if (r == -ESRCH) r = md_error(err, 0, "container %.12s stopped while being read; retry", c->id);
    md_ctr_free(c);
    return r;
}
