#include "ports.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "store/cstore.h"
#include "net/nft.h"
#include "net/nft_ports.h"
#include "util/paths.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct range {
    int lo, hi;
};

static int parse_range(const char *s, size_t n, struct range *r)
{
    char buf[32];
    if (n == 0 || n >= sizeof(buf)) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end, *dash = strchr(buf, '-');
    long lo = strtol(buf, &end, 10);
    if (end == buf || (dash ? end != dash : *end != '\0')) return -1;
    long hi = lo;
    if (dash) {
        hi = strtol(dash + 1, &end, 10);
        if (end == dash + 1 || *end) return -1;
    }
    if (lo < 1 || hi > 65535 || hi < lo) return -1;
    r->lo = (int)lo, r->hi = (int)hi;
    return 0;
}

static void add_binding(struct json_object *bindings, struct json_object *exposed, const char *key,
                        const char *ip, const char *hostport)
{
    struct json_object *a;
    if (!json_object_object_get_ex(bindings, key, &a) || a == NULL) {
        a = json_object_new_array();
        json_object_object_add(bindings, key, a);
    }
    struct json_object *b = json_object_new_object();
    json_object_object_add(b, "HostIp", json_object_new_string(ip));
    json_object_object_add(b, "HostPort", json_object_new_string(hostport));
    json_object_array_add(a, b);
    if (exposed && !json_object_object_get_ex(exposed, key, NULL))
        json_object_object_add(exposed, key, json_object_new_object());
}

int md_ports_parse(const char *spec, struct json_object *bindings, struct json_object *exposed,
                   md_error_t **err)
{
    cleanup_free char *s = strdup(spec);
    if (s == NULL) return md_error(err, ENOMEM, "publish");
    const char *proto = "tcp";
    char *slash = strrchr(s, '/');
    if (slash) {
        *slash = '\0';
        proto = slash + 1;
        if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
            return md_error(err, 0, "invalid proto: %s", proto);
    }
    if (s[0] == '[')
        return md_error(err, 0,
                        "invalid port specification: \"%s\": IPv6 host addresses are not supported",
                        spec);
    char *c2 = strrchr(s, ':'), *c1 = NULL;
    if (c2) {
        *c2 = '\0';
        c1 = strrchr(s, ':');
        if (c1) *c1 = '\0';
    }
    const char *ip = c1 ? s : "", *host = c1 ? c1 + 1 : (c2 ? s : ""), *ctr = c2 ? c2 + 1 : s;
    struct range cr, hr = {0, 0};
    struct in_addr a;
    if (parse_range(ctr, strlen(ctr), &cr) < 0)
        return md_error(err, 0, "invalid containerPort: %s", ctr);
    if (host[0] && parse_range(host, strlen(host), &hr) < 0)
        return md_error(err, 0, "invalid hostPort: %s", host);
    if (ip[0] && inet_pton(AF_INET, ip, &a) != 1)
        return md_error(err, 0, "invalid IP address: %s", ip);
    int nc = cr.hi - cr.lo + 1, nh = hr.hi - hr.lo + 1;
    if (host[0] && nc > 1 && nh != nc)
        return md_error(err, 0, "invalid ranges specified for container and host Ports: %s and %s",
                        ctr, host);
    for (int i = 0; i < nc; i++) {
        char key[32], hp[32] = "";
        snprintf(key, sizeof(key), "%d/%s", cr.lo + i, proto);
        if (host[0] && nc == 1 && nh > 1) /* one container port, any host port of the range */
            snprintf(hp, sizeof(hp), "%d-%d", hr.lo, hr.hi);
        else if (host[0])
            snprintf(hp, sizeof(hp), "%d", hr.lo + i);
        add_binding(bindings, exposed, key, ip, hp);
    }
    return 0;
}

int md_ports_expose(const char *spec, struct json_object *exposed, md_error_t **err)
{
    const char *slash = strchr(spec, '/'), *proto = slash ? slash + 1 : "tcp";
    struct range r;
    if (parse_range(spec, slash ? (size_t)(slash - spec) : strlen(spec), &r) < 0)
        return md_error(err, 0, "invalid range format for --expose: %s", spec);
    if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 && strcmp(proto, "sctp") != 0)
        return md_error(err, 0, "invalid proto: %s", proto);
    for (int p = r.lo; exposed && p <= r.hi; p++) {
        char key[32];
        snprintf(key, sizeof(key), "%d/%s", p, proto);
        if (!json_object_object_get_ex(exposed, key, NULL))
            json_object_object_add(exposed, key, json_object_new_object());
    }
    return 0;
}

int md_ports_expose_check(const char *spec, md_error_t **err)
{
    return md_ports_expose(spec, NULL, err);
}

void md_ports_publish_all(struct json_object *bindings, struct json_object *exposed)
{
    json_object_object_foreach(exposed, key, v)
    {
        (void)v;
        if (!json_object_object_get_ex(bindings, key, NULL))
            add_binding(bindings, NULL, key, "", "");
    }
}

/* ---------------------------------------------------------------- registry */

struct pub {
    int proto;   /* IPPROTO_TCP / UDP */
    uint32_t ip; /* 0: every address */
    int port, ctr_port;
    int reserved;
};

static const char *proto_name(int p)
{
    return p == IPPROTO_UDP ? "udp" : "tcp";
}

static void entry_name(char *buf, size_t n, const struct pub *p)
{
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &p->ip, ip, sizeof(ip));
    snprintf(buf, n, "%s_%s_%d", proto_name(p->proto), ip, p->port);
}

static int entry_parse(const char *name, struct pub *p)
{
    char proto[8], ip[INET_ADDRSTRLEN];
    struct in_addr a;
    if (sscanf(name, "%7[a-z]_%15[0-9.]_%d", proto, ip, &p->port) != 3 ||
        inet_pton(AF_INET, ip, &a) != 1)
        return -1;
    p->proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
    p->ip = a.s_addr;
    return 0;
}

/* Another container has it in the registry (0.0.0.0 conflicts with every address). */
static int registry_taken(DIR *d, const struct pub *p, const char *id)
{
    struct dirent *de;
    rewinddir(d);
    while ((de = readdir(d)) != NULL) {
        struct pub q;
        if (de->d_name[0] == '.' || entry_parse(de->d_name, &q) < 0) continue;
        if (q.proto != p->proto || q.port != p->port || (q.ip && p->ip && q.ip != p->ip)) continue;
        char owner[80] = "";
        ssize_t n = readlinkat(dirfd(d), de->d_name, owner, sizeof(owner) - 1);
        owner[n > 0 ? n : 0] = '\0';
        if (strcmp(owner, id) != 0) return 1;
    }
    return 0;
}

/* docker's check: can we bind it ourselves? Something listening there would
 * silently lose its traffic to the DNAT. */
static int bind_free(const struct pub *p)
{
    int fd =
        socket(AF_INET, (p->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    if (p->proto == IPPROTO_TCP) /* TIME_WAIT leftovers do not make a port taken */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p->port)};
    sa.sin_addr.s_addr = p->ip;
    int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
    close(fd);
    return r;
}

static void local_port_range(int *lo, int *hi)
{
    *lo = 32768, *hi = 60999;
    cleanup_free char *s = NULL;
    if (md_read_file("/proc/sys/net/ipv4/ip_local_port_range", &s, NULL, NULL) == 0)
        sscanf(s, "%d %d", lo, hi);
}

static int reserve_one(DIR *d, struct pub *p, struct range hr, const char *id, md_error_t **err)
{
    int lo = hr.lo, hi = hr.hi, random_port = hr.lo == 0;
    if (random_port) local_port_range(&lo, &hi);
    unsigned int start = 0;
    if (lo != hi && getrandom(&start, sizeof(start), 0) < 0) start = (unsigned)getpid();
    int span = hi - lo + 1, last_err = 0;
    char ipbuf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &p->ip, ipbuf, sizeof(ipbuf));
    for (int i = 0; i < span; i++) {
        p->port = lo + (int)((start + (unsigned)i) % (unsigned)span);
        if (registry_taken(d, p, id)) {
            last_err = EEXIST;
            continue;
        }
        int b = bind_free(p);
        if (b < 0) {
            last_err = -b;
            continue;
        }
        char name[64];
        entry_name(name, sizeof(name), p);
        if (symlinkat(id, dirfd(d), name) < 0 && errno != EEXIST)
            return md_error(err, errno, "reserve port %s", name);
        p->reserved = 1;
        return 0;
    }
    if (span == 1 && last_err == EEXIST)
        return md_error(err, 0, "Bind for %s:%d failed: port is already allocated", ipbuf, p->port);
    if (span == 1)
        return md_error(err, last_err, "failed to bind port %s:%d/%s", ipbuf, p->port,
                        proto_name(p->proto));
    return md_error(err, 0, "no free host port for %s/%s", ipbuf, proto_name(p->proto));
}

static void unreserve(DIR *d, struct pub *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char name[64];
        entry_name(name, sizeof(name), &v[i]);
        if (v[i].reserved) unlinkat(dirfd(d), name, 0);
        v[i].reserved = 0;
    }
}

static int collect(struct json_object *bindings, struct pub **out, struct range **hr, size_t *n,
                   md_error_t **err)
{
    size_t cap = 0;
    *out = NULL, *hr = NULL, *n = 0;
    json_object_object_foreach(bindings, key, arr)
    {
        int cport = atoi(key);
        int proto = strstr(key, "/udp") ? IPPROTO_UDP : IPPROTO_TCP;
        for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
            struct json_object *b = json_object_array_get_idx(arr, i), *v;
            const char *ip =
                json_object_object_get_ex(b, "HostIp", &v) ? json_object_get_string(v) : "";
            const char *hp =
                json_object_object_get_ex(b, "HostPort", &v) ? json_object_get_string(v) : "";
            struct pub p = {.proto = proto, .ctr_port = cport};
            struct range r = {0, 0};
            struct in_addr a = {0};
            if ((ip && ip[0] && inet_pton(AF_INET, ip, &a) != 1) ||
                (hp && hp[0] && parse_range(hp, strlen(hp), &r) < 0))
                return md_error(err, 0, "bad port binding %s -> %s:%s", key, ip, hp);
            p.ip = a.s_addr;
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                struct pub *nv = realloc(*out, cap * sizeof(**out));
                struct range *nr = realloc(*hr, cap * sizeof(**hr));
                if (nv) *out = nv;
                if (nr) *hr = nr;
                if (!nv || !nr) return md_error(err, ENOMEM, "ports");
            }
            (*out)[*n] = p;
            (*hr)[(*n)++] = r;
        }
    }
    return 0;
}

static struct json_object *ports_json(struct json_object *exposed, const struct pub *v, size_t n)
{
    struct json_object *o = json_object_new_object();
    json_object_object_foreach(exposed, ekey, unused)
    {
        (void)unused;
        json_object_object_add(o, ekey, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        char key[32], ip[INET_ADDRSTRLEN], port[16];
        snprintf(key, sizeof(key), "%d/%s", v[i].ctr_port, proto_name(v[i].proto));
        inet_ntop(AF_INET, &v[i].ip, ip, sizeof(ip));
        snprintf(port, sizeof(port), "%d", v[i].port);
        struct json_object *a = NULL;
        if (!json_object_object_get_ex(o, key, &a) || a == NULL) {
            a = json_object_new_array();
            json_object_object_add(o, key, a);
        }
        struct json_object *b = json_object_new_object();
        json_object_object_add(b, "HostIp", json_object_new_string(ip));
        json_object_object_add(b, "HostPort", json_object_new_string(port));
        json_object_array_add(a, b);
    }
    return o;
}

static int registry_open(DIR **d, md_error_t **err)
{
    char dir[512], lockp[600];
    if (md_run_path(dir, sizeof(dir), "ports") < 0) return md_error(err, ENAMETOOLONG, "ports");
    snprintf(lockp, sizeof(lockp), "%s/.lock", dir);
    if (md_mkdir_p(dir, 0700, err) < 0) return -1;
    int lock = md_lock_file(lockp, 1, 0, err);
    if (lock < 0) return lock;
    *d = opendir(dir);
    if (*d == NULL) {
        close(lock);
        return md_error(err, errno, "open %s", dir);
    }
    return lock;
}

int md_ports_publish(const char *id, struct json_object *bindings, struct json_object *exposed,
                     uint32_t ctr_ip, struct json_object **ports, md_error_t **err)
{
    cleanup_free struct pub *v = NULL;
    cleanup_free struct range *hr = NULL;
    size_t n = 0;
    *ports = NULL;
    int r = collect(bindings, &v, &hr, &n, err);
    if (r < 0 || n == 0) {
        if (r == 0) *ports = ports_json(exposed, v, 0);
        return r;
    }
    DIR *d = NULL;
    int lock = registry_open(&d, err);
    if (lock < 0) return lock;
    for (size_t i = 0; r == 0 && i < n; i++)
        r = reserve_one(d, &v[i], hr[i], id, err);
    char tag[13];
    snprintf(tag, sizeof(tag), "%.12s", id); /* `nft list` shows whose DNAT it is */
    cleanup_free struct md_nft_port *el = r == 0 ? calloc(n, sizeof(*el)) : NULL;
    if (r == 0 && el == NULL) r = md_error(err, ENOMEM, "ports");
    for (size_t i = 0; el && i < n; i++)
        el[i] = (struct md_nft_port){v[i].ip, v[i].proto, v[i].port, ctr_ip, v[i].ctr_port, tag};
    if (el) r = md_nft_ports_add(el, n, err);
    if (r < 0)
        unreserve(d, v, n);
    else
        *ports = ports_json(exposed, v, n);
    closedir(d);
    close(lock);
    return r;
}

void md_ports_release(const char *id)
{
    md_error_t *e = NULL;
    DIR *d = NULL;
    int lock = registry_open(&d, &e);
    md_error_free(&e);
    if (lock < 0) return;
    struct pub v[256];
    char names[256][64];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 256) {
        char owner[80] = "";
        if (de->d_name[0] == '.' || entry_parse(de->d_name, &v[n]) < 0) continue;
        ssize_t l = readlinkat(dirfd(d), de->d_name, owner, sizeof(owner) - 1);
        owner[l > 0 ? l : 0] = '\0';
        if (strcmp(owner, id) == 0 && strlen(de->d_name) < sizeof(names[0]))
            memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
    }
    struct md_nft_port el[256];
    for (size_t i = 0; i < n; i++)
        el[i] = (struct md_nft_port){.ip = v[i].ip, .proto = v[i].proto, .port = v[i].port};
    md_nft_ports_delete(el, n);
    for (size_t i = 0; i < n; i++)
        unlinkat(dirfd(d), names[i], 0);
    closedir(d);
    close(lock);
}
