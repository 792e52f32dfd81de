/* The numbers behind `mydocker stats`, computed as docker computes them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/cgctl.h"
#include "engine/procinfo.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* docker's getSystemCPUUsage: user..softirq of the "cpu" line, in ns */
static uint64_t system_cpu_ns(void)
{
    cleanup_fclose FILE *f = fopen("/proc/stat", "re");
    unsigned long long v[7] = {0};
    if (f == NULL || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                            &v[4], &v[5], &v[6]) != 7)
        return 0;
    uint64_t ticks = 0;
    for (int i = 0; i < 7; i++)
        ticks += v[i];
    long hz = sysconf(_SC_CLK_TCK);
    return ticks * (1000000000ULL / (uint64_t)(hz > 0 ? hz : 100));
}

static int same_netns(pid_t pid)
{
    char path[64];
    struct stat a, b;
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
    return stat(path, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 && a.st_ino == b.st_ino &&
           a.st_dev == b.st_dev;
}

/* Bytes through the container's interfaces but lo; none with the host's
 * network (docker shows 0B / 0B there too) */
static void net_io(pid_t pid, uint64_t *rx, uint64_t *tx)
{
    *rx = *tx = 0;
    if (pid <= 0 || same_netns(pid)) return;
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
    cleanup_fclose FILE *f = fopen(path, "re");
    while (f && fgets(line, sizeof(line), f)) {
        char *colon = strchr(line, ':');
        if (colon == NULL) continue; /* the two header lines */
        *colon = '\0';
        const char *name = line + strspn(line, " ");
        unsigned long long v[9];
        if (strcmp(name, "lo") == 0 ||
            sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) != 9)
            continue;
        *rx += v[0];
        *tx += v[8];
    }
}

int md_stats_sample(struct md_ctr *c, struct md_stats_sample *s)
{
    memset(s, 0, sizeof(*s));
    md_ctr_read_and_settle(c);
    if (c->status != MD_CTR_RUNNING && c->status != MD_CTR_PAUSED) return 0;
    md_cgroup_t *cg = NULL;
    md_error_t *err = NULL;
    int r = md_ctr_cgroup_open(c, &cg, &err);
    if (r == 0) r = md_cgroup_stats(cg, &s->cg, &err);
    md_cgroup_free(cg);
    md_error_free(&err);
    if (r < 0) return 0; /* ended between the refresh and the read */
    s->system_ns = system_cpu_ns();
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    s->online_cpus = n > 0 ? (int)n : 1;
    s->host_mem = md_mem_total_kb() * 1024;
    net_io(c->pid, &s->net_rx, &s->net_tx);
    s->valid = 1;
    return 1;
}

double md_stats_cpu_percent(const struct md_stats_sample *prev, const struct md_stats_sample *cur)
{
    if (!prev->valid || !cur->valid || cur->system_ns <= prev->system_ns ||
        cur->cg.cpu_usage_ns < prev->cg.cpu_usage_ns)
        return 0.0;
    double cpu = (double)(cur->cg.cpu_usage_ns - prev->cg.cpu_usage_ns);
    double sys = (double)(cur->system_ns - prev->system_ns);
    return cpu / sys * cur->online_cpus * 100.0;
}
