/* An image's init layer: docker's "-init" layer, made once per image instead of once per
 * container. A container bind-mounts its own /etc/hosts, /etc/hostname and /etc/resolv.conf;
 * where the image has no such file, the mount target had to be made in the container's upper
 * dir, a copy-up of /etc and three new files on every start (busybox has none of them). Made
 * here they sit in a read-only layer above the image's, so a start makes no inode for them
 * (each costs ~0.1 ms on these hosts' journal-less ext4), and `commit` and `diff` never see
 * them. Kept as image/init/<image id hex>; the image GC sweeps it with the image. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "store_int.h"
#include "util/fs.h"

static const char *const mount_targets[] = {"hosts", "hostname", "resolv.conf"};
#define N_TARGETS (sizeof(mount_targets) / sizeof(mount_targets[0]))

static int is_whiteout(const struct stat *st)
{
    return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static int is_opaque(const char *dir)
{
    char v[2];
    return getxattr(dir, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

/* The merged view of the image's layers, top-most first, as overlay builds it: the top-most
 * layer holding /etc decides what /etc is (its attributes too); an opaque /etc hides what
 * lies below it. Returns the index of that layer, or -1 when /etc is not a directory there. */
static int etc_layer(char *const *layers, size_t n, struct stat *etc_st)
{
    char p[PATH_MAX];
    for (size_t i = n; i-- > 0;) {
        snprintf(p, sizeof(p), "%s/etc", layers[i]);
        if (lstat(p, etc_st) < 0) {
            if (errno == ENOENT) continue;
            return -1;
        }
        return S_ISDIR(etc_st->st_mode) ? (int)i : -1;
    }
    return -1;
}

/* 1 when /etc/<name> is absent from the merged view (the init layer must hold it) */
static int absent(char *const *layers, int top, const char *name)
{
    char p[PATH_MAX];
    struct stat st;
    for (int i = top; i >= 0; i--) {
        snprintf(p, sizeof(p), "%s/etc/%s", layers[i], name);
        if (lstat(p, &st) == 0) return is_whiteout(&st);
        snprintf(p, sizeof(p), "%s/etc", layers[i]);
        if (lstat(p, &st) == 0 && (!S_ISDIR(st.st_mode) || is_opaque(p))) return 1;
    }
    return 1;
}

static int fill(const char *tmp, const struct stat *etc_st, const int *need, md_error_t **err)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof(p), "%s/etc", tmp) >= (int)sizeof(p) - 16)
        return md_error(err, ENAMETOOLONG, "init layer");
    /* the merged /etc takes its owner and mode from the top-most layer that has it: this one */
    if (mkdir(tmp, 0755) < 0 || mkdir(p, 0755) < 0 ||
        chown(p, etc_st->st_uid, etc_st->st_gid) < 0 || chmod(p, etc_st->st_mode & 07777) < 0)
        return md_error(err, errno, "init layer %s", tmp);
    for (size_t i = 0; i < N_TARGETS; i++) {
        if (!need[i]) continue;
        if (snprintf(p, sizeof(p), "%s/etc/%s", tmp, mount_targets[i]) >= (int)sizeof(p))
            return md_error(err, ENAMETOOLONG, "init layer");
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) return md_error(err, errno, "init layer %s", p);
        close(fd);
    }
    return 0;
}

static int make(const char *dir, char *const *layers, md_error_t **err)
{
    size_t n = 0;
    while (layers[n])
        n++;
    struct stat etc_st;
    int top = etc_layer(layers, n, &etc_st), need[N_TARGETS], any = 0;
    if (top < 0) return 0; /* no /etc directory: the container's own mounts make what they need */
    for (size_t i = 0; i < N_TARGETS; i++)
        any |= need[i] = absent(layers, top, mount_targets[i]);
    if (!any) return 0;
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp-%d", dir, (int)getpid()) >= (int)sizeof(tmp))
        return md_error(err, ENAMETOOLONG, "init layer");
    md_error_t *e = NULL;
    md_rm_rf(tmp, &e);
    md_error_free(&e);
    int r = fill(tmp, &etc_st, need, err);
    /* a concurrent start made the same layer first: use that one */
    if (r == 0 && rename(tmp, dir) < 0 && errno != EEXIST && errno != ENOTEMPTY)
        r = md_error(err, errno, "init layer %s", dir);
    md_rm_rf(tmp, &e);
    md_error_free(&e);
    return r < 0 ? r : 1;
}

int md_image_init_layer(const md_image_t *img, char **out, md_error_t **err)
{
    char dir[PATH_MAX], sub[128];
    *out = NULL;
    const char *hex = strncmp(img->id, MD_IMAGE_ID_PREFIX, 7) == 0 ? img->id + 7 : img->id;
    if (!md_image_is_hex(hex, 64)) return 0;
    snprintf(sub, sizeof(sub), "init/%s", hex);
    if (md_image_path(dir, sizeof(dir), sub) < 0) return md_error(err, ENAMETOOLONG, "init layer");
    /* an empty layer, or none: a file in the store says which was found, so the layers are
     * read once per image, not once per start */
    struct stat st;
    if (lstat(dir, &st) == 0) return S_ISDIR(st.st_mode) ? (*out = strdup(dir)) ? 1 : -ENOMEM : 0;
    char parent[PATH_MAX];
    if (md_image_path(parent, sizeof(parent), "init") < 0 || md_mkdir_p(parent, 0700, err) < 0)
        return -1;
    int r = make(dir, img->layer_dirs, err);
    if (r == 0) { /* nothing is missing: remember that with an empty file */
        int fd = open(dir, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) close(fd);
    }
    if (r <= 0) return r;
    return (*out = strdup(dir)) ? 1 : md_error(err, ENOMEM, "init layer");
}
