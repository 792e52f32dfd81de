/* Network records and address leases (see store.h). */
#include "store.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/netlink.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

/* Not under MYDOCKER_ROOT: bridges, addresses and the ruleset belong to the
 * host, so every store (tests use private ones) must see the same networks
 * and leases, or two stores would hand out one address twice on mydocker0. */
const char *md_networks_root(void)
{
    const char *env = getenv("MYDOCKER_NET_ROOT");
    return env && env[0] ? env : "/var/lib/mydocker/networks";
}

int md_network_valid_name(const char *n)
{
    if (n == NULL || n[0] == '\0' || strlen(n) > 64) return 0;
    for (const char *c = n; *c; c++) {
        int alnum =
            (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
        if (!alnum && (c == n || !strchr("_.-", *c))) return 0;
    }
    return 1;
}

char *md_ip_str(uint32_t a)
{
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof(buf));
    return strdup(buf);
}

int md_cidr_parse(const char *s, uint32_t *addr, int *prefix)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", s);
    char *slash = strchr(buf, '/');
    *prefix = 32;
    if (slash) {
        char *end;
        long p = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || p < 0 || p > 32) return -EINVAL;
        *prefix = (int)p;
        *slash = '\0';
    }
    struct in_addr a;
    if (inet_pton(AF_INET, buf, &a) != 1) return -EINVAL;
    *addr = a.s_addr;
    return 0;
}

static uint32_t mask_of(int prefix)
{
    return prefix ? htonl(~0u << (32 - prefix)) : 0;
}

static const char *jstr(struct json_object *o, const char *k)
{
    struct json_object *v;
    return o && json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static char *net_file(const char *name, const char *file)
{
    char *p = NULL;
    return asprintf(&p, "%s/%s/%s", md_networks_root(), name, file) < 0 ? NULL : p;
}

int md_network_load(const char *name, struct md_network **out, md_error_t **err)
{
    *out = NULL;
    if (!md_network_valid_name(name))
        return md_error_code(err, MD_EXIT_ENGINE, ENOENT, "network %s not found", name);
    cleanup_free char *path = net_file(name, "config.json"), *text = NULL;
    if (path == NULL || md_read_file(path, &text, NULL, NULL) < 0)
        return md_error(err, 0, "network %s not found", name);
    struct json_object *o = json_tokener_parse(text), *v;
    if (o == NULL) return md_error(err, 0, "network %s: corrupt %s", name, path);
    struct md_network *n = calloc(1, sizeof(*n));
    n->name = strdup(name);
    n->id = strdup(jstr(o, "Id") ? jstr(o, "Id") : "");
    n->bridge = strdup(jstr(o, "Bridge") ? jstr(o, "Bridge") : "");
    n->created = strdup(jstr(o, "Created") ? jstr(o, "Created") : "");
    n->internal = json_object_object_get_ex(o, "Internal", &v) && json_object_get_boolean(v);
    n->mtu = json_object_object_get_ex(o, "MTU", &v) ? (unsigned)json_object_get_int(v) : 1500;
    if (json_object_object_get_ex(o, "Labels", &v) && json_object_is_type(v, json_type_object))
        n->labels = json_object_get(v);
    int r = jstr(o, "Subnet") ? md_cidr_parse(jstr(o, "Subnet"), &n->subnet, &n->prefix) : -EINVAL;
    int p2;
    if (r == 0)
        r = jstr(o, "Gateway") ? md_cidr_parse(jstr(o, "Gateway"), &n->gateway, &p2) : -EINVAL;
    json_object_put(o);
    if (r < 0) {
        md_network_free(n);
        return md_error(err, 0, "network %s: bad subnet in %s", name, path);
    }
    *out = n;
    return 0;
}

int md_network_save(const struct md_network *n, md_error_t **err)
{
    cleanup_free char *dir = NULL, *path = net_file(n->name, "config.json");
    cleanup_free char *sub = md_ip_str(n->subnet), *gw = md_ip_str(n->gateway), *cidr = NULL;
    if (path == NULL || asprintf(&dir, "%s/%s", md_networks_root(), n->name) < 0 ||
        asprintf(&cidr, "%s/%d", sub, n->prefix) < 0)
        return md_error(err, ENOMEM, "network");
    int r = md_mkdir_p(dir, 0700, err);
    if (r < 0) return r;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "Name", json_object_new_string(n->name));
    json_object_object_add(o, "Id", json_object_new_string(n->id));
    json_object_object_add(o, "Created", json_object_new_string(n->created));
    json_object_object_add(o, "Driver", json_object_new_string("bridge"));
    json_object_object_add(o, "Bridge", json_object_new_string(n->bridge));
    json_object_object_add(o, "Subnet", json_object_new_string(cidr));
    json_object_object_add(o, "Gateway", json_object_new_string(gw));
    json_object_object_add(o, "Internal", json_object_new_boolean(n->internal));
    json_object_object_add(o, "MTU", json_object_new_int((int)n->mtu));
    if (n->labels) json_object_object_add(o, "Labels", json_object_get(n->labels));
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    r = md_write_file_atomic(path, text, strlen(text), 0600, 1, err);
    json_object_put(o);
    return r;
}

void md_network_free(struct md_network *n)
{
    if (n == NULL) return;
    free(n->name);
    free(n->id);
    free(n->bridge);
    json_object_put(n->labels);
    free(n->created);
    json_object_put(n->ipam);
    free(n);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **md_network_names(void)
{
    char **v = md_xcalloc(1, sizeof(char *));
    cleanup_dir DIR *d = opendir(md_networks_root());
    struct dirent *de;
    while (d && v && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.' && md_network_valid_name(de->d_name))
            md_strv_append(&v, de->d_name);
    if (v) qsort(v, md_strv_len(v), sizeof(char *), cmp_str);
    return v;
}

int md_network_lock(const char *name, md_error_t **err)
{
    cleanup_free char *dir = NULL, *path = net_file(name, "lock");
    if (path == NULL || asprintf(&dir, "%s/%s", md_networks_root(), name) < 0)
        return md_error(err, ENOMEM, "lock");
    int fd = md_lock_file(path, 1, 0, NULL); /* the directory is there but while created */
    if (fd >= 0 || md_mkdir_p(dir, 0700, err) < 0) return fd;
    return md_lock_file(path, 1, 0, err);
}

static int overlaps(uint32_t a, int pa, uint32_t b, int pb)
{
    int p = pa < pb ? pa : pb;
    return (a & mask_of(p)) == (b & mask_of(p));
}

int md_subnet_check(uint32_t subnet, int prefix, const char *except, md_error_t **err)
{
    cleanup_strv char **names = md_network_names();
    for (char **nm = names; nm && *nm; nm++) {
        struct md_network *n = NULL;
        if ((except && strcmp(*nm, except) == 0) || md_network_load(*nm, &n, NULL) < 0) continue;
        int hit = overlaps(subnet, prefix, n->subnet, n->prefix);
        md_network_free(n);
        if (hit)
            return md_error(err, 0,
                            "Pool overlaps with other one on this address space (network %s)", *nm);
    }
    struct md_nl nl;
    struct md_prefix *p = NULL;
    size_t np = 0;
    int r = md_nl_open(&nl, err);
    if (r == 0) r = md_nl_ipv4_prefixes(&nl, &p, &np, err);
    md_nl_close(&nl);
    for (size_t i = 0; r == 0 && i < np; i++) {
        /* 127/8 and the like never leave the host; everything else would be shadowed */
        if ((ntohl(p[i].addr) >> 24) == 127) continue;
        if (overlaps(subnet, prefix, p[i].addr, p[i].len)) {
            cleanup_free char *s = md_ip_str(p[i].addr);
            r = md_error(err, 0, "subnet overlaps with a host route or address (%s/%d)", s,
                         p[i].len);
        }
    }
    free(p);
    return r;
}

int md_subnet_pick(uint32_t *subnet, int *prefix, md_error_t **err)
{
    /* docker's default pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s */
    for (int i = 0; i < 15 + 16; i++) {
        uint32_t a = i < 15 ? (172u << 24) | ((17u + (unsigned)i) << 16)
                            : (192u << 24) | (168u << 16) | ((unsigned)(i - 15) << 12);
        int p = i < 15 ? 16 : 20;
        if (md_subnet_check(htonl(a), p, NULL, NULL) == 0) {
            *subnet = htonl(a);
            *prefix = p;
            return 0;
        }
    }
    return md_error(err, 0, "could not find an available, non-overlapping IPv4 address pool");
}

static char *boot_id(void)
{
    char *s = NULL;
    if (md_read_file("/proc/sys/kernel/random/boot_id", &s, NULL, NULL) < 0) return strdup("");
    s[strcspn(s, "\n")] = '\0';
    return s;
}

int md_ipam_load(struct md_network *n, md_error_t **err)
{
    cleanup_free char *path = net_file(n->name, "ipam.json"), *text = NULL, *boot = boot_id();
    json_object_put(n->ipam);
    n->ipam = NULL;
    if (path && md_read_file(path, &text, NULL, NULL) == 0) n->ipam = json_tokener_parse(text);
    struct json_object *l;
    if (n->ipam == NULL || !json_object_is_type(n->ipam, json_type_object) ||
        strcmp(jstr(n->ipam, "BootId") ? jstr(n->ipam, "BootId") : "", boot) != 0 ||
        !json_object_object_get_ex(n->ipam, "Leases", &l)) {
        json_object_put(n->ipam);
        n->ipam = json_object_new_object();
        json_object_object_add(n->ipam, "BootId", json_object_new_string(boot));
        json_object_object_add(n->ipam, "Leases", json_object_new_object());
    }
    (void)err;
    return 0;
}

/* Atomic without renaming a file over another: ext4 (auto_da_alloc) flushes
 * a file renamed over an existing one, ~0.5 ms measured here, paid twice per
 * container. ipam.json is a symlink to ipam.a or ipam.b: the inactive one is
 * rewritten in place (pwrite + ftruncate, never truncated to zero, which
 * flushes too), then a new symlink is renamed over ipam.json (a symlink has
 * no data to flush). Readers follow ipam.json and see the old or the new. */
int md_ipam_save(struct md_network *n, md_error_t **err)
{
    cleanup_free char *path = net_file(n->name, "ipam.json"), *tmp = NULL, *other = NULL;
    char cur[16] = "";
    ssize_t cl = path ? readlink(path, cur, sizeof(cur) - 1) : -1;
    cur[cl > 0 ? cl : 0] = '\0';
    const char *next = strcmp(cur, "ipam.a") == 0 ? "ipam.b" : "ipam.a";
    if (path == NULL || (other = net_file(n->name, next)) == NULL ||
        asprintf(&tmp, "%s.tmp-%d", path, (int)getpid()) < 0)
        return md_error(err, ENOMEM, "ipam");
    const char *text = json_object_to_json_string_ext(n->ipam, JSON_C_TO_STRING_PRETTY);
    size_t len = strlen(text);
    cleanup_close int fd = open(other, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || pwrite(fd, text, len, 0) != (ssize_t)len || ftruncate(fd, (off_t)len) < 0)
        return md_error(err, errno ? errno : EIO, "write %s", other);
    unlink(tmp);
    if (symlink(next, tmp) < 0) return md_error(err, errno, "symlink %s", tmp);
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return md_error(err, e, "rename %s", tmp);
    }
    return 0;
}

static struct json_object *leases(struct md_network *n)
{
    struct json_object *l = NULL;
    json_object_object_get_ex(n->ipam, "Leases", &l);
    return l;
}

int md_ipam_lease(struct md_network *n, const char *id, uint32_t want, struct json_object *info,
                  uint32_t *ip, md_error_t **err)
{
    struct json_object *l = leases(n);
    uint32_t base = ntohl(n->subnet), size = n->prefix >= 31 ? 0 : (1u << (32 - n->prefix));
    uint32_t host = 0;
    char buf[INET_ADDRSTRLEN];
    if (want) {
        uint32_t w = ntohl(want);
        inet_ntop(AF_INET, &want, buf, sizeof(buf));
        if ((want & mask_of(n->prefix)) != n->subnet)
            return md_error(err, 0, "Address %s does not belong to network %s", buf, n->name);
        if (w == base || w == base + size - 1 || want == n->gateway ||
            json_object_object_get_ex(l, buf, NULL))
            return md_error(err, 0, "Address already in use: %s", buf);
        host = w;
    } else {
        /* the lowest free address: reusing one at once is safe because the
         * MAC is derived from it (02:42 + IPv4), so peers' ARP entries for
         * it stay right; and ipam.json is the same again once all are gone */
        for (uint32_t off = 1; off + 1 < size && host == 0; off++) {
            uint32_t cand = base + off, be = htonl(cand);
            if (be == n->gateway) continue;
            inet_ntop(AF_INET, &be, buf, sizeof(buf));
            if (!json_object_object_get_ex(l, buf, NULL)) host = cand;
        }
        if (host == 0)
            return md_error(err, 0, "no available IPv4 addresses on network %s", n->name);
    }
    struct json_object *e = info ? json_object_get(info) : json_object_new_object();
    json_object_object_add(e, "Container", json_object_new_string(id));
    json_object_object_add(l, buf, e);
    *ip = htonl(host);
    return 0;
}

struct json_object *md_ipam_find(struct md_network *n, const char *id, uint32_t *ip)
{
    json_object_object_foreach(leases(n), k, v)
    {
        const char *c = jstr(v, "Container");
        if (c && strcmp(c, id) == 0) {
            struct in_addr a;
            if (ip && inet_pton(AF_INET, k, &a) == 1) *ip = a.s_addr;
            return v;
        }
    }
    return NULL;
}

int md_ipam_release(struct md_network *n, const char *id)
{
    struct json_object *l = leases(n);
    int found = 0;
    for (;;) {
        const char *key = NULL;
        json_object_object_foreach(l, k, v)
        {
            const char *c = jstr(v, "Container");
            if (c && strcmp(c, id) == 0) {
                key = k;
                break;
            }
        }
        if (key == NULL) return found;
        json_object_object_del(l, key);
        found = 1;
    }
}

int md_ipam_count(struct md_network *n)
{
    return json_object_object_length(leases(n));
}
