/* docker semantics -> an OCI runtime-spec config.json (json-c). Pure: the
 * caller gathers the inputs (flags, image config, resolved user, paths), so
 * tests/unit/test_specgen.c can check every rule without a container. */
#ifndef MD_SPECGEN_H
#define MD_SPECGEN_H

#include <stdint.h>

#include "engine/opts.h"
#include "engine/user.h"

struct json_object;
struct md_vmount;

struct md_specgen_in {
    const struct md_run_opts *opts;
    const char *hostname;
    struct json_object *image_config; /* the image config's "config" object, or NULL */
    const char *rootfs;               /* root.path */
    const char *overlay_lower;        /* NULL: rootfs is used as is (--rootfs, host path) */
    const char *overlay_upper, *overlay_work;
    const char *etc_dir; /* dir with hostname, hosts, resolv.conf to bind, or NULL */
    const struct md_user *user;
    int host_root; /* the seeds' mode: host's "/" with fresh namespaces and /proc */
    unsigned short rows, cols;
    uint64_t host_caps;              /* for --privileged: the host's bounding set */
    const char *cgroups_path;        /* linux.cgroupsPath ("mydocker/<id>") */
    const struct md_vmount *vmounts; /* -v, --mount, --tmpfs, image VOLUMEs */
    size_t n_vmounts;
    struct json_object *resources; /* linux.resources (borrowed), or NULL */
};

/* Merge env per docker: image env, then -e/--env-file replacing or
 * appending; HOSTNAME (and TERM with -t) first; PATH and HOME filled in. */
char **md_env_merge(char **image_env, char **user_env, const char *hostname, int tty,
                    const char *home);
/* argv per docker: --entrypoint / image Entrypoint + command / image Cmd. */
int md_argv_merge(const struct md_run_opts *o, struct json_object *image_config, char ***out,
                  md_error_t **err);
/* docker's default capabilities adjusted by --cap-add/--cap-drop; bitmask. */
int md_caps_compute(const struct md_run_opts *o, uint64_t host_caps, uint64_t *out,
                    md_error_t **err);
/* docker's default seccomp policy for a container holding caps (a bitmask). */
struct json_object *md_seccomp_default(uint64_t caps);
int md_specgen(const struct md_specgen_in *in, struct json_object **out, md_error_t **err);

#endif
