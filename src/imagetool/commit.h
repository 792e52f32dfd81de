/* A new image from a container's changes (docker commit). */
#ifndef MD_IMAGETOOL_COMMIT_H
#define MD_IMAGETOOL_COMMIT_H

#include "util/error.h"

struct md_commit_opts {
    const char *author, *message, *container, *ref; /* ref: REPO[:TAG] or NULL */
    char **changes;                                 /* Dockerfile instructions (-c) */
};

/* id gets "sha256:<config digest>", the new image's id */
int md_image_commit(const struct md_commit_opts *o, char id[72], md_error_t **err);

#endif
