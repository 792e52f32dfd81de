/* The firewall: one table of our own, `inet mydocker`, with a constant set
 * of rules that read sets and maps (docs/network.md). A network is a few set
 * elements, a published port is one map element: adding a container never
 * adds a rule, so its cost does not grow with the number of containers.
 * libnftables is dlopen'ed on first use: linking it would cost every start
 * +0.35 ms, and most starts (no new network, no published port) never need it. */
#ifndef MD_NET_NFT_H
#define MD_NET_NFT_H

#include "util/error.h"

struct md_network;

#define MD_NFT_TABLE "inet mydocker"

/* `mydocker __nft-run`: the batch on stdin run here, the result reported on stdout (the helper
 * a threaded caller's md_nft_run execs) */
int md_nft_helper_main(void);
/* Run an nft command batch (one transaction: all or nothing). */
int md_nft_run(const char *cmds, md_error_t **err);
/* The table, its sets, maps, rules and guards (CVE-2020-8558, docker's
 * filter of unpublished ports), each part when missing. */
int md_nft_table_ensure(md_error_t **err);
/* The same, once per boot (a marker under /run): a table made by an older
 * mydocker gets the guards at the next container start. */
int md_nft_guards_ensure(md_error_t **err);
/* The table (md_nft_table_ensure), then the network's elements. */
int md_nft_network_add(const struct md_network *n, md_error_t **err);
int md_nft_network_del(const struct md_network *n, md_error_t **err);

#endif
