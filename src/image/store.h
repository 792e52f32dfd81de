/* Local image store: read side (linked into the hot binary: json-c only).
 *
 * Layout under MD_LIB_ROOT ("/var/lib/mydocker", see docs/state.md):
 *   image/blobs/sha256/<hex>        content-addressed blobs (configs, manifests, layer tars)
 *   image/layers/<diffid-hex>/      each layer unpacked once (overlay lowerdir; whiteouts
 *                                   already converted to overlay's form)
 *   image/repositories.json         {"busybox:latest": {"id": "sha256:<config>",
 *                                                       "manifest": "sha256:<manifest>"}, ...}
 *   image/lock                      flock for every writer of the store
 * The image id is the digest of its OCI image config, as in docker. */
#ifndef MD_IMAGE_STORE_H
#define MD_IMAGE_STORE_H

#include "util/error.h"

struct json_object;

#define MD_LIB_ROOT_DEFAULT "/var/lib/mydocker"

/* MYDOCKER_ROOT in the environment overrides the default (used by unit tests). */
const char *md_lib_root(void);

typedef struct md_image {
    char *id;                   /* "sha256:<64 hex>" */
    char *name;                 /* normalized "repo:tag" it was found by, NULL when found by id */
    struct json_object *config; /* the whole OCI image config (owned) */
    char **layer_dirs;          /* NULL-terminated absolute dirs, bottom layer first */
} md_image_t;

/* Find an image by name[:tag] (":latest" implied; "docker.io/library/" and
 * "library/" prefixes normalized away), by "sha256:<hex>", or by a unique
 * prefix of the id's hex. Unknown: error "No such image: <ref>". */
int md_image_lookup(const char *ref, md_image_t **out, md_error_t **err);
void md_image_free(md_image_t *img);

/* Normalize a reference to "repo:tag" (malloc'd), or NULL with *err on a malformed one. */
char *md_image_normalize_ref(const char *ref, md_error_t **err);

#endif
