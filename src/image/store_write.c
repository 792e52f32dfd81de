/* Image store, write side: records, tags, removal. Every change to
 * repositories.json is one atomic rename made under image/lock. */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util/cleanup.h"
#include "util/fs.h"

int md_image_store_init(md_error_t **err)
{
    char path[PATH_MAX];
    if (md_mkdir_p(md_lib_root(), 0711, err) < 0) return -1;
    const char *subs[] = {NULL, "blobs/sha256", "layers"};
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (md_image_path(path, sizeof(path), subs[i]) < 0)
            return md_error(err, ENAMETOOLONG, "image store path");
        int r = md_mkdir_p(path, 0700, err);
        if (r < 0) return r;
    }
    return 0;
}

int md_image_store_lock(md_error_t **err)
{
    char path[PATH_MAX];
    int r = md_image_store_init(err);
    if (r < 0) return r;
    if (md_image_path(path, sizeof(path), "lock") < 0)
        return md_error(err, ENAMETOOLONG, "image store path");
    return md_lock_file(path, 1, 0, err);
}

int md_repos_save(json_object *repos, md_error_t **err)
{
    char path[PATH_MAX];
    if (md_image_path(path, sizeof(path), "repositories.json") < 0)
        return md_error(err, ENAMETOOLONG, "image store path");
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        repos, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (text == NULL) return md_error(err, ENOMEM, "serialize %s", path);
    return md_write_file_atomic(path, text, len, 0600, 1, err);
}

static const char *entry_manifest(json_object *entry)
{
    json_object *m;
    if (!json_object_object_get_ex(entry, "manifest", &m)) return NULL;
    return json_object_get_string(m);
}

/* The manifest digest known for id: from its record, else from any tag entry. */
static const char *find_manifest(json_object *repos, const char *id)
{
    json_object *rec;
    if (json_object_object_get_ex(repos, id, &rec) && entry_manifest(rec))
        return entry_manifest(rec);
    json_object_object_foreach(repos, key, val)
    {
        (void)key;
        const char *eid = md_repos_entry_id(val);
        if (eid && strcmp(eid, id) == 0 && entry_manifest(val)) return entry_manifest(val);
    }
    return NULL;
}

static json_object *new_entry(const char *id, const char *manifest, long long size)
{
    json_object *e = json_object_new_object();
    if (e == NULL) return NULL;
    json_object_object_add(e, "id", json_object_new_string(id));
    if (manifest) json_object_object_add(e, "manifest", json_object_new_string(manifest));
    if (size >= 0) json_object_object_add(e, "size", json_object_new_int64(size));
    return e;
}

/* Make sure id has its own record, so that it survives losing its last tag. */
int md_repos_ensure_record(json_object *repos, const char *id)
{
    if (json_object_object_get_ex(repos, id, NULL)) return 0;
    const char *m = find_manifest(repos, id);
    cleanup_free char *manifest = m ? strdup(m) : NULL;
    json_object *e = new_entry(id, manifest, -1);
    return e && json_object_object_add(repos, id, e) == 0 ? 0 : -ENOMEM;
}

/* A tag must not look like an image record key ("sha256:<hex>"). */
static int check_tag(const char *tag, md_error_t **err)
{
    md_image_ref_t r;
    if (md_image_ref_parse(tag, &r, err) < 0) return -EINVAL;
    int bad_digest = r.digest != NULL, bad_name = strcmp(r.familiar, "sha256") == 0;
    md_image_ref_clear(&r);
    if (bad_digest) return md_error(err, 0, "refusing to create a tag with a digest reference");
    if (bad_name)
        return md_error(err, 0,
                        "refusing to create an ambiguous tag using digest algorithm as name");
    return 0;
}

/* Point normalized tag at id, keeping the image it pointed at as an untagged record. */
static int set_tag(json_object *repos, const char *tag, const char *id, const char *manifest)
{
    json_object *old;
    if (json_object_object_get_ex(repos, tag, &old) && md_repos_entry_id(old)) {
        cleanup_free char *old_id = strdup(md_repos_entry_id(old));
        if (old_id == NULL || md_repos_ensure_record(repos, old_id) < 0) return -ENOMEM;
    }
    json_object *e = new_entry(id, manifest, -1);
    return e && json_object_object_add(repos, tag, e) == 0 ? 0 : -ENOMEM;
}

int md_image_register(const char *id, const char *manifest, long long size, const char *tag,
                      md_error_t **err)
{
    if (tag && check_tag(tag, err) < 0) return -EINVAL;
    json_object *repos = NULL;
    int r = md_repos_load(&repos, err);
    if (r < 0) return r;
    json_object *old = NULL;
    if (json_object_object_get_ex(repos, id, &old)) {
        if (manifest == NULL) manifest = entry_manifest(old);
        if (size < 0 && json_object_object_get_ex(old, "size", NULL))
            size = json_object_get_int64(json_object_object_get(old, "size"));
    }
    cleanup_free char *m = manifest ? strdup(manifest) : NULL;
    json_object *rec = new_entry(id, m, size), *rd;
    /* keep the registry digests pull/push recorded (md_image_add_repo_digest) */
    if (rec && old && json_object_object_get_ex(old, "repo_digests", &rd))
        json_object_object_add(rec, "repo_digests", json_object_get(rd));
    if (rec == NULL || json_object_object_add(repos, id, rec) < 0 ||
        (tag && set_tag(repos, tag, id, m) < 0))
        r = md_error(err, ENOMEM, "register image %s", id);
    if (r == 0) r = md_repos_save(repos, err);
    json_object_put(repos);
    return r;
}

int md_image_tag(const char *source, const char *target, md_error_t **err)
{
    cleanup_free char *tag = md_image_normalize_ref(target, err);
    if (tag == NULL || check_tag(target, err) < 0) return -EINVAL;
    cleanup_close int lock = md_image_store_lock(err);
    if (lock < 0) return lock;
    json_object *repos = NULL;
    int r = md_repos_load(&repos, err);
    if (r < 0) return r;
    const char *found;
    cleanup_free char *name = NULL, *id = NULL, *manifest = NULL;
    r = md_repos_resolve(repos, source, &found, &name, err);
    if (r == 0) {
        id = strdup(found);
        const char *m = find_manifest(repos, found);
        manifest = m ? strdup(m) : NULL;
        if (id == NULL || md_repos_ensure_record(repos, id) < 0 ||
            set_tag(repos, tag, id, manifest) < 0)
            r = md_error(err, ENOMEM, "tag %s", target);
    }
    if (r == 0) r = md_repos_save(repos, err);
    json_object_put(repos);
    return r;
}

int md_image_add_repo_digest(const char *id, const char *repo_digest, md_error_t **err)
{
    json_object *repos = NULL, *rec, *arr;
    int r = md_repos_load(&repos, err);
    if (r < 0) return r;
    if (md_repos_ensure_record(repos, id) < 0 || !json_object_object_get_ex(repos, id, &rec)) {
        json_object_put(repos);
        return md_error(err, ENOMEM, "record %s", repo_digest);
    }
    if (!json_object_object_get_ex(rec, "repo_digests", &arr)) {
        arr = json_object_new_array();
        json_object_object_add(rec, "repo_digests", arr);
    }
    /* one digest per repository, as docker keeps it: the newest wins */
    const char *at = strchr(repo_digest, '@');
    size_t plen = at ? (size_t)(at - repo_digest) + 1 : strlen(repo_digest);
    for (size_t i = json_object_array_length(arr); i > 0; i--) {
        const char *s = json_object_get_string(json_object_array_get_idx(arr, i - 1));
        if (s && strncmp(s, repo_digest, plen) == 0) json_object_array_del_idx(arr, i - 1, 1);
    }
    json_object_array_add(arr, json_object_new_string(repo_digest));
    r = md_repos_save(repos, err);
    json_object_put(repos);
    return r;
}
