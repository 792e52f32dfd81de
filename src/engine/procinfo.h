/* What `top` shows about a process, read from /proc/<pid> (no ps binary:
 * we never shell out). */
#ifndef MD_ENGINE_PROCINFO_H
#define MD_ENGINE_PROCINFO_H

#include <stdint.h>
#include <sys/types.h>

struct md_procinfo {
    pid_t pid, ppid, pgid, sid;
    uid_t uid;
    char state; /* R, S, D, Z, T, ... */
    char comm[64];
    char *args; /* cmdline joined by spaces; "[comm]" for kernel-ish ones */
    unsigned tty_nr;
    uint64_t utime, stime; /* clock ticks */
    uint64_t start_ticks;  /* since boot */
    uint64_t vsz_kb, rss_kb;
    long nlwp;
    int nice;
};

/* 0, or -1 when the process is gone. */
int md_procinfo_read(pid_t pid, struct md_procinfo *p);
void md_procinfo_clear(struct md_procinfo *p);
/* "pts/0", "tty1", "?" */
void md_procinfo_tty(unsigned tty_nr, char *buf, size_t len);
/* The user name for uid from the host's /etc/passwd, else the number. */
void md_procinfo_user(uid_t uid, char *buf, size_t len);
/* Seconds since boot now, and the host's memory, for %CPU, %MEM and STIME. */
double md_uptime_s(void);
uint64_t md_mem_total_kb(void);

#endif
