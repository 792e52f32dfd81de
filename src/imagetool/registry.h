/* A client for one repository on a registry speaking the distribution API v2
 * (libcurl). It answers 401 challenges itself (Bearer token or Basic, with the
 * credentials from auth.json), keeps the token for the session, and fetches
 * blobs in parallel through a curl multi handle. See docs/images.md. */
#ifndef MD_IMAGETOOL_REGISTRY_H
#define MD_IMAGETOOL_REGISTRY_H

#include <stddef.h>

#include "digest.h"
#include "image/store.h"
#include "util/error.h"

typedef struct md_reg md_reg_t;

/* Connect to ref's registry for ref's repository, with the token scope
 * "repository:<path>:<actions>" ("pull" or "pull,push"). Pings /v2/, choosing
 * https, or plain http for loopback and insecure registries when https fails. */
int md_reg_open(const md_image_ref_t *ref, const char *actions, md_reg_t **out, md_error_t **err);
void md_reg_close(md_reg_t *r);
/* "http(s)://host/v2/<path>" */
const char *md_reg_base(const md_reg_t *r);

typedef struct md_reg_req {
    const char *method; /* GET, HEAD, PUT, POST, PATCH */
    const char *url;    /* absolute, or relative to md_reg_base ("/manifests/latest") */
    const char *accept; /* Accept header value, or NULL */
    const char *content_type;
    const char *extra_header; /* one more "Name: value" line, or NULL */
    const void *body;         /* request body from memory ... */
    size_t body_len;
    int body_fd; /* ... or from this fd (offset body_off, body_len bytes); -1: none */
    long long body_off;
    size_t max_body; /* refuse a response body larger than this (0: 8 MiB) */
} md_reg_req_t;

typedef struct md_reg_resp {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char *content_type, *digest, *location; /* headers, NULL when absent */
} md_reg_resp_t;

void md_reg_resp_clear(md_reg_resp_t *resp);
/* One request; a 401 is answered once (token or Basic) and the request retried.
 * Any HTTP status is a success here: the caller decides. */
int md_reg_do(md_reg_t *r, const md_reg_req_t *q, md_reg_resp_t *resp, md_error_t **err);
/* The registry's error body ({"errors":[{"code","message"}]}) as a message,
 * or "HTTP <status>" (malloc'd). */
char *md_reg_error_text(const md_reg_resp_t *resp);

/* ---- parallel blob downloads ---- */

typedef struct md_blob_dl {
    const char *digest; /* "sha256:<hex>" expected */
    long long size;     /* expected size from the descriptor (-1: unknown) */
    int fd;             /* written from offset 0 */
    long long done;     /* bytes received so far */
    void *user;
} md_blob_dl_t;

typedef struct md_blob_cb {
    /* bytes arrived for dl (rate-limited by the caller as it likes) */
    void (*progress)(md_blob_dl_t *dl, void *arg);
    /* dl complete and its digest and size verified; a negative return stops everything */
    int (*done)(md_blob_dl_t *dl, void *arg, md_error_t **err);
    /* called about every 100 ms while transfers run, e.g. to reap workers */
    int (*tick)(void *arg, md_error_t **err);
    void *arg;
} md_blob_cb_t;

/* Fetch n blobs, at most `parallel` at a time. Each is hashed as it arrives
 * and checked against its digest (and size) before done() sees it. */
int md_reg_fetch_blobs(md_reg_t *r, md_blob_dl_t *dls, size_t n, int parallel,
                       const md_blob_cb_t *cb, md_error_t **err);
/* One blob into memory (configs), verified; *out NUL-terminated. */
int md_reg_get_blob_mem(md_reg_t *r, const char *digest, size_t max, char **out, size_t *len,
                        md_error_t **err);

/* Whether host[:port] may be reached over plain http: loopback, or listed in
 * MYDOCKER_INSECURE_REGISTRIES (comma or space separated) or in
 * /etc/mydocker/daemon.json "insecure-registries". */
int md_reg_insecure(const char *domain);

#endif
