/* struct md_run_opts (engine/opts.h): what a front end hands the engine for
 * `run` and `create`. The CLI fills it from argv (cli/run_opts.c). */
#include "opts.h"

#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/strv.h"

void md_run_opts_free(struct md_run_opts *o)
{
    free(o->name);
    free(o->hostname);
    free(o->workdir);
    free(o->user);
    free(o->network);
    free(o->rootfs);
    free(o->pull);
    free(o->platform);
    free(o->stop_signal);
    free(o->entrypoint);
    free(o->image);
    free(o->seccomp_profile);
    free(o->restart);
    free(o->cidfile);
    free(o->log_driver);
    free(o->detach_keys);
    free(o->runtime);
    md_strv_free(o->storage_opts);
    md_strv_free(o->warnings);
    md_strv_free(o->networks);
    md_strv_free(o->log_opts);
    md_strv_free(o->env);
    md_strv_free(o->labels);
    md_strv_free(o->cap_add);
    md_strv_free(o->cap_drop);
    md_strv_free(o->volumes);
    md_strv_free(o->mounts);
    md_strv_free(o->tmpfs);
    md_strv_free(o->volumes_from);
    md_strv_free(o->devices);
    md_strv_free(o->device_cgroup_rules);
    md_strv_free(o->args);
    md_res_opts_free(&o->res);
    md_net_opts_free(&o->net);
    md_sys_opts_free(&o->sys);
    md_health_opts_free(&o->health);
    for (size_t i = 0; i < o->n_ulimits; i++)
        free(o->ulimits[i].name);
    free(o->ulimits);
    memset(o, 0, sizeof(*o));
}
