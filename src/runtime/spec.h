/* The OCI runtime spec (config.json) as C structs. The runtime core works
 * only from these; both `mydocker run` (engine-generated JSON) and
 * mydocker-runc (a bundle's config.json) arrive here through md_spec_parse. */
#ifndef MD_SPEC_H
#define MD_SPEC_H

#include <stdint.h>
#include <sys/types.h>

#include "process_attrs.h"
#include "util/error.h"

struct json_object;

struct md_rlimit {
    int resource; /* RLIMIT_* */
    uint64_t soft, hard;
};

struct md_process {
    int terminal;
    unsigned short rows, cols;
    uid_t uid;
    gid_t gid;
    gid_t *gids; /* additionalGids */
    size_t n_gids;
    int has_umask;
    mode_t umask;
    char **args; /* NULL-terminated, byte-exact */
    char **env;
    char *cwd;
    int has_caps;
    uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
    char **unknown_caps; /* names left out (the front end warns), NULL-terminated or NULL */
    int no_new_privileges;
    struct md_rlimit *rlimits;
    size_t n_rlimits;
    int has_oom_score_adj;
    int oom_score_adj;
    char *apparmor_profile, *selinux_label;
};

struct md_mount {
    char *destination, *type, *source;
    unsigned long flags;       /* MS_* to set */
    unsigned long clear_flags; /* MS_* explicitly cleared ("rw", "suid", ...) */
    unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC) */
    int bind;                  /* bind or rbind */
    int copy_up;               /* MD_MOUNT_OPT_COPYUP: fill an empty source from the rootfs */
    int tmpcopyup;             /* runc's "tmpcopyup": a tmpfs starts with what it covers */
    /* recursive options ("rro", "rnosuid", ...): MOUNT_ATTR_* for
     * mount_setattr(AT_RECURSIVE) on the mount and everything below it */
    unsigned long long attr_set, attr_clr;
    char *data; /* filesystem-specific options, comma-joined */
};

struct md_device {
    char *path;
    char type; /* 'c', 'b', 'u', 'p' */
    int64_t major, minor;
    mode_t mode;
    int has_mode;
    uid_t uid;
    gid_t gid;
};

struct md_idmap {
    uint32_t container_id, host_id, size;
};

enum md_ns_kind {
    MD_NS_PID,
    MD_NS_NET,
    MD_NS_MNT,
    MD_NS_IPC,
    MD_NS_UTS,
    MD_NS_USER,
    MD_NS_CGROUP,
    MD_NS_TIME,
    MD_NS_COUNT
};

struct md_namespace {
    int present;
    char *path; /* join this one instead of creating */
};

struct md_spec {
    struct json_object *json; /* the whole document (owned) */
    struct md_process process;
    char *root_path;
    int root_readonly;
    char *hostname, *domainname;
    struct md_mount *mounts;
    size_t n_mounts;
    struct md_namespace ns[MD_NS_COUNT];
    struct md_idmap *uid_maps, *gid_maps;
    size_t n_uid_maps, n_gid_maps;
    struct md_device *devices;
    size_t n_devices;
    char **masked_paths, **readonly_paths;
    char **sysctl_keys, **sysctl_values;
    unsigned long rootfs_propagation;
    char *cgroups_path;
    struct json_object *resources; /* linux.resources (borrowed from json) */
    struct json_object *seccomp;   /* linux.seccomp (borrowed from json) */
    unsigned seccomp_flags;        /* linux.seccomp.flags */
    char *seccomp_bpf;             /* compiled by the parent (md_seccomp_prepare) */
    size_t seccomp_bpf_len;
    struct json_object *hooks; /* hooks (borrowed) */
    struct json_object *annotations;
    struct md_process_attrs attrs; /* personality, ioPriority, scheduler */
    char *time_offsets;            /* linux.timeOffsets as timens_offsets lines */
    /* engine extension (annotation org.mydocker.rootfs.overlay): the
     * child mounts an overlay on root_path inside the container's own mount
     * namespace, so the mount dies with the container whatever happens. */
    char *overlay_lower, *overlay_upper, *overlay_work;
    int init;             /* annotation org.mydocker.init: a reaping init as PID 1 */
    int overlay_volatile; /* overlay "volatile": no syncs of an upper dir nobody keeps */
    int no_pivot;         /* mydocker-runc --no-pivot: MS_MOVE + chroot instead of pivot_root */
};

int md_spec_parse(struct json_object *doc, struct md_spec **out, md_error_t **err);
/* Whether the child needs its cgroup namespace before its mounts (a cgroup
 * filesystem is mounted in the container). */
/* linux.namespaces asks for a new cgroup namespace (no path). */
int md_spec_cgroupns_new(const struct md_spec *s);
int md_spec_cgroupns_early(const struct md_spec *s);
/* A v1/hybrid host, a cgroupsPath and a "cgroup" mount: the child binds the container's
 * cgroup directories (runtime/mount_cgroup.c), so it waits until the parent has made them. */
int md_spec_cgroup_binds(const struct md_spec *s);
int md_spec_load(const char *path, struct md_spec **out, md_error_t **err);
int md_process_parse(struct json_object *proc, struct md_process *out, md_error_t **err);
void md_process_clear(struct md_process *p);
void md_spec_free(struct md_spec *s);

/* "CAP_SYS_ADMIN" -> 21, -1 if unknown */
int md_cap_from_name(const char *name);
/* "CHOWN" for 0 ... (without "CAP_"); NULL past the last one this build knows */
const char *md_cap_name(int cap);
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE, -1 if unknown */
int md_rlimit_from_name(const char *name);
/* Parse a mount "options" list into flags/propagation/data. */
int md_mount_options(struct md_mount *m, struct json_object *options, md_error_t **err);

#define MD_ANNOT_OVERLAY_LOWER "org.mydocker.overlay.lowerdir"
#define MD_ANNOT_OVERLAY_UPPER "org.mydocker.overlay.upperdir"
#define MD_ANNOT_OVERLAY_WORK "org.mydocker.overlay.workdir"
#define MD_ANNOT_INIT "org.mydocker.init"
#define MD_ANNOT_OVERLAY_VOLATILE "org.mydocker.overlay.volatile"
/* Engine mount option: docker's volume copy-up. When the bind source is an
 * empty directory, the image's content at the destination is copied into it
 * first (in the child, inside the container's mount namespace). */
#define MD_MOUNT_OPT_COPYUP "mydocker.copy-up"

#endif
