/* COPY/ADD's file work: copying trees into a staging directory (the new layer) with their
 * modes, owners (--chown) and times, hashing what was copied for the cache key, parent
 * directories taken from the image below, and paths resolved inside an image's view. */
#ifndef MD_IMAGETOOL_BUILD_FILES_H
#define MD_IMAGETOOL_BUILD_FILES_H

#include <sys/types.h>

#include "digest.h"
#include "imagetool/dockerignore.h"
#include "util/error.h"

struct md_copy {
    md_sha256_t *hash;              /* fed with every entry copied */
    const struct md_ignore *ignore; /* context sources only: excluded entries are skipped */
    int chown, chmod;
    uid_t uid;
    gid_t gid;
    mode_t mode;
};

/* src (rel: its path relative to the source root, for the ignore rules) to dst: a directory's
 * contents into dst (made), anything else as dst itself; dst NULL: only hashed */
int md_copy_entry(struct md_copy *c, const char *src, const char *rel, const char *dst,
                  md_error_t **err);

/* path (absolute, in the image) with the symlinks of the image at view resolved, as the
 * kernel would inside the container; a new string */
char *md_view_resolve(const char *view, const char *path);

/* staging/<dir> and its parents, each with the mode, owner and times it has in the view
 * (0755 root where the image has none) */
int md_stage_parents(const char *staging, const char *view, const char *dir, md_error_t **err);

#endif
