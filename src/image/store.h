/* Local image store: read side (linked into the hot binary: json-c only).
 *
 * Layout under MD_LIB_ROOT ("/var/lib/mydocker", see docs/images.md):
 *   image/blobs/sha256/<hex>        content-addressed blobs (configs, manifests, layer tars)
 *   image/layers/<diffid-hex>/      each layer unpacked once (overlay lowerdir; whiteouts
 *                                   already converted to overlay's form)
 *   image/repositories.json         {"busybox:latest": {"id": "sha256:<config>",
 *                                                       "manifest": "sha256:<manifest>"}, ...}
 *                                   plus one record per image, tagged or not, keyed by its id:
 *                                   "sha256:<hex>": {"id", "manifest", "size"}
 *   image/lock                      flock for every writer of the store
 * The image id is the digest of its OCI image config, as in docker.
 *
 * Readers take no lock: every file is replaced by rename. Writers hold image/lock
 * exclusively from the moment new content is renamed into blobs/ or layers/ until
 * repositories.json references it, so garbage collection never sees it unreferenced. */
#ifndef MD_IMAGE_STORE_H
#define MD_IMAGE_STORE_H

#include <stddef.h>

#include "util/error.h"
#include "util/paths.h"

struct json_object;

/* MYDOCKER_ROOT in the environment overrides the default (used by unit tests). */

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

/* Normalize a reference to "repo:tag" (malloc'd), or NULL with *err on a malformed one.
 * A reference with a digest normalizes to "repo@sha256:<hex>". */
char *md_image_normalize_ref(const char *ref, md_error_t **err);

/* ---- references (docker's distribution/reference rules) ---- */

typedef struct md_image_ref {
    char *domain;   /* "docker.io", "localhost:5000", "ghcr.io" */
    char *path;     /* path on that registry: "library/busybox", "a/b" */
    char *familiar; /* name as the store and docker show it: "busybox", "localhost:5000/a/b" */
    char *tag;      /* "latest" when neither tag nor digest was given; NULL with a bare digest */
    char *digest;   /* "sha256:<hex>" or NULL */
} md_image_ref_t;

int md_image_ref_parse(const char *ref, md_image_ref_t *out, md_error_t **err);
void md_image_ref_clear(md_image_ref_t *ref);
/* True when s is "<64 lowercase hex>" (n = 64) or a shorter hex prefix (n = 0: any length). */
int md_image_is_hex(const char *s, size_t n);

/* ---- paths (return 0, or -ENAMETOOLONG) ---- */

/* "<root>/image/<sub>", sub may be NULL */
int md_image_path(char *buf, size_t len, const char *sub);
/* blob of "sha256:<hex>" (or bare "<hex>") */
int md_image_blob_path(char *buf, size_t len, const char *digest);
/* unpacked layer of a diff_id "sha256:<hex>" (or bare "<hex>") */
int md_image_layer_path(char *buf, size_t len, const char *diff_id);

/* The image's init layer (image/init/<id hex>): empty /etc/hosts, /etc/hostname and
 * /etc/resolv.conf where the image lacks them, so a container's mounts of those need no
 * copy-up. 1 and *out (malloc'd) when there is one, 0 when the image needs none, or -1. */
int md_image_init_layer(const md_image_t *img, char **out, md_error_t **err);

/* ---- listing and resolving ---- */

typedef struct md_image_info {
    char *id;          /* "sha256:<hex>" */
    char *manifest;    /* "sha256:<hex>", NULL when unknown */
    char **tags;       /* normalized "repo:tag", sorted, NULL-terminated (maybe empty) */
    long long created; /* unix seconds from the config's "created", 0 when unknown */
    long created_nsec; /* and its fraction, so images made within a second still sort */
    long long size;    /* bytes of unpacked layers, -1 when not recorded */
    char **digests;    /* "repo@sha256:<manifest>" known on registries (maybe empty) */
} md_image_info_t;

/* Bytes of an image's unpacked layers: the recorded size, else measured. */
long long md_image_size(const md_image_info_t *info);
/* Every image in the store, newest first. */
int md_image_list(md_image_info_t **out, size_t *n, md_error_t **err);
void md_image_list_free(md_image_info_t *list, size_t n);

/* Like md_image_lookup without reading the config: *id = "sha256:<hex>", *name =
 * the normalized tag the image was found by or NULL (either pointer may be NULL). */
int md_image_resolve(const char *ref, char **id, char **name, md_error_t **err);

/* ---- writers (store_write.c; json-c only) ---- */

/* Create image/, blobs/sha256/, layers/ when missing. */
int md_image_store_init(md_error_t **err);
/* Take image/lock exclusively (creating the layout); returns the fd, close it to release. */
int md_image_store_lock(md_error_t **err);

/* Lock held. Record image `id` with its manifest digest and unpacked size (-1: unknown),
 * and point `tag` (normalized "repo:tag", may be NULL) at it; an image losing its
 * last tag that way stays as an untagged ("<none>") image, as in docker. */
int md_image_register(const char *id, const char *manifest, long long size, const char *tag,
                      md_error_t **err);
/* Lock held. Remember that image id is "repo@sha256:<manifest>" on a registry
 * (docker's RepoDigests; replaces an older digest of the same repository), so
 * that "repo@sha256:..." finds it and `images --digests` shows it. */
int md_image_add_repo_digest(const char *id, const char *repo_digest, md_error_t **err);
/* `docker tag SOURCE TARGET`; takes the lock. */
int md_image_tag(const char *source, const char *target, md_error_t **err);
/* `docker rmi [-f] REF`; takes the lock. Appends "Untagged: busybox:latest" and
 * "Deleted: sha256:<hex>" lines to *report (which may already hold lines), then
 * garbage-collects. A missing image fails with "No such image: REF". */
int md_image_remove(const char *ref, int force, char ***report, md_error_t **err);
/* Lock held. Remove every blob and layer dir not reachable from an image or from a
 * container's image_id, and temp files left by dead processes. */
int md_image_gc(md_error_t **err);
/* Containers (ids, from <root>/containers/<id>/container.json "image_id") that use
 * image `id`; *out is a NULL-terminated vector (maybe empty). */
int md_image_users(const char *id, char ***out, md_error_t **err);

#endif
