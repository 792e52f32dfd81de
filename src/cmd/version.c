#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
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

static const char *arch(const struct utsname *u)
{
    return strcmp(u->machine, "x86_64") == 0 ? "amd64" : u->machine;
}

static void put(struct json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v));
}

/* docker's version structure: daemonless, the engine is this binary, so
 * Server describes the same build as Client (podman does the same) */
static struct json_object *version_doc(void)
{
    struct utsname u;
    uname(&u);
    struct json_object *d = json_object_new_object(), *sides[2];
    for (int i = 0; i < 2; i++) {
        struct json_object *s = sides[i] = json_object_new_object(), *pl = json_object_new_object();
        put(pl, "Name", "mydocker");
        json_object_object_add(s, "Platform", pl);
        put(s, "Version", MD_VERSION);
        put(s, "ApiVersion", "1.41");
        put(s, "Os", "linux");
        put(s, "Arch", arch(&u));
        put(s, "BuildTime", __DATE__);
        if (i == 1) put(s, "KernelVersion", u.release);
    }
    json_object_object_add(d, "Client", sides[0]);
    json_object_object_add(d, "Server", sides[1]);
    return d;
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
    if (fmt) return print_format(fmt, version_doc());
    struct utsname u;
    uname(&u);
    printf("Client:\n"
           " Version:           %s\n"
           " API version:       mydocker/1 (OCI runtime-spec 1.2.0, image-spec 1.1.0)\n"
           " Built:             %s\n"
           " OS/Arch:           linux/%s\n"
           " json-c:            %s\n",
           MD_VERSION, __DATE__, arch(&u), json_c_version());
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

/* container counts by state, as docker's info */
static void count_containers(struct json_object *d)
{
    int n[4] = {0, 0, 0, 0}; /* all, running, paused, stopped */
    cleanup_strv char **ids = md_ctr_list_ids();
    for (char **id = ids; id && *id; id++) {
        struct md_ctr *c = NULL;
        if (md_ctr_load_id(*id, &c, NULL) < 0) continue;
        n[0]++;
        n[c->status == MD_CTR_RUNNING ? 1 : c->status == MD_CTR_PAUSED ? 2 : 3]++;
        md_ctr_free(c);
    }
    const char *keys[] = {"Containers", "ContainersRunning", "ContainersPaused",
                          "ContainersStopped"};
    for (int i = 0; i < 4; i++)
        json_object_object_add(d, keys[i], json_object_new_int(n[i]));
}

static struct json_object *info_doc(const struct md_hostinfo *hi)
{
    struct utsname u;
    uname(&u);
    struct json_object *d = json_object_new_object(), *sec = json_object_new_array();
    count_containers(d);
    md_image_info_t *list = NULL;
    size_t n = 0;
    if (md_image_list(&list, &n, NULL) == 0) md_image_list_free(list, n);
    json_object_object_add(d, "Images", json_object_new_int((int)n));
    put(d, "Driver", "overlay2");
    put(d, "DockerRootDir", md_lib_root());
    put(d, "CgroupDriver", "cgroupfs");
    put(d, "CgroupVersion",
        strcmp(md_cgroup_version_name(), "v2") == 0 ? "2" : "1"); /* hybrid: 1 */
    put(d, "KernelVersion", u.release);
    put(d, "OperatingSystem", "Linux");
    put(d, "OSType", "linux");
    put(d, "Architecture", u.machine);
    json_object_object_add(d, "NCPU", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
    json_object_object_add(
        d, "MemTotal",
        json_object_new_int64((int64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE)));
    put(d, "Name", u.nodename);
    put(d, "ServerVersion", MD_VERSION);
    put(d, "DefaultRuntime", "mydocker");
    if (hi->seccomp_filter)
        json_object_array_add(sec, json_object_new_string("name=seccomp,profile=builtin"));
    json_object_object_add(d, "SecurityOptions", sec);
    json_object_object_add(d, "MemoryLimit", json_object_new_boolean(hi->cg.memory));
    json_object_object_add(d, "SwapLimit", json_object_new_boolean(hi->cg.swap));
    json_object_object_add(d, "CpuCfsQuota", json_object_new_boolean(hi->cg.cpu_cfs));
    json_object_object_add(d, "CPUShares", json_object_new_boolean(hi->cg.cpu_shares));
    json_object_object_add(d, "PidsLimit", json_object_new_boolean(hi->cg.pids));
    json_object_object_add(d, "OomKillDisable", json_object_new_boolean(hi->cg.oom_kill_disable));
    struct json_object *w = json_object_new_array();
    cleanup_strv char **warn = md_hostinfo_warnings(hi);
    for (size_t i = 0; warn && warn[i]; i++)
        json_object_array_add(w, json_object_new_string(warn[i]));
    json_object_object_add(d, "Warnings", w);
    return d;
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
    if (fmt) return print_format(fmt, info_doc(&hi));
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
