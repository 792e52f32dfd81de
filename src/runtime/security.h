/* Privileges of the container process: user/groups, capabilities (libcap),
 * no_new_privs, seccomp (libseccomp), rlimits. Applied in the child, in the
 * order docs/protocol.md gives, the last of them just before execve. */
#ifndef MD_SECURITY_H
#define MD_SECURITY_H

#include "spec.h"

int md_caps_drop_bounding(const struct md_process *p, md_error_t **err);
int md_switch_user(const struct md_process *p, md_error_t **err);
int md_caps_apply(const struct md_process *p, md_error_t **err);
int md_rlimits_apply(const struct md_process *p, md_error_t **err);
/* A compiled seccomp filter (classic BPF), prepared in the parent before
 * clone (compiled once per profile and cached) and loaded by the child. */
struct md_seccomp_prog {
    char *insns;
    size_t len;
};
int md_seccomp_prepare(struct json_object *seccomp, struct md_seccomp_prog *out, md_error_t **err);
int md_seccomp_load(const struct md_seccomp_prog *p, md_error_t **err);
void md_seccomp_prog_free(struct md_seccomp_prog *p);
/* The capabilities the calling process may hand out (its bounding set). */
uint64_t md_caps_host_bounding(void);

#endif
