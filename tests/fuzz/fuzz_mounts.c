/* libFuzzer target: -v and --mount values ("vol:/data:ro,nocopy", "/src:/dst",
 * "type=tmpfs,target=/t,tmpfs-size=1m"), through the pure parsers of
 * src/engine/mountspec.c (nothing is created). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mountspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = strndup((const char *)data, size);
    if (spec == NULL) return 0;
    md_error_t *err = NULL;
    struct md_mount_req q;
    if (md_volume_flag_parse(spec, &q, &err) == 0) md_mount_req_clear(&q);
    md_error_free(&err);
    if (md_mount_flag_parse(spec, &q, &err) == 0) md_mount_req_clear(&q);
    md_error_free(&err);
    free(spec);
    return 0;
}
