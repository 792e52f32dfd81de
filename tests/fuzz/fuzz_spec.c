/* libFuzzer target: a config.json, as mydocker-runc reads a bundle's. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_tokener *tok = json_tokener_new();
    struct json_object *doc = json_tokener_parse_ex(tok, (const char *)data, (int)size);
    json_tokener_free(tok);
    if (doc == NULL) return 0;
    struct md_spec *s = NULL;
    md_error_t *err = NULL;
    if (md_spec_parse(doc, &s, &err) == 0) md_spec_free(s);
    md_error_free(&err);
    json_object_put(doc);
    return 0;
}
