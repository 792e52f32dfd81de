/* A published port's map element, added and deleted by one nfnetlink batch built here with
 * libmnl, as the kernel's UAPI (linux/netfilter/nf_tables.h) lays it out. libnftables took
 * ~4 ms for each: its load, then on a fresh context a cache of every table, chain and set of
 * the host before it could parse one `add element`; the batch itself is ~0.1 ms. The maps are
 * the table's own (net/nft.c), so their layout is known: a concatenation puts each field in
 * a 32-bit register of its own, big-endian values first, zero-padded.
 *   ports_any: inet_proto . inet_service             : ipv4_addr . inet_service
 *   ports_ip:  ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
 * A deleting transaction makes the socket's close wait for an RCU grace period (~7 ms here),
 * so a delete runs in a detached grandchild that reports and then exits; the batch is built
 * before the fork and the child makes system calls only (safe in a threaded caller too). */
#include "net/nft_ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/proc.h"

#define BATCH_SIZE 65536
#define MAX_PORTS 256

static struct nlmsghdr *put_msg(struct mnl_nlmsg_batch *b, uint16_t type, uint16_t flags,
                                uint32_t seq, uint8_t family, uint16_t res_id)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    nlh->nlmsg_seq = seq;
    struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
    g->nfgen_family = family;
    g->version = NFNETLINK_V0;
    g->res_id = htons(res_id);
    return nlh;
}

/* the key's registers: [addr] . proto . port */
static size_t key_of(const struct md_nft_port *p, uint8_t *k)
{
    size_t n = 0;
    memset(k, 0, 12);
    if (p->ip) memcpy(k, &p->ip, 4), n = 4;
    k[n] = (uint8_t)p->proto;
    uint16_t port = htons(p->port);
    memcpy(k + n + 4, &port, 2);
    return n + 8;
}

static void put_value(struct nlmsghdr *nlh, uint16_t type, const void *v, size_t len)
{
    struct nlattr *nest = mnl_attr_nest_start(nlh, type);
    mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
    mnl_attr_nest_end(nlh, nest);
}

/* libnftnl's user data for an element: a comment TLV (type 0), `nft list` shows it */
static void put_comment(struct nlmsghdr *nlh, const char *comment)
{
    uint8_t ud[2 + 64];
    size_t len = strnlen(comment, 63) + 1;
    ud[0] = 0;
    ud[1] = (uint8_t)len;
    memcpy(ud + 2, comment, len - 1);
    ud[2 + len - 1] = '\0';
    mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA, 2 + len, ud);
}

static void put_element(struct mnl_nlmsg_batch *b, int add, const struct md_nft_port *p,
                        uint32_t seq, int ack)
{
    uint16_t type = (NFNL_SUBSYS_NFTABLES << 8) | (add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
    struct nlmsghdr *nlh =
        put_msg(b, type, (add ? NLM_F_CREATE : 0) | (ack ? NLM_F_ACK : 0), seq, NFPROTO_INET, 0);
    mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, "mydocker");
    mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, p->ip ? "ports_ip" : "ports_any");
    struct nlattr *list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
    struct nlattr *el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
    uint8_t key[12];
    put_value(nlh, NFTA_SET_ELEM_KEY, key, key_of(p, key));
    if (add) {
        uint8_t data[8] = {0};
        uint16_t port = htons(p->ctr_port);
        memcpy(data, &p->ctr_ip, 4);
        memcpy(data + 4, &port, 2);
        put_value(nlh, NFTA_SET_ELEM_DATA, data, sizeof(data));
        if (p->comment && *p->comment) put_comment(nlh, p->comment);
    }
    mnl_attr_nest_end(nlh, el);
    mnl_attr_nest_end(nlh, list);
    mnl_nlmsg_batch_next(b);
}

/* the batch: begin, an element each (the last one acked), end; NULL when it does not fit */
static struct mnl_nlmsg_batch *build(char *buf, int add, const struct md_nft_port *v, size_t n,
                                     uint32_t *last_seq)
{
    if (n > MAX_PORTS) return NULL; /* an element's message is < 200 bytes */
    struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, BATCH_SIZE);
    uint32_t seq = (uint32_t)time(NULL);
    put_msg(b, NFNL_MSG_BATCH_BEGIN, 0, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    mnl_nlmsg_batch_next(b);
    for (size_t i = 0; i < n; i++) {
        *last_seq = seq;
        put_element(b, add, &v[i], seq++, i + 1 == n);
    }
    put_msg(b, NFNL_MSG_BATCH_END, 0, seq, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    mnl_nlmsg_batch_next(b);
    return b;
}

/* send the batch; 0, or -errno of the first failing message. System calls only. The socket
 * is left to the caller (*sock), whose close may wait. */
static int transact(const void *batch, size_t len, uint32_t last_seq, int *sock)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    *sock = fd;
    if (fd < 0) return -errno;
    struct timeval tv = {2, 0}; /* an aborted batch acks nothing: do not wait for good */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    int r = 0;
    if (sendto(fd, batch, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) r = -errno;
    char buf[8192];
    while (r == 0) {
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        if (got < 0) {
            r = errno == EINTR ? 0 : -errno;
            if (r == 0) continue;
            break;
        }
        int done = 0, left = (int)got;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, left);
             h = mnl_nlmsg_next(h, &left)) {
            if (h->nlmsg_type != NLMSG_ERROR) continue;
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
            if (e->error != 0) {
                r = e->error;
                break;
            }
            if (h->nlmsg_seq == last_seq) done = 1;
        }
        if (done) break;
    }
    return r;
}

int md_nft_ports_add(const struct md_nft_port *v, size_t n, md_error_t **err)
{
    if (n == 0) return 0;
    char *buf = malloc(BATCH_SIZE);
    uint32_t last = 0;
    struct mnl_nlmsg_batch *b = buf ? build(buf, 1, v, n, &last) : NULL;
    if (b == NULL) {
        free(buf);
        return md_error(err, ENOMEM, "firewall: ports");
    }
    int sock = -1;
    int r = transact(mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b), last, &sock);
    if (sock >= 0) close(sock); /* an adding transaction's close does not wait */
    mnl_nlmsg_batch_stop(b);
    free(buf);
    return r < 0 ? md_error(err, -r, "firewall: publish ports") : 0;
}

struct batch {
    const void *buf;
    size_t len;
    uint32_t last_seq;
};

/* in a detached grandchild (util/proc.h): the close of a socket that deleted waits for RCU */
static int transact_batch(void *arg)
{
    const struct batch *b = arg;
    int sock = -1;
    return transact(b->buf, b->len, b->last_seq, &sock); /* the socket closes after the report */
}

static int transact_detached(struct mnl_nlmsg_batch *b, uint32_t last_seq)
{
    struct batch x = {mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b), last_seq};
    int r = 0;
    return md_run_detached_report(transact_batch, &x, &r) < 0 ? -EPIPE : r;
}

int md_nft_ports_delete(const struct md_nft_port *v, size_t n)
{
    if (n == 0) return 0;
    char *buf = malloc(BATCH_SIZE);
    uint32_t last = 0;
    struct mnl_nlmsg_batch *b = buf ? build(buf, 0, v, n, &last) : NULL;
    int r = b ? transact_detached(b, last) : -ENOMEM;
    if (b) mnl_nlmsg_batch_stop(b);
    /* one was gone already (a flushed ruleset) and the batch failed as a whole: one by one */
    for (size_t i = 0; b && r == -ENOENT && n > 1 && i < n; i++) {
        struct mnl_nlmsg_batch *one = build(buf, 0, &v[i], 1, &last);
        transact_detached(one, last);
        mnl_nlmsg_batch_stop(one);
    }
    free(buf);
    return r;
}
