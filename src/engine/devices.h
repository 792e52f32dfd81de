/* Devices of an engine container (docker's defaults, --device,
 * --device-cgroup-rule, --privileged): see docs/security.md, "Devices". */
#ifndef MD_ENGINE_DEVICES_H
#define MD_ENGINE_DEVICES_H

#include "util/error.h"

struct json_object;

/* --device HOST[:CONTAINER][:PERMISSIONS] */
struct md_device_map {
    char *host, *container;
    char access[4]; /* "rwm" by default */
};

/* docker's parseDevice; the error is docker's "bad format for path". */
int md_device_parse(const char *spec, struct md_device_map *out, md_error_t **err);
void md_device_map_free(struct md_device_map *d);
/* "c 1:3 mr", "b *:* m", "a *:* rwm" (docker's format) as an OCI rule. */
int md_device_cgroup_rule_json(const char *rule, struct json_object **out, md_error_t **err);
int md_device_cgroup_rule_check(const char *rule, md_error_t **err);

struct md_devices_in {
    int privileged;
    char *const *devices;      /* --device values, NULL-terminated (or NULL) */
    char *const *cgroup_rules; /* --device-cgroup-rule values */
};

/* linux.devices (*devs) and linux.resources.devices (*rules): docker's
 * default allowlist, then each --device (a directory gives the devices in
 * it), then each rule; --privileged: every host device and "allow all". */
int md_devices_json(const struct md_devices_in *in, struct json_object **devs,
                    struct json_object **rules, md_error_t **err);

#endif
