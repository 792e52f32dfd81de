/* Credentials in docker's auth.json shape, WWW-Authenticate parsing, and a
 * login checked against the registry. */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "image/store.h"
#include "registry.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

const char *md_auth_path(void)
{
    static char path[PATH_MAX];
    const char *env = getenv("MYDOCKER_AUTH_FILE");
    if (env == NULL || *env == '\0') env = getenv("REGISTRY_AUTH_FILE");
    if (env && *env) {
        snprintf(path, sizeof(path), "%s", env);
        return path;
    }
    const char *home = getenv("HOME");
    snprintf(path, sizeof(path), "%s/.config/mydocker/auth.json", home && *home ? home : "/root");
    return path;
}

char *md_base64(const void *buf, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out) EVP_EncodeBlock((unsigned char *)out, buf, (int)len);
    return out;
}

static char *base64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    unsigned char *out = malloc(3 * (n / 4) + 4);
    if (out == NULL || n % 4 != 0) {
        free(out);
        return NULL;
    }
    int got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (got < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts the padding as zero bytes */
    for (size_t i = n; i > 0 && s[i - 1] == '='; i--)
        got--;
    out[got] = '\0';
    *len = (size_t)got;
    return (char *)out;
}

static int load(json_object **out, md_error_t **err)
{
    cleanup_free char *text = NULL;
    size_t len;
    md_error_t *e = NULL;
    if (md_read_file(md_auth_path(), &text, &len, &e) < 0) {
        if (e && e->errnum == ENOENT) {
            md_error_free(&e);
            *out = json_object_new_object();
            return 0;
        }
        if (err)
            *err = e;
        else
            md_error_free(&e);
        return -EIO;
    }
    *out = json_tokener_parse(text);
    if (*out == NULL || !json_object_is_type(*out, json_type_object)) {
        json_object_put(*out);
        return md_error(err, 0, "%s: not a JSON object", md_auth_path());
    }
    return 0;
}

static int save(json_object *doc, md_error_t **err)
{
    const char *path = md_auth_path();
    cleanup_free char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash && slash != dir) {
        *slash = '\0';
        if (md_mkdir_p(dir, 0700, err) < 0) return -EIO;
    }
    const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
    return md_write_file_atomic(path, text, strlen(text), 0600, 1, err);
}

/* docker keeps Docker Hub under its v1 index URL */
static const char *key_for(const char *domain)
{
    return strcmp(domain, "docker.io") == 0 ? "https://index.docker.io/v1/" : domain;
}

int md_auth_get(const char *domain, char **user, char **pass, md_error_t **err)
{
    json_object *doc = NULL, *auths, *ent, *a;
    int r = load(&doc, err);
    if (r < 0) return r;
    r = -ENOENT;
    if (json_object_object_get_ex(doc, "auths", &auths) &&
        json_object_object_get_ex(auths, key_for(domain), &ent) &&
        json_object_object_get_ex(ent, "auth", &a)) {
        size_t len;
        cleanup_free char *plain = base64_decode(json_object_get_string(a), &len);
        char *colon = plain ? memchr(plain, ':', len) : NULL;
        if (colon) {
            *colon = '\0';
            *user = strdup(plain);
            *pass = strdup(colon + 1);
            r = *user && *pass ? 0 : md_error(err, ENOMEM, "credentials");
        } else {
            r = md_error(err, 0, "%s: bad auth entry for %s", md_auth_path(), domain);
        }
    }
    json_object_put(doc);
    return r;
}

int md_auth_set(const char *domain, const char *user, const char *pass, md_error_t **err)
{
    json_object *doc = NULL, *auths;
    int r = load(&doc, err);
    if (r < 0) return r;
    if (!json_object_object_get_ex(doc, "auths", &auths)) {
        auths = json_object_new_object();
        json_object_object_add(doc, "auths", auths);
    }
    cleanup_free char *plain = NULL, *b64 = NULL;
    if (asprintf(&plain, "%s:%s", user, pass) < 0 ||
        (b64 = md_base64(plain, strlen(plain))) == NULL)
        r = md_error(err, ENOMEM, "credentials");
    if (r == 0) {
        json_object *ent = json_object_new_object();
        json_object_object_add(ent, "auth", json_object_new_string(b64));
        json_object_object_add(auths, key_for(domain), ent);
        r = save(doc, err);
    }
    if (plain) explicit_bzero(plain, strlen(plain));
    json_object_put(doc);
    return r;
}

int md_auth_remove(const char *domain, md_error_t **err)
{
    json_object *doc = NULL, *auths;
    int r = load(&doc, err);
    if (r < 0) return r;
    if (!json_object_object_get_ex(doc, "auths", &auths) ||
        !json_object_object_get_ex(auths, key_for(domain), NULL))
        r = -ENOENT;
    else {
        json_object_object_del(auths, key_for(domain));
        r = save(doc, err);
    }
    json_object_put(doc);
    return r;
}

/* ---- challenges: Bearer realm="...",service="...",scope="..." ---- */

static char **param_slot(md_challenge_t *c, const char *key, size_t n)
{
    static const char *names[] = {"realm", "service", "scope", "error"};
    char **slots[] = {&c->realm, &c->service, &c->scope, &c->error};
    for (size_t i = 0; i < 4; i++)
        if (strlen(names[i]) == n && strncasecmp(key, names[i], n) == 0) return slots[i];
    return NULL;
}

int md_challenge_parse(const char *h, md_challenge_t *out)
{
    memset(out, 0, sizeof(*out));
    while (isspace((unsigned char)*h))
        h++;
    size_t n = strcspn(h, " \t");
    if (n == 0 || (out->scheme = strndup(h, n)) == NULL) return -EINVAL;
    for (const char *p = h + n; *p;) {
        p += strspn(p, " \t,");
        const char *key = p, *eq = strchr(p, '=');
        if (eq == NULL) break;
        size_t klen = (size_t)(eq - key);
        const char *v = eq + 1;
        cleanup_free char *val = malloc(strlen(v) + 1);
        if (val == NULL) return md_challenge_clear(out), -ENOMEM;
        size_t k = 0;
        if (*v == '"') {
            for (v++; *v && *v != '"'; v++) {
                if (*v == '\\' && v[1]) v++;
                val[k++] = *v;
            }
            if (*v == '"') v++;
        } else {
            while (*v && *v != ',')
                val[k++] = *v++;
        }
        val[k] = '\0';
        char **slot = param_slot(out, key, klen);
        if (slot) {
            free(*slot);
            *slot = md_steal_ptr(&val);
        }
        p = v;
    }
    return 0;
}

void md_challenge_clear(md_challenge_t *c)
{
    free(c->scheme);
    free(c->realm);
    free(c->service);
    free(c->scope);
    free(c->error);
    memset(c, 0, sizeof(*c));
}

/* "localhost:5000", "https://localhost:5000/", "docker.io" -> domain */
char *md_auth_server_domain(const char *server)
{
    if (server == NULL) return md_xstrdup("docker.io");
    const char *p = strstr(server, "://");
    p = p ? p + 3 : server;
    size_t n = strcspn(p, "/");
    char *d = md_xstrndup(p, n);
    if (strcmp(d, "index.docker.io") == 0 || strcmp(d, "registry-1.docker.io") == 0) {
        free(d);
        d = md_xstrdup("docker.io");
    }
    return d;
}

/* Check the credentials against the registry before storing them, as docker does. */
static int verify_login(const char *domain, md_error_t **err)
{
    md_image_ref_t ref = {.domain = (char *)domain};
    md_reg_t *r = NULL;
    int rc = md_reg_open(&ref, NULL, &r, err);
    md_reg_close(r);
    return rc;
}

int md_auth_login(const char *domain, const char *user, const char *pass, md_error_t **err)
{
    /* try with the new credentials: stored first, restored on failure */
    cleanup_free char *old_user = NULL, *old_pass = NULL;
    int had = md_auth_get(domain, &old_user, &old_pass, NULL) == 0;
    int r = md_auth_set(domain, user, pass, err);
    if (r == 0 && (r = verify_login(domain, err)) < 0) {
        if (had)
            md_auth_set(domain, old_user, old_pass, NULL);
        else
            md_auth_remove(domain, NULL);
    }
    if (old_pass) explicit_bzero(old_pass, strlen(old_pass));
    return r < 0 ? md_error_prefix(err, "login %s", domain) : 0;
}
