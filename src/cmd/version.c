#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cli/docs.h"
#include "cli/format.h"
#include "cli/getopt.h"
#include "cmd/cmd.h"
#include "engine/hostinfo.h"
#include "image/store.h"
#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/fs.h"

/* -f/--format is the only flag; anything else is refused, never ignored.
 * Returns 0 to go on, -1 after --help, or an exit code. */
static int parse_format(const char *cmd, int argc, char **argv, const char **fmt)
{
    static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    opterr = 0;
    *fmt = NULL;
    while ((c = md_getopt_long(argc, argv, ":f:", lo, NULL)) != -1) {
        if (c == 'f') {
            *fmt = optarg;
        } else if (c == 'h') {
            printf("Usage:  mydocker %s [OPTIONS]\n\nOptions:\n"
                   "  -f, --format string   Format output using a custom template\n",
                   cmd);
            return -1;
        } else {
            const char *a = argv[optind - 1];
            if (c == ':')
                fprintf(stderr, "mydocker: flag needs an argument: %s\n", a);
            else if (a[1] == '-')
                fprintf(stderr, "mydocker: unknown flag: %.*s\n", MD_FLAG_NAME(a));
            else
                fprintf(stderr, "mydocker: unknown shorthand flag: '%c' in %s\n", optopt, a);
            fprintf(stderr, "See 'mydocker %s --help'.\n", cmd);
            return MD_EXIT_ENGINE;
        }
    }
    if (optind < argc) {
        fprintf(stderr,
                "mydocker: \"mydocker %s\" accepts no arguments.\nSee 'mydocker %s --help'.\n", cmd,
                cmd);
        return MD_EXIT_ENGINE;
    }
    return 0;
}

/* prints the template's output; the template error's exit code otherwise */
static int print_format(const char *fmt, struct json_object *doc)
{
    md_error_t *err = NULL;
    cleanup_free char *out = NULL;
    int r = strcmp(fmt, "json") == 0 ? md_template_render("{{json .}}", doc, &out, &err)
                                     : md_template_render(fmt, doc, &out, &err);
    json_object_put(doc);
    if (r < 0) return md_error_report(&err);
    puts(out);
    return 0;
}

int cmd_version(int argc, char **argv)
{
    const char *fmt;
    int na = parse_format("version", argc, argv, &fmt);
    if (na) return na < 0 ? 0 : na;
    if (fmt) return print_format(fmt, md_version_doc());
    struct utsname u;
    uname(&u);
    printf("Client:\n"
           " Version:           %s\n"
           " API version:       mydocker/1 (OCI runtime-spec 1.2.0, image-spec 1.1.0)\n"
           " Built:             %s\n"
           " OS/Arch:           linux/%s\n"
           " json-c:            %s\n",
           MD_VERSION, __DATE__, md_arch_name(&u), json_c_version());
    return 0;
}

static const char *yn(bool b)
{
    return b ? "yes" : "no";
}

static void print_features(const struct md_hostinfo *hi)
{
    const struct md_cgroup_sysinfo *c = &hi->cg;
    printf(" Host Features:\n"
           "  Cgroup Memory: limit=%s swap=%s reservation=%s oom-kill-disable=%s swappiness=%s "
           "kernel-tcp=%s\n",
           yn(c->memory), yn(c->swap), yn(c->memory_reservation), yn(c->oom_kill_disable),
           yn(c->swappiness), yn(c->kernel_tcp));
    printf("  Cgroup CPU: shares=%s cfs=%s rt=%s cpuset=%s\n", yn(c->cpu_shares), yn(c->cpu_cfs),
           yn(c->cpu_rt), yn(c->cpuset));
    printf("  Cgroup Block I/O: weight=%s weight_device=%s read_bps=%s write_bps=%s read_iops=%s "
           "write_iops=%s%s\n",
           yn(c->blkio_weight), yn(c->blkio_weight_device), yn(c->blkio_read_bps),
           yn(c->blkio_write_bps), yn(c->blkio_read_iops), yn(c->blkio_write_iops),
           c->mode == MD_CGROUP_V2 ? (c->io_bfq ? " bfq=yes" : " bfq=no") : "");
    printf("  Cgroup Other: pids=%s devices=%s freezer=%s hugetlb=%s%s%s%s\n", yn(c->pids),
           yn(c->devices), yn(c->freezer), yn(c->hugetlb), hi->hugetlb_sizes[0] ? " (" : "",
           hi->hugetlb_sizes, hi->hugetlb_sizes[0] ? ")" : "");
    printf("  Seccomp: %s (filter: %s)\n", yn(hi->seccomp), yn(hi->seccomp_filter));
    printf("  Overlay: %s (metacopy: %s, redirect_dir: %s, volatile: %s)\n", yn(hi->overlay),
           yn(hi->overlay_metacopy), yn(hi->overlay_redirect_dir), yn(hi->overlay_volatile));
    printf("  Kernel: mount_setattr=%s open_tree=%s clone3=%s clone_into_cgroup=%s pidfd=%s "
           "time_ns=%s user_ns=%s\n",
           yn(hi->mount_setattr), yn(hi->open_tree), yn(hi->clone3), yn(hi->clone_into_cgroup),
           yn(hi->pidfd), yn(hi->time_ns), yn(hi->user_ns));
}

int cmd_info(int argc, char **argv)
{
    const char *fmt;
    int na = parse_format("info", argc, argv, &fmt);
    if (na) return na < 0 ? 0 : na;
    struct utsname u;
    uname(&u);
    struct md_hostinfo hi;
    md_hostinfo_get(&hi);
    if (fmt) return print_format(fmt, md_info_doc(&hi));
    printf("Client:\n Version:    %s\n\nServer:\n"
           " Storage Driver: overlay2\n"
           " Docker Root Dir: %s\n"
           " Cgroup Driver: cgroupfs\n"
           " Cgroup Version: %s\n"
           " Runtimes: mydocker (built in)\n"
           " Default Runtime: mydocker\n"
           " Security Options:\n"
           "%s"
           " Kernel Version: %s\n"
           " Operating System: Linux\n"
           " Architecture: %s\n",
           MD_VERSION, md_lib_root(), md_cgroup_version_name(),
           hi.seccomp_filter ? "  seccomp\n   Profile: builtin\n" : "", u.release, u.machine);
    print_features(&hi);
    fflush(stdout);
    /* docker info: what the host lacks, on stderr */
    cleanup_strv char **w = md_hostinfo_warnings(&hi);
    for (size_t i = 0; w && w[i]; i++)
        fprintf(stderr, "WARNING: %s\n", w[i]);
    return 0;
}
