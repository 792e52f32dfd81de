/* Containers acted on as docker compose does, in parallel where the dependencies allow: the
 * services in levels (a service after all it depends on when starting, before them when
 * stopping), the containers of one level at once, one process each, the next level after. A
 * `down` of services whose PID 1 ignores SIGTERM waits one grace period per level, not one per
 * container. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/compose_int.h"
#include "compose/parallel.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* the longest chain of depends_on from service s (down: toward its dependents) */
int md_compose_level(struct md_compose_project *p, const char *s, int reverse, int depth)
{
    int best = 0;
    if (depth > 64) return 0; /* md_compose_order refused cycles: a guard only */
    struct json_object *svcs = md_compose_get(p->model, "services");
    json_object_object_foreach(md_compose_mapping(svcs), name, svc)
    {
        int edge = reverse ? md_compose_get(md_compose_get(svc, "depends_on"), s) != NULL
                           : strcmp(name, s) == 0;
        if (!edge) continue;
        if (reverse) {
            int l = 1 + md_compose_level(p, name, reverse, depth + 1);
            if (l > best) best = l;
            continue;
        }
        json_object_object_foreach(md_compose_mapping(md_compose_get(svc, "depends_on")), dep, dv)
        {
            (void)dv;
            int l =
                md_compose_service(p, dep) ? 1 + md_compose_level(p, dep, reverse, depth + 1) : 0;
            if (l > best) best = l;
        }
    }
    return best;
}

/* one(i, ctx) for each of n items, those of level 0 at once (one process each, in turn when
 * there is no process to be had), then level 1...; with stop_on_fail, no level after a failed
 * one. A single item runs here. */
static int by_levels(size_t n, const int *level, int stop_on_fail, int (*one)(size_t i, void *ctx),
                     void *ctx)
{
    int top = 0, failed = 0;
    for (size_t i = 0; i < n; i++)
        if (level[i] > top) top = level[i];
    pid_t *pids = md_xcalloc(n + 1, sizeof(pid_t));
    for (int lv = 0; lv <= top && !(failed && stop_on_fail); lv++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (level[i] != lv) continue;
            pid_t pid = n > 1 ? fork() : -1;
            if (pid == 0) _exit(one(i, ctx) < 0 ? 1 : 0);
            if (pid < 0)
                failed |= one(i, ctx) < 0;
            else
                pids[k++] = pid;
        }
        for (size_t j = 0; j < k; j++)
            failed |= md_compose_wait(pids[j]) != 0;
    }
    free(pids);
    return failed ? -1 : 0;
}

struct each_service {
    char **services;
    int (*fn)(const char *service, void *data);
    void *data;
};

static int one_service(size_t i, void *ctx)
{
    struct each_service *e = ctx;
    return e->fn(e->services[i], e->data);
}

int md_compose_parallel_services(struct md_compose_project *p, char **services,
                                 int (*fn)(const char *service, void *data), void *data)
{
    size_t n = md_strv_len(services);
    int *level = md_xcalloc(n + 1, sizeof(int));
    for (size_t i = 0; i < n; i++)
        level[i] = md_compose_level(p, services[i], 0, 0);
    struct each_service e = {services, fn, data};
    int r = by_levels(n, level, 1, one_service, &e);
    free(level);
    return r;
}

struct each_ctr {
    struct md_compose_ctrs *l;
    int (*fn)(struct md_compose_ctr *x, void *data);
    void *data;
};

static int one_ctr(size_t i, void *ctx)
{
    struct each_ctr *e = ctx;
    return e->fn(&e->l->v[i], e->data);
}

int md_compose_parallel(struct md_compose_project *p, struct md_compose_ctrs *l, int reverse,
                        int (*fn)(struct md_compose_ctr *x, void *data), void *data)
{
    int *level = md_xcalloc(l->n + 1, sizeof(int));
    for (size_t i = 0; i < l->n; i++) /* orphans and one-offs of services no longer there: 0 */
        level[i] = md_compose_service(p, l->v[i].service)
                       ? md_compose_level(p, l->v[i].service, reverse, 0)
                       : 0;
    struct each_ctr e = {l, fn, data};
    int r = by_levels(l->n, level, 0, one_ctr, &e);
    free(level);
    return r;
}
