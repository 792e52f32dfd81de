/* `run` / `create` as the engine takes them: one struct that any front end
 * fills (the CLI from argv in cli/run_opts.c; unit-tested in
 * tests/unit/test_opts.c). */
#ifndef MD_OPTS_H
#define MD_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include <errno.h>

#include "engine/health.h"
#include "engine/resources.h"
#include "engine/sysopts.h"
#include "net/netopts.h"
#include "util/error.h"

struct md_ulimit {
    char *name; /* "nofile" */
    uint64_t soft, hard;
};

/* What md_engine_create and md_engine_run return when the image is not
 * stored (and only then: a command not found in the image is -ENOENT), so the
 * front end can pull it and try again, docker's --pull missing. */
#define MD_ENGINE_NO_IMAGE (-ENOPKG)

enum { MD_ATTACH_STDIN = 1, MD_ATTACH_STDOUT = 2, MD_ATTACH_STDERR = 4 };

struct md_run_opts {
    int rm, interactive, tty, detach, init, privileged, read_only, no_new_privs;
    int seccomp_unconfined;
    char *seccomp_profile; /* --security-opt seccomp=FILE */
    char *restart;         /* no | always | unless-stopped | on-failure[:N] */
    char **log_opts;       /* max-size=..., max-file=... */
    char *name, *hostname, *workdir, *user, *network, *rootfs, *stop_signal;
    char *pull, *platform; /* the front end's: --pull always|missing|never, --platform */
    int quiet;             /* -q: no pull output */
    char **labels;         /* -l k=v / --label-file: "k=v" or "k"; later ones win */
    int entrypoint_set;
    char *entrypoint; /* "" resets the image's */
    char **env;       /* KEY=VAL after --env/--env-file expansion, in order */
    char **cap_add, **cap_drop;
    char **volumes, **mounts, **tmpfs, **volumes_from; /* -v, --mount, --tmpfs, --volumes-from */
    char **devices, **device_cgroup_rules; /* --device, --device-cgroup-rule (engine/devices.h) */
    struct md_ulimit *ulimits;
    size_t n_ulimits;
    char *image;            /* or an absolute host path (the seeds' `run -it /bin/sh`) */
    char **args;            /* command + args after the image, NULL-terminated (may be empty) */
    struct md_res_opts res; /* -m, --cpus, --pids-limit, ... (engine/resources.h) */
    struct md_net_opts net; /* -p, -P, --ip, --dns, ... (net/netopts.h) */
    struct md_sys_opts sys; /* --ipc, --pid, --sysctl, ... (engine/sysopts.h) */
    struct md_health_opts health; /* --health-*, --no-healthcheck (engine/health.h) */
    md_warn_t warn;               /* the front end's sink for docker's create warnings */
    char *cidfile;                /* the front end's: --cidfile */
    char *log_driver; /* json-file (NULL), local (the same files, docker's local sizes), none */
    int attach;       /* the front end's -a/--attach: MD_ATTACH_* bits, 0 = docker's default */
    char **networks;  /* --network given again: more networks, connected after the create */
    /* the front end's --detach-keys, --sig-proxy (1, or 0 for =false); when set, run starts
     * the container detached and connects *monitor_conn to it (engine/start.h) */
    char *detach_keys;
    char **storage_opts; /* --storage-opt size=N (engine/storage_quota.h) */
    char *runtime;       /* --runtime: only the built-in one (runc, its docker name) */
    char **warnings;     /* the front end's, for flags docker's daemon warns about at create */
    int sig_proxy, sig_proxy_set;
    struct md_attach_conn *monitor_conn;
    /* the front end's: called once the container exists, before it starts */
    struct {
        void (*fn)(void *data, const char *id);
        void *data;
    } created;
};

void md_run_opts_free(struct md_run_opts *o);

#endif
