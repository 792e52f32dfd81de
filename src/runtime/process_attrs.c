#include "process_attrs.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec_json.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

static int personality_domain(struct json_object *doc, unsigned long *out, md_error_t **err)
{
    struct json_object *p = md_jpath(doc, "linux", "personality");
    *out = (unsigned long)-1;
    if (p == NULL) return 0;
    const char *d = md_jstr(p, "domain");
    if (d && strcmp(d, "LINUX") == 0)
        *out = PER_LINUX;
    else if (d && strcmp(d, "LINUX32") == 0)
        *out = PER_LINUX32;
    else
        return md_error(err, 0, "config: linux.personality.domain %s is not supported",
                        d ? d : "(none)");
    if (md_jlen(md_jpath(p, "flags", NULL)) > 0)
        return md_error(err, 0, "config: linux.personality.flags are not supported");
    return 0;
}

static const struct {
    const char *name;
    int cls;
} io_classes[] = {{"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
                  {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
                  {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE}};

static int io_priority(struct json_object *doc, int *out, md_error_t **err)
{
    struct json_object *io = md_jpath(doc, "process", "ioPriority");
    *out = -1;
    if (io == NULL) return 0;
    const char *c = md_jstr(io, "class");
    int prio = json_object_get_int(md_jpath(io, "priority", NULL));
    for (size_t i = 0; c && i < sizeof(io_classes) / sizeof(io_classes[0]); i++)
        if (strcmp(c, io_classes[i].name) == 0) {
            if (prio < 0 || prio > 7)
                return md_error(err, 0, "config: process.ioPriority.priority %d out of 0-7", prio);
            *out = (io_classes[i].cls << IOPRIO_CLASS_SHIFT) | prio;
            return 0;
        }
    return md_error(err, 0, "config: process.ioPriority.class %s is not supported",
                    c ? c : "(none)");
}

static int sched_policy(const char *p)
{
    static const struct {
        const char *n;
        int v;
    } t[] = {{"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
             {"SCHED_BATCH", SCHED_BATCH}, {"SCHED_IDLE", SCHED_IDLE}, {"SCHED_DEADLINE", 6}};
    for (size_t i = 0; p && i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(p, t[i].n) == 0) return t[i].v;
    return -1;
}

static int sched_attr_of(struct json_object *doc, struct md_sched_attr *a, int *has,
                         md_error_t **err)
{
    struct json_object *s = md_jpath(doc, "process", "scheduler");
    memset(a, 0, sizeof(*a));
    *has = s != NULL;
    if (s == NULL) return 0;
    int pol = sched_policy(md_jstr(s, "policy"));
    if (pol < 0)
        return md_error(err, 0, "config: process.scheduler.policy %s is not supported",
                        md_jstr(s, "policy") ? md_jstr(s, "policy") : "(none)");
    if (md_jlen(md_jpath(s, "flags", NULL)) > 0)
        return md_error(err, 0, "config: process.scheduler.flags are not supported");
    a->size = sizeof(*a);
    a->sched_policy = (unsigned)pol;
    a->sched_nice = json_object_get_int(md_jpath(s, "nice", NULL));
    a->sched_priority = (unsigned)json_object_get_int(md_jpath(s, "priority", NULL));
    a->sched_runtime = json_object_get_uint64(md_jpath(s, "runtime", NULL));
    a->sched_deadline = json_object_get_uint64(md_jpath(s, "deadline", NULL));
    a->sched_period = json_object_get_uint64(md_jpath(s, "period", NULL));
    return 0;
}

int md_process_attrs_parse(struct json_object *doc, struct md_process_attrs *out, md_error_t **err)
{
    int r = personality_domain(doc, &out->personality, err);
    if (r == 0) r = io_priority(doc, &out->ioprio, err);
    if (r == 0) r = sched_attr_of(doc, &out->sched, &out->has_sched, err);
    return r;
}

int md_process_attrs_apply(const struct md_process_attrs *a, md_error_t **err)
{
    if (a->personality != (unsigned long)-1 && personality(a->personality) < 0)
        return md_error(err, errno, "personality");
    if (a->ioprio >= 0 && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, a->ioprio) < 0)
        return md_error(err, errno, "ioprio_set");
    if (a->has_sched && syscall(SYS_sched_setattr, 0, &a->sched, 0) < 0)
        return md_error(err, errno, "sched_setattr");
    return 0;
}

int md_keyring_new_session(md_error_t **err)
{
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
        return md_error(err, errno, "join a new session keyring");
    return 0;
}
