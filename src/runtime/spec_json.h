/* Lookups into config.json for the files that parse it (spec.c and the
 * parsers of its smaller parts); a missing key and a wrong type read as
 * absent. Header-only: each is a line. */
#ifndef MD_SPEC_JSON_H
#define MD_SPEC_JSON_H

#include <json-c/json.h>
#include <stddef.h>

/* o[a] or o[a][b]; NULL when o or any step is missing */
static inline struct json_object *md_jpath(struct json_object *o, const char *a, const char *b)
{
    struct json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, a, &v)) return NULL;
    if (b && (v == NULL || !json_object_object_get_ex(v, b, &v))) return NULL;
    return v;
}

/* o[k] when it is a string */
static inline const char *md_jstr(struct json_object *o, const char *k)
{
    struct json_object *v = md_jpath(o, k, NULL);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static inline size_t md_jlen(struct json_object *arr)
{
    return json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

#endif
