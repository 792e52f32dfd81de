/* A network's bridge: created (with the gateway address, route_localnet, IP
 * forwarding and the firewall elements) when a network is created or first
 * used after a reboot; removed with the network. */
#include "bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/netlink.h"
#include "net/nft.h"
#include "net/store.h"
#include "util/fs.h"

static int write_sysctl(const char *path, const char *value, md_error_t **err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return md_error(err, errno, "open %s", path);
    int r = md_write_all(fd, value, strlen(value));
    close(fd);
    return r < 0 ? md_error(err, -r, "write %s", path) : 0;
}

static int bridge_sysctls(const char *bridge, md_error_t **err)
{
    char path[128];
    /* docker enables forwarding too; without it nothing leaves a container */
    int r = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1", err);
    /* published ports reached on 127.0.0.1: after the output hook's DNAT the
     * packet leaves through the bridge with a loopback source, which the
     * kernel drops unless route_localnet is set on that interface; the
     * postrouting masquerade then gives it the bridge's address */
    snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
    if (r == 0) r = write_sysctl(path, "1", err);
    return r;
}

int md_bridge_up(const struct md_network *n, md_error_t **err)
{
    struct md_nl nl;
    int r = md_nl_open(&nl, err);
    if (r < 0) return r;
    int created = 0, index = md_nl_link_index(&nl, n->bridge);
    if (index < 0) {
        r = md_nl_bridge_create(&nl, n->bridge, n->mtu, err);
        created = r == 0;
        if (r == 0 && (index = md_nl_link_index(&nl, n->bridge)) < 0)
            r = md_error(err, -index, "bridge %s", n->bridge);
    }
    md_error_t *e = NULL;
    if (r == 0 && md_nl_addr_add(&nl, index, n->gateway, n->prefix, &e) < 0) {
        if (e && e->errnum == EEXIST)
            md_error_free(&e);
        else
            *err = e, r = -1;
    }
    if (r == 0) r = md_nl_link_up(&nl, index, err);
    if (r == 0) r = bridge_sysctls(n->bridge, err);
    if (r == 0) r = md_nft_network_add(n, err);
    if (r < 0 && created) md_nl_link_del(&nl, n->bridge, NULL);
    md_nl_close(&nl);
    if (r < 0) md_error_prefix(err, "network %s", n->name);
    return r;
}

int md_bridge_down(const struct md_network *n, md_error_t **err)
{
    int r = md_nft_network_del(n, err);
    struct md_nl nl;
    if (r == 0) r = md_nl_open(&nl, err);
    if (r == 0) {
        r = md_nl_link_del(&nl, n->bridge, err);
        md_nl_close(&nl);
    }
    return r;
}

int md_bridge_exists(const struct md_network *n)
{
    char path[128];
    snprintf(path, sizeof(path), "/sys/class/net/%s", n->bridge);
    return access(path, F_OK) == 0;
}
