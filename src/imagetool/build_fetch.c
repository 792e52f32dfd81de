/* ADD of an http(s) URL: the file downloaded (redirects followed), named by the URL's last path
 * element, mode 0600 and the server's Last-Modified time as docker's; --checksum checked */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imagetool/build_fetch.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct sink {
    int fd;
    md_sha256_t *hash, *file_hash;
    int failed;
};

static size_t on_data(char *p, size_t size, size_t n, void *data)
{
    struct sink *s = data;
    size_t len = size * n;
    if (md_write_all(s->fd, p, len) < 0) {
        s->failed = errno;
        return 0;
    }
    md_sha256_update(s->hash, p, len, NULL);
    md_sha256_update(s->file_hash, p, len, NULL);
    return len;
}

char *md_url_basename(const char *url)
{
    const char *start = strstr(url, "://");
    start = start ? start + 3 : url;
    size_t end = strcspn(start, "?#");
    cleanup_free char *path = strndup(start, end);
    if (path == NULL) md_oom();
    while (*path && path[strlen(path) - 1] == '/')
        path[strlen(path) - 1] = '\0';
    const char *slash = strrchr(path, '/');
    return md_xstrdup(slash && slash[1] ? slash + 1 : "__unnamed__");
}

static int transfer(const char *url, struct sink *s, long *mtime, md_error_t **err)
{
    CURL *c = curl_easy_init();
    if (c == NULL) return md_error(err, ENOMEM, "curl");
    char msg[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, msg);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_FILETIME, mtime);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK)
        return md_error(err, s->failed, "failed to load %s: %s", url,
                        *msg ? msg : curl_easy_strerror(rc));
    if (status >= 400) return md_error(err, 0, "invalid response status %ld", status);
    return 0;
}

int md_build_fetch(const char *url, const char *dst, const char *checksum, md_sha256_t *hash,
                   md_error_t **err)
{
    md_sha256_t file_hash;
    if (md_sha256_init(&file_hash, err) < 0) return -1;
    cleanup_close int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        md_sha256_abort(&file_hash);
        return md_error(err, errno, "create %s", dst);
    }
    struct sink s = {fd, hash, &file_hash, 0};
    long mtime = -1;
    char hex[MD_SHA256_HEX_LEN + 1];
    int r = transfer(url, &s, &mtime, err);
    if (r == 0)
        r = md_sha256_final(&file_hash, hex, err);
    else
        md_sha256_abort(&file_hash);
    if (r == 0 && checksum &&
        (strncmp(checksum, "sha256:", 7) != 0 || strcmp(checksum + 7, hex) != 0))
        r = md_error(err, 0, "digest mismatch %s: sha256:%s", checksum, hex);
    if (r == 0 && mtime > 0) {
        struct timespec t[2] = {{mtime, 0}, {mtime, 0}};
        futimens(fd, t);
    }
    return r;
}
