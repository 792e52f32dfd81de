/* libFuzzer target: -p values ("8080:80", "127.0.0.1::53/udp", "1000-1010:2000-2010"). */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = strndup((const char *)data, size);
    if (spec == NULL) return 0;
    struct json_object *b = json_object_new_object(), *e = json_object_new_object();
    md_error_t *err = NULL;
    md_ports_parse(spec, b, e, &err);
    md_error_free(&err);
    json_object_put(b);
    json_object_put(e);
    free(spec);
    return 0;
}
