/* The runtime's use of the cgroup drivers: the spec's cgroupsPath is created
 * with its linux.resources before the child may run anything, the child is
 * moved in while it still waits on the sync socket, and the cgroup goes when
 * the container does. */
#include "cgroup_setup.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "cgroup/cgroup.h"

/* The device rules always start from "deny all", whatever the spec holds
 * (none, or an empty list, means only the defaults): a container must never
 * open a host disk it was not given (mknod + open is a full escape). The
 * devices the runtime itself creates (null, zero, full, random, urandom,
 * tty, ptys) stay usable whatever the rules say, and nodes may be made: runc
 * appends the same allow rules after the spec's. linux.devices get no rule
 * of their own (as in runc). */
static int allow_runtime_devices(struct md_resources *res, md_error_t **err)
{
    static const struct md_device_rule defaults[] = {
        {true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"},    {true, 'c', 1, 3, "rwm"},
        {true, 'c', 1, 8, "rwm"}, {true, 'c', 1, 7, "rwm"},    {true, 'c', 5, 0, "rwm"},
        {true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 9, "rwm"},    {true, 'c', 136, -1, "rwm"},
        {true, 'c', 5, 2, "rwm"}, {true, 'c', 10, 200, "rwm"},
    };
    size_t nd = sizeof(defaults) / sizeof(defaults[0]);
    struct md_device_rule *d = realloc(res->devices, (res->n_devices + nd) * sizeof(*d));
    if (d == NULL) return md_error(err, ENOMEM, "device rules");
    res->devices = d;
    for (size_t i = 0; i < nd; i++)
        d[res->n_devices++] = defaults[i];
    return 0;
}

int md_cgroup_setup_open(struct md_spec *s, struct md_cgroup **out, md_error_t **err)
{
    *out = NULL;
    if (s->cgroups_path == NULL) return 0;
    return md_cgroup_open(NULL, s->cgroups_path, MD_CGROUP_AUTO, out, err);
}

int md_cgroup_setup_make(struct md_spec *s, struct md_cgroup *cg, md_error_t **err)
{
    struct md_resources res;
    int r = md_resources_from_json(s->resources, &res, err);
    if (r == 0) r = allow_runtime_devices(&res, err);
    if (r == 0) r = md_cgroup_create(cg, err);
    if (r == 0) {
        r = md_cgroup_set(cg, &res, err);
        if (r < 0) {
            md_error_t *e2 = NULL;
            md_cgroup_destroy(cg, &e2);
            md_error_free(&e2);
        }
    }
    md_resources_free(&res);
    return r;
}

int md_cgroup_setup_create(struct md_spec *s, struct md_cgroup **out, md_error_t **err)
{
    int r = md_cgroup_setup_open(s, out, err);
    if (r == 0 && *out && (r = md_cgroup_setup_make(s, *out, err)) < 0) {
        md_cgroup_free(*out);
        *out = NULL;
    }
    return r;
}

int md_cgroup_setup_is_v2(struct md_cgroup *cg)
{
    return cg && md_cgroup_mode(cg) == MD_CGROUP_V2;
}

int md_cgroup_setup_enter(struct md_cgroup *cg, pid_t pid, md_error_t **err)
{
    return md_cgroup_enter(cg, pid, err);
}

void md_cgroup_setup_destroy(struct md_cgroup *cg)
{
    md_error_t *err = NULL;
    md_cgroup_destroy(cg, &err);
    md_error_free(&err);
    md_cgroup_free(cg);
}

int md_cgroup_setup_finish(const char *path, int *oom_killed)
{
    md_cgroup_t *cg = NULL;
    md_error_t *err = NULL;
    if (oom_killed) *oom_killed = 0;
    if (path == NULL || md_cgroup_open(NULL, path, MD_CGROUP_AUTO, &cg, &err) < 0) {
        md_error_free(&err);
        return 0;
    }
    if (oom_killed) *oom_killed = md_cgroup_oom_killed(cg) == 1;
    int r = md_cgroup_destroy(cg, &err);
    md_error_free(&err);
    md_cgroup_free(cg);
    return r;
}

int md_cgroup_setup_fd(struct md_cgroup *cg)
{
    return cg && md_cgroup_mode(cg) == MD_CGROUP_V2 ? md_cgroup_fd(cg) : -1;
}
