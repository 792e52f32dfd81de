/* Copies between a container and the host (docker cp). Container paths come from a stranger: a
 * symlink in the container may point anywhere, and may be swapped while we copy (docker's
 * CVE-2018-15664). So every container-side path is resolved with openat2(RESOLVE_IN_ROOT) on the
 * container's root fd (a symlink to "/etc" means the container's /etc), and
 * below that every step is an openat/mkdirat/symlinkat relative to the parent's
 * fd with O_NOFOLLOW: no string path into the container is ever handed to the
 * kernel from the host's "/". Host paths are the caller's own.
 *
 * Docker's rules: a destination that is an existing directory receives the
 * source under its own name; "SRC/." copies a directory's contents; the last
 * component of SRC is copied as is when it is a symlink (-L follows it). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "ctrroot.h"
#include "cp.h"
#include "tarwrite.h"
#include "layer.h"
#include "util/strv.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int open_in_root(int rootfd, const char *path, int flags, md_error_t **err)
{
    int fd = md_openat_in_root(rootfd, path, flags, 0, NULL);
    return fd < 0 ? md_error(err, -fd, "%s", path) : fd;
}

/* "a/b/c" -> dir "a/b", base "c"; "/" and "" -> dir "/", base "." */
static void split(const char *path, char *dir, char *base)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    char *slash = strrchr(tmp, '/');
    if (slash == NULL) {
        strcpy(dir, ".");
        strcpy(base, *tmp ? tmp : ".");
    } else {
        snprintf(base, NAME_MAX + 1, "%s", slash[1] ? slash + 1 : ".");
        *slash = '\0';
        strcpy(dir, *tmp ? tmp : "/");
    }
}

static void set_times(int dirfd, const char *name, const struct stat *st)
{
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int copy_data(int in, int out, const char *what, md_error_t **err)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return md_error(err, errno, "read %s", what);
        if (n == 0) return 0;
        int r = md_write_all(out, buf, (size_t)n);
        if (r < 0) return md_error(err, -r, "write %s", what);
    }
}

static int copy_entry(const struct md_cp_opts *c, int sdir, const char *sname, int ddir,
                      const char *dname, int depth, md_error_t **err);

/* Every entry of directory fd sfd into directory fd dfd. */
static int copy_children(const struct md_cp_opts *c, int sfd, int dfd, int depth, md_error_t **err)
{
    int dup_fd = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_dir DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (d == NULL) return md_error(err, errno, "read directory");
    struct dirent *de;
    int r = 0;
    while (r == 0 && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            r = copy_entry(c, sfd, de->d_name, dfd, de->d_name, depth + 1, err);
    return r;
}

/* Make (or replace) dname in ddir as a copy of sname in sdir; no symlink on
 * either side is followed. */
static int copy_entry(const struct md_cp_opts *c, int sdir, const char *sname, int ddir,
                      const char *dname, int depth, md_error_t **err)
{
    struct stat st, dst;
    if (depth > 256) return md_error(err, ELOOP, "%s: too deep", sname);
    if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return md_error(err, errno, "%s", sname);
    /* out of a container without -a: no setuid/setgid file and no device
     * node of the container's making lands on the host (as docker's cp) */
    int outward = !c->to_container && !c->archive;
    if (outward && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) return 0;
    if (outward) st.st_mode &= ~(mode_t)(S_ISUID | S_ISGID);
    int exists = fstatat(ddir, dname, &dst, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !(S_ISDIR(st.st_mode) && S_ISDIR(dst.st_mode)) &&
        unlinkat(ddir, dname, S_ISDIR(dst.st_mode) ? AT_REMOVEDIR : 0) < 0)
        return md_error(err, errno, "cannot overwrite %s", dname);
    int r = 0;
    if (S_ISDIR(st.st_mode)) {
        if (!(exists && S_ISDIR(dst.st_mode)) && mkdirat(ddir, dname, st.st_mode & 07777) < 0)
            return md_error(err, errno, "mkdir %s", dname);
        cleanup_close int sfd =
            openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_close int dfd =
            openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0 || dfd < 0) return md_error(err, errno, "open %s", sfd < 0 ? sname : dname);
        if ((r = copy_children(c, sfd, dfd, depth, err)) < 0) return r;
        fchmod(dfd, st.st_mode & 07777);
    } else if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(sdir, sname, target, sizeof(target) - 1);
        if (n < 0) return md_error(err, errno, "readlink %s", sname);
        target[n] = '\0';
        if (symlinkat(target, ddir, dname) < 0) return md_error(err, errno, "symlink %s", dname);
    } else if (S_ISREG(st.st_mode)) {
        cleanup_close int in = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_close int out = openat(
            ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
        if (in < 0 || out < 0) return md_error(err, errno, "open %s", in < 0 ? sname : dname);
        if ((r = copy_data(in, out, sname, err)) < 0) return r;
        fchmod(out, st.st_mode & 07777);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
        if (mknodat(ddir, dname, st.st_mode, st.st_rdev) < 0)
            return md_error(err, errno, "mknod %s", dname);
    } else {
        return 0; /* sockets */
    }
    if (c->archive && fchownat(ddir, dname, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return md_error(err, errno, "chown %s", dname);
    /* chown clears setuid/setgid: -a puts them back */
    if (c->archive && !S_ISLNK(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)) &&
        fchmodat(ddir, dname, st.st_mode & 07777, 0) < 0)
        return md_error(err, errno, "chmod %s", dname);
    set_times(ddir, dname, &st);
    return 0;
}

/* Where a copy lands: an existing directory gets the source's name inside it.
 * In a container (nofollow) the name is never followed here: to_container
 * resolved a symlink inside the root already, and one swapped in since (the
 * CVE-2018-15664 race) is then a file to replace, not a way out. On the host
 * a symlink to a directory counts as the directory. */
static int resolve_dest(int dirfd_of_dest, const char *dbase, const char *sbase, int src_is_dir,
                        int contents, int nofollow, int *ddir, char *dname, md_error_t **err)
{
    struct stat st;
    int exists = fstatat(dirfd_of_dest, dbase, &st, nofollow ? AT_SYMLINK_NOFOLLOW : 0) == 0;
    if (exists && S_ISDIR(st.st_mode) && !contents) {
        *ddir = openat(dirfd_of_dest, dbase,
                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
        if (*ddir < 0) return md_error(err, errno, "open %s", dbase);
        snprintf(dname, NAME_MAX + 1, "%s", sbase);
        return 0;
    }
    if (exists && !S_ISDIR(st.st_mode) && src_is_dir)
        return md_error(err, 0, "cannot copy a directory to a file: %s", dbase);
    *ddir = dup(dirfd_of_dest);
    snprintf(dname, NAME_MAX + 1, "%s", dbase);
    return *ddir < 0 ? md_error(err, errno, "dup") : 0;
}

static int run_copy(const struct md_cp_opts *c, int sdir, const char *sbase, const char *name,
                    int ddir_parent, const char *dbase, const char *src_label, md_error_t **err)
{
    struct stat st;
    int contents = strcmp(sbase, ".") == 0;
    if (fstatat(sdir, contents ? "." : sbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return md_error(err, errno, "Could not find the file %s", src_label);
    cleanup_close int ddir = -1;
    char dname[NAME_MAX + 1];
    int r = resolve_dest(ddir_parent, dbase, name, S_ISDIR(st.st_mode), contents, c->to_container,
                         &ddir, dname, err);
    if (r < 0) return r;
    if (!contents) return copy_entry(c, sdir, sbase, ddir, dname, 0, err);
    /* "SRC/.": the contents of SRC into DEST (made when missing) */
    if (mkdirat(ddir, dname, st.st_mode & 07777) < 0 && errno != EEXIST)
        return md_error(err, errno, "mkdir %s", dname);
    cleanup_close int dfd = openat(
        ddir, dname, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (c->to_container ? O_NOFOLLOW : 0));
    if (dfd < 0) return md_error(err, errno, "open %s", dname);
    return copy_children(c, sdir, dfd, 0, err);
}

/* ---- the two directions ---- */

/* -L: follow the last component while it is a symlink, each hop resolved
 * inside the root again; *sdir and sbase then name the target. */
static int follow_links(int rootfd, const struct md_cp_opts *c, int *sdir, char *sdirp, char *sbase,
                        md_error_t **err)
{
    for (int hops = 0; hops < 40; hops++) {
        struct stat st;
        char target[PATH_MAX], next[PATH_MAX * 2];
        if (strcmp(sbase, ".") == 0 || fstatat(*sdir, sbase, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISLNK(st.st_mode))
            return 0;
        ssize_t n = readlinkat(*sdir, sbase, target, sizeof(target) - 1);
        if (n < 0) return md_error(err, errno, "readlink %s", c->ctr_path);
        target[n] = '\0';
        snprintf(next, sizeof(next), "%s%s%s", target[0] == '/' ? "" : sdirp,
                 target[0] == '/' ? "" : "/", target);
        split(next, sdirp, sbase);
        close(*sdir);
        if ((*sdir = open_in_root(rootfd, sdirp, O_RDONLY | O_DIRECTORY, err)) < 0) return *sdir;
    }
    return md_error(err, ELOOP, "%s", c->ctr_path);
}

static int from_container(int rootfd, void *arg, md_error_t **err)
{
    const struct md_cp_opts *c = arg;
    char sdirp[PATH_MAX], sbase[NAME_MAX + 1], ddirp[PATH_MAX], dbase[NAME_MAX + 1];
    char name[NAME_MAX + 1];
    split(c->ctr_path, sdirp, sbase);
    split(c->host_path, ddirp, dbase);
    snprintf(name, sizeof(name), "%s", sbase);
    int sdir = open_in_root(rootfd, sdirp, O_RDONLY | O_DIRECTORY, err);
    if (sdir < 0) return md_error_prefix(err, "Could not find the file %s", c->ctr_path), sdir;
    int r = c->follow ? follow_links(rootfd, c, &sdir, sdirp, sbase, err) : 0;
    int ddir = r < 0 ? -1 : open(ddirp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r == 0 && ddir < 0) r = md_error(err, errno, "%s", ddirp);
    if (r == 0) r = run_copy(c, sdir, sbase, name, ddir, dbase, c->ctr_path, err);
    if (sdir >= 0) close(sdir);
    if (ddir >= 0) close(ddir);
    return r;
}

static int to_container(int rootfd, void *arg, md_error_t **err)
{
    const struct md_cp_opts *c = arg;
    char sdirp[PATH_MAX], sbase[NAME_MAX + 1], ddirp[PATH_MAX], dbase[NAME_MAX + 1];
    split(c->host_path, sdirp, sbase);
    split(c->ctr_path, ddirp, dbase);
    cleanup_close int sdir = open(sdirp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sdir < 0) return md_error(err, errno, "%s", sdirp);
    /* the destination's directory, resolved inside the container's root */
    cleanup_close int ddir = open_in_root(rootfd, ddirp, O_RDONLY | O_DIRECTORY, err);
    if (ddir < 0) return md_error_prefix(err, "Could not find the file"), ddir;
    struct stat st;
    if (fstatat(ddir, dbase, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        /* a symlink as the destination is followed, but inside the root only */
        char full[PATH_MAX + NAME_MAX + 2];
        snprintf(full, sizeof(full), "%s/%s", ddirp, dbase);
        int fd = open_in_root(rootfd, full, O_RDONLY | O_DIRECTORY, NULL);
        if (fd >= 0) {
            close(ddir);
            ddir = fd;
            strcpy(dbase, ".");
        }
    }
    return run_copy(c, sdir, sbase, sbase, ddir, dbase, c->host_path, err);
}

/* `cp CTR:SRC -`: a tar of SRC (its name as the top entry, as docker's) on stdout. The
 * other entries of SRC's directory are excluded, so only SRC's subtree is walked. */
static int to_stream(int rootfd, void *arg, md_error_t **err)
{
    const struct md_cp_opts *c = arg;
    char sdirp[PATH_MAX], sbase[NAME_MAX + 1];
    split(c->ctr_path, sdirp, sbase);
    cleanup_close int sdir = open_in_root(rootfd, sdirp, O_RDONLY | O_DIRECTORY, err);
    if (sdir < 0) return md_error_prefix(err, "Could not find the file %s", c->ctr_path);
    struct stat st;
    if (strcmp(sbase, ".") != 0 && fstatat(sdir, sbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return md_error(err, errno, "Could not find the file %s in container", c->ctr_path);
    cleanup_strv char **others = NULL;
    int dup = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_dir DIR *d = dup < 0 ? NULL : fdopendir(dup);
    for (struct dirent *de; d && strcmp(sbase, ".") != 0 && (de = readdir(d)) != NULL;)
        if (strcmp(de->d_name, sbase) != 0) md_strv_append(&others, de->d_name);
    return md_tar_dir(sdir, MD_TAR_ONE_MOUNT, others, STDOUT_FILENO, NULL, NULL, err);
}

/* `cp - CTR:DIR`: a tar read from stdin, extracted into DIR inside the root */
static int from_stream(int rootfd, void *arg, md_error_t **err)
{
    const struct md_cp_opts *c = arg;
    int dir = open_in_root(rootfd, c->ctr_path, O_RDONLY | O_DIRECTORY, err);
    if (dir < 0)
        return md_error_prefix(err, "Could not find the file %s in container", c->ctr_path);
    return md_layer_extract_at(STDIN_FILENO, dir, err);
}

int md_ctr_copy(const char *ctr, const struct md_cp_opts *o, md_error_t **err)
{
    if (strcmp(o->host_path, "-") == 0)
        return md_ctr_with_root(ctr, o->to_container ? from_stream : to_stream, (void *)o, err);
    return md_ctr_with_root(ctr, o->to_container ? to_container : from_container, (void *)o, err);
}
