/* libFuzzer target: --format templates against a fixed inspect-like object;
 * the input is the template. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct json_object *obj;
    if (obj == NULL)
        obj = json_tokener_parse("{\"Id\":\"abc\",\"Name\":\"/x\",\"State\":{\"Pid\":1,"
                                 "\"Status\":\"running\"},\"Config\":{\"Env\":[\"A=1\"],"
                                 "\"Labels\":{\"k\":\"v\"}},\"Mounts\":[],\"N\":null}");
    char *tmpl = strndup((const char *)data, size);
    if (tmpl == NULL) return 0;
    char *out = NULL;
    md_error_t *err = NULL;
    if (md_template_render(tmpl, obj, &out, &err) == 0) free(out);
    md_error_free(&err);
    free(tmpl);
    return 0;
}
