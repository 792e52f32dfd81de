/* An image from a tarball of a filesystem (docker import). */
#ifndef MD_IMAGETOOL_IMPORT_H
#define MD_IMAGETOOL_IMPORT_H

#include "util/error.h"

struct md_import_opts {
    char **changes;      /* Dockerfile instructions (-c) */
    const char *message; /* the history entry's comment */
    const char *src;     /* a file or "-" (stdin) */
    const char *ref;     /* REPO[:TAG] or NULL */
};

/* id gets "sha256:<config digest>", the new image's id */
int md_image_import(const struct md_import_opts *o, char id[72], md_error_t **err);

#endif
