#include "cgroup_glue.h"

#include <stddef.h>

/* Placeholder wiring until the cgroup drivers land: no cgroup requested
 * means none is made. */
int md_cgroup_glue_create(struct md_spec *s, struct md_cgroup **out, md_error_t **err)
{
    (void)s;
    (void)err;
    *out = NULL;
    return 0;
}

int md_cgroup_glue_enter(struct md_cgroup *cg, pid_t pid, md_error_t **err)
{
    (void)cg;
    (void)pid;
    (void)err;
    return 0;
}

void md_cgroup_glue_destroy(struct md_cgroup *cg)
{
    (void)cg;
}
