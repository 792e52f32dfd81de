/* ADD's URLs (build_fetch.c): libcurl, in the image tool only */
#ifndef MD_IMAGETOOL_BUILD_FETCH_H
#define MD_IMAGETOOL_BUILD_FETCH_H

#include "digest.h"
#include "util/error.h"

/* "file.tar.gz" of "https://host/a/file.tar.gz?x=1" ("__unnamed__" for none), malloc'd */
char *md_url_basename(const char *url);
/* url into the file dst (mode 0600), its bytes into hash too; checksum: "sha256:<hex>" or NULL */
int md_build_fetch(const char *url, const char *dst, const char *checksum, md_sha256_t *hash,
                   md_error_t **err);

#endif
