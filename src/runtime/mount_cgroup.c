/* A mount of type "cgroup" in config.json (runc's default spec has one on
 * /sys/fs/cgroup). On a v2 host: a cgroup2 mount. On v1 and hybrid hosts:
 * a tmpfs holding, for each hierarchy, a bind mount of the container's own
 * cgroup directory (and the host's cpu -> cpu,cpuacct style symlinks).
 * Binds rather than cgroup v1 mounts: they work inside a user namespace
 * too, and show the container nothing above its own cgroup. Read-only
 * unless the mount says "rw". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define CG_ROOT "/sys/fs/cgroup"
#define BIND_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* The container's cgroup in hierarchy `dir` ("memory", "cpu,cpuacct",
 * "systemd", "unified"), relative to the hierarchy's root. */
static int own_cgroup(const struct md_spec *s, const char *dir, char *out, size_t len)
{
    if (s->cgroups_path) {
        snprintf(out, len, "%s", s->cgroups_path);
        return 0;
    }
    cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
    char line[4096];
    while (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL) continue;
        *c2 = '\0';
        const char *ctrl = c1 + 1;
        int match = (*ctrl == '\0' && strcmp(dir, "unified") == 0) ||
                    (strncmp(ctrl, "name=", 5) == 0 && strcmp(ctrl + 5, dir) == 0) ||
                    strcmp(ctrl, dir) == 0;
        if (match) {
            snprintf(out, len, "%s", c2 + 1);
            return 0;
        }
    }
    return -ENOENT;
}

/* remount: each bind made read-only by itself (no mount_setattr: kernels before 5.12) */
static int bind_hierarchy(const struct md_spec *s, int tmpfs, const char *name, unsigned long ro,
                          int remount, md_error_t **err)
{
    char rel[PATH_MAX], src[PATH_MAX * 2], target[64];
    if (own_cgroup(s, name, rel, sizeof(rel)) < 0) return 0;
    snprintf(src, sizeof(src), CG_ROOT "/%s/%s", name, rel[0] == '/' ? rel + 1 : rel);
    struct stat st;
    if (stat(src, &st) < 0 || !S_ISDIR(st.st_mode))
        return 0; /* not in this hierarchy: show nothing rather than the root */
    if (mkdirat(tmpfs, name, 0755) < 0 && errno != EEXIST)
        return md_error(err, errno, "cgroup mount: mkdir %s", name);
    cleanup_close int d = openat(tmpfs, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d < 0) return md_error(err, errno, "cgroup mount: open %s", name);
    snprintf(target, sizeof(target), "/proc/self/fd/%d", d);
    if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        return md_error(err, errno, "cgroup mount: bind %s", src);
    if (!remount) return 0;
    cleanup_close int m = openat(tmpfs, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    snprintf(target, sizeof(target), "/proc/self/fd/%d", m);
    if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | BIND_FLAGS | ro, NULL) < 0)
        return md_error(err, errno, "cgroup mount: remount %s", name);
    return 0;
}

static int fill_v1(const struct md_spec *s, int tmpfs, unsigned long ro, int remount,
                   md_error_t **err)
{
    cleanup_dir DIR *d = opendir(CG_ROOT);
    if (d == NULL) return md_error(err, errno, "open " CG_ROOT);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        if (de->d_type == DT_LNK) {
            char link[256];
            ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
            if (n > 0) {
                link[n] = '\0';
                if (symlinkat(link, tmpfs, de->d_name) < 0 && errno != EEXIST)
                    return md_error(err, errno, "cgroup mount: symlink %s", de->d_name);
            }
            continue;
        }
        /* a hybrid host's cgroup2 mount is not shown, as runc does not */
        if (de->d_type == DT_DIR && strcmp(de->d_name, "unified") != 0) {
            int r = bind_hierarchy(s, tmpfs, de->d_name, ro, remount, err);
            if (r < 0) return r;
        }
    }
    return 0;
}

/* probe (nothing set: whether the kernel has mount_setattr), or set the binds' flags; fd is
 * the tmpfs's own root (opened after its mount), never the directory below it */
static int fd_setattr(int fd, unsigned long ro, unsigned flags, int probe)
{
    struct mount_attr a = {0};
    if (!probe)
        a.attr_set =
            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | (ro ? MOUNT_ATTR_RDONLY : 0);
    return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | flags, &a, sizeof(a));
}

int md_mount_cgroup(const struct md_spec *s, int rootfd, const struct md_mount *m,
                    const struct md_rootfs_wait *w, md_error_t **err)
{
    md_cgroup_mode_t mode;
    int r = md_cgroup_detect(NULL, &mode, err);
    if (r < 0) return r;
    cleanup_close int fd = md_mkpath_in_root(rootfd, m->destination, 0, err);
    if (fd < 0) return fd;
    char target[64];
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    unsigned long ro = m->flags & MS_RDONLY;
    if (mode == MD_CGROUP_V2) {
        if (mount("cgroup2", target, "cgroup2", (m->flags & ~MS_REMOUNT) | BIND_FLAGS, NULL) < 0)
            return md_error(err, errno, "mount cgroup2 on %s", m->destination);
        return 0;
    }
    /* the binds need the container's cgroup directories, which may still be in the making */
    if (w && w->cgroups_made && md_spec_cgroup_binds(s) && (r = w->cgroups_made(w->data, err)) < 0)
        return r;
    if (mount("tmpfs", target, "tmpfs", BIND_FLAGS, "mode=755") < 0)
        return md_error(err, errno, "mount tmpfs on %s", m->destination);
    cleanup_close int tmpfs = md_mkpath_in_root(rootfd, m->destination, 0, err);
    if (tmpfs < 0) return tmpfs;
    cleanup_close int dir = openat(tmpfs, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return md_error(err, errno, "open %s", m->destination);
    /* the tmpfs itself stays writable, as runc leaves it: "ro" is for the
     * hierarchies, which is what programs in the container look at. The binds get their
     * flags in one mount_setattr over the whole tree, and the tmpfs its own back: two system
     * calls instead of a remount per hierarchy (~0.2 ms of each start) */
    int setattr = fd_setattr(tmpfs, ro, AT_RECURSIVE, 1) == 0;
    r = fill_v1(s, dir, ro, !setattr, err);
    if (r == 0 && setattr && fd_setattr(tmpfs, ro, AT_RECURSIVE, 0) == 0) {
        struct mount_attr clr = {.attr_clr = MOUNT_ATTR_RDONLY};
        if (ro && syscall(SYS_mount_setattr, tmpfs, "", AT_EMPTY_PATH, &clr, sizeof(clr)) < 0)
            r = md_error(err, errno, "cgroup mount: %s read-write", m->destination);
    } else if (r == 0 && setattr) {
        r = md_error(err, errno, "cgroup mount: flags on %s", m->destination);
    }
    return r;
}
