/* Published ports: -p parsing into docker's HostConfig.PortBindings, and at
 * each start the reservation of host ports (a registry under
 * /run/mydocker/ports plus a bind() test, as docker) and their DNAT map
 * elements. The registry lives in /run like the ruleset lives in the kernel:
 * both are gone after a reboot, together. */
#ifndef MD_NET_PORTS_H
#define MD_NET_PORTS_H

#include <stdint.h>

#include "util/error.h"

struct json_object;

/* One -p value: "[IP:][HOSTPORT[-END]:]CPORT[-END][/tcp|udp]". Adds to
 * bindings ({"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}) and exposed. */
int md_ports_parse(const char *spec, struct json_object *bindings, struct json_object *exposed,
                   md_error_t **err);
/* One --expose value: "PORT[-END][/tcp|udp|sctp]"; check only, or add to exposed. */
int md_ports_expose_check(const char *spec, md_error_t **err);
int md_ports_expose(const char *spec, struct json_object *exposed, md_error_t **err);
/* -P: every exposed port without a binding gets a random host port. */
void md_ports_publish_all(struct json_object *bindings, struct json_object *exposed);
/* Reserve the host ports of bindings for container id and program them to
 * ctr_ip. *ports gets docker's NetworkSettings.Ports. Nothing is left on failure. */
int md_ports_publish(const char *id, struct json_object *bindings, struct json_object *exposed,
                     uint32_t ctr_ip, struct json_object **ports, md_error_t **err);
/* Remove every port of container id (registry and map elements). Idempotent. */
void md_ports_release(const char *id);

#endif
