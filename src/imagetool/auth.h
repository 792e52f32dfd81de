/* Registry credentials (docker's auth.json shape) and WWW-Authenticate
 * challenges. The file is MYDOCKER_AUTH_FILE, else REGISTRY_AUTH_FILE, else
 * $HOME/.config/mydocker/auth.json, written mode 0600:
 *   {"auths": {"localhost:5000": {"auth": "<base64 user:password>"}}} */
#ifndef MD_IMAGETOOL_AUTH_H
#define MD_IMAGETOOL_AUTH_H

#include <stddef.h>

#include "util/error.h"

/* The auth.json path (static buffer). */
const char *md_auth_path(void);
/* Credentials stored for domain: 0 and *user and *pass malloc'd, or -ENOENT (no error set). */
int md_auth_get(const char *domain, char **user, char **pass, md_error_t **err);
int md_auth_set(const char *domain, const char *user, const char *pass, md_error_t **err);
/* -ENOENT (no error set) when nothing was stored for domain. */
int md_auth_remove(const char *domain, md_error_t **err);

/* base64 of len bytes (malloc'd), or NULL when out of memory */
char *md_base64(const void *buf, size_t len);

/* One WWW-Authenticate challenge: scheme "Bearer" or "Basic" and its parameters. */
typedef struct md_challenge {
    char *scheme, *realm, *service, *scope, *error;
} md_challenge_t;

int md_challenge_parse(const char *header, md_challenge_t *out);
void md_challenge_clear(md_challenge_t *c);

/* "https://localhost:5000/" -> "localhost:5000"; NULL and docker's index
 * names -> "docker.io". Free it. */
char *md_auth_server_domain(const char *server);
/* Stores the credentials if the registry accepts them; on refusal the old
 * ones (if any) stay. */
int md_auth_login(const char *domain, const char *user, const char *pass, md_error_t **err);

#endif
