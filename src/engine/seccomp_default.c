/* The default seccomp profile: docker's, as an allowlist (moby's
 * profiles/seccomp/default.json, with io_uring refused as docker has done
 * since 25.0). Default action EPERM: every call not named here, including
 * every call a future kernel adds, is refused. Entries tied to a capability
 * are added only when the container holds it, as docker's profile does, and
 * argument filters narrow socket (no AF_VSOCK), personality (the values
 * libc and 32-bit emulation use; not READ_IMPLIES_EXEC) and clone (no
 * namespace flags without CAP_SYS_ADMIN). See docs/security.md. */
#include <errno.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/specgen.h"
#include "runtime/spec.h"

static const char *const allowed[] = {"accept",
                                      "accept4",
                                      "access",
                                      "adjtimex",
                                      "alarm",
                                      "bind",
                                      "brk",
                                      "capget",
                                      "capset",
                                      "chdir",
                                      "chmod",
                                      "chown",
                                      "chown32",
                                      "clock_adjtime",
                                      "clock_adjtime64",
                                      "clock_getres",
                                      "clock_getres_time64",
                                      "clock_gettime",
                                      "clock_gettime64",
                                      "clock_nanosleep",
                                      "clock_nanosleep_time64",
                                      "close",
                                      "close_range",
                                      "connect",
                                      "copy_file_range",
                                      "creat",
                                      "dup",
                                      "dup2",
                                      "dup3",
                                      "epoll_create",
                                      "epoll_create1",
                                      "epoll_ctl",
                                      "epoll_ctl_old",
                                      "epoll_pwait",
                                      "epoll_pwait2",
                                      "epoll_wait",
                                      "epoll_wait_old",
                                      "eventfd",
                                      "eventfd2",
                                      "execve",
                                      "execveat",
                                      "exit",
                                      "exit_group",
                                      "faccessat",
                                      "faccessat2",
                                      "fadvise64",
                                      "fadvise64_64",
                                      "fallocate",
                                      "fanotify_mark",
                                      "fchdir",
                                      "fchmod",
                                      "fchmodat",
                                      "fchown",
                                      "fchown32",
                                      "fchownat",
                                      "fcntl",
                                      "fcntl64",
                                      "fdatasync",
                                      "fgetxattr",
                                      "flistxattr",
                                      "flock",
                                      "fork",
                                      "fremovexattr",
                                      "fsetxattr",
                                      "fstat",
                                      "fstat64",
                                      "fstatat64",
                                      "fstatfs",
                                      "fstatfs64",
                                      "fsync",
                                      "ftruncate",
                                      "ftruncate64",
                                      "futex",
                                      "futex_time64",
                                      "futex_waitv",
                                      "futimesat",
                                      "getcpu",
                                      "getcwd",
                                      "getdents",
                                      "getdents64",
                                      "getegid",
                                      "getegid32",
                                      "geteuid",
                                      "geteuid32",
                                      "getgid",
                                      "getgid32",
                                      "getgroups",
                                      "getgroups32",
                                      "getitimer",
                                      "getpeername",
                                      "getpgid",
                                      "getpgrp",
                                      "getpid",
                                      "getppid",
                                      "getpriority",
                                      "getrandom",
                                      "getresgid",
                                      "getresgid32",
                                      "getresuid",
                                      "getresuid32",
                                      "getrlimit",
                                      "get_robust_list",
                                      "getrusage",
                                      "getsid",
                                      "getsockname",
                                      "getsockopt",
                                      "get_thread_area",
                                      "gettid",
                                      "gettimeofday",
                                      "getuid",
                                      "getuid32",
                                      "getxattr",
                                      "inotify_add_watch",
                                      "inotify_init",
                                      "inotify_init1",
                                      "inotify_rm_watch",
                                      "io_cancel",
                                      "ioctl",
                                      "io_destroy",
                                      "io_getevents",
                                      "io_pgetevents",
                                      "io_pgetevents_time64",
                                      "ioprio_get",
                                      "ioprio_set",
                                      "io_setup",
                                      "io_submit",
                                      "ipc",
                                      "kill",
                                      "landlock_add_rule",
                                      "landlock_create_ruleset",
                                      "landlock_restrict_self",
                                      "lchown",
                                      "lchown32",
                                      "lgetxattr",
                                      "link",
                                      "linkat",
                                      "listen",
                                      "listxattr",
                                      "llistxattr",
                                      "_llseek",
                                      "lremovexattr",
                                      "lseek",
                                      "lsetxattr",
                                      "lstat",
                                      "lstat64",
                                      "madvise",
                                      "membarrier",
                                      "memfd_create",
                                      "memfd_secret",
                                      "mincore",
                                      "mkdir",
                                      "mkdirat",
                                      "mknod",
                                      "mknodat",
                                      "mlock",
                                      "mlock2",
                                      "mlockall",
                                      "mmap",
                                      "mmap2",
                                      "mprotect",
                                      "mq_getsetattr",
                                      "mq_notify",
                                      "mq_open",
                                      "mq_timedreceive",
                                      "mq_timedreceive_time64",
                                      "mq_timedsend",
                                      "mq_timedsend_time64",
                                      "mq_unlink",
                                      "mremap",
                                      "msgctl",
                                      "msgget",
                                      "msgrcv",
                                      "msgsnd",
                                      "msync",
                                      "munlock",
                                      "munlockall",
                                      "munmap",
                                      "name_to_handle_at",
                                      "nanosleep",
                                      "newfstatat",
                                      "_newselect",
                                      "open",
                                      "openat",
                                      "openat2",
                                      "pause",
                                      "pidfd_open",
                                      "pidfd_send_signal",
                                      "pipe",
                                      "pipe2",
                                      "pkey_alloc",
                                      "pkey_free",
                                      "pkey_mprotect",
                                      "poll",
                                      "ppoll",
                                      "ppoll_time64",
                                      "prctl",
                                      "pread64",
                                      "preadv",
                                      "preadv2",
                                      "prlimit64",
                                      "process_mrelease",
                                      "pselect6",
                                      "pselect6_time64",
                                      "pwrite64",
                                      "pwritev",
                                      "pwritev2",
                                      "read",
                                      "readahead",
                                      "readlink",
                                      "readlinkat",
                                      "readv",
                                      "recv",
                                      "recvfrom",
                                      "recvmmsg",
                                      "recvmmsg_time64",
                                      "recvmsg",
                                      "remap_file_pages",
                                      "removexattr",
                                      "rename",
                                      "renameat",
                                      "renameat2",
                                      "restart_syscall",
                                      "rmdir",
                                      "rseq",
                                      "rt_sigaction",
                                      "rt_sigpending",
                                      "rt_sigprocmask",
                                      "rt_sigqueueinfo",
                                      "rt_sigreturn",
                                      "rt_sigsuspend",
                                      "rt_sigtimedwait",
                                      "rt_sigtimedwait_time64",
                                      "rt_tgsigqueueinfo",
                                      "sched_getaffinity",
                                      "sched_getattr",
                                      "sched_getparam",
                                      "sched_get_priority_max",
                                      "sched_get_priority_min",
                                      "sched_getscheduler",
                                      "sched_rr_get_interval",
                                      "sched_rr_get_interval_time64",
                                      "sched_setaffinity",
                                      "sched_setattr",
                                      "sched_setparam",
                                      "sched_setscheduler",
                                      "sched_yield",
                                      "seccomp",
                                      "select",
                                      "semctl",
                                      "semget",
                                      "semop",
                                      "semtimedop",
                                      "semtimedop_time64",
                                      "send",
                                      "sendfile",
                                      "sendfile64",
                                      "sendmmsg",
                                      "sendmsg",
                                      "sendto",
                                      "setfsgid",
                                      "setfsgid32",
                                      "setfsuid",
                                      "setfsuid32",
                                      "setgid",
                                      "setgid32",
                                      "setgroups",
                                      "setgroups32",
                                      "setitimer",
                                      "setpgid",
                                      "setpriority",
                                      "setregid",
                                      "setregid32",
                                      "setresgid",
                                      "setresgid32",
                                      "setresuid",
                                      "setresuid32",
                                      "setreuid",
                                      "setreuid32",
                                      "setrlimit",
                                      "set_robust_list",
                                      "setsid",
                                      "setsockopt",
                                      "set_thread_area",
                                      "set_tid_address",
                                      "setuid",
                                      "setuid32",
                                      "setxattr",
                                      "shmat",
                                      "shmctl",
                                      "shmdt",
                                      "shmget",
                                      "shutdown",
                                      "sigaltstack",
                                      "signalfd",
                                      "signalfd4",
                                      "sigprocmask",
                                      "sigreturn",
                                      "socketcall",
                                      "socketpair",
                                      "splice",
                                      "stat",
                                      "stat64",
                                      "statfs",
                                      "statfs64",
                                      "statx",
                                      "symlink",
                                      "symlinkat",
                                      "sync",
                                      "sync_file_range",
                                      "syncfs",
                                      "sysinfo",
                                      "tee",
                                      "tgkill",
                                      "time",
                                      "timer_create",
                                      "timer_delete",
                                      "timer_getoverrun",
                                      "timer_gettime",
                                      "timer_gettime64",
                                      "timer_settime",
                                      "timer_settime64",
                                      "timerfd_create",
                                      "timerfd_gettime",
                                      "timerfd_gettime64",
                                      "timerfd_settime",
                                      "timerfd_settime64",
                                      "times",
                                      "tkill",
                                      "truncate",
                                      "truncate64",
                                      "ugetrlimit",
                                      "umask",
                                      "uname",
                                      "unlink",
                                      "unlinkat",
                                      "utime",
                                      "utimensat",
                                      "utimensat_time64",
                                      "utimes",
                                      "vfork",
                                      "vmsplice",
                                      "wait4",
                                      "waitid",
                                      "waitpid",
                                      "write",
                                      "writev",
                                      NULL};

struct gated {
    const char *cap;
    const char *const *calls;
};

static const char *const admin_calls[] = {"bpf",           "clone",           "clone3",
                                          "fanotify_init", "fsconfig",        "fsmount",
                                          "fsopen",        "fspick",          "lookup_dcookie",
                                          "mount",         "mount_setattr",   "move_mount",
                                          "open_tree",     "perf_event_open", "quotactl",
                                          "quotactl_fd",   "setdomainname",   "sethostname",
                                          "setns",         "syslog",          "umount",
                                          "umount2",       "unshare",         NULL};
static const char *const boot_calls[] = {"reboot", NULL};
static const char *const chroot_calls[] = {"chroot", NULL};
static const char *const module_calls[] = {"delete_module", "init_module", "finit_module", NULL};
static const char *const pacct_calls[] = {"acct", NULL};
static const char *const ptrace_calls[] = {"kcmp", "pidfd_getfd", "process_madvise", NULL};
static const char *const rawio_calls[] = {"iopl", "ioperm", NULL};
static const char *const time_calls[] = {"settimeofday", "stime", "clock_settime",
                                         "clock_settime64", NULL};
static const char *const tty_calls[] = {"vhangup", NULL};
static const char *const nice_calls[] = {"get_mempolicy", "mbind", "set_mempolicy",
                                         "set_mempolicy_home_node", NULL};
static const char *const syslog_calls[] = {"syslog", NULL};
static const char *const bpf_calls[] = {"bpf", NULL};
static const char *const perfmon_calls[] = {"perf_event_open", NULL};
static const char *const dac_calls[] = {"open_by_handle_at", NULL};

static const struct gated gated[] = {
    {"SYS_ADMIN", admin_calls},   {"SYS_BOOT", boot_calls},       {"SYS_CHROOT", chroot_calls},
    {"SYS_MODULE", module_calls}, {"SYS_PACCT", pacct_calls},     {"SYS_PTRACE", ptrace_calls},
    {"SYS_RAWIO", rawio_calls},   {"SYS_TIME", time_calls},       {"SYS_TTY_CONFIG", tty_calls},
    {"SYS_NICE", nice_calls},     {"SYSLOG", syslog_calls},       {"BPF", bpf_calls},
    {"PERFMON", perfmon_calls},   {"DAC_READ_SEARCH", dac_calls},
};

/* ptrace can no longer bypass seccomp since 4.8: docker allows it */
static const char *const ptrace_always[] = {"process_vm_readv", "process_vm_writev", "ptrace",
                                            NULL};

#if defined(__x86_64__) || defined(__i386__)
static const char *const arch_calls[] = {"arch_prctl", "modify_ldt", NULL};
static const char *const archs[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL};
#elif defined(__aarch64__) || defined(__arm__)
static const char *const arch_calls[] = {"arm_fadvise64_64",
                                         "arm_sync_file_range",
                                         "sync_file_range2",
                                         "breakpoint",
                                         "cacheflush",
                                         "set_tls",
                                         NULL};
static const char *const archs[] = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL};
#elif defined(__s390x__)
static const char *const arch_calls[] = {"s390_pci_mmio_read", "s390_pci_mmio_write",
                                         "s390_runtime_instr", NULL};
static const char *const archs[] = {"SCMP_ARCH_S390X", "SCMP_ARCH_S390", NULL};
#elif defined(__riscv)
static const char *const arch_calls[] = {"riscv_flush_icache", NULL};
static const char *const archs[] = {"SCMP_ARCH_RISCV64", NULL};
#else
static const char *const arch_calls[] = {NULL};
static const char *const archs[] = {NULL}; /* the native architecture only */
#endif

static int has_cap(uint64_t caps, const char *name)
{
    int c = md_cap_from_name(name);
    return c >= 0 && (caps & (1ULL << c));
}

static struct json_object *names_json(const char *const *names)
{
    struct json_object *n = json_object_new_array();
    for (; *names; names++)
        json_object_array_add(n, json_object_new_string(*names));
    return n;
}

static struct json_object *allow(const char *const *names)
{
    struct json_object *r = json_object_new_object();
    json_object_object_add(r, "names", names_json(names));
    json_object_object_add(r, "action", json_object_new_string("SCMP_ACT_ALLOW"));
    return r;
}

/* one call allowed when argument index compares with value by op */
static struct json_object *allow_arg(const char *name, unsigned index, uint64_t value,
                                     const char *op)
{
    const char *const names[] = {name, NULL};
    struct json_object *r = allow(names), *args = json_object_new_array();
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "index", json_object_new_int((int)index));
    json_object_object_add(a, "value", json_object_new_uint64(value));
    json_object_object_add(a, "valueTwo", json_object_new_uint64(0));
    json_object_object_add(a, "op", json_object_new_string(op));
    json_object_array_add(args, a);
    json_object_object_add(r, "args", args);
    return r;
}

static void add_argument_rules(struct json_object *calls, uint64_t caps)
{
    /* every family but AF_VSOCK (40): a way to the hypervisor's host */
    json_object_array_add(calls, allow_arg("socket", 0, 40, "SCMP_CMP_NE"));
    static const uint64_t personas[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
    for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++)
        json_object_array_add(calls, allow_arg("personality", 0, personas[i], "SCMP_CMP_EQ"));
    if (has_cap(caps, "SYS_ADMIN")) return;
        /* clone without CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET} */
#if defined(__s390x__)
    json_object_array_add(calls, allow_arg("clone", 1, 0x7E020000, "SCMP_CMP_MASKED_EQ"));
#else
    json_object_array_add(calls, allow_arg("clone", 0, 0x7E020000, "SCMP_CMP_MASKED_EQ"));
#endif
    /* clone3's flags are in memory seccomp cannot read: ENOSYS makes libc
     * fall back to clone, which the rule above inspects */
    const char *const clone3[] = {"clone3", NULL};
    struct json_object *r = json_object_new_object();
    json_object_object_add(r, "names", names_json(clone3));
    json_object_object_add(r, "action", json_object_new_string("SCMP_ACT_ERRNO"));
    json_object_object_add(r, "errnoRet", json_object_new_int(ENOSYS));
    json_object_array_add(calls, r);
}

struct json_object *md_seccomp_default(uint64_t caps)
{
    struct json_object *p = json_object_new_object(), *calls = json_object_new_array();
    json_object_object_add(p, "defaultAction", json_object_new_string("SCMP_ACT_ERRNO"));
    json_object_object_add(p, "defaultErrnoRet", json_object_new_int(EPERM));
    if (archs[0]) json_object_object_add(p, "architectures", names_json(archs));
    json_object_array_add(calls, allow(allowed));
    json_object_array_add(calls, allow(ptrace_always));
    if (arch_calls[0]) json_object_array_add(calls, allow(arch_calls));
    add_argument_rules(calls, caps);
    for (size_t i = 0; i < sizeof(gated) / sizeof(gated[0]); i++)
        if (has_cap(caps, gated[i].cap)) json_object_array_add(calls, allow(gated[i].calls));
    json_object_object_add(p, "syscalls", calls);
    return p;
}
