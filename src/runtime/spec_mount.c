/* Mount option strings of the OCI spec -> mount(2) flags, as mount(8) reads them. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "spec.h"

struct opt {
    const char *name;
    unsigned long flag;
    int clear; /* the option removes the flag */
};

static const struct opt flag_opts[] = {
    {"ro", MS_RDONLY, 0},
    {"rw", MS_RDONLY, 1},
    {"nosuid", MS_NOSUID, 0},
    {"suid", MS_NOSUID, 1},
    {"nodev", MS_NODEV, 0},
    {"dev", MS_NODEV, 1},
    {"noexec", MS_NOEXEC, 0},
    {"exec", MS_NOEXEC, 1},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", MS_SYNCHRONOUS, 1},
    {"dirsync", MS_DIRSYNC, 0},
    {"remount", MS_REMOUNT, 0},
    {"mand", MS_MANDLOCK, 0},
    {"nomand", MS_MANDLOCK, 1},
    {"atime", MS_NOATIME, 1},
    {"noatime", MS_NOATIME, 0},
    {"diratime", MS_NODIRATIME, 1},
    {"nodiratime", MS_NODIRATIME, 0},
    {"relatime", MS_RELATIME, 0},
    {"norelatime", MS_RELATIME, 1},
    {"strictatime", MS_STRICTATIME, 0},
    {"nostrictatime", MS_STRICTATIME, 1},
    {"silent", MS_SILENT, 0},
    {"loud", MS_SILENT, 1},
    {"nosymfollow", MS_NOSYMFOLLOW, 0},
    {"symfollow", MS_NOSYMFOLLOW, 1},
    {"defaults", 0, 0},
};

static const struct opt prop_opts[] = {
    {"private", MS_PRIVATE, 0},       {"rprivate", MS_PRIVATE | MS_REC, 0},
    {"shared", MS_SHARED, 0},         {"rshared", MS_SHARED | MS_REC, 0},
    {"slave", MS_SLAVE, 0},           {"rslave", MS_SLAVE | MS_REC, 0},
    {"unbindable", MS_UNBINDABLE, 0}, {"runbindable", MS_UNBINDABLE | MS_REC, 0},
};

/* runtime-spec 1.1's recursive variants, applied with mount_setattr(2) */
static const struct {
    const char *name;
    unsigned long long set, clr;
} rec_opts[] = {
    {"rro", MOUNT_ATTR_RDONLY, 0},
    {"rrw", 0, MOUNT_ATTR_RDONLY},
    {"rnosuid", MOUNT_ATTR_NOSUID, 0},
    {"rsuid", 0, MOUNT_ATTR_NOSUID},
    {"rnodev", MOUNT_ATTR_NODEV, 0},
    {"rdev", 0, MOUNT_ATTR_NODEV},
    {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
    {"rexec", 0, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnorelatime", 0, MOUNT_ATTR__ATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"ratime", 0, MOUNT_ATTR__ATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", 0, MOUNT_ATTR__ATIME},
    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
};

static int append_data(char **data, const char *o)
{
    size_t old = *data ? strlen(*data) : 0;
    char *n = realloc(*data, old + strlen(o) + 2);
    if (n == NULL) return -ENOMEM;
    if (old) n[old++] = ',';
    strcpy(n + old, o);
    *data = n;
    return 0;
}

static int apply_option(struct md_mount *m, const char *o)
{
    for (size_t i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++) {
        if (strcmp(o, flag_opts[i].name) != 0) continue;
        if (flag_opts[i].clear) {
            m->flags &= ~flag_opts[i].flag;
            m->clear_flags |= flag_opts[i].flag;
        } else {
            m->flags |= flag_opts[i].flag;
            m->clear_flags &= ~flag_opts[i].flag;
        }
        return 0;
    }
    for (size_t i = 0; i < sizeof(prop_opts) / sizeof(prop_opts[0]); i++) {
        if (strcmp(o, prop_opts[i].name) == 0) {
            m->propagation = prop_opts[i].flag;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof(rec_opts) / sizeof(rec_opts[0]); i++) {
        if (strcmp(o, rec_opts[i].name) == 0) {
            m->attr_set = (m->attr_set & ~rec_opts[i].clr) | rec_opts[i].set;
            m->attr_clr = (m->attr_clr & ~rec_opts[i].set) | rec_opts[i].clr;
            return 0;
        }
    }
    if (strcmp(o, "tmpcopyup") == 0) {
        m->tmpcopyup = 1;
        return 0;
    }
    if (strcmp(o, MD_MOUNT_OPT_COPYUP) == 0) {
        m->copy_up = 1;
        return 0;
    }
    if (strcmp(o, "bind") == 0) {
        m->bind = 1;
        return 0;
    }
    if (strcmp(o, "rbind") == 0) {
        m->bind = 2;
        return 0;
    }
    /* everything else belongs to the filesystem ("mode=755", "size=64m", ...) */
    return append_data(&m->data, o);
}

int md_mount_options(struct md_mount *m, struct json_object *options, md_error_t **err)
{
    if (m->type && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0))
        m->bind = strcmp(m->type, "rbind") == 0 ? 2 : 1;
    if (options == NULL) return 0;
    for (size_t i = 0; i < json_object_array_length(options); i++) {
        const char *o = json_object_get_string(json_object_array_get_idx(options, i));
        if (o == NULL) continue;
        if (apply_option(m, o) < 0) return md_error(err, ENOMEM, "mount options");
    }
    return 0;
}
