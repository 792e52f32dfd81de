/* A new image in the store from a parent's layers (or none: FROM scratch), an optional new
 * layer (a directory, tarred as it stands) and a config: what `commit` and `build` make.
 * The layer is stored uncompressed (digest == diff_id) and unpacked like a pulled one; the
 * config gets the new diff_id and a history entry; the manifest lists the parent's layers
 * and the new one. */
#ifndef MD_IMAGETOOL_IMAGE_WRITE_H
#define MD_IMAGETOOL_IMAGE_WRITE_H

#include <json-c/json.h>

#include "util/error.h"

struct md_image_write {
    const char *parent_id; /* NULL: no layers below */
    json_object *root;     /* the new image config, completed here (rootfs, history) */
    int layer_fd;          /* a directory to tar as the new layer, or -1: config only */
    int tar_flags;         /* MD_TAR_* (tarwrite.h) */
    char *const *exclude;  /* paths left out of the layer */
    const char *created;   /* RFC 3339 for "created" and the history entry; NULL: now */
    const char *created_by, *author, *comment; /* the history entry's (NULL: none) */
    const char *tag; /* a normalized "repo:tag" to point at the image, or NULL */
    int no_history;  /* no history entry (a config-only image whose root has them) */
};

/* Bind-mount targets the engine makes in a container's upper dir: they hold nothing of the
 * container's (its writes go to the bound files), as docker's init layer; never in a layer */
extern char *const md_image_mount_points[];

/* id gets "sha256:<config digest>" */
int md_image_write(const struct md_image_write *w, char id[72], md_error_t **err);

#endif
