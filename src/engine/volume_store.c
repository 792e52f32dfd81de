#include "engine/volume_store.h"
#include "engine/labels.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/cstore.h"
#include "store/events.h"
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

/* docker's local driver options: type, device, o (mount(8)'s -t, device, -o) */
static int check_driver_opts(const char *name, char *const *opts, md_error_t **err)
{
    int type = 0, device = 0;
    for (char *const *kv = opts; kv && *kv; kv++) {
        size_t n = strcspn(*kv, "=");
        if ((*kv)[n] != '=')
            return md_error(err, 0, "create %s: invalid option: %s (key=value expected)", name,
                            *kv);
        if (n == 4 && strncmp(*kv, "type", 4) == 0)
            type = 1;
        else if (n == 6 && strncmp(*kv, "device", 6) == 0)
            device = 1;
        else if (!(n == 1 && (*kv)[0] == 'o'))
            return md_error(err, 0, "create %s: invalid option key: \"%.*s\"", name, (int)n, *kv);
    }
    if (opts && opts[0] && (!type || !device))
        return md_error(err, 0, "create %s: missing required option: \"%s\"", name,
                        type ? "device" : "type");
    return 0;
}

static struct json_object *options_json(char *const *opts)
{
    struct json_object *o = json_object_new_object();
    for (char *const *kv = opts; kv && *kv; kv++) {
        const char *eq = strchr(*kv, '=');
        cleanup_free char *k = md_xstrndup(*kv, (size_t)(eq - *kv));
        json_object_object_add(o, k, json_object_new_string(eq + 1));
    }
    return o;
}

static int check_opts(const char *name, const struct md_volume_opts *o, md_error_t **err)
{
    if (o == NULL) return 0;
    if (o->driver && strcmp(o->driver, "local") != 0)
        return md_error(err, 0,
                        "create %s: error looking up volume plugin %s: plugin \"%s\" not found",
                        name, o->driver, o->driver);
    if (check_driver_opts(name, o->driver_opts, err) < 0) return -EINVAL;
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
        json_object_object_add(o, "Options", options_json(vo ? vo->driver_opts : NULL));
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
        if (md_ctr_load_summary(*id, &c, NULL) < 0) continue;
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

/* is path the root of a mount (a bind of the same file system included)? */
static int mount_root(const char *path)
{
    struct statx sx;
    return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) == 0 &&
           (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
           (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* mount(8)'s -o: the flags mount(2) knows, the rest is the file system's data */
static unsigned long mount_flags(const char *o, char *data, size_t len)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } f[] = {{"ro", MS_RDONLY},        {"rw", 0},
             {"bind", MS_BIND},        {"rbind", MS_BIND | MS_REC},
             {"nosuid", MS_NOSUID},    {"nodev", MS_NODEV},
             {"noexec", MS_NOEXEC},    {"sync", MS_SYNCHRONOUS},
             {"noatime", MS_NOATIME},  {"nodiratime", MS_NODIRATIME},
             {"relatime", MS_RELATIME}};
    unsigned long flags = 0;
    cleanup_free char *copy = md_xstrdup(o ? o : "");
    data[0] = '\0';
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < sizeof(f) / sizeof(*f) && strcmp(f[i].name, t) != 0)
            i++;
        if (i < sizeof(f) / sizeof(*f))
            flags |= f[i].flag;
        else
            snprintf(data + strlen(data), len - strlen(data), "%s%s", data[0] ? "," : "", t);
    }
    return flags;
}

int md_volume_mount(const char *name, md_error_t **err)
{
    struct json_object *doc = md_volume_inspect(name), *opts = NULL, *v;
    const char *type = NULL, *device = NULL, *o = NULL;
    if (doc && json_object_object_get_ex(doc, "Options", &opts)) {
        if (json_object_object_get_ex(opts, "type", &v)) type = json_object_get_string(v);
        if (json_object_object_get_ex(opts, "device", &v)) device = json_object_get_string(v);
        if (json_object_object_get_ex(opts, "o", &v)) o = json_object_get_string(v);
    }
    cleanup_free char *dir = vol_dir(name), *data = NULL;
    int r = 0;
    if (type && device && dir && asprintf(&data, "%s/_data", dir) > 0 && !mount_root(data)) {
        char fsdata[1024];
        unsigned long flags = mount_flags(o, fsdata, sizeof(fsdata));
        /* type "none" with o=bind: a bind of a host path, as mount(8) takes it */
        if (mount(device, data, strcmp(type, "none") == 0 ? NULL : type, flags,
                  fsdata[0] ? fsdata : NULL) < 0)
            r = md_error(err, errno,
                         "error while mounting volume '%s': failed to mount local volume: mount "
                         "%s:%s, flags: 0x%lx, data: %s",
                         name, device, data, flags, fsdata);
    }
    json_object_put(doc);
    return r;
}

int md_volume_mount_all(struct json_object *mounts, md_error_t **err)
{
    int r = 0;
    for (size_t i = 0; r == 0 && mounts && i < json_object_array_length(mounts); i++) {
        struct json_object *m = json_object_array_get_idx(mounts, i), *t, *n;
        if (json_object_object_get_ex(m, "Type", &t) &&
            strcmp(json_object_get_string(t), "volume") == 0 &&
            json_object_object_get_ex(m, "Name", &n))
            r = md_volume_mount(json_object_get_string(n), err);
    }
    return r;
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
    /* a volume's mount goes first: never remove through it into what it shows (the host
     * directory of a bind) */
    cleanup_free char *data = NULL;
    if (asprintf(&data, "%s/_data", dir) > 0 && mount_root(data) &&
        (umount2(data, MNT_DETACH) < 0 || mount_root(data)))
        return md_error(err, errno, "remove %s: unmounting its file system", name);
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
