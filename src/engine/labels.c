#include "engine/labels.h"

#include <json-c/json.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

struct json_object *md_labels_json(struct json_object *base, char *const *labels)
{
    struct json_object *out = json_object_new_object();
    if (base && json_object_is_type(base, json_type_object)) {
        json_object_object_foreach(base, k, v) json_object_object_add(out, k, json_object_get(v));
    }
    for (char *const *l = labels; l && *l; l++) {
        size_t k = strcspn(*l, "=");
        cleanup_free char *key = md_xstrndup(*l, k);
        json_object_object_add(out, key, json_object_new_string((*l)[k] ? *l + k + 1 : ""));
    }
    return out;
}
