/* Acting on a project's containers level by level of the dependencies, each level at once. */
#ifndef MD_COMPOSE_PARALLEL_H
#define MD_COMPOSE_PARALLEL_H

#include "compose/up.h"

/* fn on each container of l, one process each, the services a level at a time: reverse
 * (stop, down) takes dependents first. fn reports its own error; < 0 if any failed. */
int md_compose_parallel(struct md_compose_project *p, struct md_compose_ctrs *l, int reverse,
                        int (*fn)(struct md_compose_ctr *x, void *data), void *data);

#endif
