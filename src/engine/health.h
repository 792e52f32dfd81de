/* Healthchecks (docker's HEALTHCHECK and --health-* flags): the
 * configuration in Config.Healthcheck, the state machine of State.Health, and
 * the start of a container's probe runner (`mydocker health-run ID`, a
 * process of its own that lives as long as the container, so foreground and
 * detached containers are probed alike without a daemon). */
#ifndef MD_ENGINE_HEALTH_H
#define MD_ENGINE_HEALTH_H

#include <stdint.h>

#include "util/error.h"

struct json_object;
struct md_ctr;

struct md_health_opts {
    char *cmd; /* --health-cmd: run with the shell (CMD-SHELL) */
    int64_t interval, timeout, start_period, start_interval; /* ns; 0: the image's or docker's */
    int retries, none;                                       /* none: --no-healthcheck */
};

enum {
    MD_HOPT_FIRST = 3328,
    MD_HOPT_CMD = MD_HOPT_FIRST,
    MD_HOPT_INTERVAL,
    MD_HOPT_TIMEOUT,
    MD_HOPT_RETRIES,
    MD_HOPT_START_PERIOD,
    MD_HOPT_START_INTERVAL,
    MD_HOPT_NONE,
    MD_HOPT_LAST,
};

#define MD_HEALTH_LONG_OPTIONS                                                                     \
    {"health-cmd", required_argument, NULL, MD_HOPT_CMD},                                          \
        {"health-interval", required_argument, NULL, MD_HOPT_INTERVAL},                            \
        {"health-timeout", required_argument, NULL, MD_HOPT_TIMEOUT},                              \
        {"health-retries", required_argument, NULL, MD_HOPT_RETRIES},                              \
        {"health-start-period", required_argument, NULL, MD_HOPT_START_PERIOD},                    \
        {"health-start-interval", required_argument, NULL, MD_HOPT_START_INTERVAL},                \
    {                                                                                              \
        "no-healthcheck", no_argument, NULL, MD_HOPT_NONE                                          \
    }

#define MD_HEALTH_USAGE                                                                            \
    "      --health-cmd string      Command to run to check health\n"                              \
    "      --health-interval duration\n"                                                           \
    "                               Time between running the check (ms|s|m|h) (default 0s)\n"      \
    "      --health-retries int     Consecutive failures needed to report unhealthy\n"             \
    "      --health-start-interval duration\n"                                                     \
    "                               Time between running the check during the start period\n"      \
    "      --health-start-period duration\n"                                                       \
    "                               Start period for the container to initialize before\n"         \
    "                               starting health-retries countdown (ms|s|m|h) (default 0s)\n"   \
    "      --health-timeout duration\n"                                                            \
    "                               Maximum time to allow one check to run (ms|s|m|h)\n"           \
    "      --no-healthcheck         Disable any container-specified HEALTHCHECK\n"

int md_health_opt_parse(struct md_health_opts *o, int c, const char *arg, md_error_t **err);
int md_health_opts_check(const struct md_health_opts *o, md_error_t **err);
void md_health_opts_free(struct md_health_opts *o);
/* Config.Healthcheck: the image's, overridden field by field by the flags;
 * NULL when there is none */
struct json_object *md_health_config(const struct md_health_opts *o, struct json_object *image_cfg);

/* What a runner does, from a container record (defaults filled in). */
struct md_health_plan {
    char **argv; /* the probe command (CMD-SHELL: /bin/sh -c TEXT) */
    int64_t interval, timeout, start_period, start_interval;
    int retries;
};
/* 1 with *p filled when the record has an active healthcheck, else 0 */
int md_health_plan_get(struct json_object *record, struct md_health_plan *p);
void md_health_plan_free(struct md_health_plan *p);
/* State.Health of a starting container: "starting", no streak, no log */
void md_health_reset(struct json_object *record);
/* One probe's result into State.Health (docker's state machine: start
 * period, failing streak, retries, the last 5 results). Locks the container. */
struct md_health_result {
    int64_t start_ns, end_ns;
    int exit_code; /* -1: timed out */
    const char *output;
};
int md_health_record(const char *id, const struct md_health_result *res, md_error_t **err);
/* "healthy", "unhealthy", "starting", or NULL without a healthcheck */
const char *md_health_status(struct json_object *record);
/* docker's status: "Up 3 seconds (healthy)", "(health: starting)", "(unhealthy)" */
char *md_health_status_text(const struct md_ctr *c);
/* Start c's runner if it has a healthcheck (a detached process). */
void md_health_spawn(struct md_ctr *c);

#endif
