/* Volumes and mounts of `run`: -v, --mount, --tmpfs, --volumes-from and the
 * image's VOLUMEs, resolved into one list; named volumes live in
 * /var/lib/mydocker/volumes/<name>/_data (docs/state.md). */
#ifndef MD_VOLUMES_H
#define MD_VOLUMES_H

#include <stddef.h>

#include "engine/opts.h"
#include "engine/volume_store.h"

struct json_object;

struct md_vmount {
    char *type;        /* "bind", "volume", "tmpfs" */
    char *name;        /* volume name (type volume) */
    char *source;      /* host path (bind, volume) */
    char *destination; /* absolute path in the container */
    char *options;     /* tmpfs options */
    int rw;
    int copy_up;   /* an empty volume gets the image's content at destination (docker's rule) */
    int anonymous; /* removed with `rm -v` */
};

int md_volumes_resolve(const struct md_run_opts *o, struct json_object *image_config,
                       struct md_vmount **out, size_t *n, md_error_t **err);
void md_vmounts_free(struct md_vmount *m, size_t n);
/* Append the OCI mounts for them to a config.json "mounts" array. */
void md_vmounts_to_spec(const struct md_vmount *m, size_t n, struct json_object *mounts);
/* docker's "Mounts" array for container.json / inspect. */
struct json_object *md_vmounts_record(const struct md_vmount *m, size_t n);

#endif
