#include "trace.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* MYDOCKER_TRACE=1: stderr, ms since the process's first stage. MYDOCKER_TRACE=/a/file: every
 * process that inherits it (the API server's starts, monitors, container-exited) appends
 * "pid absolute-ms stage" lines to the file, on one clock (CLOCK_MONOTONIC) */
void md_trace(const char *stage)
{
    static int enabled = -1, fd = -1;
    static struct timespec t0;
    if (enabled < 0) {
        const char *v = getenv("MYDOCKER_TRACE");
        enabled = v != NULL;
        if (v && v[0] == '/') fd = open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        clock_gettime(CLOCK_MONOTONIC, &t0);
    }
    if (!enabled) return;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (fd >= 0) {
        char line[256];
        int n = snprintf(line, sizeof(line), "%d %.3f %s\n", (int)getpid(),
                         (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6, stage);
        if (n > 0) (void)!write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        return;
    }
    double ms = (double)(t.tv_sec - t0.tv_sec) * 1e3 + (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
    fprintf(stderr, "[trace %8.3f ms] %s\n", ms, stage);
}
