/* The container store (below net and engine): records (see docs/state.md):
 *   /var/lib/mydocker/containers/<id>/   container.json, config.json, upper/, work/,
 *                                        rootfs/, hostname, hosts, resolv.conf
 *   /var/lib/mydocker/names/<name>       symlink -> <id>; symlink(2) is the
 *                                        atomic "reserve this name" operation
 *   <run root>/autoremove/<id>           flock held by the `run --rm` that owns
 *                                        the container; a free lock means the
 *                                        owner died and the next run sweeps it */
#ifndef MD_STORE_CSTORE_H
#define MD_STORE_CSTORE_H

#include "util/error.h"
#include "util/paths.h"

/* 64 hex digits from getrandom(2). */
int md_new_container_id(char out[65], md_error_t **err);
/* docker-style adjective_surname */
/* docker's adjective_name; retry > 0 adds a number, wider as retries grow */
char *md_generate_name(int retry);
int md_name_reserve(const char *name, const char *id, md_error_t **err);
void md_name_release(const char *name);
int md_name_valid(const char *name);
char *md_container_dir(const char *id);
/* hostname, hosts, resolv.conf for a container in dir; host_net: the host's own. */
int md_write_etc_files(const char *dir, const char *hostname, int host_net, md_error_t **err);
/* Remove every trace of a container: dir, name. */
int md_container_remove_files(const char *id, const char *name, md_error_t **err);
/* Fork the process that deletes the next removed container's files now (a foreground
 * `run --rm` while its container runs), so that the removal itself forks nothing. */
void md_container_removal_prepare(void);
/* An fd (the container's mount namespace) whose last close the remover does: the namespace
 * outlives the container's PID 1, so its teardown (the overlay's unmount) is not in the path
 * between that exit and the command's. Taken over; closed here if nothing is removed. */
void md_container_removal_hold(int fd);
/* Hold the autoremove lock of id; returns the fd. */
int md_autoremove_hold(const char *id, md_error_t **err);
void md_autoremove_release(const char *id, int fd);

#endif
