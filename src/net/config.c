/* Networking flags: parsing, validation at create, and the record they become. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ctr.h"
#include "net/netopts.h"
#include "net/hosts.h"
#include "net/netopts.h"
#include "net/ports.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "util/strv.h"

/* not inlined: with a constant argument gcc flags the comparison as always false */
__attribute__((noinline)) static int container_mode(const char *m)
{
    return strncmp(m, "container:", 10) == 0;
}

static int valid_ip(const char *s)
{
    struct in_addr a;
    return s && inet_pton(AF_INET, s, &a) == 1;
}

static int valid_mac(const char *s)
{
    unsigned int v[6];
    char extra;
    return sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                  &extra) == 6 &&
           strlen(s) == 17;
}

int md_net_opt_parse(struct md_net_opts *o, int c, const char *arg, md_error_t **err)
{
    switch (c) {
    case 'p':
    case MD_NOPT_PUBLISH:
        return md_strv_append(&o->publish, arg);
    case 'P':
    case MD_NOPT_PUBLISH_ALL:
        o->publish_all = 1;
        return 0;
    case MD_NOPT_IP:
        if (!valid_ip(arg))
            return md_error(err, 0,
                            "invalid argument \"%s\" for \"--ip\" flag: invalid IPv4 address", arg);
        free(o->ip);
        o->ip = strdup(arg);
        return 0;
    case MD_NOPT_MAC:
        if (!valid_mac(arg))
            return md_error(
                err, 0, "invalid argument \"%s\" for \"--mac-address\" flag: invalid MAC address",
                arg);
        free(o->mac);
        o->mac = strdup(arg);
        return 0;
    case MD_NOPT_DNS:
        if (!valid_ip(arg))
            return md_error(err, 0,
                            "invalid argument \"%s\" for \"--dns\" flag: %s is not an ip address",
                            arg, arg);
        return md_strv_append(&o->dns, arg);
    case MD_NOPT_DNS_SEARCH:
        return md_strv_append(&o->dns_search, arg);
    case MD_NOPT_ADD_HOST: {
        const char *colon = strchr(arg, ':');
        /* host-gateway: the default bridge's gateway, the host as containers reach it */
        if (colon == NULL || colon == arg ||
            (!valid_ip(colon + 1) && strcmp(colon + 1, "host-gateway") != 0))
            return md_error(err, 0,
                            "invalid argument \"%s\" for \"--add-host\" flag: invalid IP address "
                            "in add-host: \"%s\"",
                            arg, colon ? colon + 1 : "");
        return md_strv_append(&o->add_hosts, arg);
    }
    case MD_NOPT_ALIAS:
        return md_strv_append(&o->aliases, arg);
    case MD_NOPT_DNS_OPTION:
        return md_strv_append(&o->dns_options, arg);
    case MD_NOPT_EXPOSE:
        return md_ports_expose_check(arg, err) < 0 ? -1 : md_strv_append(&o->expose, arg);
    default:
        return md_error(err, 0, "unknown flag");
    }
}

void md_net_opts_free(struct md_net_opts *o)
{
    md_strv_free(o->publish);
    md_strv_free(o->dns);
    md_strv_free(o->dns_search);
    md_strv_free(o->add_hosts);
    md_strv_free(o->aliases);
    md_strv_free(o->dns_options);
    md_strv_free(o->expose);
    free(o->ip);
    free(o->mac);
    memset(o, 0, sizeof(*o));
}

int md_net_check_opts(char **network, const char *hostname, const struct md_net_opts *n,
                      md_error_t **err)
{
    const char *m = *network ? *network : MD_DEFAULT_NETWORK;
    int special = strcmp(m, "none") == 0 || strcmp(m, "host") == 0;
    int joined = container_mode(m);
    if ((n->publish || n->publish_all) && (strcmp(m, "none") == 0 || joined))
        return md_error(err, 0,
                        "conflicting options: port publishing and the container type network mode");
    if (joined && (hostname || n->mac || n->dns || n->add_hosts))
        return md_error(err, 0,
                        "conflicting options: hostname, mac-address, dns and add-host are "
                        "not allowed with the container network mode");
    if ((n->ip || n->aliases) && (special || joined || strcmp(m, MD_DEFAULT_NETWORK) == 0))
        return md_error(err, 0,
                        "user specified IP address and network-scoped aliases are supported "
                        "on user defined networks only");
    if (n->mac && special)
        return md_error(err, 0, "conflicting options: mac-address and the network mode");
    if (joined) {
        struct md_ctr *t = NULL;
        int r = md_ctr_load(m + 10, &t, err);
        md_ctr_free(t);
        return r;
    }
    if (special || strcmp(m, MD_DEFAULT_NETWORK) == 0) return 0;
    struct md_network *net = NULL;
    cleanup_free char *name = md_network_resolve(m);
    int r = md_network_load(name ? name : m, &net, err);
    if (r == 0 && name && strcmp(name, m) != 0) { /* an id given: record the name */
        free(*network);
        *network = md_xstrdup(name);
    }
    if (r == 0 && n->ip) {
        uint32_t a;
        int p;
        md_cidr_parse(n->ip, &a, &p);
        uint32_t mask = htonl(~0u << (32 - net->prefix));
        if ((a & mask) != net->subnet)
            r = md_error(err, 0, "invalid IP address %s: not in network %s's subnet", n->ip,
                         net->name);
    }
    md_network_free(net);
    return r;
}

static struct json_object *child(struct json_object *parent, const char *k)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(parent, k, &v) || v == NULL ||
        !json_object_is_type(v, json_type_object)) {
        v = json_object_new_object();
        json_object_object_add(parent, k, v);
    }
    return v;
}

static struct json_object *strv_json(char **v)
{
    struct json_object *a = json_object_new_array();
    for (; v && *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

static struct json_object *endpoint_json(const struct md_net_opts *n)
{
    struct json_object *ep = json_object_new_object();
    if (n->ip) {
        struct json_object *ipam = json_object_new_object();
        json_object_object_add(ipam, "IPv4Address", json_object_new_string(n->ip));
        json_object_object_add(ep, "IPAMConfig", ipam);
    } else {
        json_object_object_add(ep, "IPAMConfig", NULL);
    }
    json_object_object_add(ep, "Aliases", strv_json(n->aliases));
    static const char *const empty[] = {"NetworkID", "EndpointID", "Gateway", "IPAddress",
                                        "MacAddress"};
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
        json_object_object_add(ep, empty[i], json_object_new_string(""));
    json_object_object_add(ep, "IPPrefixLen", json_object_new_int(0));
    return ep;
}

int md_net_record_init(struct json_object *record, const char *network, const struct md_net_opts *n,
                       struct json_object *image_config, md_error_t **err)
{
    const char *m = network ? network : MD_DEFAULT_NETWORK;
    struct json_object *hc = child(record, "HostConfig"), *cfg = child(record, "Config");
    struct json_object *ns = child(record, "NetworkSettings");
    cleanup_free char *mode = NULL;
    if (container_mode(m)) { /* docker records the id */
        struct md_ctr *t = NULL;
        if (md_ctr_load(m + 10, &t, err) < 0) return -1;
        if (asprintf(&mode, "container:%s", t->id) < 0) mode = NULL;
        md_ctr_free(t);
    }
    json_object_object_add(hc, "NetworkMode", json_object_new_string(mode ? mode : m));
    struct json_object *exposed = json_object_new_object(), *bindings = json_object_new_object(),
                       *ie;
    if (image_config && json_object_object_get_ex(image_config, "ExposedPorts", &ie) && ie) {
        json_object_object_foreach(ie, k, v)
        {
            (void)v;
            json_object_object_add(exposed, k, json_object_new_object());
        }
    }
    int r = 0;
    for (char **e = n->expose; r == 0 && e && *e; e++)
        r = md_ports_expose(*e, exposed, err);
    for (char **p = n->publish; r == 0 && p && *p; p++)
        r = md_ports_parse(*p, bindings, exposed, err);
    if (r == 0 && n->publish_all) md_ports_publish_all(bindings, exposed);
    json_object_object_add(cfg, "ExposedPorts", exposed);
    json_object_object_add(hc, "PortBindings", bindings);
    json_object_object_add(hc, "PublishAllPorts", json_object_new_boolean(n->publish_all));
    json_object_object_add(hc, "Dns", strv_json(n->dns));
    json_object_object_add(hc, "DnsSearch", strv_json(n->dns_search));
    json_object_object_add(hc, "DnsOptions", strv_json(n->dns_options));
    json_object_object_add(hc, "ExtraHosts", strv_json(n->add_hosts));
    if (n->mac) json_object_object_add(cfg, "MacAddress", json_object_new_string(n->mac));
    struct json_object *nets = json_object_new_object();
    if (strcmp(m, "none") != 0 && strcmp(m, "host") != 0 && mode == NULL)
        json_object_object_add(nets, m, endpoint_json(n));
    json_object_object_add(ns, "Networks", nets);
    json_object_object_add(ns, "Ports", json_object_new_object());
    return r;
}

int md_net_etc_files(const char *dir, const struct md_net_opts *n, md_error_t **err)
{
    return md_etc_extra(dir, n, err);
}

char *md_net_ports_text(struct json_object *record, int running)
{
    struct json_object *ports = NULL;
    json_object_object_get_ex(record, "NetworkSettings", &ports);
    json_object_object_get_ex(ports, "Ports", &ports);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (f == NULL) return NULL;
    const char *sep = "";
    /* json-c's foreach dereferences its object: never hand it NULL */
    struct json_object *none = json_object_new_object();
    if (!running || !json_object_is_type(ports, json_type_object)) ports = none;
    json_object_object_foreach(ports, key, arr)
    {
        /* docker's ps: "0.0.0.0:8080->80/tcp", or "80/tcp" for exposed only */
        size_t n = arr ? json_object_array_length(arr) : 0;
        if (n == 0) fprintf(f, "%s%s", sep, key), sep = ", ";
        for (size_t i = 0; i < n; i++) {
            struct json_object *b = json_object_array_get_idx(arr, i), *ip, *hp;
            json_object_object_get_ex(b, "HostIp", &ip);
            json_object_object_get_ex(b, "HostPort", &hp);
            fprintf(f, "%s%s:%s->%s", sep, json_object_get_string(ip), json_object_get_string(hp),
                    key);
            sep = ", ";
        }
    }
    json_object_put(none);
    fclose(f);
    return out;
}
