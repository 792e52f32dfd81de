/* /etc/hosts and /etc/resolv.conf of containers on networks.
 *
 * Name resolution without a daemon: a container's hosts file has one section
 * per network it is on; on a user network the section lists every member
 * (name, aliases), on the default bridge only the container itself (docker
 * resolves no names there). Each attach or release rewrites the section of
 * every member under the network's lock, so an older container also resolves
 * a newer one. Files are rewritten in place (the container bind-mounted the
 * inode; a rename would not reach it), under an flock of the file itself
 * because one container can be on several networks. */
#ifndef MD_NET_HOSTS_H
#define MD_NET_HOSTS_H

#include "util/error.h"

struct md_network;

/* Replace (content NULL: remove) the section of network net in the file. */
int md_hosts_set_section(const char *path, const char *net, const char *content, md_error_t **err);
/* Rewrite n's section of its members' files: only_id set, that member only. */
void md_hosts_refresh(struct md_network *n, int user_net, const char *only_id);
struct md_net_opts;
/* --dns, --dns-search, --dns-option and --add-host for a new container's files in dir. */
int md_etc_extra(const char *dir, const struct md_net_opts *n, md_error_t **err);

#endif
