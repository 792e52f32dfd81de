/* linux.sysctl. A sysctl that is not namespaced changes the host for every
 * process on it (kernel.core_pattern runs a program as host root): a spec
 * may set only those of namespaces the container owns, as runc validates. */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static int is_ipc_sysctl(const char *k)
{
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
        if (strcmp(k, ipc[i]) == 0) return 1;
    return strncmp(k, "fs.mqueue.", 10) == 0;
}

/* a network namespace joined by path may be the host's own (ours: the
 * runtime runs in it; PID 1 of the host may be out of our reach) */
static int is_host_netns(const char *path)
{
    struct stat a, b;
    return stat(path, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

static int check_one(const struct md_spec *s, const char *k, md_error_t **err)
{
    if (is_ipc_sysctl(k)) {
        if (s->ns[MD_NS_IPC].present && s->ns[MD_NS_IPC].path == NULL) return 0;
        return md_error(err, 0, "config: sysctl \"%s\" is not allowed in the host's ipc namespace",
                        k);
    }
    if (strncmp(k, "net.", 4) == 0) {
        const struct md_namespace *n = &s->ns[MD_NS_NET];
        if (n->present && !(n->path && is_host_netns(n->path))) return 0;
        return md_error(err, 0,
                        "config: sysctl \"%s\" is not allowed in the host's network "
                        "namespace",
                        k);
    }
    if (s->ns[MD_NS_UTS].present && strcmp(k, "kernel.domainname") == 0) return 0;
    if (s->ns[MD_NS_UTS].present && strcmp(k, "kernel.hostname") == 0)
        return md_error(err, 0,
                        "config: sysctl \"%s\" is not allowed as it conflicts with the "
                        "OCI \"hostname\" field",
                        k);
    return md_error(err, 0, "config: sysctl \"%s\" is not in a separate kernel namespace", k);
}

int md_sysctl_check(const struct md_spec *s, md_error_t **err)
{
    for (size_t i = 0; s->sysctl_keys && s->sysctl_keys[i]; i++) {
        const char *k = s->sysctl_keys[i];
        /* a name is dots (or slashes) between words: nothing that walks out of /proc/sys */
        if (k[0] == '\0' || k[0] == '.' || k[0] == '/' || strstr(k, "..") != NULL)
            return md_error(err, 0, "config: bad sysctl name \"%s\"", k);
        int r = check_one(s, k, err);
        if (r < 0) return r;
    }
    return 0;
}

int md_sysctl_apply(const struct md_spec *s, md_error_t **err)
{
    for (size_t i = 0; s->sysctl_keys && s->sysctl_keys[i]; i++) {
        char path[512];
        snprintf(path, sizeof(path), "/proc/sys/%s", s->sysctl_keys[i]);
        for (char *c = path + 10; *c; c++)
            if (*c == '.') *c = '/';
        cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        const char *v = s->sysctl_values[i];
        if (fd < 0 || md_write_all(fd, v, strlen(v)) < 0)
            return md_error(err, errno, "sysctl %s=%s", s->sysctl_keys[i], v);
    }
    return 0;
}
