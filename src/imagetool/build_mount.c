/* Read-only views of images for COPY --from and for what COPY reads of the stage it writes on
 * (owners by name, the parent directories' modes): an overlay of the image's layers with no
 * upper dir, in the build's own mount namespace (build.c), so nothing outlives the build. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <unistd.h>

#include "image/store.h"
#include "imagetool/build_int.h"
#include "imagetool/pull.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* overlay lists the top layer first */
static char *lowerdirs(char *const *layers)
{
    size_t n = md_strv_len(layers);
    char **rev = md_strv_dup(NULL);
    for (size_t i = n; i > 0; i--)
        md_strv_append(&rev, layers[i - 1]);
    char *s = md_strv_join(rev, ":");
    md_strv_free(rev);
    return s;
}

static int mount_layers(char *const *layers, const char *dir, md_error_t **err)
{
    size_t n = md_strv_len(layers);
    if (n == 0) return 0;
    if (n == 1) {
        if (mount(layers[0], dir, NULL, MS_BIND, NULL) < 0 ||
            mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
            return md_error(err, errno, "bind %s", layers[0]);
        return 0;
    }
    cleanup_free char *lower = lowerdirs(layers), *data = NULL;
    if (asprintf(&data, "lowerdir=%s", lower) < 0) md_oom();
    if (mount("overlay", dir, "overlay", MS_RDONLY, data) < 0)
        return md_error(err, errno, "mount the layers of an image");
    return 0;
}

int md_build_mount(struct build *b, const char *image_id, char **dir, md_error_t **err)
{
    *dir = NULL;
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/view-XXXXXX", b->mnt_root) < 0) md_oom();
    if (mkdtemp(path) == NULL) return md_error(err, errno, "mkdtemp %s", path);
    md_image_t *img = NULL;
    int r = image_id ? md_image_lookup(image_id, &img, err) : 0;
    if (r == 0 && img) r = mount_layers(img->layer_dirs, path, err);
    md_image_free(img);
    if (r < 0) {
        rmdir(path);
        return r;
    }
    *dir = md_steal_ptr(&path);
    return 0;
}

void md_build_umount(char *dir)
{
    if (dir == NULL) return;
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    free(dir);
}

int md_build_view_of(struct build *b, struct build_stage *s, const char *from, char **view,
                     md_error_t **err)
{
    for (size_t i = 0; i < (size_t)(s - b->st); i++) {
        char idx[24];
        snprintf(idx, sizeof(idx), "%zu", i);
        if ((b->st[i].name && strcasecmp(b->st[i].name, from) == 0) || strcmp(idx, from) == 0) {
            md_build_key(s->key, s->key, b->st[i].key);
            return md_build_mount(b, b->st[i].image_id, view, err);
        }
    }
    cleanup_free char *id = NULL;
    md_error_t *miss = NULL;
    if (md_image_resolve(from, &id, NULL, &miss) < 0) {
        md_error_free(&miss);
        struct md_pull_opts po = {0};
        if (md_image_pull(from, &po, NULL, err) < 0 || md_image_resolve(from, &id, NULL, err) < 0)
            return -1;
    }
    md_build_key(s->key, s->key, id);
    return md_build_mount(b, id, view, err);
}
