/* Networking for the engine and the commands (docs/network.md).
 *
 * A container's attachments live in its record (docker's shape):
 *   HostConfig.NetworkMode            bridge | none | host | container:<id> | <network>
 *   HostConfig.PortBindings           from -p / -P
 *   NetworkSettings.Networks.<name>   requested (IPAMConfig, Aliases) and, while
 *                                     running, actual (IPAddress, Gateway, MacAddress)
 *   NetworkSettings.Ports             the host ports actually published
 * They are made at every start, in the runtime's after_clone hook (each
 * start has a new network namespace), and released when the container ends,
 * when a start fails and on rm. */
#ifndef MD_NET_H
#define MD_NET_H

#include <sys/types.h>

#include "util/error.h"

struct json_object;
struct md_net_opts;
struct md_ctr;
struct md_spec;
struct md_network;

struct md_network_create {
    const char *name, *driver, *subnet, *gateway;
    int internal;
    char *const *labels; /* "k=v" or "k", NULL-terminated; may be NULL */
};

int md_network_create(const struct md_network_create *o, char **id, md_error_t **err);
/* Load a network; the default one ("bridge", on mydocker0) is made on first use. */
int md_network_open(const char *name, struct md_network **out, md_error_t **err);
/* Refused while a container has an address on it. */
int md_network_remove(const char *name, md_error_t **err);
/* name, id or unique id prefix -> name (NULL: none or ambiguous) */
char *md_network_resolve(const char *ref);
/* docker's `network inspect` object (n->ipam loaded for Containers) */
struct json_object *md_network_inspect(struct md_network *n);

/* create: validate --network, -p, --ip, --mac-address, --dns, --add-host... */
int md_net_check_opts(char **network, const char *hostname, const struct md_net_opts *n,
                      md_error_t **err);
/* create: NetworkMode, PortBindings, ExposedPorts, NetworkSettings in the record */
int md_net_record_init(struct json_object *record, const char *network, const struct md_net_opts *n,
                       struct json_object *image_config, md_error_t **err);
/* create: --dns, --dns-search, --add-host into the container's files */
int md_net_etc_files(const char *dir, const struct md_net_opts *n, md_error_t **err);
/* start, before clone: --network container:NAME joins that container's netns */
int md_net_prepare(struct md_ctr *c, struct md_spec *spec, md_error_t **err);
/* start, md_create_opts.after_clone with data = the struct md_ctr: veth with
 * its peer made inside /proc/<pid>/ns/net, address, route, lease, hosts,
 * published ports. All or nothing. */
int md_net_after_clone(pid_t pid, void *data, md_error_t **err);
/* Give back leases and ports (the veth dies with the namespace). Idempotent;
 * clears the runtime fields of c->record (the caller saves it). */
void md_net_release(struct md_ctr *c);
/* The same from the id alone (records gone): every network is looked at. */
/* The host ends of the container's veths, from its record (NULL when none).
 * md_net_veths_gone deletes those still there: the namespace's teardown
 * removes them only some ms (under load, seconds) after the container's
 * last process, and `rm` must not return with them still listed. */
char **md_net_host_veths(struct md_ctr *c);
void md_net_veths_gone(char **veths);
void md_net_release_id(const char *id);
/* network connect / disconnect: recorded, and wired at once when running. */
int md_net_connect(struct md_ctr *c, const char *net, const char *ip, char **aliases,
                   md_error_t **err);
int md_net_disconnect(struct md_ctr *c, const char *net, md_error_t **err);

/* ps's PORTS column: "0.0.0.0:8080->80/tcp, 443/tcp" (empty unless running). */
char *md_net_ports_text(struct json_object *record, int running);

#endif
