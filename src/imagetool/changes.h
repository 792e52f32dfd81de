/* Dockerfile instructions given with `import -c` (docker's --change). */
#ifndef MD_IMAGETOOL_CHANGES_H
#define MD_IMAGETOOL_CHANGES_H

#include <json-c/json.h>

#include "util/error.h"

/* Apply CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and
 * WORKDIR lines, in order, to an image config's "config" object (Cmd, Env, ...).
 * Anything else: "<instr> is not a valid change command". */
int md_changes_apply(json_object *cfg, char *const *changes, md_error_t **err);

#endif
