/* Pulling an image from a registry into the store. */
#ifndef MD_IMAGETOOL_PULL_H
#define MD_IMAGETOOL_PULL_H

#include "progress.h"
#include "util/error.h"

struct md_pull_opts {
    const char *platform;        /* "linux/amd64"; NULL: this host's */
    md_progress_sink_t progress; /* docker's progress messages; fn NULL drops them */
};

/* Pulls name (a reference) and records its tag or digest. *canonical (when
 * not NULL) gets the full reference pulled ("docker.io/library/busybox:latest"),
 * what docker prints last; free it. */
int md_image_pull(const char *name, const struct md_pull_opts *o, char **canonical,
                  md_error_t **err);

#endif
