/* sha256 through OpenSSL EVP (image tool only: libcrypto stays off the hot path). */
#ifndef MD_IMAGETOOL_DIGEST_H
#define MD_IMAGETOOL_DIGEST_H

#include <stddef.h>

#include "util/error.h"

#define MD_SHA256_HEX_LEN 64

typedef struct md_sha256 {
    void *ctx; /* EVP_MD_CTX */
} md_sha256_t;

int md_sha256_init(md_sha256_t *s, md_error_t **err);
int md_sha256_update(md_sha256_t *s, const void *buf, size_t len, md_error_t **err);
/* Writes 64 lowercase hex digits and a NUL into hex, and frees the context. */
int md_sha256_final(md_sha256_t *s, char hex[MD_SHA256_HEX_LEN + 1], md_error_t **err);
/* Releases a context that will not be finalized (safe after final too). */
void md_sha256_abort(md_sha256_t *s);
/* One-shot digest of a buffer. */
int md_sha256_buf(const void *buf, size_t len, char hex[MD_SHA256_HEX_LEN + 1], md_error_t **err);

#endif
