/* Driver selection and the public entry points; the work is in v1.c, v2.c
 * and hybrid.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"
#include "util/cleanup.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static const char *root_or_default(const char *fsroot)
{
    return fsroot != NULL ? fsroot : MD_CGROUP_DEFAULT_ROOT;
}

int md_cgroup_detect(const char *fsroot, md_cgroup_mode_t *mode, md_error_t **err)
{
    const char *root = root_or_default(fsroot);
    struct statfs sf;
    if (statfs(root, &sf) < 0) return md_error(err, errno, "statfs %s", root);
    if (sf.f_type == CGROUP2_SUPER_MAGIC) {
        *mode = MD_CGROUP_V2;
        return 0;
    }
    cleanup_free char *unified = cg_join(root, "unified");
    if (unified == NULL) return md_error(err, ENOMEM, "detect cgroups");
    if (statfs(unified, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
        *mode = MD_CGROUP_HYBRID;
    else
        *mode = MD_CGROUP_V1;
    return 0;
}

const char *md_cgroup_mode_name(md_cgroup_mode_t mode)
{
    switch (mode) {
    case MD_CGROUP_V1:
        return "v1";
    case MD_CGROUP_V2:
        return "v2";
    case MD_CGROUP_HYBRID:
        return "hybrid";
    default:
        return "none";
    }
}

const char *md_cgroup_version_name(void)
{
    md_cgroup_mode_t mode = MD_CGROUP_AUTO;
    if (md_cgroup_detect(NULL, &mode, NULL) < 0) return "none";
    return md_cgroup_mode_name(mode);
}

/* "/a//b/./c/" -> "a/b/c"; rejects "..", empty paths and systemd's
 * "slice:prefix:name" form, which needs a systemd driver we do not have. */
static int normalize_path(const char *in, char **out, md_error_t **err)
{
    if (in == NULL || *in == '\0') return md_error(err, EINVAL, "empty cgroup path");
    if (strchr(in, '/') == NULL && strchr(in, ':') != NULL)
        return md_error(err, EINVAL, "cgroup path %s: systemd cgroup paths are not supported", in);
    char *res = calloc(1, strlen(in) + 1);
    if (res == NULL) return md_error(err, ENOMEM, "cgroup path %s", in);
    size_t n = 0;
    for (const char *p = in; *p;) {
        while (*p == '/')
            p++;
        size_t l = strcspn(p, "/");
        if (l == 0) break;
        if (l == 2 && strncmp(p, "..", 2) == 0) {
            free(res);
            return md_error(err, EINVAL, "cgroup path %s: '..' is not allowed", in);
        }
        if (!(l == 1 && *p == '.')) {
            if (n > 0) res[n++] = '/';
            memcpy(res + n, p, l);
            n += l;
        }
        p += l;
    }
    if (n == 0) {
        free(res);
        return md_error(err, EINVAL, "cgroup path %s names the root", in);
    }
    *out = res;
    return 0;
}

static int open_v2_part(md_cgroup_t *cg, const char *sub, md_error_t **err)
{
    cg->v2root = sub ? cg_join(cg->fsroot, sub) : strdup(cg->fsroot);
    if (cg->v2root == NULL) return md_error(err, ENOMEM, "cgroup open");
    cg->v2dir = cg_join(cg->v2root, cg->path);
    if (cg->v2dir == NULL) return md_error(err, ENOMEM, "cgroup open");
    return 0;
}

static int open_driver(md_cgroup_t *cg, md_error_t **err)
{
    int r = 0;
    switch (cg->mode) {
    case MD_CGROUP_V1:
        cg->drv = &md_cg_v1_driver;
        return cg_v1_list(cg, err);
    case MD_CGROUP_V2:
        cg->drv = &md_cg_v2_driver;
        return open_v2_part(cg, NULL, err);
    case MD_CGROUP_HYBRID:
        cg->drv = &md_cg_hybrid_driver;
        r = cg_v1_list(cg, err);
        return r < 0 ? r : open_v2_part(cg, "unified", err);
    default:
        return md_error(err, EINVAL, "unknown cgroup mode %d", (int)cg->mode);
    }
}

int md_cgroup_open(const char *fsroot, const char *path, md_cgroup_mode_t mode, md_cgroup_t **out,
                   md_error_t **err)
{
    *out = NULL;
    const char *root = root_or_default(fsroot);
    if (mode == MD_CGROUP_AUTO) {
        int r = md_cgroup_detect(root, &mode, err);
        if (r < 0) return r;
    }
    md_cgroup_t *cg = calloc(1, sizeof(*cg));
    if (cg == NULL) return md_error(err, ENOMEM, "cgroup open");
    cg->v2fd = -1;
    cg->mode = mode;
    cg->fsroot = strdup(root);
    int r = cg->fsroot ? 0 : md_error(err, ENOMEM, "cgroup open");
    if (r == 0) {
        size_t l = strlen(cg->fsroot);
        while (l > 1 && cg->fsroot[l - 1] == '/')
            cg->fsroot[--l] = '\0';
        r = normalize_path(path, &cg->path, err);
    }
    if (r == 0) r = open_driver(cg, err);
    if (r < 0) {
        md_cgroup_free(cg);
        return r;
    }
    *out = cg;
    return 0;
}

void md_cgroup_free(md_cgroup_t *cg)
{
    if (cg == NULL) return;
    for (size_t i = 0; i < cg->n_v1; i++) {
        free(cg->v1[i].name);
        free(cg->v1[i].dir);
    }
    free(cg->v1);
    if (cg->v2fd >= 0) close(cg->v2fd);
    free(cg->v2root);
    free(cg->v2dir);
    free(cg->path);
    free(cg->fsroot);
    free(cg);
}

md_cgroup_mode_t md_cgroup_mode(const md_cgroup_t *cg)
{
    return cg->mode;
}

const char *md_cgroup_path(const md_cgroup_t *cg)
{
    return cg->path;
}

/* Undo a half-done create. Plain rmdir, never a kill: a leaf that already
 * existed with tasks or children in it is busy and stays. */
static void create_rollback(md_cgroup_t *cg)
{
    for (size_t i = 0; i < cg->n_v1; i++)
        rmdir(cg->v1[i].dir);
    if (cg->v2dir != NULL) rmdir(cg->v2dir);
}

int md_cgroup_create(md_cgroup_t *cg, md_error_t **err)
{
    int r = cg->drv->create(cg, err);
    if (r == 0) return 0;
    create_rollback(cg);
    return md_error_prefix(err, "create cgroup %s", cg->path);
}

int md_cgroup_set(md_cgroup_t *cg, const struct md_resources *r, md_error_t **err)
{
    int ret = cg->drv->set(cg, r, err);
    return ret < 0 ? md_error_prefix(err, "set cgroup %s resources", cg->path) : 0;
}

int md_cgroup_enter(md_cgroup_t *cg, pid_t pid, md_error_t **err)
{
    int r = cg->drv->enter(cg, pid, err);
    return r < 0 ? md_error_prefix(err, "move pid %d into cgroup %s", (int)pid, cg->path) : 0;
}

int md_cgroup_fd(md_cgroup_t *cg)
{
    if (cg->mode != MD_CGROUP_V2) return -1;
    if (cg->v2fd < 0) cg->v2fd = open(cg->v2dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return cg->v2fd;
}

int md_cgroup_stats(md_cgroup_t *cg, struct md_cgroup_stats *st, md_error_t **err)
{
    memset(st, 0, sizeof(*st));
    const char *dir = cg->drv->procs_dir(cg);
    if (dir == NULL || access(dir, F_OK) < 0)
        return md_error(err, dir ? errno : ENOENT, "cgroup %s stats", cg->path);
    return cg->drv->stats(cg, st, err);
}

int md_cgroup_freeze(md_cgroup_t *cg, int frozen, md_error_t **err)
{
    int r = cg->drv->freeze(cg, frozen, err);
    if (r < 0) return md_error_prefix(err, "%s cgroup %s", frozen ? "freeze" : "thaw", cg->path);
    return 0;
}

int md_cgroup_oom_killed(md_cgroup_t *cg)
{
    return cg->drv->oom_killed(cg);
}

int md_cgroup_pids(md_cgroup_t *cg, pid_t **pids, size_t *n, md_error_t **err)
{
    const char *dir = cg->drv->procs_dir(cg);
    if (dir == NULL) {
        *pids = NULL;
        *n = 0;
        return md_error(err, ENOENT, "cgroup %s: no hierarchy", cg->path);
    }
    return cg_read_pids(dir, pids, n, err);
}

int md_cgroup_kill_all(md_cgroup_t *cg, md_error_t **err)
{
    int r = cg->drv->kill_all(cg, err);
    return r < 0 ? md_error_prefix(err, "kill tasks of cgroup %s", cg->path) : 0;
}

int md_cgroup_destroy(md_cgroup_t *cg, md_error_t **err)
{
    if (cg->v2fd >= 0) {
        close(cg->v2fd);
        cg->v2fd = -1;
    }
    int r = cg->drv->destroy(cg, err);
    return r < 0 ? md_error_prefix(err, "destroy cgroup %s", cg->path) : 0;
}
