#ifndef MD_NET_BRIDGE_H
#define MD_NET_BRIDGE_H

#include "util/error.h"

struct md_network;

/* Create (when missing) and configure the network's bridge and firewall
 * elements. Idempotent; a bridge it created is removed again on failure. */
int md_bridge_up(const struct md_network *n, md_error_t **err);
/* Firewall elements and bridge gone (the bridge must have no ports left). */
int md_bridge_down(const struct md_network *n, md_error_t **err);
/* Cheap check (a stat in sysfs) used on every start. */
int md_bridge_exists(const struct md_network *n);

#endif
