/* build's cache: each layer step's key chains the base image and every instruction before it
 * (file contents for COPY/ADD, the build args a RUN sees); <image root>/buildcache/<key>
 * holds the id of the image the step made. An entry whose image is gone is a miss. */
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
