/* docker's --filter KEY=VALUE lists. Values of one key are ORed
 * (status=exited --filter status=created lists both), different keys are
 * ANDed, and label filters are all required. A key a command does not know is
 * an error ("invalid filter 'x'"), never ignored: a script that pipes
 * `volume ls -q --filter label=x` into `volume rm` must not get every volume. */
#ifndef MD_CLI_FILTERS_H
#define MD_CLI_FILTERS_H

#include <stdint.h>

#include "util/error.h"

struct json_object;

struct md_filters {
    char **keys, **values; /* parallel, in the order given */
};

/* Adds "KEY=VALUE" (label filters may be KEY only: "label=k"); accepted is a
 * NULL-terminated list of the command's keys. */
int md_filters_add(struct md_filters *f, const char *arg, const char *const *accepted,
                   md_error_t **err);
void md_filters_free(struct md_filters *f);
/* The key was given at least once. */
int md_filters_has(const struct md_filters *f, const char *key);
/* No value for key, or pred true for one of them (OR). */
int md_filters_any(const struct md_filters *f, const char *key,
                   int (*pred)(const char *value, void *ctx), void *ctx);
/* Every "label" (and "label!") filter holds for labels (a JSON object,
 * may be NULL): "k" means present, "k=v" present with that value. */
int md_filters_labels(const struct md_filters *f, struct json_object *labels);
/* until=TIMESTAMP (docker's prune filter, any of its time forms): made before
 * it; true when the key is not given. created_ns: Unix nanoseconds. */
int md_filters_until(const struct md_filters *f, int64_t created_ns);
/* Every until= value reads as a time, else docker's error (exit 1). */
int md_filters_check_until(const struct md_filters *f, md_error_t **err);
/* A boolean filter value as docker takes it: 1 true, 0 false, -1 neither. */
int md_filter_bool(const char *value);

#endif
