/* Wiring a container into its networks at start, and unwiring it.
 *
 * Per network, under the network's lock: lease an address, create the veth
 * with its peer directly inside the container's namespace (IFLA_NET_NS_FD:
 * ~0.5 ms, where moving a link costs ~17 ms), the host end enslaved to the
 * bridge and up in the same message, then address and default route through
 * a netlink socket opened inside the namespace, then the members' /etc/hosts.
 * On exit the veth is left to the namespace's teardown, which removes the
 * pair some ms after the container's last process is gone; `rm` deletes
 * what is still there (md_net_veths_gone), so that no veth is listed once
 * it returns. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "store/cstore.h"
#include "store/ctr.h"
#include "net/nft.h"
#include "net/bridge.h"
#include "net/hosts.h"
#include "net/netlink.h"
#include "net/ports.h"
#include "net/store.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/trace.h"
#include "util/xalloc.h"
#include "util/strv.h"

struct wiring {
    struct md_ctr *c;
    pid_t pid; /* the container's PID 1 */
    int nsfd;
    struct md_nl host, ctr;
    int ctr_open;
    uint32_t primary_ip;
    int primary_internal;
};

static struct json_object *jget(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *jstr(struct json_object *o, const char *k)
{
    struct json_object *v = jget(o, k);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static struct json_object *obj(struct json_object *parent, const char *k)
{
    struct json_object *v = jget(parent, k);
    if (v == NULL || !json_object_is_type(v, json_type_object)) {
        v = json_object_new_object();
        json_object_object_add(parent, k, v);
    }
    return v;
}

static const char *net_mode(struct json_object *record)
{
    const char *m = jstr(jget(record, "HostConfig"), "NetworkMode");
    return m ? m : "none";
}

static int mode_wires(const char *m)
{
    return strcmp(m, "none") != 0 && strcmp(m, "host") != 0 && strncmp(m, "container:", 10) != 0;
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char b[32];
    if (bytes > sizeof(b) || getrandom(b, bytes, 0) != (ssize_t)bytes) memset(b, 0, sizeof(b));
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int parse_mac(const char *s, unsigned char mac[6])
{
    unsigned int v[6];
    if (s == NULL ||
        sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (unsigned char)v[i];
    return 0;
}

/* A fresh veth name each time: the previous start's pair may still be
 * waiting for its namespace's teardown under a name derived from the id. */
static int make_veth(struct wiring *w, struct md_network *n, int eth, const unsigned char mac[6],
                     char veth[16], md_error_t **err)
{
    int master = md_nl_link_index(&w->host, n->bridge);
    if (master < 0) return md_error(err, -master, "bridge %s", n->bridge);
    char peer[16];
    snprintf(peer, sizeof(peer), "eth%d", eth);
    for (int attempt = 0;; attempt++) {
        char hex[9];
        random_hex(hex, 4);
        snprintf(veth, 16, "veth%.7s", hex);
        struct md_veth v = {.host_name = veth,
                            .master = master,
                            .mtu = n->mtu,
                            .peer_name = peer,
                            .peer_ns_fd = w->nsfd,
                            .peer_mac = mac};
        md_error_t *e = NULL;
        int r = md_nl_veth_create(&w->host, &v, &e);
        if (r == 0 || attempt == 3 || !e || e->errnum != EEXIST) {
            if (r < 0) *err = e;
            return r;
        }
        md_error_free(&e);
    }
}

/* Inside the container: address on ethN, default route on the primary network. */
static int configure_inside(struct wiring *w, int eth, uint32_t ip, struct md_network *n,
                            int primary, md_error_t **err)
{
    if (!w->ctr_open) {
        int r = md_nl_open_in_ns(&w->ctr, w->nsfd, err);
        if (r < 0) return r;
        w->ctr_open = 1;
    }
    char peer[16];
    snprintf(peer, sizeof(peer), "eth%d", eth);
    int index = md_nl_link_index(&w->ctr, peer);
    if (index < 0) return md_error(err, -index, "%s in the container", peer);
    int r = md_nl_link_up(&w->ctr, index, err);
    if (r == 0) r = md_nl_addr_add(&w->ctr, index, ip, n->prefix, err);
    if (r == 0 && primary) r = md_nl_route_default(&w->ctr, index, n->gateway, err);
    return r;
}

/* What the lease records besides the address: names for the members'
 * /etc/hosts, the hosts file itself (stores differ: the path, not the id,
 * finds it), and the container's PID 1 so that a lease whose process is
 * gone can be told stale without its store. */
static struct json_object *lease_info(struct md_ctr *c, pid_t pid, struct json_object *ep,
                                      const char *endpoint, const char *mac)
{
    struct json_object *i = json_object_new_object();
    cleanup_free char *hosts = NULL;
    if (asprintf(&hosts, "%s/hosts", c->dir) >= 0)
        json_object_object_add(i, "Hosts", json_object_new_string(hosts));
    json_object_object_add(i, "Pid", json_object_new_int(pid));
    json_object_object_add(i, "PidStart", json_object_new_uint64(md_proc_starttime(pid)));
    const char *host = jstr(jget(c->record, "Config"), "Hostname");
    json_object_object_add(i, "Name", json_object_new_string(c->name));
    json_object_object_add(i, "Hostname", json_object_new_string(host ? host : c->name));
    struct json_object *al = jget(ep, "Aliases");
    json_object_object_add(i, "Aliases", al ? json_object_get(al) : json_object_new_array());
    json_object_object_add(i, "EndpointID", json_object_new_string(endpoint));
    json_object_object_add(i, "Mac", json_object_new_string(mac));
    return i;
}

static void fill_endpoint(struct json_object *ep, struct md_network *n, uint32_t ip,
                          const char *mac, const char *endpoint, const char *veth)
{
    cleanup_free char *ips = md_ip_str(ip), *gw = md_ip_str(n->gateway);
    json_object_object_add(ep, "NetworkID", json_object_new_string(n->id));
    json_object_object_add(ep, "EndpointID", json_object_new_string(endpoint));
    json_object_object_add(ep, "Gateway", json_object_new_string(gw));
    json_object_object_add(ep, "IPAddress", json_object_new_string(ips));
    json_object_object_add(ep, "IPPrefixLen", json_object_new_int(n->prefix));
    json_object_object_add(ep, "MacAddress", json_object_new_string(mac));
    json_object_object_add(ep, "HostVeth", json_object_new_string(veth));
}

static int is_user_net(const struct md_network *n)
{
    return strcmp(n->name, MD_DEFAULT_NETWORK) != 0;
}

static int lease_locked(struct wiring *w, struct md_network *n, struct json_object *ep, int eth,
                        int primary, uint32_t *ip, md_error_t **err)
{
    struct md_ctr *c = w->c;
    uint32_t want = 0;
    int p;
    const char *req = jstr(jget(ep, "IPAMConfig"), "IPv4Address");
    if (req && req[0] && md_cidr_parse(req, &want, &p) < 0)
        return md_error(err, 0, "invalid IP address %s", req);
    char endpoint[65], mac_s[18];
    random_hex(endpoint, 32);
    /* first use since a reboot: the bridge; else the guards, once per boot */
    int r = md_bridge_exists(n) ? md_nft_guards_ensure(err) : md_bridge_up(n, err);
    if (r == 0) r = md_ipam_load(n, err);
    if (r < 0) return r;
    /* the MAC docker derives from the address (02:42 + IPv4) unless given */
    unsigned char mac[6];
    const char *umac = primary ? jstr(jget(c->record, "Config"), "MacAddress") : NULL;
    struct json_object *info = lease_info(c, w->pid, ep, endpoint, "");
    r = md_ipam_lease(n, c->id, want, info, ip, err);
    json_object_put(info);
    if (r < 0) return r;
    uint8_t *b = (uint8_t *)ip;
    if (umac == NULL || parse_mac(umac, mac) < 0)
        mac[0] = 0x02, mac[1] = 0x42, mac[2] = b[0], mac[3] = b[1], mac[4] = b[2], mac[5] = b[3];
    snprintf(mac_s, sizeof(mac_s), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
             mac[4], mac[5]);
    json_object_object_add(md_ipam_find(n, c->id, NULL), "Mac", json_object_new_string(mac_s));
    r = md_ipam_save(n, err);
    md_trace("net: leased");
    char veth[16] = "";
    if (r == 0) r = make_veth(w, n, eth, mac, veth, err);
    md_trace("net: veth");
    if (r == 0) r = configure_inside(w, eth, *ip, n, primary, err);
    md_trace("net: inside");
    if (r < 0) {
        if (veth[0]) md_nl_link_del(&w->host, veth, NULL);
        md_ipam_release(n, c->id);
        md_ipam_save(n, NULL);
        return r;
    }
    md_hosts_refresh(n, is_user_net(n), is_user_net(n) ? NULL : c->id);
    fill_endpoint(ep, n, *ip, mac_s, endpoint, veth);
    return 0;
}

static int attach_one(struct wiring *w, const char *name, struct json_object *ep, int eth,
                      int primary, md_error_t **err)
{
    struct md_network *n = NULL;
    int r = md_network_open(name, &n, err);
    int lock = r == 0 ? md_network_lock(name, err) : -1;
    if (r == 0 && lock < 0) r = lock;
    uint32_t ip = 0;
    if (r == 0) r = lease_locked(w, n, ep, eth, primary, &ip, err);
    if (lock >= 0) close(lock);
    if (r == 0 && primary) {
        w->primary_ip = ip;
        w->primary_internal = n->internal;
    }
    md_network_free(n);
    return r < 0 ? md_error_prefix(err, "network %s", name) : 0;
}

/* docker's top-level NetworkSettings fields mirror the default bridge */
static void mirror_default(struct json_object *ns, struct json_object *ep)
{
    static const char *const keys[] = {"IPAddress", "Gateway", "MacAddress", "IPPrefixLen",
                                       "EndpointID"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct json_object *v = jget(ep, keys[i]);
        json_object_object_add(ns, keys[i], v ? json_object_get(v) : json_object_new_string(""));
    }
}

static int publish(struct wiring *w, struct json_object *ns, md_error_t **err)
{
    struct json_object *hc = jget(w->c->record, "HostConfig"), *ports = NULL;
    struct json_object *bindings = jget(hc, "PortBindings"),
                       *exposed = jget(jget(w->c->record, "Config"), "ExposedPorts");
    if (w->primary_internal) /* docker publishes nothing from an internal network */
        bindings = NULL;
    struct json_object *empty = json_object_new_object();
    int r = md_ports_publish(w->c->id, bindings ? bindings : empty, exposed ? exposed : empty,
                             w->primary_ip, &ports, err);
    json_object_put(empty);
    if (r == 0) json_object_object_add(ns, "Ports", ports);
    return r;
}

/* The network that gets the default route and publishes the ports: the first that is not
 * internal, as docker picks its gateway endpoint (docker-compose 1.29 creates a container on
 * one of its networks, an internal one maybe, and connects the others after); the first one
 * when all are internal (nothing is published then). */
static int gateway_index(struct json_object *nets)
{
    int i = 0, found = -1;
    if (json_object_object_length(nets) < 2) return 0; /* run's usual case: no lookup */
    json_object_object_foreach(nets, name, ep)
    {
        (void)ep;
        struct md_network *n = NULL;
        if (found < 0 && md_network_open(name, &n, NULL) == 0 && !n->internal) found = i;
        md_network_free(n);
        i++;
    }
    return found < 0 ? 0 : found;
}

int md_net_after_clone(pid_t pid, void *data, md_error_t **err)
{
    struct md_ctr *c = data;
    if (!mode_wires(net_mode(c->record))) return 0;
    struct json_object *ns = obj(c->record, "NetworkSettings"), *nets = obj(ns, "Networks");
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
    struct wiring w = {.c = c, .pid = pid};
    w.nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (w.nsfd < 0) return md_error(err, errno, "open %s", path);
    int r = md_nl_open(&w.host, err), eth = 0, gw = gateway_index(nets);
    md_trace("net: start");
    json_object_object_foreach(nets, name, ep)
    {
        if (r < 0) break;
        r = attach_one(&w, name, ep, eth, eth == gw, err);
        md_trace("net: attached");
        if (r == 0 && strcmp(name, MD_DEFAULT_NETWORK) == 0) mirror_default(ns, ep);
        eth++;
    }
    if (r == 0) r = publish(&w, ns, err);
    md_trace("net: ports published");
    if (r == 0) json_object_object_add(ns, "SandboxKey", json_object_new_string(path));
    if (r < 0) {
        /* the namespace dies with the child the runtime now kills, and the
         * veths with it; the leases and hosts entries are ours to undo */
        md_error_t *saved = *err;
        *err = NULL;
        md_net_release(c);
        *err = saved;
    }
    if (w.ctr_open) md_nl_close(&w.ctr);
    md_nl_close(&w.host);
    close(w.nsfd);
    return r;
}

static void clear_endpoint(struct json_object *ep)
{
    static const char *const keys[] = {"EndpointID", "Gateway", "IPAddress", "MacAddress",
                                       "HostVeth"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        json_object_object_add(ep, keys[i], json_object_new_string(""));
    json_object_object_add(ep, "IPPrefixLen", json_object_new_int(0));
}

/* Drop id's lease on network name and tell the other members. */
static void release_one(const char *name, const char *id)
{
    md_error_t *e = NULL;
    char cfg[4200];
    snprintf(cfg, sizeof(cfg), "%s/%s/config.json", md_networks_root(), name);
    if (access(cfg, F_OK) < 0) return; /* no such network (any more): nothing leased there */
    /* only the name is needed: no config.json read on this path (every exit) */
    struct md_network *n = calloc(1, sizeof(*n));
    if (n == NULL || (n->name = strdup(name)) == NULL) {
        free(n);
        return;
    }
    int lock = md_network_lock(name, &e);
    if (lock >= 0 && md_ipam_load(n, &e) == 0 && md_ipam_release(n, id)) {
        md_ipam_save(n, &e);
        if (is_user_net(n)) {
            md_hosts_refresh(n, 1, NULL);
            cleanup_free char *dir = md_container_dir(id), *path = NULL;
            if (dir && asprintf(&path, "%s/hosts", dir) >= 0)
                md_hosts_set_section(path, n->name, NULL, &e);
        }
    }
    md_error_free(&e);
    if (lock >= 0) close(lock);
    md_network_free(n);
}

static int has_ports(struct md_ctr *c)
{
    struct json_object *b = jget(jget(c->record, "HostConfig"), "PortBindings");
    return b && json_object_is_type(b, json_type_object) && json_object_object_length(b) > 0;
}

void md_net_release(struct md_ctr *c)
{
    if (!mode_wires(net_mode(c->record))) return;
    struct json_object *ns = obj(c->record, "NetworkSettings"), *nets = obj(ns, "Networks");
    if (has_ports(c)) md_ports_release(c->id);
    json_object_object_foreach(nets, name, ep)
    {
        release_one(name, c->id);
        clear_endpoint(ep);
        if (strcmp(name, MD_DEFAULT_NETWORK) == 0) mirror_default(ns, ep);
    }
    json_object_object_add(ns, "Ports", json_object_new_object());
    json_object_object_add(ns, "SandboxKey", json_object_new_string(""));
    md_trace("net: released");
}

char **md_net_host_veths(struct md_ctr *c)
{
    char **v = NULL;
    struct json_object *nets = obj(obj(c->record, "NetworkSettings"), "Networks");
    json_object_object_foreach(nets, name, ep)
    {
        (void)name;
        const char *veth = jstr(ep, "HostVeth");
        if (veth && veth[0] && md_strv_append(&v, veth) < 0) break;
    }
    return v;
}

void md_net_veths_gone(char **veths)
{
    struct md_nl nl;
    md_error_t *e = NULL;
    if (veths == NULL || veths[0] == NULL || md_nl_open(&nl, &e) < 0) {
        md_error_free(&e);
        return;
    }
    /* ENODEV when the namespace's teardown got there first: fine */
    for (char **v = veths; *v; v++)
        if (md_nl_link_index(&nl, *v) >= 0 && md_nl_link_del(&nl, *v, &e) < 0) md_error_free(&e);
    md_nl_close(&nl);
}

void md_net_release_id(const char *id)
{
    md_ports_release(id);
    cleanup_strv char **names = md_network_names();
    for (char **n = names; n && *n; n++)
        release_one(*n, id);
}

int md_net_prepare(struct md_ctr *c, struct md_spec *spec, md_error_t **err)
{
    const char *m = net_mode(c->record);
    if (strncmp(m, "container:", 10) != 0) return 0;
    struct md_ctr *t = NULL;
    int r = md_ctr_load(m + 10, &t, err);
    if (r < 0) return md_error_prefix(err, "joining network namespace of container");
    if (t->status != MD_CTR_RUNNING && t->status != MD_CTR_PAUSED)
        r = md_error(err, 0, "cannot join network namespace of a non running container: %s",
                     t->name);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)t->pid);
    if (r == 0) {
        /* its hosts and resolv.conf too, as docker shares them */
        static const char *const files[] = {"hosts", "resolv.conf"};
        for (size_t i = 0; r == 0 && i < 2; i++) {
            /* a container without them resolves nothing: an error, not a silent skip */
            char src[4200], dst[4200];
            cleanup_free char *text = NULL;
            snprintf(src, sizeof(src), "%s/%s", t->dir, files[i]);
            snprintf(dst, sizeof(dst), "%s/%s", c->dir, files[i]);
            r = md_read_file(src, &text, NULL, err);
            if (r == 0) r = md_write_file_atomic(dst, text, strlen(text), 0644, 0, err);
            if (r < 0) md_error_prefix(err, "joining network namespace of container %s", t->name);
        }
        free(spec->ns[MD_NS_NET].path);
        spec->ns[MD_NS_NET].present = 1;
        spec->ns[MD_NS_NET].path = md_xstrdup(path);
    }
    md_ctr_free(t);
    return r;
}

/* re-reads the record too: call it before holding pointers into it */
static int running(struct md_ctr *c)
{
    md_ctr_read_and_settle(c);
    return (c->status == MD_CTR_RUNNING || c->status == MD_CTR_PAUSED) && c->pid > 0;
}

/* the first ethN free inside the container */
static int free_eth(struct wiring *w, md_error_t **err)
{
    if (!w->ctr_open) {
        int r = md_nl_open_in_ns(&w->ctr, w->nsfd, err);
        if (r < 0) return r;
        w->ctr_open = 1;
    }
    for (int i = 0; i < 1000; i++) {
        char name[16];
        snprintf(name, sizeof(name), "eth%d", i);
        if (md_nl_link_index(&w->ctr, name) < 0) return i;
    }
    return md_error(err, 0, "no free interface name in the container");
}

static int connect_running(struct md_ctr *c, const char *net, struct json_object *ep,
                           md_error_t **err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c->pid);
    struct wiring w = {.c = c, .pid = c->pid};
    w.nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (w.nsfd < 0) return md_error(err, errno, "open %s", path);
    int r = md_nl_open(&w.host, err);
    int eth = r == 0 ? free_eth(&w, err) : -1;
    if (r == 0 && eth < 0) r = eth;
    if (r == 0) r = attach_one(&w, net, ep, eth, eth == 0, err);
    if (r == 0 && strcmp(net, MD_DEFAULT_NETWORK) == 0)
        mirror_default(obj(c->record, "NetworkSettings"), ep);
    if (w.ctr_open) md_nl_close(&w.ctr);
    md_nl_close(&w.host);
    close(w.nsfd);
    return r;
}

int md_net_connect(struct md_ctr *c, const char *net, const char *ip, char **aliases,
                   md_error_t **err)
{
    int live = running(c); /* first: a refresh re-reads the record */
    const char *m = net_mode(c->record);
    if (!mode_wires(m))
        return md_error(
            err, 0, "container cannot be connected to network %s: its network mode is %s", net, m);
    struct md_network *n = NULL;
    int r = md_network_open(net, &n, err);
    md_network_free(n);
    if (r < 0) return r;
    struct json_object *nets = obj(obj(c->record, "NetworkSettings"), "Networks");
    if (jget(nets, net))
        return md_error(err, 0, "endpoint with name %s already exists in network %s", c->name, net);
    if ((ip || aliases) && strcmp(net, MD_DEFAULT_NETWORK) == 0)
        return md_error(
            err, 0,
            "user specified IP address and aliases are supported on user defined networks only");
    struct json_object *ep = json_object_new_object(), *al = json_object_new_array();
    for (char **a = aliases; a && *a; a++)
        json_object_array_add(al, json_object_new_string(*a));
    json_object_object_add(ep, "Aliases", al);
    if (ip) {
        struct json_object *ipam = json_object_new_object();
        json_object_object_add(ipam, "IPv4Address", json_object_new_string(ip));
        json_object_object_add(ep, "IPAMConfig", ipam);
    } else {
        json_object_object_add(ep, "IPAMConfig", NULL);
    }
    clear_endpoint(ep);
    json_object_object_add(nets, net, ep);
    if (live && (r = connect_running(c, net, ep, err)) < 0) json_object_object_del(nets, net);
    if (r == 0) md_network_event("connect", net, c->id);
    return r;
}

int md_net_disconnect(struct md_ctr *c, const char *net, md_error_t **err)
{
    int live = running(c); /* first: a refresh re-reads the record */
    struct json_object *ns = obj(c->record, "NetworkSettings"), *nets = obj(ns, "Networks");
    struct json_object *ep = jget(nets, net);
    if (ep == NULL)
        return md_error(err, 0, "container %s is not connected to network %s", c->name, net);
    const char *veth = jstr(ep, "HostVeth");
    if (live && veth && veth[0]) {
        /* the one place a veth is deleted on purpose (~18 ms): the
         * container lives on, so no namespace teardown will do it */
        struct md_nl nl;
        int r = md_nl_open(&nl, err);
        if (r == 0) {
            r = md_nl_link_del(&nl, veth, err);
            md_nl_close(&nl);
        }
        if (r < 0) return r;
    }
    release_one(net, c->id);
    if (strcmp(net, MD_DEFAULT_NETWORK) == 0) {
        clear_endpoint(ep);
        mirror_default(ns, ep);
    }
    json_object_object_del(nets, net);
    md_network_event("disconnect", net, c->id);
    return 0;
}
