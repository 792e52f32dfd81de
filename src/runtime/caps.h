/* Identity and privileges of the container process: user/groups,
 * capabilities (libcap), rlimits. Applied in the child, in the order
 * docs/protocol.md gives. */
#ifndef MD_CAPS_H
#define MD_CAPS_H

#include "spec.h"

int md_caps_drop_bounding(const struct md_process *p, md_error_t **err);
int md_switch_user(const struct md_process *p, md_error_t **err);
int md_caps_apply(const struct md_process *p, md_error_t **err);
int md_rlimits_apply(const struct md_process *p, md_error_t **err);
/* The capabilities the calling process may hand out (its bounding set). */
uint64_t md_caps_host_bounding(void);

#endif
