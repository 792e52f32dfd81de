/* `run --rm` containers whose owner died (kill -9): each holds a flock on
 * /run/mydocker/autoremove/<id> while its owner lives (store/cstore.h); a
 * lock that can be taken means nobody will remove the container, so the
 * next `run` or `ps` does: cgroup, network leases and ports, files. */
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/cgctl.h"
#include "engine/lifecycle.h"
#include "net/net.h"
#include "runtime/cgroup_setup.h"
#include "store/cstore.h"
#include "util/paths.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char *name_of(const char *id)
{
    cleanup_free char *dir = md_container_dir(id);
    cleanup_free char *path = NULL, *text = NULL;
    if (dir == NULL || asprintf(&path, "%s/container.json", dir) < 0 ||
        md_read_file(path, &text, NULL, NULL) < 0)
        return NULL;
    struct json_object *o = json_tokener_parse(text), *n;
    char *name = NULL;
    if (o && json_object_object_get_ex(o, "Name", &n))
        name = strdup(json_object_get_string(n) + (json_object_get_string(n)[0] == '/'));
    json_object_put(o);
    return name;
}

void md_autoremove_sweep(void)
{
    char locks[512];
    cleanup_dir DIR *d =
        md_run_path(locks, sizeof(locks), "autoremove") == 0 ? opendir(locks) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strchr(de->d_name, '.')) continue;
        int fd = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC);
        if (fd < 0) continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            cleanup_free char *name = name_of(de->d_name);
            md_error_t *err = NULL;
            /* the owner died: so did the container (parent-death signal),
             * but nobody removed its cgroup */
            cleanup_free char *dir = md_container_dir(de->d_name);
            cleanup_free char *cg = dir ? md_cgroup_path_of(dir, de->d_name) : NULL;
            md_cgroup_setup_finish(cg, NULL);
            md_net_release_id(de->d_name); /* its owner died before releasing */
            md_container_remove_files(de->d_name, name, &err);
            md_error_free(&err);
            unlinkat(dirfd(d), de->d_name, 0);
        }
        close(fd);
    }
}
