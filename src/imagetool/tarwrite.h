/* Writing a directory tree as a tar stream (libarchive, pax): for commit
 * (a container's upper dir becomes a layer), save (a layer whose blob is
 * gone), and export (a container's merged filesystem). */
#ifndef MD_IMAGETOOL_TARWRITE_H
#define MD_IMAGETOOL_TARWRITE_H

#include "digest.h"
#include "util/error.h"

enum {
    /* overlay's form -> OCI's: a char device 0:0 NAME becomes an empty
     * ".wh.NAME", a dir with trusted.overlay.opaque=y gets ".wh..wh..opq" */
    MD_TAR_WHITEOUTS = 1,
    /* do not descend into other mounts (export through /proc/<pid>/root): a
     * mount point is written as an empty dir or an empty file */
    MD_TAR_ONE_MOUNT = 2,
    /* reproducible layers (BuildKit's rewrite-timestamp): with SOURCE_DATE_EPOCH set, no time
     * later than it and no atime/ctime in the tar */
    MD_TAR_SOURCE_DATE = 4,
};

/* Write everything below dirfd (not dirfd itself) to out_fd, in name order,
 * never following a symlink: owners numeric, modes, times, xattrs (but
 * overlay's own), hard links within the tree. Paths listed in exclude
 * (relative, "etc/hosts"; may be NULL) are left out. hex (may be NULL) gets the sha256
 * of the bytes written and *size (may be NULL) their count. */
int md_tar_dir(int dirfd, int flags, char *const *exclude, int out_fd,
               char hex[MD_SHA256_HEX_LEN + 1], long long *size, md_error_t **err);

#endif
