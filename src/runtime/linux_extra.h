/* Smaller pieces of the runtime spec, read straight from config.json:
 * linux.personality, linux.timeOffsets, process.ioPriority,
 * process.scheduler, the session keyring, and md_spec_check(), which
 * refuses what the runtime cannot honour instead of ignoring it. */
#ifndef MD_LINUX_EXTRA_H
#define MD_LINUX_EXTRA_H

#include "spec.h"

/* Parent, before clone: every field is either supported or an error. */
int md_spec_check(const struct md_spec *s, md_error_t **err);
/* Parent, right after unshare(CLONE_NEWTIME). */
int md_timens_offsets_write(struct json_object *doc, md_error_t **err);
/* Child: personality, ioPriority, scheduler of the process about to exec. */
int md_process_extras_apply(struct json_object *doc, md_error_t **err);
/* Child: load the parent's compiled filter with linux.seccomp.flags. */
int md_seccomp_load_spec(const struct md_spec *s, md_error_t **err);
/* Child: a new anonymous session keyring (runc's default). */
int md_keyring_new_session(md_error_t **err);

#endif
