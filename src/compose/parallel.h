/* Acting on a project's containers level by level of the dependencies, each level at once. */
#ifndef MD_COMPOSE_PARALLEL_H
#define MD_COMPOSE_PARALLEL_H

#include "compose/up.h"

/* fn on each container of l, one process each, the services a level at a time: reverse
 * (stop, down) takes dependents first. fn reports its own error; < 0 if any failed. */
int md_compose_parallel(struct md_compose_project *p, struct md_compose_ctrs *l, int reverse,
                        int (*fn)(struct md_compose_ctr *x, void *data), void *data);

/* fn on each service of services, one process each, a dependency level at a time (a service
 * after all it depends on); the next level only when this one succeeded. fn reports its own
 * error; < 0 if any failed. */
int md_compose_parallel_services(struct md_compose_project *p, char **services,
                                 int (*fn)(const char *service, void *data), void *data);
/* the longest chain of depends_on below service s (reverse: of its dependents above it) */
int md_compose_level(struct md_compose_project *p, const char *s, int reverse, int depth);

#endif
