#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void md_trace(const char *stage)
{
    static int enabled = -1;
    static struct timespec t0;
    if (enabled < 0) {
        enabled = getenv("MYDOCKER_TRACE") != NULL;
        clock_gettime(CLOCK_MONOTONIC, &t0);
    }
    if (!enabled) return;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double ms = (double)(t.tv_sec - t0.tv_sec) * 1e3 + (double)(t.tv_nsec - t0.tv_nsec) / 1e6;
    fprintf(stderr, "[trace %8.3f ms] %s\n", ms, stage);
}
