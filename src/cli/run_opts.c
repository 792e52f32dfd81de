/* `run` / `create` flags: docker's getopt table, usage text and value
 * parsing into struct md_run_opts (engine/opts.h). Front-end code: the
 * engine takes the struct, never argv. */
#include "cli/detach_keys.h"
#include "cli/getopt.h"
#include "cli/run_compat.h"
#include "cli/run_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/resource.h>

#include "engine/devices.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/size.h"
#include "util/xalloc.h"
#include "util/strv.h"

enum {
    OPT_RM = 256,
    OPT_ENV_FILE,
    OPT_ENTRYPOINT,
    OPT_INIT,
    OPT_NAME,
    OPT_NETWORK,
    OPT_READ_ONLY,
    OPT_CAP_ADD,
    OPT_CAP_DROP,
    OPT_PRIVILEGED,
    OPT_SECURITY_OPT,
    OPT_ULIMIT,
    OPT_STOP_SIGNAL,
    OPT_ROOTFS,
    OPT_HELP,
    OPT_DEVICE,
    OPT_DEVICE_CGROUP_RULE,
    OPT_MOUNT,
    OPT_TMPFS,
    OPT_VOLUMES_FROM,
    OPT_RESTART,
    OPT_LOG_OPT,
    OPT_LOG_DRIVER,
    OPT_DETACH_KEYS,
    OPT_STORAGE_OPT,
    OPT_RUNTIME,
    OPT_SIG_PROXY,
    OPT_PULL,
    OPT_LABEL_FILE,
    OPT_PLATFORM,
    OPT_CIDFILE,
    OPT_ATTACH,
};

static const struct option long_opts[] = {
    {"rm", no_argument, NULL, OPT_RM},
    {"interactive", no_argument, NULL, 'i'},
    {"tty", no_argument, NULL, 't'},
    {"detach", no_argument, NULL, 'd'},
    {"env", required_argument, NULL, 'e'},
    {"env-file", required_argument, NULL, OPT_ENV_FILE},
    {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'},
    {"hostname", required_argument, NULL, 'h'},
    {"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
    {"init", no_argument, NULL, OPT_INIT},
    {"name", required_argument, NULL, OPT_NAME},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"net", required_argument, NULL, OPT_NETWORK},
    {"read-only", no_argument, NULL, OPT_READ_ONLY},
    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
    {"privileged", no_argument, NULL, OPT_PRIVILEGED},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"device-cgroup-rule", required_argument, NULL, OPT_DEVICE_CGROUP_RULE},
    {"security-opt", required_argument, NULL, OPT_SECURITY_OPT},
    {"ulimit", required_argument, NULL, OPT_ULIMIT},
    {"stop-signal", required_argument, NULL, OPT_STOP_SIGNAL},
    {"rootfs", required_argument, NULL, OPT_ROOTFS},
    {"pull", required_argument, NULL, OPT_PULL},
    {"label", required_argument, NULL, 'l'},
    {"label-file", required_argument, NULL, OPT_LABEL_FILE},
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"cidfile", required_argument, NULL, OPT_CIDFILE},
    {"attach", required_argument, NULL, 'a'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, OPT_HELP},
    {"volume", required_argument, NULL, 'v'},
    {"mount", required_argument, NULL, OPT_MOUNT},
    {"tmpfs", required_argument, NULL, OPT_TMPFS},
    {"volumes-from", required_argument, NULL, OPT_VOLUMES_FROM},
    {"restart", required_argument, NULL, OPT_RESTART},
    {"log-opt", required_argument, NULL, OPT_LOG_OPT},
    {"log-driver", required_argument, NULL, OPT_LOG_DRIVER},
    {"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
    {"storage-opt", required_argument, NULL, OPT_STORAGE_OPT},
    {"runtime", required_argument, NULL, OPT_RUNTIME},
    {"sig-proxy", optional_argument, NULL, OPT_SIG_PROXY},
    MD_RES_LONG_OPTIONS,
    MD_NET_LONG_OPTIONS,
    MD_SYS_LONG_OPTIONS,
    MD_HEALTH_LONG_OPTIONS,
    MD_COMPAT_LONG_OPTIONS,
    {NULL, 0, NULL, 0},
};

void md_run_usage(void)
{
    fputs(
        "Usage:  mydocker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
        "\n"
        "Create and run a new container from an image (or, as in the seeds, an absolute\n"
        "host command run in new namespaces over the host's own root: `run -it /bin/sh`)\n"
        "\n"
        "Options:\n"
        "      --cap-add list           Add Linux capabilities\n"
        "      --cap-drop list          Drop Linux capabilities\n"
        "      --cidfile string         Write the container ID to the file\n"
        "  -a, --attach list            Attach to STDIN, STDOUT or STDERR\n"
        "      --detach-keys string     Override the key sequence for detaching a container\n"
        "      --runtime string         Runtime to use for this container (runc: the built-in)\n"
        "      --storage-opt list       Storage driver options for the container (size=)\n"
        "      --sig-proxy              Proxy received signals to the process (default true)\n"
        "  -d, --detach                 Run container in background and print container ID\n"
        "      --entrypoint string      Overwrite the default ENTRYPOINT of the image\n"
        "  -e, --env list               Set environment variables\n"
        "      --env-file list          Read in a file of environment variables\n"
        "  -h, --hostname string        Container host name\n"
        "      --init                   Run an init inside the container that forwards signals\n"
        "                               and reaps processes\n"
        "  -i, --interactive            Keep STDIN open even if not attached\n"
        "      --name string            Assign a name to the container\n"
        "      --network string         Connect a container to a network (bridge, none, host,\n"
        "                               container:NAME, or a user network)\n"
        "      --privileged             Give extended privileges to this container\n"
        "      --device list            Add a host device to the container\n"
        "      --device-cgroup-rule list\n"
        "                               Add a rule to the cgroup allowed devices list\n"
        "      --log-opt list           Log driver options (max-size, max-file)\n"
        "      --restart string         Restart policy to apply when a container exits\n"
        "                               (no, on-failure[:max-retries], always, unless-stopped)\n"
        "      --read-only              Mount the container's root filesystem as read only\n"
        "      --rm                     Automatically remove the container when it exits\n"
        "      --rootfs string          Run from an exploded root filesystem instead of an image\n"
        "  -l, --label list             Set meta data on a container\n"
        "      --label-file list        Read in a line delimited file of labels\n"
        "      --pull string            Pull image before running (\"always\", \"missing\", "
        "\"never\")\n"
        "                               (default \"missing\")\n"
        "      --platform string        Set platform if server is multi-platform capable\n"
        "  -q, --quiet                  Suppress the pull output\n"
        "      --security-opt list      Security Options (no-new-privileges, seccomp=unconfined)\n"
        "      --stop-signal string     Signal to stop the container\n"
        "  -t, --tty                    Allocate a pseudo-TTY\n"
        "      --ulimit ulimit          Ulimit options (e.g. nofile=1024:2048)\n"
        "  -v, --volume list            Bind mount a volume (/host:/ctr[:ro], name:/ctr, /ctr)\n"
        "      --mount mount            Attach a filesystem mount (type=bind|volume|tmpfs,...)\n"
        "      --tmpfs list             Mount a tmpfs directory (/path[:options])\n"
        "      --volumes-from list      Mount volumes from the specified container(s)\n"
        "  -u, --user string            Username or UID (format: <name|uid>[:<group|gid>])\n"
        "  -w, --workdir string         Working directory inside the container\n"
        "\n"
        "Resource options (docker's units: b, k, m, g):\n"
        "      --blkio-weight uint16    Block IO (relative weight), between 10 and 1000\n"
        "      --cgroup-parent string   Optional parent cgroup for the container\n"
        "      --cgroupns string        Cgroup namespace to use (host|private) (default private)\n"
        "  -c, --cpu-shares int         CPU shares (relative weight)\n"
        "      --cpu-period int         Limit CPU CFS (Completely Fair Scheduler) period\n"
        "      --cpu-quota int          Limit CPU CFS (Completely Fair Scheduler) quota\n"
        "      --cpus decimal           Number of CPUs\n"
        "      --cpuset-cpus string     CPUs in which to allow execution (0-3, 0,1)\n"
        "      --cpuset-mems string     MEMs in which to allow execution (0-3, 0,1)\n"
        "      --device-read-bps list   Limit read rate (bytes per second) from a device\n"
        "      --device-write-bps list  Limit write rate (bytes per second) to a device\n"
        "  -m, --memory bytes           Memory limit\n"
        "      --memory-reservation bytes\n"
        "                               Memory soft limit\n"
        "      --memory-swap bytes      Swap limit equal to memory plus swap: '-1' to enable\n"
        "                               unlimited swap\n"
        "      --oom-kill-disable       Disable OOM Killer\n"
        "      --oom-score-adj int      Tune host's OOM preferences (-1000 to 1000)\n"
        "      --pids-limit int         Tune container pids limit (set -1 for "
        "unlimited)\n" MD_NET_USAGE "\nNamespace and kernel options:\n" MD_SYS_USAGE
        "\nHealthcheck options:\n" MD_HEALTH_USAGE,
        stdout);
}

void md_env_add(char ***env, const char *kv)
{
    if (strchr(kv, '=') != NULL) {
        md_strv_append(env, kv);
        return;
    }
    /* KEY alone takes the host's value, and is dropped when the host has none */
    const char *v = getenv(kv);
    cleanup_free char *s = NULL;
    if (v && asprintf(&s, "%s=%s", kv, v) < 0) md_oom();
    if (v) md_strv_append(env, s);
}

int md_env_entry(void *env, const char *s, md_error_t **err)
{
    if (*s == '=') return md_error(err, 0, "invalid environment variable: %s", s);
    md_env_add(env, s);
    return 0;
}

static int add_label(struct md_run_opts *o, const char *kv, md_error_t **err)
{
    if (kv[0] == '=' || kv[0] == '\0')
        return md_error(err, 0, "invalid label '%s': empty name", kv);
    return md_strv_append(&o->labels, kv);
}

int md_cli_read_entries(const char *path, int (*fn)(void *ctx, const char *s, md_error_t **err),
                        void *ctx, md_error_t **err)
{
    cleanup_fclose FILE *f = fopen(path, "re");
    if (f == NULL) return md_error(err, errno, "open %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int r = 0;
    while (r == 0 && (n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        char *t = line + strspn(line, " \t");
        if (*t != '\0' && *t != '#') r = fn(ctx, t, err);
    }
    free(line);
    return r;
}

static int label_entry(void *o, const char *s, md_error_t **err)
{
    return add_label(o, s, err);
}

/* a number, or -1 for unlimited (docker's "core=-1") */
static int ulimit_value(const char *s, size_t n, unsigned long long *out)
{
    char buf[32];
    if (n == 0 || n >= sizeof(buf)) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (strcmp(buf, "-1") == 0) {
        *out = RLIM_INFINITY;
        return 0;
    }
    char *end;
    errno = 0;
    *out = strtoull(buf, &end, 10);
    return (errno || *end || buf[0] == '-') ? -1 : 0;
}

int md_ulimit_parse(const char *spec, struct md_ulimit *u, md_error_t **err)
{
    const char *eq = strchr(spec, '=');
    if (eq == NULL || eq == spec)
        return md_error(
            err, 0, "invalid argument \"%s\" for \"--ulimit\" flag: invalid ulimit argument: %s",
            spec, spec);
    unsigned long long soft, hard;
    const char *colon = strchr(eq + 1, ':');
    int r = ulimit_value(eq + 1, colon ? (size_t)(colon - eq - 1) : strlen(eq + 1), &soft);
    hard = soft;
    if (r == 0 && colon) r = ulimit_value(colon + 1, strlen(colon + 1), &hard);
    if (r < 0)
        return md_error(
            err, 0, "invalid argument \"%s\" for \"--ulimit\" flag: invalid ulimit value", spec);
    if (soft > hard)
        return md_error(
            err, 0,
            "invalid argument \"%s\" for \"--ulimit\" flag: ulimit soft limit must be less "
            "than or equal to hard limit: %llu > %llu",
            spec, soft, hard);
    u->name = md_xstrndup(spec, (size_t)(eq - spec));
    u->soft = soft;
    u->hard = hard;
    return 0;
}

static int restart_opt(struct md_run_opts *o, const char *v, md_error_t **err)
{
    if (strcmp(v, "no") != 0 && strcmp(v, "always") != 0 && strcmp(v, "unless-stopped") != 0 &&
        strcmp(v, "on-failure") != 0) {
        char *end;
        if (strncmp(v, "on-failure:", 11) != 0 || strtol(v + 11, &end, 10) < 0 || *end || !v[11])
            return md_error(err, 0, "invalid restart policy: %s", v);
    }
    if (strchr(v, ':') && strncmp(v, "on-failure:", 11) != 0)
        return md_error(
            err, 0,
            "invalid restart policy: maximum retry count can only be used with 'on-failure'");
    free(o->restart);
    o->restart = md_xstrdup(v);
    return 0;
}

static int log_opt(struct md_run_opts *o, const char *v, md_error_t **err)
{
    const char *eq = strchr(v, '=');
    if (eq == NULL) return md_error(err, 0, "invalid key value pair format in log options: %s", v);
    if (strncmp(v, "max-size=", 9) == 0) {
        if (md_parse_size(eq + 1) <= 0) return md_error(err, 0, "invalid max-size: %s", eq + 1);
    } else if (strncmp(v, "max-file=", 9) == 0) {
        char *end;
        if (strtol(eq + 1, &end, 10) < 1 || *end)
            return md_error(err, 0, "invalid max-file: %s", eq + 1);
    } else {
        return md_error(err, 0, "unknown log opt '%.*s' for json-file log driver", (int)(eq - v),
                        v);
    }
    return md_strv_append(&o->log_opts, v);
}

static int security_opt(struct md_run_opts *o, const char *v, md_error_t **err)
{
    if (strcmp(v, "no-new-privileges") == 0 || strcmp(v, "no-new-privileges:true") == 0 ||
        strcmp(v, "no-new-privileges=true") == 0)
        o->no_new_privs = 1;
    else if (strcmp(v, "no-new-privileges:false") == 0 || strcmp(v, "no-new-privileges=false") == 0)
        o->no_new_privs = 0;
    else if (strcmp(v, "seccomp=unconfined") == 0 || strcmp(v, "seccomp:unconfined") == 0)
        o->seccomp_unconfined = 1;
    else if (strncmp(v, "seccomp=", 8) == 0)
        o->seccomp_profile = md_xstrdup(v + 8);
    else if (strncmp(v, "apparmor=", 9) == 0 || strncmp(v, "label=", 6) == 0 ||
             strncmp(v, "label:", 6) == 0)
        return 0; /* no LSM on this host: accepted and ignored, as docker does without one */
    else
        return md_error(err, 0, "invalid --security-opt: \"%s\"", v);
    return 0;
}

static int add_device(struct md_run_opts *o, const char *v, md_error_t **err)
{
    struct md_device_map m;
    int r = md_device_parse(v, &m, err);
    md_device_map_free(&m);
    return r < 0 ? r : md_strv_append(&o->devices, v);
}

/* flags that only switch something on */
static int *bool_slot(int c, struct md_run_opts *o)
{
    switch (c) {
    case OPT_RM:
        return &o->rm;
    case 'i':
        return &o->interactive;
    case 't':
        return &o->tty;
    case 'd':
        return &o->detach;
    case OPT_INIT:
        return &o->init;
    case OPT_READ_ONLY:
        return &o->read_only;
    case OPT_PRIVILEGED:
        return &o->privileged;
    case 'q':
        return &o->quiet;
    default:
        return NULL;
    }
}

/* flags whose value is kept as given (the last one wins) */
static char **string_slot(int c, struct md_run_opts *o)
{
    switch (c) {
    case 'u':
        return &o->user;
    case 'h':
        return &o->hostname;
    case OPT_NAME:
        return &o->name;
    case OPT_STOP_SIGNAL:
        return &o->stop_signal;
    case OPT_PLATFORM:
        return &o->platform;
    case OPT_CIDFILE:
        return &o->cidfile;
    case OPT_ROOTFS:
        return &o->rootfs;
    default:
        return NULL;
    }
}

/* repeatable flags whose values are kept as given, in order */
static char ***list_slot(int c, struct md_run_opts *o)
{
    switch (c) {
    case OPT_CAP_ADD:
        return &o->cap_add;
    case OPT_CAP_DROP:
        return &o->cap_drop;
    case 'v':
        return &o->volumes;
    case OPT_MOUNT:
        return &o->mounts;
    case OPT_TMPFS:
        return &o->tmpfs;
    case OPT_VOLUMES_FROM:
        return &o->volumes_from;
    default:
        return NULL;
    }
}

static void set_string(char **slot, const char *v)
{
    free(*slot);
    *slot = md_xstrdup(v);
}

static int add_ulimit(struct md_run_opts *o, const char *v, md_error_t **err)
{
    struct md_ulimit u;
    int r = md_ulimit_parse(v, &u, err);
    if (r < 0) return r;
    o->ulimits = md_xrealloc(o->ulimits, (o->n_ulimits + 1) * sizeof(*o->ulimits));
    o->ulimits[o->n_ulimits++] = u;
    return 0;
}

static int pull_opt(struct md_run_opts *o, const char *v, md_error_t **err)
{
    if (strcmp(v, "always") && strcmp(v, "missing") && strcmp(v, "never"))
        return md_error(err, 0,
                        "invalid pull option: '%s': must be one of \"always\", \"missing\" or "
                        "\"never\"",
                        v);
    set_string(&o->pull, v);
    return 0;
}

static int user_defined(const char *net)
{
    return strcmp(net, "none") != 0 && strcmp(net, "host") != 0 && strcmp(net, "bridge") != 0 &&
           strcmp(net, "default") != 0 && strncmp(net, "container:", 10) != 0;
}

/* docker >= 25: --network again attaches to that network too (user networks only) */
static int network_opt(struct md_run_opts *o, const char *v, md_error_t **err)
{
    if (o->network == NULL) {
        set_string(&o->network, v);
        return 0;
    }
    if (strcmp(o->network, v) == 0 || md_strv_contains(o->networks, v)) return 0;
    if (!user_defined(o->network) || !user_defined(v))
        return md_error(err, 0,
                        "conflicting options: cannot attach both user-defined and "
                        "non-user-defined network-modes");
    return md_strv_append(&o->networks, v);
}

static int workdir_opt(struct md_run_opts *o, const char *v, md_error_t **err)
{
    if (v[0] != '/')
        return md_error(
            err, 0, "the working directory '%s' is invalid, it needs to be an absolute path", v);
    set_string(&o->workdir, v);
    return 0;
}

static int detach_keys_opt(struct md_run_opts *o, const char *v, md_error_t **err)
{
    struct md_detach_keys k;
    if (md_detach_keys_parse(v, &k) < 0)
        return md_error(err, 0, "Invalid detach keys (%s) provided", v);
    set_string(&o->detach_keys, v);
    return 0;
}

/* flags whose value is checked or turned into something else */
static int parse_checked(int c, struct md_run_opts *o, const char *v, md_error_t **err)
{
    switch (c) {
    case 'e':
        md_env_add(&o->env, v);
        return 0;
    case OPT_ENV_FILE:
        return md_cli_read_entries(v, md_env_entry, &o->env, err);
    case 'l':
        return add_label(o, v, err);
    case OPT_LABEL_FILE:
        return md_cli_read_entries(v, label_entry, o, err);
    case 'w':
        return workdir_opt(o, v, err);
    case OPT_ENTRYPOINT:
        set_string(&o->entrypoint, v);
        o->entrypoint_set = 1;
        return 0;
    case OPT_DEVICE:
        return add_device(o, v, err);
    case OPT_DEVICE_CGROUP_RULE:
        if (md_device_cgroup_rule_check(v, err) < 0) return -1;
        return md_strv_append(&o->device_cgroup_rules, v);
    case OPT_SECURITY_OPT:
        return security_opt(o, v, err);
    case OPT_ULIMIT:
        return add_ulimit(o, v, err);
    case OPT_PULL:
        return pull_opt(o, v, err);
    case OPT_RESTART:
        return restart_opt(o, v, err);
    case OPT_LOG_OPT:
        return log_opt(o, v, err);
    case OPT_NETWORK:
        return network_opt(o, v, err);
    case 'a':
        if (strcasecmp(v, "stdin") == 0)
            o->attach |= MD_ATTACH_STDIN;
        else if (strcasecmp(v, "stdout") == 0)
            o->attach |= MD_ATTACH_STDOUT;
        else if (strcasecmp(v, "stderr") == 0)
            o->attach |= MD_ATTACH_STDERR;
        else
            return md_error(err, 0,
                            "invalid argument \"%s\" for \"-a, --attach\" flag: valid streams are "
                            "STDIN, STDOUT and STDERR",
                            v);
        return 0;
    case OPT_DETACH_KEYS:
        return detach_keys_opt(o, v, err);
    case OPT_STORAGE_OPT:
        return md_strv_append(&o->storage_opts, v);
    case OPT_RUNTIME:
        /* docker's daemon knows runc (and its containerd shim name) unless more are
         * configured; ours is built in and answers to those names */
        if (strcmp(v, "runc") != 0 && strcmp(v, "io.containerd.runc.v2") != 0)
            return md_error(err, 0, "unknown or invalid runtime name: %s", v);
        set_string(&o->runtime, v);
        return 0;
    case OPT_SIG_PROXY:
        if (v && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return md_error(err, 0, "invalid argument \"%s\" for \"--sig-proxy\" flag", v);
        o->sig_proxy_set = 1;
        o->sig_proxy = v == NULL || strcmp(v, "true") == 0;
        return 0;
    case OPT_LOG_DRIVER:
        /* local keeps json-file's files (docker's own format is a private detail: `logs`
         * reads both alike); journald, syslog, ... would need their daemons */
        if (strcmp(v, "journald") == 0 && access("/run/systemd/journal/socket", F_OK) != 0)
            return md_error(err, 0,
                            "failed to initialize logging driver: journald is not enabled on "
                            "this host");
        if (strcmp(v, "json-file") != 0 && strcmp(v, "local") != 0 && strcmp(v, "none") != 0)
            return md_error(
                err, 0, "logging driver \"%s\" is not supported (json-file, local and none are)",
                v);
        set_string(&o->log_driver, v);
        return 0;
    case 'm':
    case 'c':
        return md_res_opt_parse(&o->res, c, v, err);
    case 'p':
    case 'P':
        return md_net_opt_parse(&o->net, c, v, err);
    default:
        if (c >= MD_ROPT_FIRST && c < MD_ROPT_LAST) return md_res_opt_parse(&o->res, c, v, err);
        if (c >= MD_NOPT_FIRST && c < MD_NOPT_LAST) return md_net_opt_parse(&o->net, c, v, err);
        if (c >= MD_SOPT_FIRST && c < MD_SOPT_LAST) return md_sys_opt_parse(&o->sys, c, v, err);
        if (c >= MD_HOPT_FIRST && c < MD_HOPT_LAST)
            return md_health_opt_parse(&o->health, c, v, err);
        if (c >= MD_COPT_FIRST && c < MD_COPT_LAST) return md_compat_opt_parse(o, c, v, err);
        return md_error(err, 0, "unknown flag");
    }
}

static int parse_one(int c, struct md_run_opts *o, md_error_t **err)
{
    int *flag = bool_slot(c, o);
    char **str = flag ? NULL : string_slot(c, o);
    char ***list = flag || str ? NULL : list_slot(c, o);
    if (flag) *flag = 1;
    if (str) set_string(str, optarg);
    if (list) return md_strv_append(list, optarg);
    return flag || str ? 0 : parse_checked(c, o, optarg, err);
}

/* getopt leaves optind on the cluster when a short option in it is bad */
static int bad_flag(int c, int argc, char **argv, md_error_t **err)
{
    const char *arg = argv[optind - 1];
    if (optopt && optind < argc && argv[optind][0] == '-' && argv[optind][1] != '-' &&
        strchr(argv[optind], optopt))
        arg = argv[optind];
    if (c == ':')
        return md_error(err, 0, "flag needs an argument: %s\nSee 'mydocker run --help'.", arg);
    if (optopt && arg[1] != '-')
        return md_error(err, 0, "unknown shorthand flag: '%c' in %s\nSee 'mydocker run --help'.",
                        optopt, arg);
    return md_error(err, 0, "unknown flag: %.*s\nSee 'mydocker run --help'.", MD_FLAG_NAME(arg));
}

int md_run_opts_parse(int argc, char **argv, struct md_run_opts *o, md_error_t **err)
{
    memset(o, 0, sizeof(*o));
    optind = 0; /* full reset: parse may run more than once in one process */
    opterr = 0;
    int c;
    while ((c = md_getopt_long(argc, argv, "+:ite:w:u:h:dv:m:c:p:Pql:a:", long_opts, NULL)) != -1) {
        if (c == OPT_HELP) {
            md_run_usage();
            return 1;
        }
        if (c == '?' || c == ':') return bad_flag(c, argc, argv, err);
        int r = parse_one(c, o, err);
        if (r < 0) return r;
    }
    if (o->rootfs == NULL) {
        if (optind >= argc)
            return md_error(err, 0,
                            "\"mydocker run\" requires at least 1 argument.\n"
                            "See 'mydocker run --help'.");
        o->image = md_xstrdup(argv[optind++]);
    }
    o->args = md_strv_dup(argv + optind);
    if (o->args == NULL) return md_error(err, ENOMEM, "args");
    return 0;
}

int md_run_opts_check_tty(const struct md_run_opts *o, md_error_t **err)
{
    /* docker's CLI refuses -it without a terminal before anything is made */
    if (o->attach && o->detach) return md_error(err, 0, "Conflicting options: -a and -d");
    if (o->interactive && o->tty && !isatty(STDIN_FILENO))
        return md_error(err, 0, "the input device is not a TTY");
    return 0;
}
