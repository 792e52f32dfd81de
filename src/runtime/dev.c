/* /dev inside the container: the devices the runtime spec says a runtime
 * MUST supply, the spec's own devices, and the standard symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs.h"

static const struct md_device default_devices[] = {
    {"/dev/null", 'c', 1, 3, 0666, 1, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 1, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 1, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 1, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 1, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 1, 0, 0},
};

/* "/dev/cpu/0/cpuid" (a privileged pod gets every host device): its directories first, as
 * runc makes them. Under the container's own /dev, a tmpfs of ours: no symlink of the image's
 * is on the way. */
static int make_parents(const char *path, md_error_t **err)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *p = dir + 5; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) return md_error(err, errno, "mkdir %s", dir);
        *p = '/';
    }
    return 0;
}

static int make_device(const struct md_device *d, md_error_t **err)
{
    mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
    mode_t mode = d->has_mode ? d->mode & 07777 : 0666;
    if (strncmp(d->path, "/dev/", 5) != 0 || strstr(d->path, "/../") != NULL)
        return md_error(err, 0, "device %s: must be under /dev", d->path);
    if (make_parents(d->path, err) < 0) return -1;
    unlink(d->path);
    if (mknod(d->path, type | mode, makedev((unsigned)d->major, (unsigned)d->minor)) < 0)
        return md_error(err, errno, "mknod %s", d->path);
    /* mknod honours the umask; the spec's fileMode must hold exactly */
    if (chmod(d->path, mode) < 0 || chown(d->path, d->uid, d->gid) < 0)
        return md_error(err, errno, "set owner/mode of %s", d->path);
    return 0;
}

static int has_dev_mount(const struct md_spec *s)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (strcmp(s->mounts[i].destination, "/dev") == 0) return 1;
    return 0;
}

/* In a user namespace: the host's node of the same path, bind-mounted
 * onto an empty file (runc does the same). */
static int bind_device(int rootfd, const struct md_device *d, md_error_t **err)
{
    struct stat st;
    if (strncmp(d->path, "/dev/", 5) != 0 || strstr(d->path, "/../") != NULL)
        return md_error(err, 0, "device %s: must be under /dev", d->path);
    if (stat(d->path, &st) < 0)
        return md_error(err, errno, "device %s: no such device on the host to bind", d->path);
    int fd = md_mkpath_in_root(rootfd, d->path, 1, err);
    if (fd < 0) return fd;
    char target[64];
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    int r = mount(d->path, target, NULL, MS_BIND, NULL);
    int e = errno;
    close(fd);
    return r < 0 ? md_error(err, e, "bind device %s", d->path) : 0;
}

int md_dev_bind(struct md_spec *s, int rootfd, md_error_t **err)
{
    if (!has_dev_mount(s)) return 0;
    for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
        int r = bind_device(rootfd, &default_devices[i], err);
        if (r < 0) return r;
    }
    for (size_t i = 0; i < s->n_devices; i++) {
        int r = bind_device(rootfd, &s->devices[i], err);
        if (r < 0) return r;
    }
    return 0;
}

int md_dev_setup(struct md_spec *s, md_error_t **err)
{
    if (!has_dev_mount(s)) return 0;
    for (size_t i = 0;
         !s->ns[MD_NS_USER].present && i < sizeof(default_devices) / sizeof(default_devices[0]);
         i++) {
        int r = make_device(&default_devices[i], err);
        if (r < 0) return r;
    }
    for (size_t i = 0; !s->ns[MD_NS_USER].present && i < s->n_devices; i++) {
        int r = make_device(&s->devices[i], err);
        if (r < 0) return r;
    }
    static const char *const links[][2] = {
        {"/proc/self/fd", "/dev/fd"},       {"/proc/self/fd/0", "/dev/stdin"},
        {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
        {"pts/ptmx", "/dev/ptmx"},
    };
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        unlink(links[i][1]);
        if (symlink(links[i][0], links[i][1]) < 0)
            return md_error(err, errno, "symlink %s", links[i][1]);
    }
    return 0;
}
