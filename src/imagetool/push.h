/* Pushing an image from the store to a registry. */
#ifndef MD_IMAGETOOL_PUSH_H
#define MD_IMAGETOOL_PUSH_H

#include "progress.h"
#include "util/error.h"

struct md_push_opts {
    long long chunk;             /* blobs above it go in PATCH chunks; 0: 64 MiB */
    md_progress_sink_t progress; /* docker's progress messages; fn NULL drops them */
};

int md_image_push(const char *name, const struct md_push_opts *o, md_error_t **err);

#endif
