/* network create / rm / prune / inspect, and the default network. */
#include "store/events.h"
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "store/ctr.h"
#include "net/bridge.h"
#include "net/netlink.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/xalloc.h"
#include "util/fs.h"
#include "util/time.h"
#include "util/strv.h"

static char *new_id(void)
{
    unsigned char b[32];
    char *s = malloc(65);
    if (s == NULL || getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        free(s);
        return NULL;
    }
    for (int i = 0; i < 32; i++)
        snprintf(s + 2 * i, 3, "%02x", b[i]);
    return s;
}

static char *now_str(void)
{
    return md_time_rfc3339(md_now_ns());
}

/* Held while a network is created or removed: subnet choice and bridge
 * names must not race. Per-network locks are taken inside it, never around. */
static int global_lock(md_error_t **err)
{
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/.lock", md_networks_root()) < 0) return md_error(err, ENOMEM, "lock");
    if (md_mkdir_p(md_networks_root(), 0700, err) < 0) return -1;
    return md_lock_file(path, 1, 0, err);
}

/* mydocker0 exists but its record does not (a store wiped by hand): keep
 * the bridge's address rather than stacking a second subnet on it */
static int adopt_bridge(struct md_network *n)
{
    struct md_nl nl;
    if (md_nl_open(&nl, NULL) < 0) return -1;
    int index = md_nl_link_index(&nl, n->bridge), r = -1;
    uint32_t a;
    int p;
    if (index > 0 && md_nl_link_ipv4(&nl, index, &a, &p) == 0 && p >= 8 && p <= 30) {
        n->prefix = p;
        n->subnet = a & htonl(~0u << (32 - p));
        n->gateway = a;
        r = 0;
    }
    md_nl_close(&nl);
    return r;
}

static int parse_subnet(const struct md_network_create *o, struct md_network *n, md_error_t **err)
{
    if (o->subnet == NULL) return md_subnet_pick(&n->subnet, &n->prefix, err);
    uint32_t a;
    int p;
    if (md_cidr_parse(o->subnet, &a, &p) < 0 || strchr(o->subnet, '/') == NULL || p > 30 || p < 8)
        return md_error(err, 0, "invalid subnet %s: an IPv4 CIDR between /8 and /30 is needed",
                        o->subnet);
    uint32_t mask = htonl(~0u << (32 - p));
    if ((a & mask) != a)
        return md_error(err, 0, "invalid subnet %s: host bits set (did you mean %s?)", o->subnet,
                        "the network address");
    n->subnet = a;
    n->prefix = p;
    return md_subnet_check(a, p, NULL, err);
}

static int parse_gateway(const struct md_network_create *o, struct md_network *n, md_error_t **err)
{
    uint32_t mask = htonl(~0u << (32 - n->prefix));
    if (o->gateway == NULL) {
        n->gateway = n->subnet | htonl(1);
        return 0;
    }
    int p;
    if (md_cidr_parse(o->gateway, &n->gateway, &p) < 0 || p != 32)
        return md_error(err, 0, "invalid gateway %s", o->gateway);
    if ((n->gateway & mask) != n->subnet || n->gateway == n->subnet ||
        n->gateway == (n->subnet | ~mask))
        return md_error(err, 0, "gateway %s is not a usable address of the subnet", o->gateway);
    return 0;
}

/* bridge name: mydocker0 for the default network, br-<12 hex of the id> else */
static void net_event(const char *action, const char *id, const char *name)
{
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "name", json_object_new_string(name));
    json_object_object_add(a, "type", json_object_new_string("bridge"));
    md_event("network", action, id, a);
}

void md_network_event(const char *action, const char *name, const char *container)
{
    struct md_network *n = NULL;
    md_error_t *e = NULL;
    if (md_network_load(name, &n, &e) < 0) md_error_free(&e);
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "container", json_object_new_string(container));
    json_object_object_add(a, "name", json_object_new_string(name));
    json_object_object_add(a, "type", json_object_new_string("bridge"));
    md_event("network", action, n && n->id ? n->id : name, a);
    md_network_free(n);
}

/* "k=v" / "k" entries as docker's Labels object; NULL when there are none */
static struct json_object *labels_object(char *const *kv)
{
    if (kv == NULL || kv[0] == NULL) return NULL;
    struct json_object *m = json_object_new_object();
    for (; *kv; kv++) {
        const char *eq = strchr(*kv, '=');
        cleanup_free char *k = md_xstrndup(*kv, eq ? (size_t)(eq - *kv) : strlen(*kv));
        json_object_object_add(m, k, json_object_new_string(eq ? eq + 1 : ""));
    }
    return m;
}

static int create_locked(const struct md_network_create *o, char **id_out, md_error_t **err)
{
    struct md_network_create dflt = {0};
    if (o == NULL) o = &dflt;
    struct md_network *old = NULL;
    if (md_network_load(o->name, &old, NULL) == 0) {
        md_network_free(old);
        return md_error(err, 0, "network with name %s already exists", o->name);
    }
    struct md_network n = {.mtu = 1500, .internal = o->internal};
    n.name = (char *)o->name;
    cleanup_free char *id = new_id(), *created = now_str(), *bridge = NULL;
    if (id == NULL || created == NULL) return md_error(err, ENOMEM, "network");
    int is_default = strcmp(o->name, MD_DEFAULT_NETWORK) == 0;
    if (asprintf(&bridge, is_default ? "%s" : "br-%.12s", is_default ? MD_DEFAULT_BRIDGE : id) < 0)
        return md_error(err, ENOMEM, "network");
    n.id = id, n.created = created, n.bridge = bridge;
    n.labels = labels_object(o->labels);
    int r = is_default && adopt_bridge(&n) == 0 ? 1 : parse_subnet(o, &n, err);
    if (r == 0) r = parse_gateway(o, &n, err);
    r = r > 0 ? 0 : r;
    if (r == 0) r = md_bridge_up(&n, err);
    if (r == 0 && (r = md_network_save(&n, err)) < 0) md_bridge_down(&n, NULL);
    json_object_put(n.labels);
    if (r < 0) {
        cleanup_free char *dir = NULL;
        if (asprintf(&dir, "%s/%s", md_networks_root(), o->name) >= 0) md_rm_rf(dir, NULL);
        return r;
    }
    if (id_out) *id_out = strdup(id);
    net_event("create", id, o->name);
    return 0;
}

int md_network_create(const struct md_network_create *o, char **id, md_error_t **err)
{
    if (!md_network_valid_name(o->name))
        return md_error(err, 0, "invalid network name \"%s\"", o->name);
    if (strcmp(o->name, "host") == 0 || strcmp(o->name, "none") == 0 ||
        strcmp(o->name, MD_DEFAULT_NETWORK) == 0)
        return md_error(err, 0, "%s is a pre-defined network and cannot be created", o->name);
    if (o->driver && strcmp(o->driver, "bridge") != 0)
        return md_error(err, 0, "plugin \"%s\" not found (only the bridge driver exists)",
                        o->driver);
    int lock = global_lock(err);
    if (lock < 0) return lock;
    int r = create_locked(o, id, err);
    close(lock);
    return r;
}

int md_network_open(const char *name, struct md_network **out, md_error_t **err)
{
    if (md_network_load(name, out, NULL) == 0) return 0;
    if (strcmp(name, MD_DEFAULT_NETWORK) != 0)
        return md_error(err, 0, "network %s not found", name);
    /* the default network is made on first use */
    int lock = global_lock(err);
    if (lock < 0) return lock;
    struct md_network_create o = {.name = MD_DEFAULT_NETWORK};
    int r = md_network_load(name, out, NULL) == 0 ? 0 : create_locked(&o, NULL, err);
    close(lock);
    return r == 0 && *out == NULL ? md_network_load(name, out, err) : r;
}

/* Leases exist only while their container's PID 1 lives; one whose process
 * is gone was left by a mydocker killed before it could release it. */
static int drop_stale_leases(struct md_network *n)
{
    struct json_object *leases = NULL;
    json_object_object_get_ex(n->ipam, "Leases", &leases);
    cleanup_strv char **stale = NULL;
    json_object_object_foreach(leases, ip, l)
    {
        struct json_object *pid, *start;
        if (!json_object_object_get_ex(l, "Pid", &pid) ||
            !json_object_object_get_ex(l, "PidStart", &start) ||
            md_proc_starttime(json_object_get_int(pid)) != json_object_get_uint64(start))
            md_strv_append(&stale, ip);
    }
    for (char **key = stale; key && *key; key++)
        json_object_object_del(leases, *key);
    return stale != NULL;
}

int md_network_remove(const char *name, md_error_t **err)
{
    if (strcmp(name, "host") == 0 || strcmp(name, "none") == 0 ||
        strcmp(name, MD_DEFAULT_NETWORK) == 0)
        return md_error(err, 0, "%s is a pre-defined network and cannot be removed", name);
    int glock = global_lock(err);
    if (glock < 0) return glock;
    struct md_network *n = NULL;
    int r = md_network_load(name, &n, err);
    int lock = r == 0 ? md_network_lock(name, err) : -1;
    if (r == 0 && lock < 0) r = lock;
    if (r == 0) r = md_ipam_load(n, err);
    if (r == 0 && drop_stale_leases(n) && (r = md_ipam_save(n, err)) < 0) r = -1;
    if (r == 0 && md_ipam_count(n) > 0)
        r = md_error(err, 0, "error while removing network: network %s id %s has active endpoints",
                     name, n->id);
    if (r == 0) r = md_bridge_down(n, err);
    if (r == 0) {
        cleanup_free char *dir = NULL;
        if (asprintf(&dir, "%s/%s", md_networks_root(), name) >= 0) r = md_rm_rf(dir, err);
        if (r == 0) net_event("destroy", n->id, name);
    }
    if (lock >= 0) close(lock);
    close(glock);
    md_network_free(n);
    return r;
}

/* A name, a full id or a unique id prefix. */
char *md_network_resolve(const char *ref)
{
    struct md_network *n = NULL;
    if (md_network_load(ref, &n, NULL) == 0) {
        md_network_free(n);
        return strdup(ref);
    }
    cleanup_strv char **names = md_network_names();
    const char *found = NULL;
    int hits = 0;
    size_t len = strlen(ref);
    for (char **nm = names; nm && *nm && len > 0; nm++) {
        if (md_network_load(*nm, &n, NULL) < 0) continue;
        if (strncmp(n->id, ref, len) == 0) found = *nm, hits++;
        md_network_free(n);
    }
    return hits == 1 ? strdup(found) : NULL; /* none, or ambiguous */
}

struct json_object *md_network_inspect(struct md_network *n)
{
    struct json_object *o = json_object_new_object(), *cfg = json_object_new_object();
    struct json_object *ipam = json_object_new_object(), *cfgs = json_object_new_array();
    cleanup_free char *sub = md_ip_str(n->subnet), *gw = md_ip_str(n->gateway), *cidr = NULL;
    if (asprintf(&cidr, "%s/%d", sub, n->prefix) < 0) cidr = NULL;
    json_object_object_add(o, "Name", json_object_new_string(n->name));
    json_object_object_add(o, "Id", json_object_new_string(n->id));
    json_object_object_add(o, "Created", json_object_new_string(n->created));
    json_object_object_add(o, "Scope", json_object_new_string("local"));
    json_object_object_add(o, "Driver", json_object_new_string("bridge"));
    json_object_object_add(o, "EnableIPv6", json_object_new_boolean(0));
    json_object_object_add(ipam, "Driver", json_object_new_string("default"));
    json_object_object_add(ipam, "Options", NULL);
    json_object_object_add(cfg, "Subnet", json_object_new_string(cidr ? cidr : ""));
    json_object_object_add(cfg, "Gateway", json_object_new_string(gw));
    json_object_array_add(cfgs, cfg);
    json_object_object_add(ipam, "Config", cfgs);
    json_object_object_add(o, "IPAM", ipam);
    json_object_object_add(o, "Internal", json_object_new_boolean(n->internal));
    json_object_object_add(o, "Attachable", json_object_new_boolean(0));
    struct json_object *ctrs = json_object_new_object(), *leases = NULL;
    if (n->ipam) json_object_object_get_ex(n->ipam, "Leases", &leases);
    json_object_object_foreach(leases, ip, l)
    {
        struct json_object *e = json_object_new_object(), *v;
        cleanup_free char *addr = NULL;
        if (asprintf(&addr, "%s/%d", ip, n->prefix) < 0) addr = NULL;
        if (json_object_object_get_ex(l, "Name", &v))
            json_object_object_add(e, "Name", json_object_get(v));
        if (json_object_object_get_ex(l, "EndpointID", &v))
            json_object_object_add(e, "EndpointID", json_object_get(v));
        if (json_object_object_get_ex(l, "Mac", &v))
            json_object_object_add(e, "MacAddress", json_object_get(v));
        json_object_object_add(e, "IPv4Address", json_object_new_string(addr ? addr : ip));
        json_object_object_add(e, "IPv6Address", json_object_new_string(""));
        if (json_object_object_get_ex(l, "Container", &v))
            json_object_object_add(ctrs, json_object_get_string(v), e);
        else
            json_object_put(e);
    }
    json_object_object_add(o, "Containers", ctrs);
    /* as dockerd's: the default network shows its bridge's options, a user's network only the
     * ones it was made with (docker-compose recreates a network whose options differ from the
     * file's) */
    struct json_object *opts = json_object_new_object();
    if (strcmp(n->name, MD_DEFAULT_NETWORK) == 0) {
        char mtu[16];
        snprintf(mtu, sizeof(mtu), "%u", n->mtu);
        json_object_object_add(opts, "com.docker.network.bridge.name",
                               json_object_new_string(n->bridge));
        json_object_object_add(opts, "com.docker.network.driver.mtu", json_object_new_string(mtu));
    }
    json_object_object_add(o, "Options", opts);
    json_object_object_add(o, "Labels",
                           n->labels ? json_object_get(n->labels) : json_object_new_object());
    return o;
}
