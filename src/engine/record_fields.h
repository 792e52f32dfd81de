/* The container record's fields that scripts read with `inspect -f` and that
 * only repeat the flags or the image (Config.User, WorkingDir, Entrypoint,
 * Volumes; HostConfig.Binds, CapAdd, CapDrop, SecurityOpt, Ulimits, Tmpfs,
 * Devices; ResolvConfPath, HostnamePath, HostsPath, GraphDriver, Platform). */
#ifndef MD_ENGINE_RECORD_FIELDS_H
#define MD_ENGINE_RECORD_FIELDS_H

struct json_object;
struct md_run_opts;

struct md_record_paths {
    const char *dir;                           /* the container's directory */
    const char *lower, *upper, *work, *merged; /* overlay dirs; lower NULL without an image */
};

void md_record_fields(struct json_object *record, const struct md_run_opts *o,
                      struct json_object *image_cfg, const struct md_record_paths *p);

#endif
