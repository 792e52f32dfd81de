/* The default seccomp policy. docker ships an allowlist; we express the same
 * intent as a denylist of the calls docker refuses, each unless the container
 * holds the capability that docker's profile ties it to. Calls that a future
 * kernel adds are therefore allowed: see docs/architecture.md. */
#include <errno.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/specgen.h"
#include "runtime/spec.h"

struct gated {
    const char *cap; /* NULL: always refused */
    const char *const *calls;
};

static const char *const admin_calls[] = {
    "bpf", "fanotify_init", "lookup_dcookie", "mount", "mount_setattr", "move_mount",
    "name_to_handle_at", "open_tree", "fsconfig", "fsmount", "fsopen", "fspick", "perf_event_open",
    "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "umount", "umount2",
    "unshare", "pivot_root", NULL};
static const char *const boot_calls[] = {"reboot", NULL};
static const char *const module_calls[] = {"delete_module", "init_module", "finit_module", NULL};
static const char *const pacct_calls[] = {"acct", NULL};
/* ptrace and process_vm_* are allowed, as docker allows them on kernels >= 4.8
 * where ptrace can no longer bypass seccomp */
static const char *const ptrace_calls[] = {"kcmp", "pidfd_getfd", "process_madvise", NULL};
static const char *const rawio_calls[] = {"iopl", "ioperm", NULL};
static const char *const time_calls[] = {"settimeofday", "stime", "clock_settime", "clock_adjtime", NULL};
static const char *const tty_calls[] = {"vhangup", NULL};
static const char *const nice_calls[] = {"get_mempolicy", "mbind", "set_mempolicy", "move_pages", NULL};
static const char *const syslog_calls[] = {"syslog", NULL};
static const char *const dac_calls[] = {"open_by_handle_at", NULL};
static const char *const never_calls[] = {
    "add_key", "keyctl", "request_key", "kexec_load", "kexec_file_load", "nfsservctl", "uselib",
    "userfaultfd", "ustat", "sysfs", "_sysctl", "vm86", "vm86old", "create_module",
    "get_kernel_syms", "query_module", "swapon", "swapoff", NULL};

static const struct gated table[] = {
    {"SYS_ADMIN", admin_calls},   {"SYS_BOOT", boot_calls},     {"SYS_MODULE", module_calls},
    {"SYS_PACCT", pacct_calls},   {"SYS_PTRACE", ptrace_calls}, {"SYS_RAWIO", rawio_calls},
    {"SYS_TIME", time_calls},     {"SYS_TTY_CONFIG", tty_calls}, {"SYS_NICE", nice_calls},
    {"SYSLOG", syslog_calls},     {"DAC_READ_SEARCH", dac_calls}, {NULL, never_calls},
};

static int has_cap(uint64_t caps, const char *name)
{
    int c = md_cap_from_name(name);
    return c >= 0 && (caps & (1ULL << c));
}

static struct json_object *rule(const char *const *names, int errno_ret)
{
    struct json_object *r = json_object_new_object(), *n = json_object_new_array();
    for (; *names; names++)
        json_object_array_add(n, json_object_new_string(*names));
    json_object_object_add(r, "names", n);
    json_object_object_add(r, "action", json_object_new_string("SCMP_ACT_ERRNO"));
    json_object_object_add(r, "errnoRet", json_object_new_int(errno_ret));
    return r;
}

/* clone with a CLONE_NEW* flag: one rule per bit, as seccomp cannot say "!= 0" */
static void add_clone_rules(struct json_object *calls)
{
    static const uint64_t bits[] = {0x00020000, 0x02000000, 0x04000000, 0x08000000,
                                    0x10000000, 0x20000000, 0x40000000};
    static const char *const clone[] = {"clone", NULL};
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        struct json_object *r = rule(clone, EPERM), *args = json_object_new_array();
        struct json_object *a = json_object_new_object();
        json_object_object_add(a, "index", json_object_new_int(0));
        json_object_object_add(a, "value", json_object_new_uint64(bits[i]));
        json_object_object_add(a, "valueTwo", json_object_new_uint64(bits[i]));
        json_object_object_add(a, "op", json_object_new_string("SCMP_CMP_MASKED_EQ"));
        json_object_array_add(args, a);
        json_object_object_add(r, "args", args);
        json_object_array_add(calls, r);
    }
    /* clone3's flags live in memory seccomp cannot read: ENOSYS makes libc
     * fall back to clone, which the rules above can inspect */
    static const char *const clone3[] = {"clone3", NULL};
    json_object_array_add(calls, rule(clone3, ENOSYS));
}

struct json_object *md_seccomp_default(uint64_t caps)
{
    struct json_object *p = json_object_new_object(), *calls = json_object_new_array();
    struct json_object *arch = json_object_new_array();
    json_object_object_add(p, "defaultAction", json_object_new_string("SCMP_ACT_ALLOW"));
    json_object_array_add(arch, json_object_new_string("SCMP_ARCH_X86_64"));
    json_object_array_add(arch, json_object_new_string("SCMP_ARCH_X86"));
    json_object_array_add(arch, json_object_new_string("SCMP_ARCH_X32"));
    json_object_object_add(p, "architectures", arch);
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].cap == NULL || !has_cap(caps, table[i].cap))
            json_object_array_add(calls, rule(table[i].calls, EPERM));
    if (!has_cap(caps, "SYS_ADMIN"))
        add_clone_rules(calls);
    json_object_object_add(p, "syscalls", calls);
    return p;
}
