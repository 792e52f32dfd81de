/* Values as Go sees them: printing (fmt's %v), truth, type names, map order. */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template_int.h"
#include "util/xalloc.h"

/* strconv.FormatFloat(d, 'g', -1, 64): the shortest digits that read back
 * as d, in exponent form when the exponent is < -4 or >= 6 (strconv's rule
 * for the shortest form, which fmt's %v uses: 1e+06, 123456) */
void tpl_print_float(FILE *f, double d)
{
    if (isinf(d)) {
        fputs(d > 0 ? "+Inf" : "-Inf", f);
        return;
    }
    if (isnan(d)) {
        fputs("NaN", f);
        return;
    }
    char buf[64];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d) break;
    }
    snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
    int exp = atoi(strchr(buf, 'e') + 1);
    if (exp < -4 || exp >= 6) {
        fputs(buf, f);
        return;
    }
    fprintf(f, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **tpl_sorted_keys(struct json_object *o, size_t *n)
{
    size_t len = (size_t)json_object_object_length(o), i = 0;
    const char **keys = md_xcalloc(len + 1, sizeof(char *));
    json_object_object_foreach(o, k, v)
    {
        (void)v;
        keys[i++] = k;
    }
    qsort(keys, i, sizeof(char *), cmp_str);
    *n = i;
    return keys;
}

void tpl_print_value(FILE *f, struct json_object *v, int top)
{
    size_t n = 0;
    switch (json_object_get_type(v)) {
    case json_type_null:
        fputs(top ? "<no value>" : "<nil>", f);
        return;
    case json_type_string:
        fwrite(json_object_get_string(v), 1, (size_t)json_object_get_string_len(v), f);
        return;
    case json_type_int:
        fprintf(f, "%lld", (long long)json_object_get_int64(v));
        return;
    case json_type_double:
        tpl_print_float(f, json_object_get_double(v));
        return;
    case json_type_boolean:
        fputs(json_object_get_boolean(v) ? "true" : "false", f);
        return;
    case json_type_array:
        fputc('[', f);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (i) fputc(' ', f);
            tpl_print_value(f, json_object_array_get_idx(v, i), 0);
        }
        fputc(']', f);
        return;
    case json_type_object:
        fputs("map[", f);
        const char **keys = tpl_sorted_keys(v, &n);
        for (size_t i = 0; i < n; i++) {
            struct json_object *e = NULL;
            json_object_object_get_ex(v, keys[i], &e);
            fprintf(f, "%s%s:", i ? " " : "", keys[i]);
            tpl_print_value(f, e, 0);
        }
        free(keys);
        fputc(']', f);
        return;
    }
}

int tpl_truth(struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return 0;
    case json_type_boolean:
        return json_object_get_boolean(v);
    case json_type_int:
        return json_object_get_int64(v) != 0;
    case json_type_double:
        return json_object_get_double(v) != 0;
    case json_type_string:
        return json_object_get_string_len(v) > 0;
    case json_type_array:
        return json_object_array_length(v) > 0;
    case json_type_object:
        return json_object_object_length(v) > 0;
    }
    return 0;
}

/* the Go type a value decoded from JSON has */
const char *tpl_type_name(struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "<nil>";
    case json_type_boolean:
        return "bool";
    case json_type_int:
        return "int";
    case json_type_double:
        return "float64";
    case json_type_string:
        return "string";
    case json_type_array:
        return "[]interface {}";
    case json_type_object:
        return "map[string]interface {}";
    }
    return "?";
}
