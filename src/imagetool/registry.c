/* Distribution API v2 over libcurl: one easy handle for the sequential
 * requests (manifests, uploads), a multi handle for parallel blob downloads.
 * Authentication follows the registry's 401 challenge: a Bearer token from
 * the realm it names (with Basic credentials from auth.json when we have
 * some), or Basic directly. The token is kept for the whole session. */
#include "registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define DEFAULT_MAX_BODY (8u << 20)
#define USER_AGENT "mydocker/" MD_VERSION

struct md_reg {
    char *domain, *host, *path, *scheme, *base, *scope;
    char *authz; /* "Authorization: ..." header line, NULL until challenged */
    int insecure, creds_tried;
    CURL *easy;
};

static int curl_ready;

static int global_init(md_error_t **err)
{
    if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return md_error(err, 0, "libcurl initialization failed");
    curl_ready = 1;
    return 0;
}

/* ---- insecure registries ---- */

static int is_loopback(const char *domain)
{
    char host[256];
    const char *end;
    if (domain[0] == '[') { /* [::1]:5000 */
        end = strchr(domain, ']');
        if (end == NULL || (size_t)(end - domain - 1) >= sizeof(host)) return 0;
        snprintf(host, sizeof(host), "%.*s", (int)(end - domain - 1), domain + 1);
    } else {
        end = strchr(domain, ':');
        size_t n = end ? (size_t)(end - domain) : strlen(domain);
        if (n >= sizeof(host)) return 0;
        snprintf(host, sizeof(host), "%.*s", (int)n, domain);
    }
    if (strcasecmp(host, "localhost") == 0) return 1;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static int listed_in(const char *list, const char *domain)
{
    size_t n = strlen(domain);
    for (const char *p = list; *p;) {
        p += strspn(p, ", \t\n");
        size_t len = strcspn(p, ", \t\n");
        if (len == n && strncmp(p, domain, n) == 0) return 1;
        p += len;
    }
    return 0;
}

static int listed_in_daemon_json(const char *domain)
{
    json_object *cfg = json_object_from_file("/etc/mydocker/daemon.json"), *arr;
    int found = 0;
    if (cfg && json_object_object_get_ex(cfg, "insecure-registries", &arr) &&
        json_object_is_type(arr, json_type_array))
        for (size_t i = 0; !found && i < json_object_array_length(arr); i++) {
            const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
            found = s && strcmp(s, domain) == 0;
        }
    json_object_put(cfg);
    return found;
}

int md_reg_insecure(const char *domain)
{
    const char *env = getenv("MYDOCKER_INSECURE_REGISTRIES");
    return is_loopback(domain) || (env && listed_in(env, domain)) || listed_in_daemon_json(domain);
}

/* ---- one request ---- */

struct xfer {
    const md_reg_req_t *q;
    md_reg_resp_t *resp;
    size_t cap, max;
    long long sent;
    char *www_auth;
    int too_big;
};

static void set_header(char **slot, const char *val, size_t n)
{
    while (n > 0 && (val[n - 1] == '\r' || val[n - 1] == '\n' || val[n - 1] == ' '))
        n--;
    free(*slot);
    *slot = md_xstrndup(val, n);
}

/* Pick the headers we use; a new status line (after a redirect) starts over. */
static void take_header(const char *line, size_t n, char **ctype, char **digest, char **location,
                        char **www)
{
    static const struct {
        const char *name;
        size_t len;
    } h[] = {{"content-type:", 13},
             {"docker-content-digest:", 22},
             {"location:", 9},
             {"www-authenticate:", 17}};
    char **slots[] = {ctype, digest, location, www};
    for (size_t i = 0; i < 4; i++) {
        if (n <= h[i].len || strncasecmp(line, h[i].name, h[i].len) != 0) continue;
        const char *v = line + h[i].len;
        while (*v == ' ' || *v == '\t')
            v++;
        if (slots[i]) set_header(slots[i], v, n - (size_t)(v - line));
    }
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *arg)
{
    struct xfer *x = arg;
    size_t n = size * nitems;
    if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
        free(x->resp->content_type), free(x->resp->digest), free(x->www_auth);
        x->resp->content_type = x->resp->digest = x->www_auth = NULL;
        x->resp->len = 0;
    }
    take_header(buf, n, &x->resp->content_type, &x->resp->digest, &x->resp->location, &x->www_auth);
    return n;
}

static size_t on_body(char *buf, size_t size, size_t nitems, void *arg)
{
    struct xfer *x = arg;
    size_t n = size * nitems;
    md_reg_resp_t *r = x->resp;
    if (r->len + n > x->max) {
        x->too_big = 1;
        return 0;
    }
    if (r->len + n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *nb = realloc(r->body, cap);
        if (nb == NULL) return 0;
        r->body = nb;
        x->cap = cap;
    }
    memcpy(r->body + r->len, buf, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
    struct xfer *x = arg;
    const md_reg_req_t *q = x->q;
    size_t want = size * nitems;
    long long left = (long long)q->body_len - x->sent;
    if (left <= 0) return 0;
    if ((long long)want > left) want = (size_t)left;
    if (q->body_fd >= 0) {
        ssize_t n = pread(q->body_fd, buf, want, (off_t)(q->body_off + x->sent));
        if (n < 0) return CURL_READFUNC_ABORT;
        want = (size_t)n;
    } else {
        memcpy(buf, (const char *)q->body + x->sent, want);
    }
    x->sent += (long long)want;
    return want;
}

static int curl_fail(md_error_t **err, CURLcode c, const char *method, const char *url)
{
    return md_error(err, 0, "%s %s: %s", method, url, curl_easy_strerror(c));
}

static void common_opts(CURL *h, const md_reg_t *r)
{
    curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    /* a stalled transfer: less than 1 byte/s for 60 s */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (r->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

static char *full_url(const md_reg_t *r, const char *url)
{
    char *out = NULL;
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) return strdup(url);
    if (url[0] == '/' && url[1] == 'v' && url[2] == '2') /* a Location relative to the host */
        return asprintf(&out, "%s://%s%s", r->scheme, r->host, url) < 0 ? NULL : out;
    return asprintf(&out, "%s%s", r->base, url) < 0 ? NULL : out;
}

static struct curl_slist *request_headers(const md_reg_t *r, const md_reg_req_t *q)
{
    struct curl_slist *l = NULL;
    char line[512];
    l = curl_slist_append(l, "Expect:");
    if (q->accept && snprintf(line, sizeof(line), "Accept: %s", q->accept) < (int)sizeof(line))
        l = curl_slist_append(l, line);
    if (q->content_type &&
        snprintf(line, sizeof(line), "Content-Type: %s", q->content_type) < (int)sizeof(line))
        l = curl_slist_append(l, line);
    if (q->extra_header) l = curl_slist_append(l, q->extra_header);
    if (r->authz) l = curl_slist_append(l, r->authz);
    return l;
}

static void method_opts(CURL *h, const md_reg_req_t *q, struct xfer *x)
{
    int has_body = q->body || q->body_fd >= 0;
    if (strcmp(q->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(q->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(has_body ? q->body_len : 0));
        if (has_body) {
            curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(h, CURLOPT_READDATA, x);
        } else {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        }
    } else if (strcmp(q->method, "PUT") == 0 || strcmp(q->method, "PATCH") == 0) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(has_body ? q->body_len : 0));
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, x);
        if (q->method[1] == 'A') curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
    } else if (strcmp(q->method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    }
}

static int perform(md_reg_t *r, const md_reg_req_t *q, md_reg_resp_t *resp, char **www,
                   md_error_t **err)
{
    cleanup_free char *url = full_url(r, q->url);
    if (url == NULL) return md_error(err, ENOMEM, "request");
    struct xfer x = {.q = q, .resp = resp, .max = q->max_body ? q->max_body : DEFAULT_MAX_BODY};
    CURL *h = r->easy;
    curl_easy_reset(h);
    common_opts(h, r);
    struct curl_slist *hdrs = request_headers(r, q);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    /* blob GETs may be redirected to storage; libcurl does not carry our
     * Authorization header to another host */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, strcmp(q->method, "GET") == 0 ? 1L : 0L);
    method_opts(h, q, &x);
    CURLcode c = curl_easy_perform(h);
    curl_slist_free_all(hdrs);
    *www = x.www_auth;
    if (x.too_big) return md_error(err, EFBIG, "%s %s: response too large", q->method, url);
    if (c != CURLE_OK) return curl_fail(err, c, q->method, url);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (resp->body == NULL && (resp->body = strdup("")) == NULL)
        return md_error(err, ENOMEM, "request");
    return 0;
}

void md_reg_resp_clear(md_reg_resp_t *resp)
{
    free(resp->body);
    free(resp->content_type);
    free(resp->digest);
    free(resp->location);
    memset(resp, 0, sizeof(*resp));
}

/* ---- authentication ---- */

static char *basic_value(const char *user, const char *pass)
{
    cleanup_free char *plain = NULL;
    if (asprintf(&plain, "%s:%s", user, pass) < 0) return NULL;
    return md_base64(plain, strlen(plain));
}

static char *token_url(const md_reg_t *r, const md_challenge_t *ch)
{
    char *svc = ch->service ? curl_easy_escape(r->easy, ch->service, 0) : NULL;
    char *scope = r->scope ? curl_easy_escape(r->easy, r->scope, 0) : NULL;
    char *url = NULL;
    const char *sep = strchr(ch->realm, '?') ? "&" : "?";
    int n = asprintf(&url, "%s%s%s%s%s%s%s", ch->realm, svc || scope ? sep : "",
                     svc ? "service=" : "", svc ? svc : "", svc && scope ? "&" : "",
                     scope ? "scope=" : "", scope ? scope : "");
    curl_free(svc);
    curl_free(scope);
    return n < 0 ? NULL : url;
}

static int parse_token(const md_reg_resp_t *resp, char **token, md_error_t **err)
{
    json_object *doc = json_tokener_parse(resp->body), *t;
    if (doc &&
        (json_object_object_get_ex(doc, "token", &t) ||
         json_object_object_get_ex(doc, "access_token", &t)) &&
        json_object_get_string_len(t) > 0)
        *token = strdup(json_object_get_string(t));
    json_object_put(doc);
    if (*token == NULL) return md_error(err, 0, "token server: no token in the answer");
    return 0;
}

/* GET the realm (with Basic credentials when stored) and keep the Bearer token. */
static int fetch_token(md_reg_t *r, const md_challenge_t *ch, const char *user, const char *pass,
                       md_error_t **err)
{
    if (ch->realm == NULL || strncmp(ch->realm, "http", 4) != 0)
        return md_error(err, 0, "%s: bearer challenge without a usable realm", r->domain);
    cleanup_free char *url = token_url(r, ch), *basic = NULL, *line = NULL;
    if (url == NULL) return md_error(err, ENOMEM, "token");
    free(r->authz);
    r->authz = NULL;
    if (user && ((basic = basic_value(user, pass)) == NULL ||
                 asprintf(&line, "Authorization: Basic %s", basic) < 0))
        return md_error(err, ENOMEM, "token");
    r->authz = line ? md_steal_ptr(&line) : NULL;
    md_reg_req_t q = {.method = "GET", .url = url, .body_fd = -1};
    md_reg_resp_t resp = {0};
    cleanup_free char *www = NULL;
    int rc = perform(r, &q, &resp, &www, err);
    free(r->authz);
    r->authz = NULL;
    cleanup_free char *token = NULL;
    if (rc == 0 && (resp.status == 401 || resp.status == 403))
        rc = md_error(err, 0, "unauthorized: %s",
                      user ? "incorrect username or password" : "authentication required");
    else if (rc == 0 && resp.status != 200)
        rc = md_error(err, 0, "token server %s: HTTP %ld", ch->realm, resp.status);
    if (rc == 0) rc = parse_token(&resp, &token, err);
    if (rc == 0 && asprintf(&r->authz, "Authorization: Bearer %s", token) < 0)
        rc = md_error(err, ENOMEM, "token");
    md_reg_resp_clear(&resp);
    return rc;
}

static int answer_challenge(md_reg_t *r, const char *www, md_error_t **err)
{
    md_challenge_t ch;
    if (www == NULL || md_challenge_parse(www, &ch) < 0)
        return md_error(err, 0, "%s: unauthorized (no usable WWW-Authenticate)", r->domain);
    cleanup_free char *user = NULL, *pass = NULL;
    int rc = md_auth_get(r->domain, &user, &pass, err);
    if (rc < 0 && rc != -ENOENT) {
        md_challenge_clear(&ch);
        return rc;
    }
    if (strcasecmp(ch.scheme, "bearer") == 0) {
        rc = fetch_token(r, &ch, user, pass, err);
    } else if (strcasecmp(ch.scheme, "basic") == 0) {
        cleanup_free char *b = user ? basic_value(user, pass) : NULL;
        free(r->authz);
        r->authz = NULL;
        if (user == NULL)
            rc = md_error(err, 0, "unauthorized: authentication required (mydocker login %s)",
                          r->domain);
        else if (b == NULL || asprintf(&r->authz, "Authorization: Basic %s", b) < 0)
            rc = md_error(err, ENOMEM, "auth");
        else
            rc = 0;
    } else {
        rc = md_error(err, 0, "%s: unsupported authentication scheme %s", r->domain, ch.scheme);
    }
    md_challenge_clear(&ch);
    return rc;
}

int md_reg_do(md_reg_t *r, const md_reg_req_t *q, md_reg_resp_t *resp, md_error_t **err)
{
    for (int attempt = 0;; attempt++) {
        memset(resp, 0, sizeof(*resp));
        cleanup_free char *www = NULL;
        int rc = perform(r, q, resp, &www, err);
        if (rc < 0 || resp->status != 401 || attempt > 0) return rc;
        md_reg_resp_clear(resp);
        if ((rc = answer_challenge(r, www, err)) < 0) return rc;
    }
}

char *md_reg_error_text(const md_reg_resp_t *resp)
{
    json_object *doc = resp->body ? json_tokener_parse(resp->body) : NULL, *errs, *e0, *f;
    char *out = NULL;
    if (doc && json_object_object_get_ex(doc, "errors", &errs) &&
        json_object_is_type(errs, json_type_array) && json_object_array_length(errs) > 0) {
        e0 = json_object_array_get_idx(errs, 0);
        const char *code =
            json_object_object_get_ex(e0, "code", &f) ? json_object_get_string(f) : NULL;
        const char *msg =
            json_object_object_get_ex(e0, "message", &f) ? json_object_get_string(f) : NULL;
        if (asprintf(&out, "%s%s%s", code ? code : "", code && msg ? ": " : "", msg ? msg : "") < 0)
            out = NULL;
        else
            for (char *p = out; code && *p && *p != ':'; p++)
                *p = (char)tolower((unsigned char)*p);
    }
    json_object_put(doc);
    if (out == NULL && asprintf(&out, "HTTP %ld", resp->status) < 0) out = NULL;
    return out;
}

/* ---- open ---- */

static int set_base(md_reg_t *r, const char *scheme, md_error_t **err)
{
    free(r->scheme);
    free(r->base);
    r->base = NULL;
    r->scheme = strdup(scheme);
    if (r->scheme == NULL || asprintf(&r->base, "%s://%s/v2%s%s", scheme, r->host,
                                      r->path ? "/" : "", r->path ? r->path : "") < 0) {
        r->base = NULL;
        return md_error(err, ENOMEM, "registry");
    }
    return 0;
}

/* GET /v2/ ("ping"): picks the scheme and answers the challenge early, so that
 * the first real request already carries the token. */
static int ping(md_reg_t *r, md_error_t **err)
{
    const char *schemes[] = {"https", "http"};
    int rc = -1;
    for (int i = 0; i < (r->insecure ? 2 : 1); i++) {
        if ((rc = set_base(r, schemes[i], err)) < 0) return rc;
        md_reg_req_t q = {.method = "GET", .body_fd = -1};
        char url[600];
        snprintf(url, sizeof(url), "%s://%s/v2/", schemes[i], r->host);
        q.url = url;
        md_reg_resp_t resp = {0};
        md_error_t *perr = NULL;
        rc = md_reg_do(r, &q, &resp, &perr);
        if (rc == 0 && resp.status != 200 && resp.status != 404 &&
            !(resp.status == 401 && r->authz == NULL)) {
            cleanup_free char *t = md_reg_error_text(&resp);
            rc = md_error(&perr, 0, "%s: %s", r->domain, t ? t : "error");
        }
        md_reg_resp_clear(&resp);
        if (rc == 0) return 0;
        if (i + 1 < (r->insecure ? 2 : 1) && perr && strstr(perr->msg, "SSL")) {
            md_error_free(&perr);
            continue;
        }
        if (perr) {
            if (err)
                *err = perr;
            else
                md_error_free(&perr);
        }
    }
    return rc;
}

int md_reg_open(const md_image_ref_t *ref, const char *actions, md_reg_t **out, md_error_t **err)
{
    if (global_init(err) < 0) return -EIO;
    md_reg_t *r = calloc(1, sizeof(*r));
    if (r == NULL) return md_error(err, ENOMEM, "registry");
    r->domain = strdup(ref->domain);
    /* docker.io is served by registry-1.docker.io */
    r->host = strdup(strcmp(ref->domain, "docker.io") == 0 ? "registry-1.docker.io" : ref->domain);
    r->path = ref->path ? strdup(ref->path) : NULL;
    r->insecure = md_reg_insecure(ref->domain);
    r->easy = curl_easy_init();
    int rc = 0;
    if (r->domain == NULL || r->host == NULL || (ref->path && r->path == NULL) || r->easy == NULL ||
        (ref->path && actions && asprintf(&r->scope, "repository:%s:%s", ref->path, actions) < 0))
        rc = md_error(err, ENOMEM, "registry");
    if (rc == 0) rc = ping(r, err);
    if (rc < 0) {
        md_reg_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

void md_reg_close(md_reg_t *r)
{
    if (r == NULL) return;
    if (r->easy) curl_easy_cleanup(r->easy);
    free(r->domain);
    free(r->host);
    free(r->path);
    free(r->scheme);
    free(r->base);
    free(r->scope);
    free(r->authz);
    free(r);
}

const char *md_reg_base(const md_reg_t *r)
{
    return r->base;
}

/* ---- blobs ---- */

int md_reg_get_blob_mem(md_reg_t *r, const char *digest, size_t max, char **out, size_t *len,
                        md_error_t **err)
{
    char url[128], hex[MD_SHA256_HEX_LEN + 1];
    snprintf(url, sizeof(url), "/blobs/%s", digest);
    md_reg_req_t q = {.method = "GET", .url = url, .body_fd = -1, .max_body = max};
    md_reg_resp_t resp = {0};
    int rc = md_reg_do(r, &q, &resp, err);
    if (rc == 0 && resp.status != 200) {
        cleanup_free char *t = md_reg_error_text(&resp);
        rc = md_error(err, 0, "fetch %s: %s", digest, t ? t : "error");
    }
    if (rc == 0) rc = md_sha256_buf(resp.body, resp.len, hex, err);
    if (rc == 0 && strcmp(hex, digest + 7) != 0)
        rc = md_error(err, 0, "blob %s: digest mismatch (got sha256:%s)", digest, hex);
    if (rc == 0) {
        *out = md_steal_ptr(&resp.body);
        *len = resp.len;
    }
    md_reg_resp_clear(&resp);
    return rc;
}

struct dl_state {
    md_reg_t *r;
    md_blob_dl_t *dl;
    CURL *h;
    struct curl_slist *hdrs;
    md_sha256_t hash;
    int failed_write, retried;
    char *www;
    const md_blob_cb_t *cb;
};

static size_t dl_body(char *buf, size_t size, size_t nitems, void *arg)
{
    struct dl_state *s = arg;
    size_t n = size * nitems;
    long code = 0;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200) return n; /* an error body: discarded, the status tells */
    if (s->dl->size >= 0 && s->dl->done + (long long)n > s->dl->size) return 0; /* oversized */
    if (md_write_all(s->dl->fd, buf, n) < 0 || md_sha256_update(&s->hash, buf, n, NULL) < 0) {
        s->failed_write = 1;
        return 0;
    }
    s->dl->done += (long long)n;
    if (s->cb->progress) s->cb->progress(s->dl, s->cb->arg);
    return n;
}

static size_t dl_header(char *buf, size_t size, size_t nitems, void *arg)
{
    struct dl_state *s = arg;
    take_header(buf, size * nitems, NULL, NULL, NULL, &s->www);
    return size * nitems;
}

static int dl_start(struct dl_state *s, CURLM *m, md_error_t **err)
{
    cleanup_free char *url = NULL;
    if (asprintf(&url, "%s/blobs/%s", s->r->base, s->dl->digest) < 0)
        return md_error(err, ENOMEM, "download");
    if (ftruncate(s->dl->fd, 0) < 0 || lseek(s->dl->fd, 0, SEEK_SET) < 0)
        return md_error(err, errno, "download %s", s->dl->digest);
    s->dl->done = 0;
    md_sha256_abort(&s->hash);
    int rc = md_sha256_init(&s->hash, err);
    if (rc < 0) return rc;
    if (s->h == NULL && (s->h = curl_easy_init()) == NULL) return md_error(err, ENOMEM, "download");
    curl_easy_reset(s->h);
    common_opts(s->h, s->r);
    curl_slist_free_all(s->hdrs);
    s->hdrs = s->r->authz ? curl_slist_append(NULL, s->r->authz) : NULL;
    curl_easy_setopt(s->h, CURLOPT_URL, url);
    curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdrs);
    curl_easy_setopt(s->h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, dl_body);
    curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(s->h, CURLOPT_HEADERFUNCTION, dl_header);
    curl_easy_setopt(s->h, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
    curl_easy_setopt(s->h, CURLOPT_BUFFERSIZE, 512L * 1024);
    if (curl_multi_add_handle(m, s->h) != CURLM_OK) return md_error(err, EIO, "curl multi");
    return 0;
}

/* A finished transfer: verify, or retry once after a 401 (an expired token). */
static int dl_finish(struct dl_state *s, CURLM *m, CURLcode res, int *restart, md_error_t **err)
{
    long code = 0;
    char hex[MD_SHA256_HEX_LEN + 1];
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
    curl_multi_remove_handle(m, s->h);
    *restart = 0;
    if (s->failed_write) return md_error(err, EIO, "write blob %s", s->dl->digest);
    if (res == CURLE_OK && code == 401 && !s->retried) {
        s->retried = 1;
        int rc = answer_challenge(s->r, s->www, err);
        free(s->www);
        s->www = NULL;
        *restart = rc == 0;
        return rc;
    }
    if (res == CURLE_WRITE_ERROR && code == 200)
        return md_error(err, 0, "blob %s: larger than the %lld bytes its descriptor gives",
                        s->dl->digest, s->dl->size);
    if (res != CURLE_OK)
        return md_error(err, 0, "fetch %s: %s", s->dl->digest, curl_easy_strerror(res));
    if (code != 200) return md_error(err, 0, "fetch %s: HTTP %ld", s->dl->digest, code);
    if (s->dl->size >= 0 && s->dl->done != s->dl->size)
        return md_error(err, 0, "blob %s: size mismatch (got %lld bytes, want %lld)", s->dl->digest,
                        s->dl->done, s->dl->size);
    int rc = md_sha256_final(&s->hash, hex, err);
    if (rc == 0 && strcmp(hex, s->dl->digest + 7) != 0)
        rc = md_error(err, 0, "blob %s: digest mismatch (got sha256:%s)", s->dl->digest, hex);
    return rc < 0 ? rc : s->cb->done(s->dl, s->cb->arg, err);
}

static int dl_drain(CURLM *m, size_t *active, md_error_t **err)
{
    CURLMsg *msg;
    int left, rc = 0;
    while (rc == 0 && (msg = curl_multi_info_read(m, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) continue;
        struct dl_state *s = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
        int restart = 0;
        rc = dl_finish(s, m, msg->data.result, &restart, err);
        if (rc == 0 && restart)
            rc = dl_start(s, m, err);
        else
            (*active)--;
    }
    return rc;
}

static int dl_loop(md_reg_t *r, CURLM *m, struct dl_state *st, size_t n, int parallel,
                   const md_blob_cb_t *cb, md_error_t **err)
{
    size_t next = 0, active = 0;
    int rc = 0, running = 0;
    while (rc == 0 && (next < n || active > 0)) {
        while (rc == 0 && next < n && active < (size_t)parallel) {
            st[next].r = r;
            st[next].cb = cb;
            rc = dl_start(&st[next++], m, err);
            active++;
        }
        if (rc < 0) break;
        if (curl_multi_perform(m, &running) != CURLM_OK) rc = md_error(err, EIO, "curl multi");
        if (rc == 0) rc = dl_drain(m, &active, err);
        if (rc == 0 && active > 0 && curl_multi_poll(m, NULL, 0, 100, NULL) != CURLM_OK)
            rc = md_error(err, EIO, "curl multi poll");
        if (rc == 0 && cb->tick) rc = cb->tick(cb->arg, err);
    }
    return rc;
}

int md_reg_fetch_blobs(md_reg_t *r, md_blob_dl_t *dls, size_t n, int parallel,
                       const md_blob_cb_t *cb, md_error_t **err)
{
    if (n == 0) return 0;
    CURLM *m = curl_multi_init();
    struct dl_state *st = calloc(n, sizeof(*st));
    if (m == NULL || st == NULL) {
        free(st);
        if (m) curl_multi_cleanup(m);
        return md_error(err, ENOMEM, "download");
    }
    for (size_t i = 0; i < n; i++)
        st[i].dl = &dls[i];
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);
    int rc = dl_loop(r, m, st, n, parallel, cb, err);
    for (size_t i = 0; i < n; i++) {
        if (st[i].h) {
            curl_multi_remove_handle(m, st[i].h);
            curl_easy_cleanup(st[i].h);
        }
        curl_slist_free_all(st[i].hdrs);
        md_sha256_abort(&st[i].hash);
        free(st[i].www);
    }
    curl_multi_cleanup(m);
    free(st);
    return rc;
}
