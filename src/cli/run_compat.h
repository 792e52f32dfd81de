/* docker's run/create flags for other platforms, legacy features or outside plugins: each
 * accepted with docker's warning or refused with docker's error, never silently ignored
 * (docs/cli.md lists them). */
#ifndef MD_CLI_RUN_COMPAT_H
#define MD_CLI_RUN_COMPAT_H

#include <getopt.h>

#include "engine/opts.h"

enum {
    MD_COPT_FIRST = 3584,
    MD_COPT_GPUS = MD_COPT_FIRST,
    MD_COPT_ISOLATION,
    MD_COPT_KERNEL_MEMORY,
    MD_COPT_VOLUME_DRIVER,
    MD_COPT_CONTENT_TRUST,
    MD_COPT_CPU_COUNT,
    MD_COPT_CPU_PERCENT,
    MD_COPT_IO_MAXBW,
    MD_COPT_IO_MAXIOPS,
    MD_COPT_LINK,
    MD_COPT_LINK_LOCAL_IP,
    MD_COPT_IP6,
    MD_COPT_API_SOCKET,
    MD_COPT_LAST,
};

#define MD_COMPAT_LONG_OPTIONS                                                                     \
    {"gpus", required_argument, NULL, MD_COPT_GPUS},                                               \
        {"isolation", required_argument, NULL, MD_COPT_ISOLATION},                                 \
        {"kernel-memory", required_argument, NULL, MD_COPT_KERNEL_MEMORY},                         \
        {"volume-driver", required_argument, NULL, MD_COPT_VOLUME_DRIVER},                         \
        {"disable-content-trust", optional_argument, NULL, MD_COPT_CONTENT_TRUST},                 \
        {"cpu-count", required_argument, NULL, MD_COPT_CPU_COUNT},                                 \
        {"cpu-percent", required_argument, NULL, MD_COPT_CPU_PERCENT},                             \
        {"io-maxbandwidth", required_argument, NULL, MD_COPT_IO_MAXBW},                            \
        {"io-maxiops", required_argument, NULL, MD_COPT_IO_MAXIOPS},                               \
        {"link", required_argument, NULL, MD_COPT_LINK},                                           \
        {"link-local-ip", required_argument, NULL, MD_COPT_LINK_LOCAL_IP},                         \
        {"ip6", required_argument, NULL, MD_COPT_IP6},                                             \
    {                                                                                              \
        "use-api-socket", no_argument, NULL, MD_COPT_API_SOCKET                                    \
    }

/* 0 (a warning may be queued in o->warnings), or -1 with docker's error */
int md_compat_opt_parse(struct md_run_opts *o, int c, const char *v, md_error_t **err);

#endif
