/* YAML <-> json-c for compose files (libyaml, docs/compose.md says why this library).
 * Loading takes the first document: anchors and aliases are libyaml's (an alias is the node it
 * names), merge keys (`<<: *base`, `<<: [*a, *b]`) are ours, and plain scalars get the YAML 1.2
 * core schema's types, as docker compose's parser gives them (`yes` stays a string); quoted
 * ones are strings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static struct json_object *convert(yaml_document_t *doc, yaml_node_t *n, int depth);

struct json_object *md_compose_mapping(struct json_object *o)
{
    static struct json_object *empty;
    if (json_object_is_type(o, json_type_object)) return o;
    if (empty == NULL) empty = json_object_new_object();
    return empty;
}

static int matches(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0) return 1;
    return 0;
}

/* a plain scalar's type by the core schema; quoted ones and !!str are strings */
static struct json_object *plain_scalar(const char *s, size_t len)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    if (matches(s, nulls)) return NULL;
    if (matches(s, trues)) return json_object_new_boolean(1);
    if (matches(s, falses)) return json_object_new_boolean(0);
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    int octal = s[0] == '0' && s[1] >= '0' && s[1] <= '9'; /* 1.2: 0755 is decimal, 0o755 octal */
    if (len && *end == '\0' && errno == 0 && !octal && s[0] != '+') return json_object_new_int64(v);
    if (strncmp(s, "0o", 2) == 0 && len > 2) {
        v = strtoll(s + 2, &end, 8);
        if (*end == '\0') return json_object_new_int64(v);
    }
    if (strspn(s, "0123456789") == len && len) return json_object_new_int64(strtoll(s, NULL, 10));
    double d = strtod(s, &end);
    if (len && *end == '\0' && strspn(s, "+-0123456789.eE") == len && strchr(s, '.'))
        return json_object_new_double(d);
    return json_object_new_string_len(s, (int)len);
}

static struct json_object *scalar(yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    /* libyaml's loader tags every untagged scalar !!str: the style is what tells */
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_object_new_string_len(s, (int)len);
    return plain_scalar(s, len);
}

/* keys a merge brings in: only those the mapping does not set itself */
static void merge_into(struct json_object *dst, struct json_object *src)
{
    if (!json_object_is_type(src, json_type_object)) return;
    json_object_object_foreach(md_compose_mapping(src), k, v)
    {
        if (!json_object_object_get_ex(dst, k, NULL))
            json_object_object_add(dst, k, json_object_get(v));
    }
}

static struct json_object *mapping(yaml_document_t *doc, yaml_node_t *n, int depth)
{
    struct json_object *o = json_object_new_object();
    yaml_node_pair_t *p;
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k == NULL || k->type != YAML_SCALAR_NODE) continue;
        const char *key = (const char *)k->data.scalar.value;
        if (strcmp(key, "<<") == 0 && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) continue;
        json_object_object_add(o, key, convert(doc, yaml_document_get_node(doc, p->value), depth));
    }
    /* merges after the mapping's own keys, the first merge first: theirs never override */
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k == NULL || k->type != YAML_SCALAR_NODE ||
            strcmp((const char *)k->data.scalar.value, "<<") != 0)
            continue;
        struct json_object *m = convert(doc, yaml_document_get_node(doc, p->value), depth);
        if (json_object_is_type(m, json_type_array))
            for (size_t i = 0; i < json_object_array_length(m); i++)
                merge_into(o, json_object_array_get_idx(m, i));
        else
            merge_into(o, m);
        json_object_put(m);
    }
    return o;
}

static struct json_object *convert(yaml_document_t *doc, yaml_node_t *n, int depth)
{
    /* an alias may name a node that holds it: a billion laughs, or a loop */
    if (n == NULL || depth > 64) return NULL;
    if (n->type == YAML_SCALAR_NODE) return scalar(n);
    if (n->type == YAML_MAPPING_NODE) return mapping(doc, n, depth + 1);
    struct json_object *a = json_object_new_array();
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
        json_object_array_add(a, convert(doc, yaml_document_get_node(doc, *i), depth + 1));
    return a;
}

int md_yaml_load(const char *text, size_t len, const char *name, struct json_object **out,
                 md_error_t **err)
{
    yaml_parser_t p;
    yaml_document_t doc;
    *out = NULL;
    if (!yaml_parser_initialize(&p)) return md_error(err, ENOMEM, "yaml");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        int r = md_error(err, 0, "%s: yaml: line %zu: %s", name, p.problem_mark.line + 1,
                         p.problem ? p.problem : "invalid");
        yaml_parser_delete(&p);
        return r;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    *out = root ? convert(&doc, root, 0) : json_object_new_object();
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    if (*out == NULL || !json_object_is_type(*out, json_type_object)) {
        json_object_put(*out);
        *out = NULL;
        return md_error(err, 0, "%s: Top-level object must be a mapping", name);
    }
    return 0;
}

/* ---- the emitter: `config` prints the model as docker compose does, keys sorted */

struct emit {
    yaml_emitter_t e;
    int ok;
};

static void event(struct emit *em, yaml_event_t *ev)
{
    if (em->ok && !yaml_emitter_emit(&em->e, ev)) em->ok = 0;
}

static void emit_scalar(struct emit *em, const char *s, int quoted)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                 quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
    event(em, &ev);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a string that would read back as another type is quoted */
static int needs_quotes(const char *s)
{
    struct json_object *back = plain_scalar(s, strlen(s));
    int other = back == NULL || !json_object_is_type(back, json_type_string);
    json_object_put(back);
    return other;
}

static void emit_node(struct emit *em, struct json_object *v)
{
    yaml_event_t ev;
    if (json_object_is_type(v, json_type_object)) {
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        event(em, &ev);
        size_t n = (size_t)json_object_object_length(v), i = 0;
        cleanup_free const char **keys = md_xcalloc(n + 1, sizeof(char *));
        json_object_object_foreach(md_compose_mapping(v), k, unused)
        {
            (void)unused;
            keys[i++] = k;
        }
        qsort(keys, n, sizeof(char *), by_key);
        for (i = 0; i < n; i++) {
            emit_scalar(em, keys[i], needs_quotes(keys[i]));
            emit_node(em, json_object_object_get(v, keys[i]));
        }
        yaml_mapping_end_event_initialize(&ev);
        event(em, &ev);
    } else if (json_object_is_type(v, json_type_array)) {
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        event(em, &ev);
        for (size_t i = 0; i < json_object_array_length(v); i++)
            emit_node(em, json_object_array_get_idx(v, i));
        yaml_sequence_end_event_initialize(&ev);
        event(em, &ev);
    } else if (v == NULL) {
        emit_scalar(em, "null", 0);
    } else if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        emit_scalar(em, s, needs_quotes(s));
    } else {
        emit_scalar(em, json_object_get_string(v), 0);
    }
}

static int write_out(void *data, unsigned char *buf, size_t size)
{
    return fwrite(buf, 1, size, data) == size;
}

int md_yaml_print(struct json_object *doc, FILE *f)
{
    struct emit em = {.ok = 1};
    yaml_event_t ev;
    if (!yaml_emitter_initialize(&em.e)) return -1;
    yaml_emitter_set_output(&em.e, write_out, f);
    yaml_emitter_set_unicode(&em.e, 1);
    yaml_emitter_set_width(&em.e, -1);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    event(&em, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    event(&em, &ev);
    emit_node(&em, doc);
    yaml_document_end_event_initialize(&ev, 1);
    event(&em, &ev);
    yaml_stream_end_event_initialize(&ev);
    event(&em, &ev);
    yaml_emitter_delete(&em.e);
    return em.ok ? 0 : -1;
}
