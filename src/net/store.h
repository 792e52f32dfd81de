/* Networks on disk (docs/network.md), host-wide whatever MYDOCKER_ROOT says:
 *   /var/lib/mydocker/networks/<name>/config.json  the network (written once)
 *   /var/lib/mydocker/networks/<name>/ipam.json    leases: ip -> container, name, aliases
 *   /var/lib/mydocker/networks/<name>/lock         flock: every change of ipam.json and
 *                                                  of the members' /etc/hosts
 * ipam.json carries the boot id: after a reboot every lease is stale (the
 * containers died with the kernel) and the file starts empty again. */
#ifndef MD_NET_STORE_H
#define MD_NET_STORE_H

#include <stdint.h>

#include "util/error.h"

struct json_object;

#define MD_DEFAULT_NETWORK "bridge"
#define MD_DEFAULT_BRIDGE "mydocker0"

struct md_network {
    char *name, *id, *bridge, *created;
    uint32_t subnet, gateway; /* network byte order */
    int prefix;
    int internal;
    unsigned int mtu;
    struct json_object *ipam;   /* loaded by md_ipam_load */
    struct json_object *labels; /* docker's Labels (owned), NULL when none */
};

const char *md_networks_root(void);
/* docker's network connect / disconnect event: Actor the network, attributes container, name
 * and type */
void md_network_event(const char *action, const char *name, const char *container);
int md_network_valid_name(const char *name);
int md_network_load(const char *name, struct md_network **out, md_error_t **err);
int md_network_save(const struct md_network *n, md_error_t **err);
void md_network_free(struct md_network *n);
/* Every stored network name, sorted; NULL-terminated. */
char **md_network_names(void);
/* Exclusive flock on the network; returns the fd. */
int md_network_lock(const char *name, md_error_t **err);
/* A free private /16 (172.17..31, then 192.168.x.0/20 as docker) overlapping
 * neither a host route/address nor another network. */
int md_subnet_pick(uint32_t *subnet, int *prefix, md_error_t **err);
/* 0, or an error naming what the subnet overlaps. */
int md_subnet_check(uint32_t subnet, int prefix, const char *except, md_error_t **err);
int md_cidr_parse(const char *s, uint32_t *addr, int *prefix);
char *md_ip_str(uint32_t a); /* static buffer per call site is not thread-safe: caller frees */

/* IPAM, called with the network's lock held. */
int md_ipam_load(struct md_network *n, md_error_t **err);
int md_ipam_save(struct md_network *n, md_error_t **err);
/* Lease an address for container id (want: 0 for any, else that one). The
 * lease also records name, hostname and aliases for /etc/hosts. */
int md_ipam_lease(struct md_network *n, const char *id, uint32_t want, struct json_object *info,
                  uint32_t *ip, md_error_t **err);
/* Drop id's lease; returns 1 when there was one. */
int md_ipam_release(struct md_network *n, const char *id);
/* The lease object of id, or NULL; *ip gets its address. */
struct json_object *md_ipam_find(struct md_network *n, const char *id, uint32_t *ip);
int md_ipam_count(struct md_network *n);

#endif
