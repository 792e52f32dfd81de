/* A new image from a container. The container's overlay upper dir is the new layer: written as a
 * tar with overlay's whiteouts turned into OCI's (a char device 0:0 NAME -> ".wh.NAME",
 * trusted.overlay.opaque=y -> ".wh..wh..opq"), stored as an uncompressed blob
 * (digest == diff_id) and unpacked like any pulled layer. The new config is
 * the parent's with the container's settings (Cmd, Env, ...), the -c changes,
 * one more diff_id and one more history entry; the parent is not touched.
 * A running container is read as it runs (it is not paused). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changes.h"
#include "commit.h"
#include "image/store.h"
#include "imagetool/image_write.h"
#include "manifest.h"
#include "store/ctr.h"
#include "tarwrite.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

static int has_prefix_in(json_object *env, const char *var)
{
    size_t n = strcspn(var, "=") + 1;
    for (size_t i = 0; env && i < json_object_array_length(env); i++)
        if (strncmp(json_object_get_string(json_object_array_get_idx(env, i)), var, n) == 0)
            return 1;
    return 0;
}

/* The container's settings into the image's "config"; HOSTNAME and HOME set by
 * the engine at run time stay out unless the image had them. */
static void merge_container_config(json_object *cfg, json_object *ctr_cfg)
{
    static const char *keys[] = {"User",        "ExposedPorts", "Cmd",    "Entrypoint",
                                 "Volumes",     "WorkingDir",   "Labels", "StopSignal",
                                 "Healthcheck", "Shell"};
    json_object *v, *penv = NULL;
    json_object_object_get_ex(cfg, "Env", &penv);
    json_object *env = json_object_new_array();
    if (json_object_object_get_ex(ctr_cfg, "Env", &v))
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            const char *e = json_object_get_string(json_object_array_get_idx(v, i));
            if (e == NULL || ((strncmp(e, "HOSTNAME=", 9) == 0 || strncmp(e, "HOME=", 5) == 0) &&
                              !has_prefix_in(penv, e)))
                continue;
            json_object_array_add(env, json_object_new_string(e));
        }
    json_object_object_add(cfg, "Env", env);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (!json_object_object_get_ex(ctr_cfg, keys[i], &v)) continue;
        if (v == NULL ||
            (json_object_is_type(v, json_type_string) && !*json_object_get_string(v)) ||
            (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0))
            json_object_object_del(cfg, keys[i]);
        else
            json_object_object_add(cfg, keys[i], json_object_get(v));
    }
}

static char *created_by(struct md_ctr *ctr)
{
    json_object *path = json_object_object_get(ctr->record, "Path");
    json_object *args = json_object_object_get(ctr->record, "Args");
    char *s = strdup(path ? json_object_get_string(path) : "");
    for (size_t i = 0; s && args && i < json_object_array_length(args); i++) {
        char *n = NULL;
        if (asprintf(&n, "%s %s", s, json_object_get_string(json_object_array_get_idx(args, i))) <
            0)
            n = NULL;
        free(s);
        s = n;
    }
    return s;
}

/* the parent's config with the container's settings and the -c changes */
static int build_config(json_object *parent, struct md_ctr *ctr, const struct md_commit_opts *o,
                        json_object **out, md_error_t **err)
{
    json_object *root = NULL, *cfg;
    if (json_object_deep_copy(parent, &root, NULL) < 0) return md_error(err, ENOMEM, "commit");
    if (!json_object_object_get_ex(root, "config", &cfg)) {
        cfg = json_object_new_object();
        json_object_object_add(root, "config", cfg);
    }
    merge_container_config(cfg, json_object_object_get(ctr->record, "Config"));
    json_object_object_add(root, "container", json_object_new_string(ctr->id));
    if (o->author) json_object_object_add(root, "author", json_object_new_string(o->author));
    if (o->message) json_object_object_add(root, "comment", json_object_new_string(o->message));
    int r = md_changes_apply(cfg, o->changes, err);
    if (r == 0 && !json_object_object_get_ex(root, "rootfs", NULL))
        r = md_error(err, 0, "image %s: config has no rootfs", md_ctr_str(ctr, "image_id"));
    if (r < 0) json_object_put(root);
    *out = r < 0 ? NULL : root;
    return r;
}

static int do_commit(const struct md_commit_opts *o, struct md_ctr *ctr, char id[72],
                     md_error_t **err)
{
    cleanup_free char *tag = NULL;
    if (o->ref && (tag = md_image_normalize_ref(o->ref, err)) == NULL) return -EINVAL;
    json_object *scratch = json_object_new_object();
    int r = md_changes_apply(scratch, o->changes, err);
    json_object_put(scratch);
    if (r < 0) return r;
    const char *iid = md_ctr_str(ctr, "image_id");
    if (iid == NULL) return md_error(err, 0, "container %s has no image", o->container);
    cleanup_free char *text = NULL, *upper = NULL, *by = created_by(ctr);
    size_t len;
    if (md_store_read_blob(iid, &text, &len, err) < 0) return md_error_prefix(err, "parent image");
    json_object *parent = json_tokener_parse(text), *root = NULL;
    if (parent == NULL) return md_error(err, 0, "image %s: bad config", iid);
    r = build_config(parent, ctr, o, &root, err);
    json_object_put(parent);
    if (r < 0) return r;
    if (asprintf(&upper, "%s/upper", ctr->dir) < 0) upper = NULL;
    cleanup_close int ufd = upper ? open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (ufd < 0) r = md_error(err, errno, "open %s", upper ? upper : "upper");
    struct md_image_write w = {.parent_id = iid,
                               .root = root,
                               .layer_fd = ufd,
                               .tar_flags = MD_TAR_WHITEOUTS,
                               .exclude = md_image_mount_points,
                               .created_by = by,
                               .author = o->author,
                               .comment = o->message,
                               .tag = tag};
    if (r == 0) r = md_image_write(&w, id, err);
    json_object_put(root);
    return r;
}

int md_image_commit(const struct md_commit_opts *o, char id[72], md_error_t **err)
{
    struct md_ctr *ctr = NULL;
    int r = md_ctr_load(o->container, &ctr, err);
    if (r == 0) r = do_commit(o, ctr, id, err);
    md_ctr_free(ctr);
    return r;
}
