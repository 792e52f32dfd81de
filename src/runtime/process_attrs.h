/* Attributes of the container process that are neither identity nor
 * privilege: linux.personality, process.ioPriority, process.scheduler, and
 * the session keyring. Parsed with the spec (an unsupported value is an
 * error before clone), applied by the child just before it drops its
 * privileges, since a real-time policy or an RT io class needs them. */
#ifndef MD_PROCESS_ATTRS_H
#define MD_PROCESS_ATTRS_H

#include <stdint.h>

#include "util/error.h"

struct json_object;

/* sched_setattr(2)'s argument; glibc has no wrapper and the uapi header
 * clashes with <sched.h> */
struct md_sched_attr {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};

struct md_process_attrs {
    unsigned long personality; /* (unsigned long)-1: leave it */
    int ioprio;                /* -1: leave it */
    int has_sched;
    struct md_sched_attr sched;
};

/* From the whole config.json document. */
int md_process_attrs_parse(struct json_object *doc, struct md_process_attrs *out, md_error_t **err);
int md_process_attrs_apply(const struct md_process_attrs *a, md_error_t **err);
/* A new anonymous session keyring (runc's default). */
int md_keyring_new_session(md_error_t **err);

#endif
