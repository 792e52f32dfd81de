/* rtnetlink through libmnl: links, addresses, routes. Never `ip`.
 * A socket belongs to the network namespace it was created in, so the
 * container's side is configured through a socket opened inside its netns
 * (md_nl_open_in_ns) rather than by moving links between namespaces
 * (~17 ms each, an RCU grace period). */
#ifndef MD_NET_NETLINK_H
#define MD_NET_NETLINK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct mnl_socket;

struct md_nl {
    struct mnl_socket *sk;
    unsigned int seq, portid;
};

struct md_prefix {
    uint32_t addr; /* network byte order */
    int len;
};

struct md_veth {
    const char *host_name; /* in our namespace, enslaved to master and up */
    int master;            /* bridge ifindex */
    unsigned int mtu;
    const char *peer_name; /* "eth0": created directly inside peer_ns_fd */
    int peer_ns_fd;
    const unsigned char *peer_mac; /* 6 bytes or NULL */
};

int md_nl_open(struct md_nl *nl, md_error_t **err);
/* A socket inside the namespace nsfd; the calling thread returns to its own. */
int md_nl_open_in_ns(struct md_nl *nl, int nsfd, md_error_t **err);
void md_nl_close(struct md_nl *nl);

/* ifindex of name in the socket's namespace, or -ENODEV */
int md_nl_link_index(struct md_nl *nl, const char *name);
int md_nl_bridge_create(struct md_nl *nl, const char *name, unsigned int mtu, md_error_t **err);
int md_nl_link_del(struct md_nl *nl, const char *name, md_error_t **err);
int md_nl_link_up(struct md_nl *nl, int ifindex, md_error_t **err);
/* IPv4 address with its broadcast */
int md_nl_addr_add(struct md_nl *nl, int ifindex, uint32_t addr, int prefix, md_error_t **err);
int md_nl_route_default(struct md_nl *nl, int ifindex, uint32_t gw, md_error_t **err);
/* One message: the pair, the host end enslaved and up, the peer (down) in its netns. */
int md_nl_veth_create(struct md_nl *nl, const struct md_veth *v, md_error_t **err);
/* Every IPv4 route destination and address prefix of the namespace (all
 * tables), default routes left out: what a new subnet must not overlap. */
int md_nl_ipv4_prefixes(struct md_nl *nl, struct md_prefix **out, size_t *n, md_error_t **err);

/* The first IPv4 address of a link (-ENOENT: none). */
int md_nl_link_ipv4(struct md_nl *nl, int ifindex, uint32_t *addr, int *prefix);

#endif
