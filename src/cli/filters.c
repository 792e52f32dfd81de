#include "cli/filters.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/time.h"
#include "util/xalloc.h"

int md_filters_add(struct md_filters *f, const char *arg, const char *const *accepted,
                   md_error_t **err)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg)
        return md_error_code(err, 1, 0, "bad format of filter (expected name=value)");
    char *key = md_xstrndup(arg, (size_t)(eq - arg));
    int known = 0;
    for (const char *const *a = accepted; *a && !known; a++)
        known = strcmp(*a, key) == 0;
    if (!known) {
        md_error_code(err, 1, 0, "invalid filter '%s'", key); /* docker exits 1 */
        free(key);
        return -EINVAL;
    }
    md_strv_append(&f->keys, key);
    md_strv_append(&f->values, eq + 1);
    free(key);
    return 0;
}

void md_filters_free(struct md_filters *f)
{
    md_strv_free(f->keys);
    md_strv_free(f->values);
    f->keys = f->values = NULL;
}

int md_filters_has(const struct md_filters *f, const char *key)
{
    for (char **k = f->keys; k && *k; k++)
        if (strcmp(*k, key) == 0) return 1;
    return 0;
}

int md_filters_any(const struct md_filters *f, const char *key,
                   int (*pred)(const char *value, void *ctx), void *ctx)
{
    int seen = 0;
    for (size_t i = 0; f->keys && f->keys[i]; i++) {
        if (strcmp(f->keys[i], key) != 0) continue;
        if (pred(f->values[i], ctx)) return 1;
        seen = 1;
    }
    return !seen;
}

static int label_holds(struct json_object *labels, const char *spec)
{
    const char *eq = strchr(spec, '=');
    size_t klen = eq ? (size_t)(eq - spec) : strlen(spec);
    cleanup_free char *key = md_xstrndup(spec, klen);
    struct json_object *v;
    if (labels == NULL || !json_object_object_get_ex(labels, key, &v)) return 0;
    if (eq == NULL) return 1;
    const char *s = json_object_get_string(v);
    return strcmp(s ? s : "", eq + 1) == 0;
}

int md_filters_labels(const struct md_filters *f, struct json_object *labels)
{
    for (size_t i = 0; f->keys && f->keys[i]; i++) {
        if (strcmp(f->keys[i], "label") == 0 && !label_holds(labels, f->values[i])) return 0;
        if (strcmp(f->keys[i], "label!") == 0 && label_holds(labels, f->values[i])) return 0;
    }
    return 1;
}

int md_filter_bool(const char *v)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) return 1;
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) return 0;
    return -1;
}

static int before(const char *v, void *created_ns)
{
    int64_t t;
    return md_parse_timestamp(v, md_now_ns(), &t) == 0 && *(int64_t *)created_ns < t;
}

int md_filters_until(const struct md_filters *f, int64_t created_ns)
{
    return md_filters_any(f, "until", before, &created_ns);
}

int md_filters_check_until(const struct md_filters *f, md_error_t **err)
{
    int64_t t;
    for (size_t i = 0; f->keys && f->keys[i]; i++)
        if (strcmp(f->keys[i], "until") == 0 && md_parse_timestamp(f->values[i], 0, &t) < 0)
            return md_error_code(err, 1, 0, "failed to parse value as time or duration: \"%s\"",
                                 f->values[i]);
    return 0;
}
