/* libFuzzer target: image references ("busybox", "host:5000/a/b:tag@sha256:..."). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *ref = strndup((const char *)data, size);
    if (ref == NULL) return 0;
    md_error_t *err = NULL;
    md_image_ref_t r;
    memset(&r, 0, sizeof(r));
    if (md_image_ref_parse(ref, &r, &err) == 0) md_image_ref_clear(&r);
    md_error_free(&err);
    free(md_image_normalize_ref(ref, &err));
    md_error_free(&err);
    free(ref);
    return 0;
}
