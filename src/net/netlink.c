#include "netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

/* one request: a few attributes; MNL_SOCKET_BUFFER_SIZE is not a constant */
#define NL_BUF 4096

int md_nl_open(struct md_nl *nl, md_error_t **err)
{
    nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (nl->sk == NULL) return md_error(err, errno, "netlink socket");
    if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(nl->sk);
        nl->sk = NULL;
        return md_error(err, e, "netlink bind");
    }
    nl->portid = mnl_socket_get_portid(nl->sk);
    nl->seq = (unsigned int)time(NULL);
    return 0;
}

int md_nl_open_in_ns(struct md_nl *nl, int nsfd, md_error_t **err)
{
    cleanup_close int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0) return md_error(err, errno, "open own network namespace");
    if (setns(nsfd, CLONE_NEWNET) < 0)
        return md_error(err, errno, "enter the container's network namespace");
    int r = md_nl_open(nl, err);
    if (setns(self, CLONE_NEWNET) < 0) {
        /* cannot happen short of a kernel bug; staying in the container's
         * namespace would be worse than failing */
        if (r == 0) md_nl_close(nl);
        return md_error(err, errno, "return to own network namespace");
    }
    return r;
}

void md_nl_close(struct md_nl *nl)
{
    if (nl->sk) mnl_socket_close(nl->sk);
    nl->sk = NULL;
}

/* Send one request, read until its ack (or error). cb sees data replies. */
static int nl_talk(struct md_nl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
    h->nlmsg_seq = ++nl->seq;
    h->nlmsg_flags |= NLM_F_ACK;
    if (mnl_socket_sendto(nl->sk, h, h->nlmsg_len) < 0) return -errno;
    char buf[16384];
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
        if (n < 0) return errno == ENOBUFS ? -ENOBUFS : -errno;
        int r = mnl_cb_run(buf, (size_t)n, h->nlmsg_seq, nl->portid, cb, data);
        if (r <= MNL_CB_STOP) return r < 0 ? -errno : 0;
    }
}

static struct nlmsghdr *link_msg(char *buf, int type, int flags, struct ifinfomsg **ifi)
{
    struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
    h->nlmsg_type = (uint16_t)type;
    h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
    *ifi = mnl_nlmsg_put_extra_header(h, sizeof(**ifi));
    (*ifi)->ifi_family = AF_UNSPEC;
    return h;
}

static int index_cb(const struct nlmsghdr *h, void *data)
{
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
    *(int *)data = ifi->ifi_index;
    return MNL_CB_OK;
}

int md_nl_link_index(struct md_nl *nl, const char *name)
{
    char buf[NL_BUF];
    struct ifinfomsg *ifi;
    struct nlmsghdr *h = link_msg(buf, RTM_GETLINK, 0, &ifi);
    mnl_attr_put_strz(h, IFLA_IFNAME, name);
    int index = -ENODEV;
    int r = nl_talk(nl, h, index_cb, &index);
    return r < 0 ? r : index;
}

int md_nl_bridge_create(struct md_nl *nl, const char *name, unsigned int mtu, md_error_t **err)
{
    char buf[NL_BUF];
    struct ifinfomsg *ifi;
    struct nlmsghdr *h = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi);
    mnl_attr_put_strz(h, IFLA_IFNAME, name);
    if (mtu) mnl_attr_put_u32(h, IFLA_MTU, mtu);
    struct nlattr *li = mnl_attr_nest_start(h, IFLA_LINKINFO);
    mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
    mnl_attr_nest_end(h, li);
    int r = nl_talk(nl, h, NULL, NULL);
    return r < 0 ? md_error(err, -r, "create bridge %s", name) : 0;
}

int md_nl_link_del(struct md_nl *nl, const char *name, md_error_t **err)
{
    char buf[NL_BUF];
    struct ifinfomsg *ifi;
    struct nlmsghdr *h = link_msg(buf, RTM_DELLINK, 0, &ifi);
    mnl_attr_put_strz(h, IFLA_IFNAME, name);
    int r = nl_talk(nl, h, NULL, NULL);
    if (r == -ENODEV) return 0;
    return r < 0 ? md_error(err, -r, "delete link %s", name) : 0;
}

int md_nl_link_up(struct md_nl *nl, int ifindex, md_error_t **err)
{
    char buf[NL_BUF];
    struct ifinfomsg *ifi;
    struct nlmsghdr *h = link_msg(buf, RTM_NEWLINK, 0, &ifi);
    ifi->ifi_index = ifindex;
    ifi->ifi_flags = ifi->ifi_change = IFF_UP;
    int r = nl_talk(nl, h, NULL, NULL);
    return r < 0 ? md_error(err, -r, "set link %d up", ifindex) : 0;
}

int md_nl_addr_add(struct md_nl *nl, int ifindex, uint32_t addr, int prefix, md_error_t **err)
{
    char buf[NL_BUF];
    struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
    h->nlmsg_type = RTM_NEWADDR;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (unsigned char)prefix;
    ifa->ifa_index = (unsigned int)ifindex;
    uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
    uint32_t brd = addr | ~mask;
    mnl_attr_put_u32(h, IFA_LOCAL, addr);
    mnl_attr_put_u32(h, IFA_ADDRESS, addr);
    mnl_attr_put_u32(h, IFA_BROADCAST, brd);
    int r = nl_talk(nl, h, NULL, NULL);
    return r < 0 ? md_error(err, -r, "add address") : 0;
}

int md_nl_route_default(struct md_nl *nl, int ifindex, uint32_t gw, md_error_t **err)
{
    char buf[NL_BUF];
    struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
    h->nlmsg_type = RTM_NEWROUTE;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
    struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
    rt->rtm_family = AF_INET;
    rt->rtm_table = RT_TABLE_MAIN;
    rt->rtm_protocol = RTPROT_BOOT;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNICAST;
    mnl_attr_put_u32(h, RTA_GATEWAY, gw);
    mnl_attr_put_u32(h, RTA_OIF, (uint32_t)ifindex);
    int r = nl_talk(nl, h, NULL, NULL);
    return r < 0 ? md_error(err, -r, "add default route") : 0;
}

int md_nl_veth_create(struct md_nl *nl, const struct md_veth *v, md_error_t **err)
{
    char buf[NL_BUF];
    struct ifinfomsg *ifi;
    struct nlmsghdr *h = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi);
    ifi->ifi_flags = ifi->ifi_change = IFF_UP;
    mnl_attr_put_strz(h, IFLA_IFNAME, v->host_name);
    mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)v->master);
    if (v->mtu) mnl_attr_put_u32(h, IFLA_MTU, v->mtu);
    struct nlattr *li = mnl_attr_nest_start(h, IFLA_LINKINFO);
    mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
    struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
    struct nlattr *peer = mnl_attr_nest_start(h, VETH_INFO_PEER);
    /* the peer's ifinfomsg sits in the attribute payload, its attributes follow */
    struct ifinfomsg *pifi = mnl_nlmsg_get_payload_tail(h);
    h->nlmsg_len += MNL_ALIGN(sizeof(*pifi));
    memset(pifi, 0, sizeof(*pifi));
    pifi->ifi_family =
        AF_UNSPEC; /* not IFF_UP: veth_open fails (ENOTCONN) before the pair is linked */
    mnl_attr_put_strz(h, IFLA_IFNAME, v->peer_name);
    mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)v->peer_ns_fd);
    if (v->mtu) mnl_attr_put_u32(h, IFLA_MTU, v->mtu);
    if (v->peer_mac) mnl_attr_put(h, IFLA_ADDRESS, 6, v->peer_mac);
    mnl_attr_nest_end(h, peer);
    mnl_attr_nest_end(h, data);
    mnl_attr_nest_end(h, li);
    int r = nl_talk(nl, h, NULL, NULL);
    return r < 0 ? md_error(err, -r, "create veth %s", v->host_name) : 0;
}

struct prefixes {
    struct md_prefix *v;
    size_t n, cap;
    int ifindex; /* addresses of this link only; 0: everything */
};

static int push_prefix(struct prefixes *p, uint32_t addr, int len)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        struct md_prefix *v = realloc(p->v, cap * sizeof(*v));
        if (v == NULL) return MNL_CB_ERROR;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (struct md_prefix){addr, len};
    return MNL_CB_OK;
}

static int prefix_cb(const struct nlmsghdr *h, void *data)
{
    struct prefixes *p = data;
    struct nlattr *a;
    if (h->nlmsg_type == RTM_NEWROUTE) {
        struct rtmsg *rt = mnl_nlmsg_get_payload(h);
        if (rt->rtm_family != AF_INET || rt->rtm_dst_len == 0) return MNL_CB_OK;
        mnl_attr_for_each(a, h, sizeof(*rt)) if (mnl_attr_get_type(a) ==
                                                 RTA_DST) return push_prefix(p, mnl_attr_get_u32(a),
                                                                             rt->rtm_dst_len);
    } else if (h->nlmsg_type == RTM_NEWADDR) {
        struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
        if (ifa->ifa_family != AF_INET || (p->ifindex && (int)ifa->ifa_index != p->ifindex))
            return MNL_CB_OK;
        mnl_attr_for_each(a, h, sizeof(*ifa)) if (mnl_attr_get_type(a) ==
                                                  IFA_LOCAL) return push_prefix(p,
                                                                                mnl_attr_get_u32(a),
                                                                                ifa->ifa_prefixlen);
    }
    return MNL_CB_OK;
}

static int dump(struct md_nl *nl, int type, struct prefixes *p)
{
    char buf[NL_BUF];
    struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
    h->nlmsg_type = (uint16_t)type;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    h->nlmsg_seq = ++nl->seq;
    struct rtgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof(struct rtmsg));
    g->rtgen_family = AF_INET;
    if (mnl_socket_sendto(nl->sk, h, h->nlmsg_len) < 0) return -errno;
    char rbuf[32768];
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl->sk, rbuf, sizeof(rbuf));
        if (n < 0) return -errno;
        int r = mnl_cb_run(rbuf, (size_t)n, h->nlmsg_seq, nl->portid, prefix_cb, p);
        if (r <= MNL_CB_STOP) return r < 0 ? -errno : 0;
    }
}

int md_nl_ipv4_prefixes(struct md_nl *nl, struct md_prefix **out, size_t *n, md_error_t **err)
{
    struct prefixes p = {0};
    int r = dump(nl, RTM_GETROUTE, &p);
    if (r == 0) r = dump(nl, RTM_GETADDR, &p);
    if (r < 0) {
        free(p.v);
        return md_error(err, -r, "list routes");
    }
    *out = p.v;
    *n = p.n;
    return 0;
}

int md_nl_link_ipv4(struct md_nl *nl, int ifindex, uint32_t *addr, int *prefix)
{
    struct prefixes p = {.ifindex = ifindex};
    int r = dump(nl, RTM_GETADDR, &p);
    if (r == 0 && p.n == 0) r = -ENOENT;
    if (r == 0) *addr = p.v[0].addr, *prefix = p.v[0].len;
    free(p.v);
    return r;
}
