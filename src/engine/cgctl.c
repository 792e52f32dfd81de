/* pause/unpause, update and the cgroup reads behind top and stats. */
#include "cgctl.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/events.h"
#include "util/cleanup.h"
#include "util/fs.h"

static struct json_object *load_config(const struct md_ctr *c, md_error_t **err)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/config.json", c->dir);
    cleanup_free char *text = NULL;
    if (md_read_file(path, &text, NULL, err) < 0) return NULL;
    struct json_object *doc = json_tokener_parse(text);
    if (doc == NULL) md_error(err, EINVAL, "parse %s", path);
    return doc;
}

char *md_cgroup_path_of(const char *dir, const char *id)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/config.json", dir);
    cleanup_free char *text = NULL;
    struct json_object *doc = NULL, *lx = NULL, *p = NULL;
    if (md_read_file(path, &text, NULL, NULL) == 0) doc = json_tokener_parse(text);
    char *out = NULL;
    if (doc && json_object_object_get_ex(doc, "linux", &lx) &&
        json_object_object_get_ex(lx, "cgroupsPath", &p) &&
        json_object_is_type(p, json_type_string))
        out = strdup(json_object_get_string(p));
    json_object_put(doc);
    if (out == NULL && asprintf(&out, "mydocker/%s", id) < 0) out = NULL;
    return out;
}

char *md_ctr_cgroup_path(const struct md_ctr *c)
{
    /* the record's copy (made at create); a record from before it has config.json's only */
    const char *p = md_ctr_str(c, "cgroup_path");
    return p && *p ? strdup(p) : md_cgroup_path_of(c->dir, c->id);
}

int md_ctr_cgroup_open(const struct md_ctr *c, md_cgroup_t **cg, md_error_t **err)
{
    cleanup_free char *path = md_ctr_cgroup_path(c);
    if (path == NULL) return md_error(err, ENOMEM, "cgroup path");
    return md_cgroup_open(NULL, path, MD_CGROUP_AUTO, cg, err);
}

static int freeze(struct md_ctr *c, int frozen, md_error_t **err)
{
    md_cgroup_t *cg = NULL;
    int r = md_ctr_cgroup_open(c, &cg, err);
    if (r == 0) r = md_cgroup_freeze(cg, frozen, err);
    md_cgroup_free(cg);
    return r;
}

static char *marker_path(const struct md_ctr *c)
{
    char *p = NULL;
    return asprintf(&p, "%s/paused", c->rundir) < 0 ? NULL : p;
}

int md_engine_pause(struct md_ctr *c, md_error_t **err)
{
    if (c->status == MD_CTR_PAUSED)
        return md_error(err, 0, "Container %s is already paused", c->id);
    if (c->status == MD_CTR_RESTARTING)
        return md_error(err, 0, "Container %s is restarting, wait until the container is running",
                        c->id);
    if (c->status != MD_CTR_RUNNING) return md_error(err, 0, "Container %s is not running", c->id);
    cleanup_free char *marker = marker_path(c);
    if (marker == NULL) return md_error(err, ENOMEM, "pause");
    int r = freeze(c, 1, err);
    if (r < 0) return md_error_prefix(err, "cannot pause container %s", c->id);
    /* the marker after the freeze: `ps` never says Paused for a running one */
    r = md_write_file_atomic(marker, "", 0, 0600, 0, err);
    if (r < 0) {
        md_error_t *e2 = NULL;
        freeze(c, 0, &e2);
        md_error_free(&e2);
        return r;
    }
    c->status = MD_CTR_PAUSED;
    md_event_container(c, "pause", NULL);
    return 0;
}

int md_engine_unpause(struct md_ctr *c, md_error_t **err)
{
    if (c->status != MD_CTR_PAUSED) return md_error(err, 0, "Container %s is not paused", c->id);
    cleanup_free char *marker = marker_path(c);
    if (marker == NULL) return md_error(err, ENOMEM, "unpause");
    int r = freeze(c, 0, err);
    if (r < 0) return md_error_prefix(err, "cannot unpause container %s", c->id);
    unlink(marker);
    c->status = MD_CTR_RUNNING;
    md_event_container(c, "unpause", NULL);
    return 0;
}

void md_engine_thaw(struct md_ctr *c)
{
    md_error_t *e = NULL;
    if (c->status != MD_CTR_PAUSED) return;
    if (md_engine_unpause(c, &e) < 0) md_error_free(&e);
}

int md_engine_pids(struct md_ctr *c, pid_t **pids, size_t *n, md_error_t **err)
{
    *pids = NULL;
    *n = 0;
    if (c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED)
        return md_error(err, 0, "Container %s is not running", c->id);
    md_cgroup_t *cg = NULL;
    int r = md_ctr_cgroup_open(c, &cg, err);
    if (r == 0) r = md_cgroup_pids(cg, pids, n, err);
    md_cgroup_free(cg);
    return r;
}

/* ---- update ---- */

static int restart_policy(struct json_object *hc, const char *spec, md_error_t **err)
{
    char name[32];
    int max = 0;
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(spec, ":"), spec);
    const char *colon = strchr(spec, ':');
    if (strcmp(name, "no") != 0 && strcmp(name, "always") != 0 &&
        strcmp(name, "unless-stopped") != 0 && strcmp(name, "on-failure") != 0)
        return md_error(err, 0, "invalid restart policy: %s", spec);
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (strcmp(name, "on-failure") != 0)
            return md_error(err, 0,
                            "invalid restart policy: maximum retry count can only be used "
                            "with 'on-failure'");
        if (!colon[1] || *end || v < 0) return md_error(err, 0, "invalid restart policy: %s", spec);
        max = (int)v;
    }
    struct json_object *auto_rm = NULL;
    if (strcmp(name, "no") != 0 && json_object_object_get_ex(hc, "AutoRemove", &auto_rm) &&
        json_object_get_boolean(auto_rm))
        return md_error(err, 0,
                        "Restart policy cannot be updated because AutoRemove is enabled "
                        "for the container");
    struct json_object *p = json_object_new_object();
    json_object_object_add(p, "Name", json_object_new_string(name));
    json_object_object_add(p, "MaximumRetryCount", json_object_new_int(max));
    json_object_object_add(hc, "RestartPolicy", p);
    return 0;
}

/* What is written live: everything `update` may change. The throttle lists
 * and devices are not rewritten (they did not change; v1 device rules
 * would pass through "deny all" on the way). */
static struct json_object *live_subset(struct json_object *full)
{
    struct json_object *live = json_object_new_object(), *v, *b;
    static const char *const keys[] = {"memory", "cpu", "pids"};
    for (size_t i = 0; full && i < 3; i++)
        if (json_object_object_get_ex(full, keys[i], &v))
            json_object_object_add(live, keys[i], json_object_get(v));
    if (full && json_object_object_get_ex(full, "blockIO", &b) &&
        json_object_object_get_ex(b, "weight", &v)) {
        struct json_object *nb = json_object_new_object();
        json_object_object_add(nb, "weight", json_object_get(v));
        json_object_object_add(live, "blockIO", nb);
    }
    return live;
}

static int apply_live(struct md_ctr *c, struct json_object *live, md_error_t **err)
{
    struct md_resources res;
    md_cgroup_t *cg = NULL;
    int r = md_resources_from_json(live, &res, err);
    if (r == 0) r = md_ctr_cgroup_open(c, &cg, err);
    if (r == 0) r = md_cgroup_set(cg, &res, err);
    md_cgroup_free(cg);
    md_resources_free(&res);
    return r;
}

/* config.json's linux.resources: the sections update owns are replaced,
 * the rest (throttles, devices, ...) kept, so a restart applies the update */
static int save_config(struct md_ctr *c, struct json_object *full, md_error_t **err)
{
    struct json_object *doc = load_config(c, err), *lx = NULL, *res = NULL, *v;
    if (doc == NULL) return -1;
    if (!json_object_object_get_ex(doc, "linux", &lx)) {
        lx = json_object_new_object();
        json_object_object_add(doc, "linux", lx);
    }
    if (!json_object_object_get_ex(lx, "resources", &res) ||
        !json_object_is_type(res, json_type_object)) {
        res = json_object_new_object();
        json_object_object_add(lx, "resources", res);
    }
    static const char *const keys[] = {"memory", "cpu", "pids"};
    for (size_t i = 0; i < 3; i++) {
        if (full && json_object_object_get_ex(full, keys[i], &v))
            json_object_object_add(res, keys[i], json_object_get(v));
        else
            json_object_object_del(res, keys[i]);
    }
    struct json_object *b = NULL, *fb = NULL;
    if (full && json_object_object_get_ex(full, "blockIO", &fb) &&
        json_object_object_get_ex(fb, "weight", &v)) {
        if (!json_object_object_get_ex(res, "blockIO", &b)) {
            b = json_object_new_object();
            json_object_object_add(res, "blockIO", b);
        }
        json_object_object_add(b, "weight", json_object_get(v));
    }
    char path[4200];
    snprintf(path, sizeof(path), "%s/config.json", c->dir);
    const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
    int r = md_write_file_atomic(path, text, strlen(text), 0600, 0, err);
    json_object_put(doc);
    return r;
}

static int update_locked(struct md_ctr *c, struct md_res_opts *upd, const char *restart,
                         const md_warn_t *w, md_error_t **err)
{
    md_ctr_read_and_settle(c); /* first: it may load the record again, which hc points into */
    struct json_object *hc = NULL;
    if (!json_object_object_get_ex(c->record, "HostConfig", &hc)) {
        hc = json_object_new_object();
        json_object_object_add(c->record, "HostConfig", hc);
    }
    struct md_res_opts cur;
    struct md_res_host h;
    md_res_host_probe(&h);
    int r = md_res_discard_unsupported(upd, &h, w, err);
    if (r == 0) r = md_res_from_hostconfig(hc, &cur, err);
    if (r == 0) r = md_res_merge_update(&cur, upd, &h, err);
    if (r == 0 && restart) r = restart_policy(hc, restart, err);
    struct json_object *full = r == 0 ? md_res_to_oci(&cur) : NULL;
    if (r == 0 && (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED)) {
        struct json_object *live = live_subset(full);
        r = apply_live(c, live, err);
        json_object_put(live);
        if (r < 0) md_error_prefix(err, "Cannot update container %s", c->id);
    }
    if (r == 0) r = save_config(c, full, err);
    if (r == 0) {
        md_res_to_hostconfig(&cur, hc);
        r = md_ctr_save(c, err);
    }
    json_object_put(full);
    md_res_opts_free(&cur);
    return r;
}

int md_engine_update(struct md_ctr *c, struct md_res_opts *upd, const char *restart,
                     const md_warn_t *w, md_error_t **err)
{
    int lock = md_ctr_lock(c, err);
    if (lock < 0) return lock;
    /* re-read under the lock: container-exited may have saved the record */
    struct md_ctr *fresh = NULL;
    int r = md_ctr_load_id(c->id, &fresh, err);
    if (r == 0) r = update_locked(fresh, upd, restart, w, err);
    md_ctr_free(fresh);
    close(lock);
    return r;
}
