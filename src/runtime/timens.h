/* linux.timeOffsets: the clocks of a new time namespace. The offsets can
 * only be written between unshare(CLONE_NEWTIME) and the first process
 * entering the namespace, so the parent writes them before clone. */
#ifndef MD_TIMENS_H
#define MD_TIMENS_H

#include "util/error.h"

struct json_object;

/* The lines for /proc/self/timens_offsets ("monotonic S N\n..."); NULL in
 * *out when the spec has none. */
int md_timens_offsets_parse(struct json_object *offsets, char **out, md_error_t **err);
int md_timens_offsets_write(const char *text, md_error_t **err);

#endif
