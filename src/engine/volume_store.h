/* The volume store: one directory per volume under <root>/volumes, holding
 * volume.json (docker's inspect shape) and _data (what containers mount). */
#ifndef MD_ENGINE_VOLUME_STORE_H
#define MD_ENGINE_VOLUME_STORE_H

#include "util/error.h"

struct json_object;

struct md_volume_opts {
    const char *driver; /* NULL or "local": the only driver */
    char **labels;      /* "k=v" or "k" (value ""), later ones win */
    char **driver_opts; /* -o type=,device=,o= (docker's local driver) */
};

/* Creates the volume, or keeps it when it exists (docker's create is
 * idempotent); *mountpoint (when not NULL) gets its _data path. */
int md_volume_create(const char *name, int anonymous, const struct md_volume_opts *o,
                     char **mountpoint, md_error_t **err);
int md_volume_remove(const char *name, int force, md_error_t **err);
/* A volume made with -o type=,device=,o= (docker's local driver) gets its file
 * system mounted on its _data when a container uses it (once: kept until
 * the volume is removed). Nothing for a plain volume. */
int md_volume_mount(const char *name, md_error_t **err);
/* The same for every volume of a container record's Mounts (at each start:
 * after a reboot the mounts are gone). */
int md_volume_mount_all(struct json_object *mounts, md_error_t **err);
char **md_volume_list(void);
/* volume.json, or NULL when there is no such volume */
struct json_object *md_volume_inspect(const char *name);
/* Containers (ids) whose record mounts the volume. */
char **md_volume_users(const char *name);
int md_volume_name_valid(const char *name);
/* Bytes the volume's data holds (file sizes, as docker counts them), or -1. */
long long md_volume_size(const char *name);

#endif
