/* The networking flags of `run` / `create`, parsed by src/net/config.c and
 * plugged into the engine's getopt table (src/engine/opts.c) like the
 * resource flags: one macro of long options, one parse function. */
#ifndef MD_NET_NETOPTS_H
#define MD_NET_NETOPTS_H

#include "util/error.h"

struct md_net_opts {
    char **publish;  /* -p values, as given */
    int publish_all; /* -P */
    char *ip, *mac;  /* --ip, --mac-address */
    char **dns, **dns_search, **add_hosts, **aliases;
    char **dns_options; /* --dns-option: resolv.conf "options" */
    char **expose;      /* --expose: "80", "80/udp", "8000-8010/tcp" */
};

/* getopt codes, above the engine's and the resource flags' */
enum {
    MD_NOPT_FIRST = 2048,
    MD_NOPT_PUBLISH = MD_NOPT_FIRST, /* also -p */
    MD_NOPT_PUBLISH_ALL,             /* also -P */
    MD_NOPT_IP,
    MD_NOPT_MAC,
    MD_NOPT_DNS,
    MD_NOPT_DNS_SEARCH,
    MD_NOPT_ADD_HOST,
    MD_NOPT_ALIAS,
    MD_NOPT_DNS_OPTION,
    MD_NOPT_EXPOSE,
    MD_NOPT_LAST,
};

#define MD_NET_LONG_OPTIONS                                                                        \
    {"publish", required_argument, NULL, MD_NOPT_PUBLISH},                                         \
        {"publish-all", no_argument, NULL, MD_NOPT_PUBLISH_ALL},                                   \
        {"ip", required_argument, NULL, MD_NOPT_IP},                                               \
        {"mac-address", required_argument, NULL, MD_NOPT_MAC},                                     \
        {"dns", required_argument, NULL, MD_NOPT_DNS},                                             \
        {"dns-search", required_argument, NULL, MD_NOPT_DNS_SEARCH},                               \
        {"add-host", required_argument, NULL, MD_NOPT_ADD_HOST},                                   \
        {"dns-option", required_argument, NULL, MD_NOPT_DNS_OPTION},                               \
        {"expose", required_argument, NULL, MD_NOPT_EXPOSE},                                       \
    {                                                                                              \
        "network-alias", required_argument, NULL, MD_NOPT_ALIAS                                    \
    }

#define MD_NET_USAGE                                                                               \
    "      --add-host list          Add a custom host-to-IP mapping (host:ip)\n"                   \
    "      --dns list               Set custom DNS servers\n"                                      \
    "      --dns-option list        Set DNS options\n"                                             \
    "      --dns-search list        Set custom DNS search domains\n"                               \
    "      --expose list            Expose a port or a range of ports\n"                           \
    "      --ip string              IPv4 address (e.g., 172.30.100.104)\n"                         \
    "      --mac-address string     Container MAC address (e.g., 92:d0:c6:0a:29:33)\n"             \
    "      --network-alias list     Add network-scoped alias for the container\n"                  \
    "  -p, --publish list           Publish a container's port(s) to the host\n"                   \
    "  -P, --publish-all            Publish all exposed ports to random ports\n"

/* c is 'p', 'P' or an MD_NOPT_* code */
int md_net_opt_parse(struct md_net_opts *o, int c, const char *arg, md_error_t **err);
void md_net_opts_free(struct md_net_opts *o);

#endif
