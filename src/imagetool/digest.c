#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>

int md_sha256_init(md_sha256_t *s, md_error_t **err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        s->ctx = NULL;
        return md_error(err, ENOMEM, "sha256 init");
    }
    s->ctx = ctx;
    return 0;
}

int md_sha256_update(md_sha256_t *s, const void *buf, size_t len, md_error_t **err)
{
    if (EVP_DigestUpdate(s->ctx, buf, len) != 1) return md_error(err, EIO, "sha256 update");
    return 0;
}

int md_sha256_final(md_sha256_t *s, char hex[MD_SHA256_HEX_LEN + 1], md_error_t **err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    int ok = EVP_DigestFinal_ex(s->ctx, md, &n) == 1 && n == MD_SHA256_HEX_LEN / 2;
    md_sha256_abort(s);
    if (!ok) return md_error(err, EIO, "sha256 final");
    for (unsigned int i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

void md_sha256_abort(md_sha256_t *s)
{
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
}

int md_sha256_buf(const void *buf, size_t len, char hex[MD_SHA256_HEX_LEN + 1], md_error_t **err)
{
    md_sha256_t s;
    int r = md_sha256_init(&s, err);
    if (r == 0 && (r = md_sha256_update(&s, buf, len, err)) < 0) md_sha256_abort(&s);
    return r < 0 ? r : md_sha256_final(&s, hex, err);
}
