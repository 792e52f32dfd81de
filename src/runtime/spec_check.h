/* Refusal of what the runtime cannot honour (see spec_check.c). */
#ifndef MD_SPEC_CHECK_H
#define MD_SPEC_CHECK_H

#include "spec.h"

/* Parent, before clone: every field is either supported or an error. */
int md_spec_check(const struct md_spec *s, md_error_t **err);

#endif
