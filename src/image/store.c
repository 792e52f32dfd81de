/* Image store, read side. This is on the `run` hot path: a lookup reads
 * repositories.json and one config blob, and nothing else. */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"
#include "util/cleanup.h"
#include "util/du.h"
#include "util/fs.h"
#include "util/strv.h"

static int path_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int md_image_path(char *buf, size_t len, const char *sub)
{
    return path_fmt(buf, len, "%s/image%s%s", md_lib_root(), sub ? "/" : "", sub ? sub : "");
}

static const char *digest_hex(const char *digest)
{
    return strncmp(digest, MD_IMAGE_ID_PREFIX, 7) == 0 ? digest + 7 : digest;
}

int md_image_blob_path(char *buf, size_t len, const char *digest)
{
    return path_fmt(buf, len, "%s/image/blobs/sha256/%s", md_lib_root(), digest_hex(digest));
}

int md_image_layer_path(char *buf, size_t len, const char *diff_id)
{
    return path_fmt(buf, len, "%s/image/layers/%s", md_lib_root(), digest_hex(diff_id));
}

/* ---- repositories.json ---- */

static json_object *parse_json(const char *text, size_t len, const char *what, md_error_t **err)
{
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        md_error(err, ENOMEM, "parse %s", what);
        return NULL;
    }
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (obj == NULL || jerr != json_tokener_success) {
        json_object_put(obj);
        md_error(err, 0, "parse %s: %s", what,
                 jerr == json_tokener_success ? "empty" : json_tokener_error_desc(jerr));
        return NULL;
    }
    return obj;
}

int md_repos_load(json_object **out, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_path(path, sizeof(path), "repositories.json") < 0)
        return md_error(err, ENAMETOOLONG, "image store path");
    cleanup_free char *text = NULL;
    size_t len = 0;
    md_error_t *rerr = NULL;
    if (md_read_file(path, &text, &len, &rerr) < 0) {
        if (rerr && rerr->errnum == ENOENT) {
            md_error_free(&rerr);
            *out = json_object_new_object();
            return *out ? 0 : md_error(err, ENOMEM, "load %s", path);
        }
        int ret = rerr ? -rerr->errnum : -1;
        md_error_move(err, &rerr);
        return ret < 0 ? ret : -1;
    }
    json_object *obj = parse_json(text, len, path, err);
    if (obj == NULL) return -EINVAL;
    if (!json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        return md_error(err, EINVAL, "%s: not a JSON object", path);
    }
    *out = obj;
    return 0;
}

const char *md_repos_entry_id(json_object *entry)
{
    json_object *id;
    if (!json_object_is_type(entry, json_type_object) ||
        !json_object_object_get_ex(entry, "id", &id))
        return NULL;
    const char *s = json_object_get_string(id);
    if (s == NULL || strlen(s) != MD_IMAGE_ID_LEN || strncmp(s, MD_IMAGE_ID_PREFIX, 7) != 0 ||
        !md_image_is_hex(s + 7, 64))
        return NULL;
    return s;
}

int md_repos_key_is_record(const char *key)
{
    return strncmp(key, MD_IMAGE_ID_PREFIX, 7) == 0 && md_image_is_hex(key + 7, 64);
}

static int no_such_image(md_error_t **err, const char *ref)
{
    /* errnum ENOENT lets callers tell "missing" apart without a strerror suffix */
    md_error(err, 0, "No such image: %s", ref);
    if (err && *err) (*err)->errnum = ENOENT;
    return -ENOENT;
}

/* The one id whose hex starts with prefix; -ENOENT when none, -EEXIST when several. */
static int find_by_prefix(json_object *repos, const char *prefix, const char **id)
{
    size_t n = strlen(prefix);
    *id = NULL;
    json_object_object_foreach(repos, key, val)
    {
        (void)key;
        const char *cand = md_repos_entry_id(val);
        if (cand == NULL || strncmp(cand + 7, prefix, n) != 0) continue;
        if (*id && strcmp(*id, cand) != 0) return -EEXIST;
        *id = cand;
    }
    return *id ? 0 : -ENOENT;
}

/* "repo@sha256:..." matches a tag of that repository whose manifest has that digest. */
static const char *find_by_digest(json_object *repos, const md_image_ref_t *r, char **name)
{
    size_t flen = strlen(r->familiar);
    json_object_object_foreach(repos, key, val)
    {
        json_object *m;
        if (strncmp(key, r->familiar, flen) != 0 || (key[flen] != ':' && key[flen] != '@'))
            continue;
        if (!json_object_object_get_ex(val, "manifest", &m) ||
            strcmp(json_object_get_string(m), r->digest) != 0)
            continue;
        const char *id = md_repos_entry_id(val);
        if (id && (*name = strdup(key)) != NULL) return id;
    }
    /* then the registry digests recorded on image records (pull by digest) */
    cleanup_free char *want = NULL;
    if (asprintf(&want, "%s@%s", r->familiar, r->digest) < 0) return NULL;
    json_object_object_foreach(repos, k2, rec)
    {
        json_object *arr;
        if (!md_repos_key_is_record(k2) || !json_object_object_get_ex(rec, "repo_digests", &arr))
            continue;
        for (size_t i = 0; i < json_object_array_length(arr); i++)
            if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), want) == 0)
                return (*name = strdup(want)) ? md_repos_entry_id(rec) : NULL;
    }
    return NULL;
}

static int resolve_name(json_object *repos, const md_image_ref_t *r, const char **id, char **name)
{
    if (r->digest) {
        *id = find_by_digest(repos, r, name);
        return *id ? 0 : -ENOENT;
    }
    char key[512];
    json_object *entry;
    if (path_fmt(key, sizeof(key), "%s:%s", r->familiar, r->tag) < 0 ||
        !json_object_object_get_ex(repos, key, &entry) || (*id = md_repos_entry_id(entry)) == NULL)
        return -ENOENT;
    *name = strdup(key);
    return *name ? 0 : -ENOMEM;
}

static int resolve_id(json_object *repos, const char *ref, const char *hex, const char **id,
                      md_error_t **err)
{
    int r = find_by_prefix(repos, hex, id);
    if (r == -EEXIST) return md_error(err, 0, "multiple IDs found with provided prefix: %s", ref);
    return r < 0 ? no_such_image(err, ref) : 0;
}

int md_repos_resolve(json_object *repos, const char *ref, const char **id, char **name,
                     md_error_t **err)
{
    *id = NULL;
    *name = NULL;
    if (strncmp(ref, MD_IMAGE_ID_PREFIX, 7) == 0 && md_image_is_hex(ref + 7, 0))
        return resolve_id(repos, ref, ref + 7, id, err);
    if (md_image_is_hex(ref, 64)) return resolve_id(repos, ref, ref, id, err);
    md_image_ref_t r;
    md_error_t *perr = NULL;
    if (md_image_ref_parse(ref, &r, &perr) == 0) {
        int rc = resolve_name(repos, &r, id, name);
        md_image_ref_clear(&r);
        if (rc == -ENOMEM) return md_error(err, ENOMEM, "resolve %s", ref);
        if (rc == 0) return 0;
    }
    if (md_image_is_hex(ref, 0)) {
        md_error_free(&perr);
        return resolve_id(repos, ref, ref, id, err);
    }
    if (perr) {
        md_error_move(err, &perr);
        return -EINVAL;
    }
    return no_such_image(err, ref);
}

int md_image_resolve(const char *ref, char **id, char **name, md_error_t **err)
{
    json_object *repos = NULL;
    int r = md_repos_load(&repos, err);
    if (r < 0) return r;
    const char *found;
    cleanup_free char *key = NULL;
    r = md_repos_resolve(repos, ref, &found, &key, err);
    if (r == 0 && id && (*id = strdup(found)) == NULL) r = md_error(err, ENOMEM, "resolve %s", ref);
    json_object_put(repos);
    if (r == 0 && name) *name = md_steal_ptr(&key);
    return r;
}

/* ---- configs ---- */

int md_image_read_blob_json(const char *digest, json_object **out, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_blob_path(path, sizeof(path), digest) < 0)
        return md_error(err, ENAMETOOLONG, "blob %s", digest);
    cleanup_free char *text = NULL;
    size_t len = 0;
    int r = md_read_file(path, &text, &len, err);
    if (r < 0) return r;
    *out = parse_json(text, len, path, err);
    return *out ? 0 : -EINVAL;
}

static int layer_dirs_from_config(json_object *config, char ***out, md_error_t **err)
{
    json_object *rootfs, *ids;
    if (!json_object_object_get_ex(config, "rootfs", &rootfs) ||
        !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
        !json_object_is_type(ids, json_type_array))
        return md_error(err, EINVAL, "image config has no rootfs.diff_ids");
    size_t n = json_object_array_length(ids);
    char **dirs = calloc(n + 1, sizeof(char *));
    if (dirs == NULL) return md_error(err, ENOMEM, "layer list");
    for (size_t i = 0; i < n; i++) {
        const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
        char path[PATH_MAX];
        if (d == NULL || strncmp(d, MD_IMAGE_ID_PREFIX, 7) != 0 || !md_image_is_hex(d + 7, 64) ||
            md_image_layer_path(path, sizeof(path), d) < 0 || (dirs[i] = strdup(path)) == NULL) {
            md_strv_free(dirs);
            return md_error(err, EINVAL, "image config: bad diff_id %s", d ? d : "(null)");
        }
    }
    *out = dirs;
    return 0;
}

int md_image_lookup(const char *ref, md_image_t **out, md_error_t **err)
{
    md_image_t *img = calloc(1, sizeof(*img));
    if (img == NULL) return md_error(err, ENOMEM, "image lookup");
    int r = md_image_resolve(ref, &img->id, &img->name, err);
    if (r == 0 && (r = md_image_read_blob_json(img->id, &img->config, err)) < 0)
        md_error_prefix(err, "image %s: config", ref);
    if (r == 0 && (r = layer_dirs_from_config(img->config, &img->layer_dirs, err)) < 0)
        md_error_prefix(err, "image %s", ref);
    if (r < 0) {
        md_image_free(img);
        return r;
    }
    *out = img;
    return 0;
}

void md_image_free(md_image_t *img)
{
    if (img == NULL) return;
    free(img->id);
    free(img->name);
    json_object_put(img->config);
    md_strv_free(img->layer_dirs);
    free(img);
}

/* ---- listing ---- */

/* RFC 3339 ("2024-05-01T10:20:30.123456789Z" or with "+02:00") to unix seconds; 0 on error. */
static long long parse_rfc3339(const char *s, long *nsec)
{
    struct tm tm = {0};
    int consumed = 0;
    if (s == NULL || sscanf(s, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    long long t = (long long)timegm(&tm);
    const char *p = s + consumed;
    long scale = 100000000;
    *nsec = 0;
    if (*p == '.')
        for (; *++p >= '0' && *p <= '9'; scale /= 10)
            *nsec += (*p - '0') * scale;
    int oh, om;
    if ((*p == '+' || *p == '-') && sscanf(p + 1, "%d:%d", &oh, &om) == 2)
        t -= (*p == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
    return t;
}

static md_image_info_t *info_get(md_image_info_t **list, size_t *n, const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i].id, id) == 0) return &(*list)[i];
    md_image_info_t *nl = realloc(*list, (*n + 1) * sizeof(**list));
    if (nl == NULL) return NULL;
    *list = nl;
    md_image_info_t *info = &nl[*n];
    memset(info, 0, sizeof(*info));
    info->size = -1;
    info->id = strdup(id);
    info->tags = calloc(1, sizeof(char *));
    info->digests = calloc(1, sizeof(char *));
    if (info->id == NULL || info->tags == NULL || info->digests == NULL) {
        free(info->id);
        free(info->tags);
        free(info->digests);
        return NULL;
    }
    (*n)++;
    return info;
}

static int info_add_entry(md_image_info_t *info, const char *key, json_object *val)
{
    json_object *m, *sz;
    if (info->manifest == NULL && json_object_object_get_ex(val, "manifest", &m) &&
        json_object_get_string(m) && (info->manifest = strdup(json_object_get_string(m))) == NULL)
        return -ENOMEM;
    if (md_repos_key_is_record(key)) {
        json_object *rd;
        if (json_object_object_get_ex(val, "size", &sz)) info->size = json_object_get_int64(sz);
        if (json_object_object_get_ex(val, "repo_digests", &rd))
            for (size_t i = 0; i < json_object_array_length(rd); i++)
                if (md_strv_append(&info->digests,
                                   json_object_get_string(json_object_array_get_idx(rd, i))) < 0)
                    return -ENOMEM;
        return 0;
    }
    return md_strv_append(&info->tags, key);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_info(const void *a, const void *b)
{
    const md_image_info_t *x = a, *y = b;
    if (x->created != y->created) return x->created > y->created ? -1 : 1;
    if (x->created_nsec != y->created_nsec) return x->created_nsec > y->created_nsec ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void info_set_created(md_image_info_t *info)
{
    json_object *config = NULL, *c;
    if (md_image_read_blob_json(info->id, &config, NULL) < 0) return;
    if (json_object_object_get_ex(config, "created", &c))
        info->created = parse_rfc3339(json_object_get_string(c), &info->created_nsec);
    json_object_put(config);
}

int md_image_list(md_image_info_t **out, size_t *n, md_error_t **err)
{
    json_object *repos = NULL;
    int r = md_repos_load(&repos, err);
    if (r < 0) return r;
    md_image_info_t *list = NULL;
    size_t count = 0;
    json_object_object_foreach(repos, key, val)
    {
        const char *id = md_repos_entry_id(val);
        if (id == NULL) continue;
        md_image_info_t *info = info_get(&list, &count, id);
        if (info == NULL || info_add_entry(info, key, val) < 0) {
            r = md_error(err, ENOMEM, "list images");
            break;
        }
    }
    json_object_put(repos);
    if (r < 0) {
        md_image_list_free(list, count);
        return r;
    }
    for (size_t i = 0; i < count; i++) {
        qsort(list[i].tags, md_strv_len(list[i].tags), sizeof(char *), cmp_str);
        info_set_created(&list[i]);
    }
    if (count > 1) qsort(list, count, sizeof(*list), cmp_info);
    *out = list;
    *n = count;
    return 0;
}

void md_image_list_free(md_image_info_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].id);
        free(list[i].manifest);
        md_strv_free(list[i].tags);
        md_strv_free(list[i].digests);
    }
    free(list);
}

long long md_image_size(const md_image_info_t *info)
{
    if (info->size >= 0) return info->size;
    md_image_t *img = NULL;
    long long total = 0, one;
    if (md_image_lookup(info->id, &img, NULL) < 0) return 0;
    for (char **d = img->layer_dirs; *d; d++)
        if (md_du(*d, 0, &one) == 0) total += one;
    md_image_free(img);
    return total;
}
