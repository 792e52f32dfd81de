/* linux.seccomp: compiled by libseccomp in the parent before clone (once
 * per profile, cached by its full text under the run root) and loaded by
 * the child, the last privilege step before execve. */
#ifndef MD_SECCOMP_H
#define MD_SECCOMP_H

#include <stddef.h>

#include "util/error.h"

struct json_object;

/* A compiled filter (classic BPF). */
struct md_seccomp_prog {
    char *insns;
    size_t len;
};

int md_seccomp_prepare(struct json_object *seccomp, struct md_seccomp_prog *out, md_error_t **err);
/* linux.seccomp.flags -> SECCOMP_FILTER_FLAG_*; an unknown flag is an error */
int md_seccomp_flags_parse(struct json_object *seccomp, unsigned *out, md_error_t **err);
/* No-op for an empty program. */
int md_seccomp_load(const struct md_seccomp_prog *p, unsigned flags, md_error_t **err);
void md_seccomp_prog_free(struct md_seccomp_prog *p);

#endif
