#include "store/events.h"
#include "engine/volume_store.h"
#include "engine/labels.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/cstore.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/du.h"
#include "util/fs.h"
#include "util/paths.h"
#include "util/strv.h"
#include "util/time.h"
#include "util/xalloc.h"

int md_volume_name_valid(const char *n)
{
    return md_name_valid(n) ||
           (strlen(n) == 1 && ((*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9')));
}

static char *vol_dir(const char *name)
{
    char *p = NULL;
    return asprintf(&p, "%s/volumes/%s", md_lib_root(), name) < 0 ? NULL : p;
}

static int check_opts(const char *name, const struct md_volume_opts *o, md_error_t **err)
{
    if (o == NULL) return 0;
    if (o->driver && strcmp(o->driver, "local") != 0)
        return md_error(err, 0,
                        "create %s: error looking up volume plugin %s: plugin \"%s\" not found",
                        name, o->driver, o->driver);
    if (o->driver_opts && o->driver_opts[0])
        return md_error(err, 0, "create %s: driver options (-o %s) are not supported", name,
                        o->driver_opts[0]);
    for (char *const *l = o->labels; l && *l; l++)
        if (**l == '=' || **l == '\0') return md_error(err, 0, "invalid label '%s'", *l);
    return 0;
}

static void vol_event(const char *action, const char *name)
{
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "driver", json_object_new_string("local"));
    md_event("volume", action, name, a);
}

int md_volume_create(const char *name, int anonymous, const struct md_volume_opts *vo,
                     char **mountpoint, md_error_t **err)
{
    if (!md_volume_name_valid(name))
        return md_error(err, 0,
                        "create %s: \"%s\" includes invalid characters for a local volume "
                        "name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
                        name, name);
    if (check_opts(name, vo, err) < 0) return -EINVAL;
    cleanup_free char *dir = vol_dir(name), *data = NULL, *meta = NULL;
    if (dir == NULL || asprintf(&data, "%s/_data", dir) < 0 ||
        asprintf(&meta, "%s/volume.json", dir) < 0)
        return md_error(err, ENOMEM, "volume");
    if (!md_path_exists(meta)) {
        int r = md_mkdir_p(data, 0755, err);
        if (r < 0) return r;
        /* docker's 0701: no other user may list the volumes or reach into
         * one by name (a volume's setuid file is a host file) */
        cleanup_free char *top = NULL;
        if (asprintf(&top, "%s/volumes", md_lib_root()) > 0) chmod(top, 0701);
        struct json_object *o = json_object_new_object();
        cleanup_free char *now = md_time_rfc3339(md_now_ns());
        json_object_object_add(o, "Name", json_object_new_string(name));
        json_object_object_add(o, "Driver", json_object_new_string("local"));
        json_object_object_add(o, "Mountpoint", json_object_new_string(data));
        json_object_object_add(o, "CreatedAt", json_object_new_string(now ? now : ""));
        json_object_object_add(o, "Labels", md_labels_json(NULL, vo ? vo->labels : NULL));
        json_object_object_add(o, "Options", json_object_new_object());
        json_object_object_add(o, "Scope", json_object_new_string("local"));
        json_object_object_add(o, "Anonymous", json_object_new_boolean(anonymous));
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
        r = md_write_file_atomic(meta, text, strlen(text), 0600, 0, err);
        json_object_put(o);
        if (r < 0) {
            md_rm_rf(dir, NULL); /* no half-made volume without its volume.json */
            return r;
        }
        vol_event("create", name);
    }
    if (mountpoint) *mountpoint = md_xstrdup(data);
    return 0;
}

struct json_object *md_volume_inspect(const char *name)
{
    cleanup_free char *dir = vol_dir(name), *meta = NULL, *text = NULL;
    if (dir == NULL || asprintf(&meta, "%s/volume.json", dir) < 0 ||
        md_read_file(meta, &text, NULL, NULL) < 0)
        return NULL;
    return json_tokener_parse(text);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **md_volume_list(void)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/volumes", md_lib_root());
    char **v = md_xcalloc(1, sizeof(char *));
    cleanup_dir DIR *d = opendir(path);
    struct dirent *de;
    while (v && d && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.') md_strv_append(&v, de->d_name);
    qsort(v, md_strv_len(v), sizeof(*v), by_name); /* docker's CLI lists volumes by name */
    return v;
}

char **md_volume_users(const char *name)
{
    char **users = md_xcalloc(1, sizeof(char *));
    cleanup_strv char **ids = md_ctr_list_ids();
    for (char **id = ids; users && id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_id(*id, &c, NULL) < 0) continue;
        struct json_object *mounts = NULL;
        json_object_object_get_ex(c->record, "Mounts", &mounts);
        for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
            struct json_object *n;
            if (json_object_object_get_ex(json_object_array_get_idx(mounts, i), "Name", &n) &&
                strcmp(json_object_get_string(n), name) == 0) {
                md_strv_append(&users, *id);
                break;
            }
        }
        md_ctr_free(c);
    }
    return users;
}

int md_volume_remove(const char *name, int force, md_error_t **err)
{
    cleanup_free char *dir = vol_dir(name), *meta = NULL;
    if (dir == NULL || asprintf(&meta, "%s/volume.json", dir) < 0)
        return md_error(err, ENOMEM, "volume");
    if (!md_path_exists(meta)) return md_error(err, 0, "get %s: no such volume", name);
    cleanup_strv char **users = md_volume_users(name);
    if (!force && users && users[0])
        return md_error(err, 0, "remove %s: volume is in use - [%s]", name, users[0]);
    int r = md_rm_rf(dir, err);
    if (r == 0) vol_event("destroy", name);
    return r;
}

long long md_volume_size(const char *name)
{
    cleanup_free char *dir = vol_dir(name), *data = NULL;
    long long size = 0;
    if (dir == NULL || asprintf(&data, "%s/_data", dir) < 0) return -1;
    /* one file system: a mount inside the volume is not the volume's */
    return md_du(data, 1, &size) < 0 ? -1 : size;
}
