/* build's cache: each layer step's key chains the base image and every instruction before it
 * (file contents for COPY/ADD, the build args a RUN sees); <image root>/buildcache/<key>
 * holds the id of the image the step made. An entry whose image is gone is a miss. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "image/store.h"
#include "imagetool/build_int.h"
#include "util/cleanup.h"
#include "util/du.h"
#include "util/strv.h"
#include "util/fs.h"
#include "util/xalloc.h"

void md_build_key(char out[65], const char *parent, const char *what)
{
    cleanup_free char *text = NULL;
    if (asprintf(&text, "%s\n%s", parent, what) < 0) md_oom();
    char hex[MD_SHA256_HEX_LEN + 1];
    if (md_sha256_buf(text, strlen(text), hex, NULL) < 0) hex[0] = '\0';
    snprintf(out, 65, "%s", hex);
}

static int entry_path(char *buf, size_t len, const char *key)
{
    char sub[96];
    snprintf(sub, sizeof(sub), "buildcache/%s", key);
    return md_image_path(buf, len, sub);
}

int md_build_cache_get(const struct build *b, const char *key, char id[72])
{
    char path[4096];
    if (b->o->no_cache || entry_path(path, sizeof(path), key) < 0) return -1;
    cleanup_free char *text = NULL, *found = NULL;
    if (md_read_file(path, &text, NULL, NULL) < 0) return -1;
    text[strcspn(text, "\n")] = '\0';
    if (md_image_resolve(text, &found, NULL, NULL) < 0) return -1;
    snprintf(id, 72, "%s", found);
    utimensat(AT_FDCWD, path, NULL, 0); /* last used: builder prune --filter until= */
    return 0;
}

void md_build_cache_put(const char *key, const char *id)
{
    char path[4096], dir[4096], tmp[4200];
    if (md_image_path(dir, sizeof(dir), "buildcache") < 0 ||
        entry_path(path, sizeof(path), key) < 0)
        return;
    mkdir(dir, 0700);
    snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    int ok = md_write_all(fd, id, strlen(id)) == 0;
    close(fd);
    if (!ok || rename(tmp, path) < 0) unlink(tmp);
}

char **md_build_cache_images(void)
{
    char dir[4096];
    char **ids = md_strv_dup(NULL);
    if (md_image_path(dir, sizeof(dir), "buildcache") < 0) return ids;
    cleanup_dir DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strlen(de->d_name) != 64) continue;
        cleanup_free char *path = NULL, *text = NULL;
        if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) md_oom();
        if (md_read_file(path, &text, NULL, NULL) < 0) continue;
        text[strcspn(text, "\n")] = '\0';
        if (!md_strv_contains(ids, text)) md_strv_append(&ids, text);
    }
    return ids;
}

/* an image only the cache holds: no tag, no digest, no container */
static int cache_only(const md_image_info_t *info)
{
    cleanup_strv char **users = NULL;
    if (info->tags[0] || (info->digests && info->digests[0])) return 0;
    return md_image_users(info->id, &users, NULL) == 0 && (users == NULL || users[0] == NULL);
}

static void remove_entries(const char *dir, int64_t until_ns)
{
    cleanup_dir DIR *d = opendir(dir);
    struct dirent *de;
    struct stat st;
    while (d && (de = readdir(d)) != NULL)
        if (strlen(de->d_name) == 64 && fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
            (until_ns <= 0 || (int64_t)st.st_mtim.tv_sec * 1000000000LL < until_ns))
            unlinkat(dirfd(d), de->d_name, 0);
}

int md_build_cache_prune(int64_t until_ns, char ***deleted, long long *reclaimed, md_error_t **err)
{
    char dir[4096], layers[4096];
    *deleted = md_strv_dup(NULL);
    *reclaimed = 0;
    if (md_image_path(dir, sizeof(dir), "buildcache") < 0 ||
        md_image_path(layers, sizeof(layers), "layers") < 0)
        return md_error(err, ENAMETOOLONG, "buildcache");
    cleanup_strv char **ids = md_build_cache_images();
    long long before = 0, after = 0;
    md_du(layers, 1, &before);
    remove_entries(dir, until_ns);
    cleanup_strv char **kept = md_build_cache_images();
    md_image_info_t *list = NULL;
    size_t n = 0;
    if (md_image_list(&list, &n, err) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        if (!md_strv_contains(ids, list[i].id) || md_strv_contains(kept, list[i].id) ||
            !cache_only(&list[i]))
            continue;
        cleanup_strv char **lines = NULL;
        if (md_image_remove(list[i].id, 1, &lines, NULL) == 0) md_strv_append(deleted, list[i].id);
    }
    md_image_list_free(list, n);
    md_du(layers, 1, &after);
    *reclaimed = before > after ? before - after : 0;
    return 0;
}
