/* libFuzzer target: registry manifests and indexes (docker v2s2, OCI, lists). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imagetool/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json", NULL};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        md_manifest_t m;
        memset(&m, 0, sizeof(m));
        md_error_t *err = NULL;
        if (md_manifest_parse((const char *)data, size, types[i], &m, &err) == 0)
            md_manifest_clear(&m);
        md_error_free(&err);
    }
    return 0;
}
