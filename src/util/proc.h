/* /proc/<pid> facts that identify a process across pid reuse. */
#ifndef MD_UTIL_PROC_H
#define MD_UTIL_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* The fields of /proc/<pid>/stat that mydocker reads. */
struct md_proc_stat {
    char comm[64];
    char state; /* R, S, D, Z, X, ... */
    int ppid, pgrp, session, tty_nr;
    unsigned long long utime, stime, starttime, vsize; /* ticks, ticks, ticks since boot, bytes */
    long nice, threads, rss;                           /* rss in pages */
};
/* 0, or -1 when the process is gone or the file unreadable. */
int md_proc_stat_read(pid_t pid, struct md_proc_stat *st);

/* Start time of a pid from /proc/<pid>/stat (field 22, clock ticks since
 * boot); 0 when it is gone or a zombie. */
uint64_t md_proc_starttime(pid_t pid);

/* A process with threads (the API server) names the mydocker binary that its forked helpers
 * exec at once: a forked child of a threaded process may run no library code (a lock another
 * thread held at the fork stays held: json-c's parse takes glibc's locale lock, and a
 * monitor-to-be hung in it for good). NULL, the default, in the single-threaded commands. */
void md_set_helper_binary(const char *path);
const char *md_helper_binary(void);

/* Run fn(arg) in a detached process (a grandchild, init's, with no fd of the caller's) that
 * outlives the caller: work a command's answer need not wait for. 0 when handed off, -1 when
 * it cannot be (fork failed, or a threaded caller): then do it yourself. */
int md_run_detached(void (*fn)(void *), void *arg);
/* The same, for work whose result the caller needs but whose end it need not wait for (a
 * netlink socket's close after a deleting transaction waits for an RCU grace period): fn's
 * return in *result; 0, or -1 (no process, or no report). fn runs in a child of the caller, so
 * a threaded caller may use it only for an fn of system calls, prepared before the call. */
int md_run_detached_report(int (*fn)(void *), void *arg, int *result);
/* A detached process forked ahead of need, while the caller waits anyway (a foreground
 * container runs): it blocks until md_detached_send hands it a message (up to 4 kB), then runs
 * fn(arg, msg) and exits; if the caller closes the fd or dies first, it exits doing nothing.
 * Returns the fd to send on (close-on-exec), or -1 (fork failed, or a threaded caller). */
int md_detached_prepare(void (*fn)(void *, const char *), void *arg);
/* Send msg and close fd: 0, or -1 when the process is gone (the fd is closed either way).
 * pass (or -1): an fd whose last close the process does, before fn runs (pass is closed here,
 * before fd, and the process waits for fd's end). */
int md_detached_send(int fd, const char *msg, int pass);

#endif
