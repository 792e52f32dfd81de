#include "procinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/proc.h"

static int read_stat(pid_t pid, struct md_procinfo *p)
{
    struct md_proc_stat st;
    if (md_proc_stat_read(pid, &st) < 0) return -1;
    snprintf(p->comm, sizeof(p->comm), "%s", st.comm);
    p->state = st.state;
    p->ppid = st.ppid;
    p->pgid = st.pgrp;
    p->sid = st.session;
    p->tty_nr = (unsigned)st.tty_nr;
    p->utime = st.utime;
    p->stime = st.stime;
    p->nice = (int)st.nice;
    p->nlwp = st.threads;
    p->start_ticks = st.starttime;
    p->vsz_kb = st.vsize / 1024;
    long page = sysconf(_SC_PAGESIZE);
    p->rss_kb = (uint64_t)(st.rss > 0 ? st.rss : 0) * (uint64_t)(page > 0 ? page : 4096) / 1024;
    return 0;
}

static uid_t read_uid(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    cleanup_fclose FILE *f = fopen(path, "re");
    unsigned ruid = 0, euid = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "Uid: %u %u", &ruid, &euid) == 2) break;
    return (uid_t)euid; /* ps -f shows the effective user */
}

static char *read_args(pid_t pid, const char *comm)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    char *text = NULL, *out = NULL;
    size_t len = 0;
    if (md_read_file(path, &text, &len, NULL) < 0 || len == 0) {
        free(text);
        return asprintf(&out, "[%s]", comm) < 0 ? NULL : out;
    }
    while (len > 0 && text[len - 1] == '\0')
        len--;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\0' || text[i] == '\n') text[i] = ' ';
    text[len] = '\0';
    return text;
}

int md_procinfo_read(pid_t pid, struct md_procinfo *p)
{
    memset(p, 0, sizeof(*p));
    p->pid = pid;
    if (read_stat(pid, p) < 0) return -1;
    p->uid = read_uid(pid);
    p->args = read_args(pid, p->comm);
    return 0;
}

void md_procinfo_clear(struct md_procinfo *p)
{
    free(p->args);
    p->args = NULL;
}

void md_procinfo_tty(unsigned tty_nr, char *buf, size_t len)
{
    unsigned maj = major(tty_nr), min = minor(tty_nr);
    if (tty_nr == 0)
        snprintf(buf, len, "?");
    else if (maj >= 136 && maj <= 143) /* Unix98 ptys */
        snprintf(buf, len, "pts/%u", (maj - 136) * 256 + min);
    else if (maj == 4 && min < 64)
        snprintf(buf, len, "tty%u", min);
    else if (maj == 4)
        snprintf(buf, len, "ttyS%u", min - 64);
    else
        snprintf(buf, len, "?");
}

void md_procinfo_user(uid_t uid, char *buf, size_t len)
{
    /* the host's names, as docker's host-side ps shows them; read directly
     * rather than through NSS, which would load modules on this path */
    cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
    char line[512];
    while (f && fgets(line, sizeof(line), f)) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 && strtoul(c2 + 1, NULL, 10) == uid && c2[1] != ':') {
            snprintf(buf, len, "%.*s", (int)(c1 - line), line);
            return;
        }
    }
    snprintf(buf, len, "%u", (unsigned)uid);
}

double md_uptime_s(void)
{
    cleanup_fclose FILE *f = fopen("/proc/uptime", "re");
    double up = 0;
    if (f == NULL || fscanf(f, "%lf", &up) != 1) return 0;
    return up;
}

uint64_t md_mem_total_kb(void)
{
    cleanup_fclose FILE *f = fopen("/proc/meminfo", "re");
    char line[256];
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) break;
    return kb;
}
