/* The container's filesystem, set up by the child inside its own mount
 * namespace: root (overlay or bind), the spec's mounts, /dev, pivot_root,
 * masked and read-only paths. Everything here dies with the namespace. */
#ifndef MD_ROOTFS_H
#define MD_ROOTFS_H

#include "spec.h"

/* Up to and including pivot_root; afterwards "/" is the container's root.
 * The same as md_rootfs_mount (root and the spec's mounts, devices in a
 * user namespace) then md_rootfs_pivot, which the hooks stage separates. */
int md_rootfs_prepare(struct md_spec *s, md_error_t **err);
/* cgroups_made (or NULL): called before a v1 "cgroup" mount binds the container's cgroup
 * directories, which the parent makes after the clone (runtime/container.c): it returns once
 * they exist (MD_SYNC_CGROUP). md_spec_cgroup_binds says when it is called. */
struct md_rootfs_wait {
    int (*cgroups_made)(void *data, md_error_t **err);
    void *data;
};
int md_rootfs_mount(struct md_spec *s, const struct md_rootfs_wait *w, md_error_t **err);
int md_rootfs_pivot(struct md_spec *s, md_error_t **err);
/* In a user namespace: bind the host's device nodes (before pivot_root). */
int md_dev_bind(struct md_spec *s, int rootfd, md_error_t **err);
/* After pivot_root: masked paths, read-only paths, read-only root. */
int md_rootfs_finalize(struct md_spec *s, md_error_t **err);
/* Create a directory (and its parents) or, with is_file, an empty file, as a
 * path beneath rootfd that cannot escape it; returns an O_PATH fd. */
int md_mkpath_in_root(int rootfd, const char *path, int is_file, md_error_t **err);
/* Copy the tree at path beneath rootfd into the empty directory dst. */
int md_copy_up(int rootfd, const char *path, const char *dst, md_error_t **err);
/* The content of directory sfd copied into dfd (fd-relative, no symlink followed). */
int md_copy_dir_fd(int sfd, int dfd, md_error_t **err);
/* A mount of type "cgroup" (src/runtime/mount_cgroup.c). */
int md_mount_cgroup(const struct md_spec *s, int rootfd, const struct md_mount *m,
                    const struct md_rootfs_wait *w, md_error_t **err);
/* Device nodes and the standard /dev symlinks, after pivot_root. */
int md_dev_setup(struct md_spec *s, md_error_t **err);

#endif
