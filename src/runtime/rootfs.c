#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* -errno on failure (util/fs.c md_openat_in_root, no message) */
static int open_in_root(int rootfd, const char *path, int flags)
{
    return md_openat_in_root(rootfd, path, flags, 0, NULL);
}

/* A bind remount must repeat the flags the mount already has: in a user
 * namespace, those inherited from the host are locked and dropping one
 * is EPERM. */
static unsigned long kept_flags(const char *path)
{
    static const struct {
        unsigned long st, ms;
    } t[] = {{ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},           {ST_NOEXEC, MS_NOEXEC},
             {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME}};
    struct statvfs sv;
    unsigned long f = 0;
    if (statvfs(path, &sv) < 0) return 0;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (sv.f_flag & t[i].st) f |= t[i].ms;
    return f;
}

/* Each prefix is resolved from the root again, so a symlink met on the way is
 * followed as the container would see it and can never leave the root. */
int md_mkpath_in_root(int rootfd, const char *path, int is_file, md_error_t **err)
{
    cleanup_free char *p = strdup(path);
    if (p == NULL) return md_error(err, ENOMEM, "mkdir %s", path);
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/')
        p[--len] = '\0';
    for (char *s = p;; s++) {
        if (*s != '/' && *s != '\0') continue;
        int last = *s == '\0';
        char saved = *s;
        *s = '\0';
        if (s != p) {
            int fd = open_in_root(rootfd, p, O_PATH | (last && is_file ? 0 : O_DIRECTORY));
            if (fd == -ENOENT) {
                char *slash = strrchr(p, '/');
                cleanup_close int parent = -1;
                const char *name = p;
                if (slash != NULL && slash != p) {
                    *slash = '\0';
                    parent = open_in_root(rootfd, p, O_PATH | O_DIRECTORY);
                    *slash = '/';
                    name = slash + 1;
                } else {
                    parent = dup(rootfd);
                    name = (slash ? slash + 1 : p);
                }
                if (parent < 0) return md_error(err, -parent, "mkdir %s", p);
                int r = 0;
                if (last && is_file) {
                    cleanup_close int pd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                    int f = pd < 0 ? -1
                                   : openat(pd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                            0644);
                    if (f < 0)
                        r = -errno;
                    else
                        close(f);
                } else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
                    r = -errno;
                }
                if (r < 0) return md_error(err, -r, "create %s in container", p);
                fd = open_in_root(rootfd, p, O_PATH | (last && is_file ? 0 : O_DIRECTORY));
            }
            if (fd < 0) return md_error(err, -fd, "open %s in container", p);
            if (last) return fd;
            close(fd);
        }
        *s = saved;
        if (last) break;
    }
    return dup(rootfd);
}

static int mount_root(struct md_spec *s, md_error_t **err)
{
    if (s->overlay_lower != NULL) {
        cleanup_free char *data = NULL;
        if (asprintf(&data, "lowerdir=%s,upperdir=%s,workdir=%s%s", s->overlay_lower,
                     s->overlay_upper ? s->overlay_upper : "",
                     s->overlay_work ? s->overlay_work : "",
                     s->overlay_volatile ? ",volatile" : "") < 0)
            return md_error(err, ENOMEM, "overlay");
        if (s->overlay_upper == NULL) {
            free(data);
            if (asprintf(&data, "lowerdir=%s", s->overlay_lower) < 0)
                return md_error(err, ENOMEM, "overlay");
        }
        if (mount("overlay", s->root_path, "overlay", 0, data) < 0)
            return md_error(err, errno, "mount overlay on %s", s->root_path);
        return 0;
    }
    if (mount(s->root_path, s->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return md_error(err, errno, "bind mount rootfs %s", s->root_path);
    return 0;
}

static int is_dir_mount(const struct md_mount *m)
{
    struct stat st;
    if (!m->bind) return 1;
    return m->source == NULL || stat(m->source, &st) < 0 || S_ISDIR(st.st_mode);
}

static int do_mount_one(const struct md_mount *m, const char *target, md_error_t **err)
{
    if (m->bind) {
        unsigned long f = MS_BIND | (m->bind == 2 ? MS_REC : 0);
        if (mount(m->source, target, NULL, f, NULL) < 0)
            return md_error(err, errno, "bind mount %s on %s", m->source, m->destination);
        return 0;
    }
    const char *type = m->type;
    if (mount(m->source ? m->source : type, target, type, m->flags, m->data) < 0)
        return md_error(err, errno, "mount %s on %s", type, m->destination);
    return 0;
}

/* Flags of a bind mount and propagation apply to the new mount, which the fd
 * opened before mounting does not see: reopen the path to reach it. */
static int adjust_mount(int rootfd, const struct md_mount *m, md_error_t **err)
{
    unsigned long extra = m->flags & ~(unsigned long)(MS_REMOUNT | MS_BIND | MS_REC);
    if (!(m->bind && extra) && !m->propagation && !m->attr_set && !m->attr_clr) return 0;
    cleanup_close int fd = open_in_root(rootfd, m->destination, O_PATH);
    if (fd < 0) return md_error(err, -fd, "reopen %s", m->destination);
    char target[64];
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    if (m->bind && extra &&
        mount(NULL, target, NULL,
              MS_BIND | MS_REMOUNT | extra | (kept_flags(target) & ~m->clear_flags), NULL) < 0)
        return md_error(err, errno, "remount %s", m->destination);
    if (m->propagation && mount(NULL, target, NULL, m->propagation, NULL) < 0)
        return md_error(err, errno, "set propagation of %s", m->destination);
    if (m->attr_set || m->attr_clr) {
        struct mount_attr a = {.attr_set = m->attr_set, .attr_clr = m->attr_clr};
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
            return md_error(err, errno, "set recursive mount options of %s", m->destination);
    }
    return 0;
}

/* sysfs belongs to a network namespace: a user namespace that does not own
 * its network namespace (one joined by path) may not mount it. Bind the
 * host's /sys instead, with the mount's flags, as runc does. */
static int sysfs_bind(int rootfd, const struct md_mount *m, const char *target, md_error_t **err)
{
    if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0)
        return md_error(err, errno, "bind /sys on %s", m->destination);
    struct md_mount b = *m;
    b.bind = 2;
    b.flags |= MS_NOSUID | MS_NODEV | MS_NOEXEC;
    return adjust_mount(rootfd, &b, err);
}

static int mount_one(const struct md_spec *s, int rootfd, const struct md_mount *m,
                     const struct md_rootfs_wait *w, md_error_t **err)
{
    if (!m->bind && strcmp(m->type, "cgroup") == 0) return md_mount_cgroup(s, rootfd, m, w, err);
    if (m->copy_up && m->source) {
        int r = md_copy_up(rootfd, m->destination, m->source, err);
        if (r < 0) return r;
    }
    cleanup_close int fd = md_mkpath_in_root(rootfd, m->destination, !is_dir_mount(m), err);
    if (fd < 0) return fd;
    char target[64];
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    /* tmpcopyup: what the tmpfs will cover, opened before it does */
    cleanup_close int under = m->tmpcopyup && !m->bind
                                  ? open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY)
                                  : -1;
    int r = do_mount_one(m, target, err);
    if (r == 0 && under >= 0) {
        cleanup_close int top = open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY);
        r = top < 0 ? md_error(err, -top, "reopen %s", m->destination)
                    : md_copy_dir_fd(under, top, err);
        if (r < 0) return md_error_prefix(err, "tmpcopyup %s", m->destination);
    }
    if (r == -EPERM && !m->bind && strcmp(m->type, "sysfs") == 0 && s->ns[MD_NS_USER].present) {
        md_error_free(err);
        return sysfs_bind(rootfd, m, target, err);
    }
    return r < 0 ? r : adjust_mount(rootfd, m, err);
}

/* --no-pivot (runc's): for a root on a ramfs, where pivot_root fails.
 * The old root stays reachable through fds and chroot escapes. */
static int move_into(const char *root, md_error_t **err)
{
    if (chdir(root) < 0) return md_error(err, errno, "chdir %s", root);
    if (mount(root, "/", NULL, MS_MOVE, NULL) < 0)
        return md_error(err, errno, "move %s to /", root);
    if (chroot(".") < 0 || chdir("/") < 0) return md_error(err, errno, "chroot %s", root);
    return 0;
}

static int pivot_into(const char *root, md_error_t **err)
{
    if (chdir(root) < 0) return md_error(err, errno, "chdir %s", root);
    /* pivot_root(".", ".") stacks the old root under the new one; detaching
     * it then leaves nothing of the host reachable (no temp dir needed). */
    if (syscall(SYS_pivot_root, ".", ".") < 0) return md_error(err, errno, "pivot_root %s", root);
    if (umount2(".", MNT_DETACH) < 0) return md_error(err, errno, "detach old root");
    if (chdir("/") < 0) return md_error(err, errno, "chdir /");
    return 0;
}

int md_rootfs_mount(struct md_spec *s, const struct md_rootfs_wait *w, md_error_t **err)
{
    int host_root = strcmp(s->root_path, "/") == 0;
    /* never let our mounts propagate back to the host (the seed's Go version
     * broke the host's /proc this way) */
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        return md_error(err, errno, "make / rslave");
    if (!host_root) {
        int r = mount_root(s, err);
        if (r < 0) return r;
    }
    cleanup_close int rootfd = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return md_error(err, errno, "open rootfs %s", s->root_path);
    for (size_t i = 0; i < s->n_mounts; i++) {
        int r = mount_one(s, rootfd, &s->mounts[i], w, err);
        if (r < 0) return r;
    }
    /* mknod is refused in a user namespace: bind the host's nodes, which
     * is only possible while the host's /dev is still reachable */
    if (s->ns[MD_NS_USER].present) return md_dev_bind(s, rootfd, err);
    return 0;
}

int md_rootfs_pivot(struct md_spec *s, md_error_t **err)
{
    if (strcmp(s->root_path, "/") == 0) return chdir("/") < 0 ? md_error(err, errno, "chdir /") : 0;
    int r = s->no_pivot ? move_into(s->root_path, err) : pivot_into(s->root_path, err);
    if (r == 0 && s->rootfs_propagation != (MS_REC | MS_SLAVE) &&
        mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
        r = md_error(err, errno, "set rootfs propagation");
    return r;
}

int md_rootfs_prepare(struct md_spec *s, md_error_t **err)
{
    int r = md_rootfs_mount(s, NULL, err);
    return r < 0 ? r : md_rootfs_pivot(s, err);
}

static int mask_path(const char *path, md_error_t **err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : md_error(err, errno, "masked path %s", path);
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0") < 0)
            return md_error(err, errno, "mask %s", path);
    } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
        return md_error(err, errno, "mask %s", path);
    }
    return 0;
}

static int readonly_path(const char *path, md_error_t **err)
{
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return errno == ENOENT ? 0 : md_error(err, errno, "read-only path %s", path);
    if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | kept_flags(path),
              NULL) < 0)
        return md_error(err, errno, "remount %s read-only", path);
    return 0;
}

int md_rootfs_finalize(struct md_spec *s, md_error_t **err)
{
    for (char **p = s->readonly_paths; p && *p; p++) {
        int r = readonly_path(*p, err);
        if (r < 0) return r;
    }
    for (char **p = s->masked_paths; p && *p; p++) {
        int r = mask_path(*p, err);
        if (r < 0) return r;
    }
    if (s->root_readonly &&
        mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags("/"), NULL) < 0)
        return md_error(err, errno, "remount / read-only");
    return 0;
}
