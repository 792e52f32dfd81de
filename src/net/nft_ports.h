/* Published ports' map elements in the table's ports_any / ports_ip maps, by one nfnetlink
 * batch each (net/nft_ports.c); the table must exist (md_nft_table_ensure). */
#ifndef MD_NET_NFT_PORTS_H
#define MD_NET_NFT_PORTS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct md_nft_port {
    uint32_t ip;         /* the host address (network order); 0: every address (ports_any) */
    int proto;           /* IPPROTO_TCP / IPPROTO_UDP */
    int port;            /* the host port */
    uint32_t ctr_ip;     /* the container's address (network order); add only */
    int ctr_port;        /* add only */
    const char *comment; /* add only: shown by `nft list` (the container's short id) */
};

/* All or none. */
int md_nft_ports_add(const struct md_nft_port *v, size_t n, md_error_t **err);
/* Best effort, each: 0, or -errno of the batch (a missing element: the rest one by one). */
int md_nft_ports_delete(const struct md_nft_port *v, size_t n);

#endif
