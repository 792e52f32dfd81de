/* Copies between a container's filesystem and the host's (docker cp). */
#ifndef MD_IMAGETOOL_CP_H
#define MD_IMAGETOOL_CP_H

#include "util/error.h"

struct md_cp_opts {
    const char *ctr_path, *host_path;
    int to_container; /* host -> container; else container -> host */
    int archive;      /* -a: keep uid/gid */
    int follow;       /* -L: follow a symlink as the source's last component */
};

int md_ctr_copy(const char *ctr, const struct md_cp_opts *o, md_error_t **err);

#endif
