/* `rmi` with docker's rules (daemon/images/image_delete.go semantics):
 * removing by name untags, and deletes the image only when that was its last
 * tag; removing by id deletes it, refusing when it has several tags or is
 * used by a container unless forced. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

static int load_container_image(const char *dir, const char *name, char **image_id)
{
    char path[PATH_MAX];
    *image_id = NULL;
    cleanup_free char *text = NULL;
    /* the record's summary (store/summary.c) holds the image; the record when it has none */
    for (int i = 0; i < 2 && text == NULL; i++) {
        const char *file = i == 0 ? "summary.json" : "container.json";
        if (snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file) < (int)sizeof(path))
            md_read_file(path, &text, NULL, NULL);
    }
    if (text == NULL) return 0; /* being created or removed: not ours to judge */
    json_object *obj = json_tokener_parse(text), *iid;
    /* "image_id" is ours; docker's "Image" holds the same id in a docker-shaped record */
    const char *v = NULL;
    if (obj && json_object_object_get_ex(obj, "image_id", &iid)) v = json_object_get_string(iid);
    if ((v == NULL || *v == '\0') && obj && json_object_object_get_ex(obj, "Image", &iid))
        v = json_object_get_string(iid);
    if (v && strncmp(v, MD_IMAGE_ID_PREFIX, 7) == 0 && md_image_is_hex(v + 7, 64))
        *image_id = md_xstrdup(v);
    json_object_put(obj);
    return 0;
}

/* All containers with an image: parallel vectors of container ids and image ids. */
static int scan_containers(char ***cids, char ***iids, md_error_t **err)
{
    char dir[PATH_MAX];
    *cids = calloc(1, sizeof(char *));
    *iids = calloc(1, sizeof(char *));
    if (*cids == NULL || *iids == NULL) return md_error(err, ENOMEM, "scan containers");
    if (snprintf(dir, sizeof(dir), "%s/containers", md_lib_root()) >= (int)sizeof(dir))
        return md_error(err, ENAMETOOLONG, "containers dir");
    cleanup_dir DIR *d = opendir(dir);
    if (d == NULL) return errno == ENOENT ? 0 : md_error(err, errno, "open %s", dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        cleanup_free char *iid = NULL;
        load_container_image(dir, de->d_name, &iid);
        if (iid && (md_strv_append(cids, de->d_name) < 0 || md_strv_append(iids, iid) < 0))
            return md_error(err, ENOMEM, "scan containers");
    }
    return 0;
}

int md_image_users(const char *id, char ***out, md_error_t **err)
{
    cleanup_strv char **cids = NULL, **iids = NULL;
    int r = scan_containers(&cids, &iids, err);
    if (r < 0) return r;
    char **users = calloc(1, sizeof(char *));
    if (users == NULL) return md_error(err, ENOMEM, "image users");
    for (size_t i = 0; cids[i]; i++) {
        if (strcmp(iids[i], id) == 0 && md_strv_append(&users, cids[i]) < 0) {
            md_strv_free(users);
            return md_error(err, ENOMEM, "image users");
        }
    }
    *out = users;
    return 0;
}

int md_image_container_images(char ***iids, md_error_t **err)
{
    cleanup_strv char **cids = NULL;
    return scan_containers(&cids, iids, err);
}

struct rm_ctx {
    json_object *repos;
    char *id;
    char **tags;     /* the image's tags when the removal started, sorted */
    char **users;    /* containers using it */
    char **lines;    /* report, committed only once repositories.json is written */
    const char *ref; /* as the user gave it */
    int force;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect_tags(struct rm_ctx *c)
{
    if ((c->tags = calloc(1, sizeof(char *))) == NULL) return -ENOMEM;
    json_object_object_foreach(c->repos, key, val)
    {
        const char *eid = md_repos_entry_id(val);
        if (eid && strcmp(eid, c->id) == 0 && !md_repos_key_is_record(key) &&
            md_strv_append(&c->tags, key) < 0)
            return -ENOMEM;
    }
    qsort(c->tags, md_strv_len(c->tags), sizeof(char *), cmp_str);
    return 0;
}

static int report(struct rm_ctx *c, const char *what, const char *name)
{
    cleanup_free char *line = NULL;
    if (asprintf(&line, "%s: %s", what, name) < 0) return -ENOMEM;
    return md_strv_append(&c->lines, line);
}

/* Remove tag key if it still points at the image. */
static int untag(struct rm_ctx *c, const char *key)
{
    json_object *e;
    if (!json_object_object_get_ex(c->repos, key, &e) || md_repos_entry_id(e) == NULL ||
        strcmp(md_repos_entry_id(e), c->id) != 0)
        return 0;
    json_object_object_del(c->repos, key);
    return report(c, "Untagged", key);
}

static int untag_all(struct rm_ctx *c)
{
    for (size_t i = 0; c->tags[i]; i++)
        if (untag(c, c->tags[i]) < 0) return -ENOMEM;
    return 0;
}

static int conflict(struct rm_ctx *c, md_error_t **err, const char *what, const char *cid)
{
    return md_error_code(err, 1, 0, "conflict: unable to delete %.12s (must be forced) - %s%.12s",
                         c->id + 7, what, cid ? cid : "");
}

static int delete_image(struct rm_ctx *c)
{
    cleanup_strv char **keys = calloc(1, sizeof(char *));
    if (keys == NULL) return -ENOMEM;
    json_object_object_foreach(c->repos, key, val)
    {
        const char *eid = md_repos_entry_id(val);
        if (eid && strcmp(eid, c->id) == 0 && md_strv_append(&keys, key) < 0) return -ENOMEM;
    }
    for (size_t i = 0; keys[i]; i++)
        json_object_object_del(c->repos, keys[i]);
    return report(c, "Deleted", c->id);
}

#define IN_USE "image is being used by stopped container "

/* Returns 1 when the image was deleted, 0 when only untagged, <0 on error. */
static int remove_locked(struct rm_ctx *c, const char *name, md_error_t **err)
{
    int quiet = 0;
    if (name) {
        /* docker: the last name of an image a container uses is removed
         * only with -f (then the image stays, as <none>) */
        if (!c->force && c->users[0] && md_strv_len(c->tags) <= 1)
            return md_error_code(err, 1, 0,
                                 "conflict: unable to remove repository reference \"%s\" (must "
                                 "force) - container %.12s is using its referenced image %.12s",
                                 c->ref, c->users[0], c->id + 7);
        if (untag(c, name) < 0) return md_error(err, ENOMEM, "untag %s", name);
        if (md_strv_len(c->tags) > 1) return 0;
        quiet = 1; /* in use after losing its last tag: stays as <none>, no error */
    } else if (md_strv_len(c->tags) <= 1) {
        if (!c->force && c->users[0]) return conflict(c, err, IN_USE, c->users[0]);
        if (untag_all(c) < 0) return md_error(err, ENOMEM, "untag");
    }
    if (!c->force && c->users[0]) return quiet ? 0 : conflict(c, err, IN_USE, c->users[0]);
    if (!c->force && md_strv_len(c->tags) > 1)
        return conflict(c, err, "image is referenced in multiple repositories", NULL);
    if (untag_all(c) < 0 || delete_image(c) < 0) return md_error(err, ENOMEM, "delete %s", c->id);
    return 1;
}

static int remove_in(struct rm_ctx *c, const char *ref, char ***out, md_error_t **err)
{
    const char *found;
    cleanup_free char *name = NULL;
    int r = md_repos_resolve(c->repos, ref, &found, &name, err);
    if (r < 0) return r;
    if ((c->id = strdup(found)) == NULL || md_repos_ensure_record(c->repos, c->id) < 0 ||
        collect_tags(c) < 0)
        return md_error(err, ENOMEM, "rmi %s", ref);
    if ((r = md_image_users(c->id, &c->users, err)) < 0) return r;
    int deleted = remove_locked(c, name, err);
    if (deleted < 0) return deleted;
    if ((r = md_repos_save(c->repos, err)) < 0) return r;
    for (size_t i = 0; c->lines && c->lines[i]; i++)
        if (md_strv_append(out, c->lines[i]) < 0) return md_error(err, ENOMEM, "rmi report");
    if (deleted && (r = md_image_gc(err)) < 0) md_error_prefix(err, "garbage collection");
    return r;
}

int md_image_remove(const char *ref, int force, char ***report_lines, md_error_t **err)
{
    cleanup_close int lock = md_image_store_lock(err);
    if (lock < 0) return lock;
    struct rm_ctx c = {.force = force, .ref = ref};
    int r = md_repos_load(&c.repos, err);
    if (r == 0) r = remove_in(&c, ref, report_lines, err);
    json_object_put(c.repos);
    free(c.id);
    md_strv_free(c.tags);
    md_strv_free(c.users);
    md_strv_free(c.lines);
    return r;
}
