#include "cli/run_compat.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/size.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* a warning docker's daemon gives at create; the engine passes them on (md_engine_create) */
static int queue_warning(struct md_run_opts *o, const char *text)
{
    return md_strv_append(&o->warnings, text);
}

static int positive_number(const char *v, const char *flag, md_error_t **err)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end || n < 0)
        return md_error(err, 0,
                        "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: "
                        "parsing \"%s\": invalid syntax",
                        v, flag, v);
    return n > 0;
}

/* the Windows-only resource flags: docker's daemon on Linux discards counts with a warning and
 * refuses the I/O limits */
static int windows_only(struct md_run_opts *o, int c, const char *v, md_error_t **err)
{
    if (c == MD_COPT_IO_MAXBW || c == MD_COPT_IO_MAXIOPS) {
        if (c == MD_COPT_IO_MAXBW ? md_parse_size(v) < 0
                                  : positive_number(v, "--io-maxiops", err) < 0)
            return md_error(err, 0, "invalid argument \"%s\" for \"--%s\" flag", v,
                            c == MD_COPT_IO_MAXBW ? "io-maxbandwidth" : "io-maxiops");
        return md_error(err, 0,
                        "Invalid QoS settings: linux does not support Maximum IO Bandwidth or "
                        "Maximum IO IOps");
    }
    int set = positive_number(v, c == MD_COPT_CPU_COUNT ? "--cpu-count" : "--cpu-percent", err);
    if (set <= 0) return set;
    return queue_warning(o, c == MD_COPT_CPU_COUNT
                                ? "linux does not support CPU count. Count discarded."
                                : "linux does not support CPU percent. Percent discarded.");
}

int md_compat_opt_parse(struct md_run_opts *o, int c, const char *v, md_error_t **err)
{
    switch (c) {
    case MD_COPT_GPUS: /* docker without the NVIDIA runtime hook */
        return md_error(err, 0, "could not select device driver \"\" with capabilities: [[gpu]]");
    case MD_COPT_ISOLATION:
        if (strcasecmp(v, "default") == 0) return 0;
        return md_error(err, 0, "Invalid isolation: \"%s\" - linux only supports 'default'", v);
    case MD_COPT_KERNEL_MEMORY:
        /* kernel memory limits are gone from cgroup v2 and deprecated in v1 (kernel 5.4+) */
        if (md_parse_size(v) < 0)
            return md_error(err, 0, "invalid argument \"%s\" for \"--kernel-memory\" flag", v);
        return queue_warning(o, "Specifying a kernel memory limit is deprecated and will be "
                                "removed in a future release.");
    case MD_COPT_VOLUME_DRIVER: /* only the built-in driver: no plugins */
        if (strcmp(v, "local") == 0) return 0;
        return md_error(err, 0, "error looking up volume plugin %s: plugin \"%s\" not found", v, v);
    case MD_COPT_CONTENT_TRUST: /* docker's default too: there is no notary to verify against */
        if (v && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return md_error(err, 0, "invalid argument \"%s\" for \"--disable-content-trust\" flag",
                            v);
        if (v && strcmp(v, "false") == 0)
            return md_error(err, 0, "content trust (Notary signatures) is not supported");
        return 0;
    case MD_COPT_CPU_COUNT:
    case MD_COPT_CPU_PERCENT:
    case MD_COPT_IO_MAXBW:
    case MD_COPT_IO_MAXIOPS:
        return windows_only(o, c, v, err);
    case MD_COPT_LINK:
    case MD_COPT_LINK_LOCAL_IP:
        return md_error(err, 0,
                        "--%s (docker's legacy links) is not supported: put the containers on one "
                        "user network, where they reach each other by name",
                        c == MD_COPT_LINK ? "link" : "link-local-ip");
    case MD_COPT_IP6:
        return md_error(err, 0, "--ip6: networks here are IPv4 only (no --ipv6 network)");
    default: /* MD_COPT_API_SOCKET */
        return md_error(err, 0, "--use-api-socket: there is no Engine API socket yet");
    }
}
