/* The functions a docker --format can call: Go's builtins (index, len,
 * slice, not, eq/ne/lt/le/gt/ge, print/printf/println; and/or live in the
 * executor because they short-circuit) and the ones docker's CLI adds (json,
 * join, split, title, lower, upper, pad, truncate). */
#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template_int.h"
#include "util/xalloc.h"

typedef struct json_object jo;

static int fail(char **msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(msg, fmt, ap) < 0) md_oom();
    va_end(ap);
    return -1;
}

/* an argument of Go type string */
static int want_str(jo *v, const char **s, char **msg)
{
    if (!json_object_is_type(v, json_type_string))
        return fail(msg, "wrong type for value; expected string; got %s", tpl_type_name(v));
    *s = json_object_get_string(v);
    return 0;
}

/* an argument of Go type int (a JSON number with no fraction) */
static int want_int(jo *v, long long *i, char **msg)
{
    if (json_object_is_type(v, json_type_int)) {
        *i = (long long)json_object_get_int64(v);
        return 0;
    }
    double d = json_object_get_double(v);
    if (json_object_is_type(v, json_type_double) && d > -9e18 && d < 9e18 &&
        d == (double)(long long)d) {
        *i = (long long)d;
        return 0;
    }
    return fail(msg, "wrong type for value; expected int; got %s", tpl_type_name(v));
}

/* the text of an open_memstream as a string value */
static jo *str_result(FILE *m, char **buf, size_t *len)
{
    fclose(m);
    jo *r = json_object_new_string_len(*buf ? *buf : "", (int)*len);
    free(*buf);
    return r;
}

static int fn_not(jo **a, size_t n, jo **out, char **msg)
{
    (void)n, (void)msg;
    *out = json_object_new_boolean(!tpl_truth(a[0]));
    return 0;
}

static int fn_len(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    long long len = 0;
    switch (json_object_get_type(a[0])) {
    case json_type_string:
        len = json_object_get_string_len(a[0]);
        break;
    case json_type_array:
        len = (long long)json_object_array_length(a[0]);
        break;
    case json_type_object:
        len = json_object_object_length(a[0]);
        break;
    default:
        return fail(msg, "len of type %s", tpl_type_name(a[0]));
    }
    *out = json_object_new_int64(len);
    return 0;
}

static int index_one(jo *v, jo *key, jo **next, char **msg)
{
    long long i;
    const char *k;
    if (v == NULL) return fail(msg, "index of untyped nil");
    if (json_object_is_type(v, json_type_array)) {
        if (!json_object_is_type(key, json_type_int))
            return fail(msg, "cannot index slice/array with type %s", tpl_type_name(key));
        want_int(key, &i, msg);
        if (i < 0 || (size_t)i >= json_object_array_length(v))
            return fail(msg, "index out of range: %lld", i);
        *next = json_object_array_get_idx(v, (size_t)i);
        return 0;
    }
    if (json_object_is_type(v, json_type_object)) {
        if (!json_object_is_type(key, json_type_string))
            return fail(msg, "value has type %s; should be string", tpl_type_name(key));
        k = json_object_get_string(key);
        *next = NULL;
        json_object_object_get_ex(v, k, next);
        return 0;
    }
    return fail(msg, "can't index item of type %s", tpl_type_name(v));
}

static int fn_index(jo **a, size_t n, jo **out, char **msg)
{
    jo *v = a[0];
    for (size_t i = 1; i < n; i++)
        if (index_one(v, a[i], &v, msg) < 0) return -1;
    *out = json_object_get(v);
    return 0;
}

static int fn_slice(jo **a, size_t n, jo **out, char **msg)
{
    int is_str = json_object_is_type(a[0], json_type_string);
    if (!is_str && !json_object_is_type(a[0], json_type_array))
        return fail(msg, "can't slice item of type %s", tpl_type_name(a[0]));
    if (is_str && n > 3) return fail(msg, "cannot 3-index slice a string");
    long long len =
        is_str ? json_object_get_string_len(a[0]) : (long long)json_object_array_length(a[0]);
    long long idx[2] = {0, len};
    for (size_t i = 1; i < n && i < 3; i++) {
        if (want_int(a[i], &idx[i - 1], msg) < 0) return -1;
        if (idx[i - 1] < 0 || idx[i - 1] > len)
            return fail(msg, "index out of range: %lld", idx[i - 1]);
    }
    if (idx[0] > idx[1]) return fail(msg, "invalid slice index: %lld > %lld", idx[0], idx[1]);
    if (is_str) {
        *out = json_object_new_string_len(json_object_get_string(a[0]) + idx[0],
                                          (int)(idx[1] - idx[0]));
        return 0;
    }
    *out = json_object_new_array();
    for (long long i = idx[0]; i < idx[1]; i++)
        json_object_array_add(*out, json_object_get(json_object_array_get_idx(a[0], (size_t)i)));
    return 0;
}

/* -2, 0 or 1 as a < b, a == b, a > b; -3 when they do not compare */
static int compare(jo *a, jo *b, int ordered)
{
    enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
    int na = ta == json_type_int || ta == json_type_double;
    int nb = tb == json_type_int || tb == json_type_double;
    if (na && nb) {
        if (ta == json_type_int && tb == json_type_int) {
            int64_t x = json_object_get_int64(a), y = json_object_get_int64(b);
            return x < y ? -2 : x > y;
        }
        double x = json_object_get_double(a), y = json_object_get_double(b);
        return x < y ? -2 : x > y;
    }
    if (ta == json_type_string && tb == json_type_string) {
        int c = strcmp(json_object_get_string(a), json_object_get_string(b));
        return c < 0 ? -2 : c > 0;
    }
    if (ordered || ta != tb) return -3;
    if (ta == json_type_boolean) return json_object_get_boolean(a) != json_object_get_boolean(b);
    if (ta == json_type_null) return 0;
    return -3;
}

static int fn_eq(jo **a, size_t n, jo **out, char **msg)
{
    if (n < 2) return fail(msg, "missing argument for comparison");
    int eq = 0;
    for (size_t i = 1; i < n && !eq; i++) {
        int c = compare(a[0], a[i], 0);
        if (c == -3) return fail(msg, "incompatible types for comparison");
        eq = c == 0;
    }
    *out = json_object_new_boolean(eq);
    return 0;
}

static int ordered(jo **a, jo **out, char **msg, int lo, int hi)
{
    int c = compare(a[0], a[1], lo != hi || lo != 0);
    if (c == -3)
        return fail(msg, json_object_get_type(a[0]) == json_object_get_type(a[1])
                             ? "invalid type for comparison"
                             : "incompatible types for comparison");
    if (c == -2) c = -1;
    *out = json_object_new_boolean(c >= lo && c <= hi);
    return 0;
}

static int fn_ne(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    int c = compare(a[0], a[1], 0);
    if (c == -3) return fail(msg, "incompatible types for comparison");
    *out = json_object_new_boolean(c != 0);
    return 0;
}
#define ORDERED(name, lo, hi)                                                                      \
    static int name(jo **a, size_t n, jo **out, char **msg)                                        \
    {                                                                                              \
        (void)n;                                                                                   \
        return ordered(a, out, msg, lo, hi);                                                       \
    }
ORDERED(fn_lt, -1, -1)
ORDERED(fn_le, -1, 0)
ORDERED(fn_gt, 1, 1)
ORDERED(fn_ge, 0, 1)

/* fmt.Sprint: a space between operands when neither is a string;
 * fmt.Sprintln: always, and a newline */
static jo *sprint(jo **a, size_t n, int ln)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL) md_oom();
    for (size_t i = 0; i < n; i++) {
        int s0 = i > 0 && json_object_is_type(a[i - 1], json_type_string);
        int s1 = json_object_is_type(a[i], json_type_string);
        if (i > 0 && (ln || (!s0 && !s1))) fputc(' ', m);
        tpl_print_value(m, a[i], 0);
    }
    if (ln) fputc('\n', m);
    return str_result(m, &buf, &len);
}

static int fn_print(jo **a, size_t n, jo **out, char **msg)
{
    (void)msg;
    *out = sprint(a, n, 0);
    return 0;
}

static int fn_println(jo **a, size_t n, jo **out, char **msg)
{
    (void)msg;
    *out = sprint(a, n, 1);
    return 0;
}

static int fn_printf(jo **a, size_t n, jo **out, char **msg)
{
    const char *fmt = NULL;
    if (want_str(a[0], &fmt, msg) < 0) return -1;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL) md_oom();
    tpl_printf(m, fmt, (size_t)json_object_get_string_len(a[0]), a + 1, n - 1);
    *out = str_result(m, &buf, &len);
    return 0;
}

static int fn_json(jo **a, size_t n, jo **out, char **msg)
{
    (void)n, (void)msg;
    const char *s = a[0] ? json_object_to_json_string_ext(a[0], JSON_C_TO_STRING_PLAIN |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE)
                         : "null";
    *out = json_object_new_string(s);
    return 0;
}

static int fn_split(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    const char *s = NULL, *sep = NULL;
    if (want_str(a[0], &s, msg) < 0 || want_str(a[1], &sep, msg) < 0) return -1;
    size_t sl = strlen(sep);
    *out = json_object_new_array();
    while (*s) {
        /* strings.Split with "" splits after each UTF-8 sequence */
        const char *hit = sl ? strstr(s, sep) : s + 1;
        while (sl == 0 && (*hit & 0xc0) == 0x80)
            hit++;
        if (hit == NULL || (sl == 0 && *hit == '\0')) break;
        json_object_array_add(*out, json_object_new_string_len(s, (int)(hit - s)));
        s = hit + sl;
    }
    if (*s || sl) json_object_array_add(*out, json_object_new_string(s));
    return 0;
}

static int fn_join(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    const char *sep = NULL;
    if (!json_object_is_type(a[0], json_type_array))
        return fail(msg, "wrong type for value; expected []string; got %s", tpl_type_name(a[0]));
    if (want_str(a[1], &sep, msg) < 0) return -1;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL) md_oom();
    for (size_t i = 0; i < json_object_array_length(a[0]); i++) {
        if (i) fputs(sep, m);
        tpl_print_value(m, json_object_array_get_idx(a[0], i), 0);
    }
    *out = str_result(m, &buf, &len);
    return 0;
}

/* title (strings.Title), lower, upper */
static int recase(jo **a, jo **out, char **msg, int how)
{
    const char *s = NULL;
    if (want_str(a[0], &s, msg) < 0) return -1;
    char *r = md_xstrdup(s);
    int after_sep = 1;
    for (char *p = r; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (how == 'l') *p = (char)tolower(c);
        if (how == 'u') *p = (char)toupper(c);
        if (how == 't' && after_sep) *p = (char)toupper(c);
        after_sep = !(isalnum(c) || c == '_' || c >= 0x80);
    }
    *out = json_object_new_string(r);
    free(r);
    return 0;
}

static int fn_title(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    return recase(a, out, msg, 't');
}

static int fn_lower(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    return recase(a, out, msg, 'l');
}

static int fn_upper(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    return recase(a, out, msg, 'u');
}

static int fn_pad(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    const char *s = NULL;
    long long before = 0, after = 0;
    if (want_str(a[0], &s, msg) < 0 || want_int(a[1], &before, msg) < 0 ||
        want_int(a[2], &after, msg) < 0)
        return -1;
    if (before < 0 || after < 0 || before > 4096 || after > 4096)
        return fail(msg, "strings: negative Repeat count");
    char *r = NULL;
    if (asprintf(&r, "%*s%s%*s", (int)before, "", s, (int)after, "") < 0) md_oom();
    *out = json_object_new_string(r);
    free(r);
    return 0;
}

static int fn_truncate(jo **a, size_t n, jo **out, char **msg)
{
    (void)n;
    const char *s = NULL;
    long long len = 0;
    if (want_str(a[0], &s, msg) < 0 || want_int(a[1], &len, msg) < 0) return -1;
    if (len < 0) return fail(msg, "slice bounds out of range");
    size_t have = strlen(s);
    *out = json_object_new_string_len(s, (int)((size_t)len < have ? (size_t)len : have));
    return 0;
}

struct fn {
    const char *name;
    tpl_fn fn;
    int min, max; /* argument counts; max -1: any */
};

static const struct fn fns[] = {
    {"and", NULL, 1, -1},
    {"or", NULL, 1, -1},
    {"not", fn_not, 1, 1},
    {"len", fn_len, 1, 1},
    {"index", fn_index, 1, -1},
    {"slice", fn_slice, 1, 4},
    {"eq", fn_eq, 1, -1},
    {"ne", fn_ne, 2, 2},
    {"lt", fn_lt, 2, 2},
    {"le", fn_le, 2, 2},
    {"gt", fn_gt, 2, 2},
    {"ge", fn_ge, 2, 2},
    {"print", fn_print, 0, -1},
    {"printf", fn_printf, 1, -1},
    {"println", fn_println, 0, -1},
    {"json", fn_json, 1, 1},
    {"split", fn_split, 2, 2},
    {"join", fn_join, 2, 2},
    {"title", fn_title, 1, 1},
    {"lower", fn_lower, 1, 1},
    {"upper", fn_upper, 1, 1},
    {"pad", fn_pad, 3, 3},
    {"truncate", fn_truncate, 2, 2},
};

static const struct fn *find(const char *name)
{
    for (size_t i = 0; i < sizeof(fns) / sizeof(*fns); i++)
        if (strcmp(fns[i].name, name) == 0) return &fns[i];
    return NULL;
}

int tpl_func_known(const char *name)
{
    return find(name) != NULL;
}

int tpl_func_call(const char *name, jo **argv, size_t argc, jo **out, char **msg)
{
    const struct fn *f = find(name);
    if (f->max < 0 && argc < (size_t)f->min) {
        fail(msg, "wrong number of args for %s: want at least %d got %zu", name, f->min, argc);
        return -2;
    }
    if (f->max >= 0 && (argc < (size_t)f->min || argc > (size_t)f->max)) {
        if (f->min == f->max)
            fail(msg, "wrong number of args for %s: want %d got %zu", name, f->min, argc);
        else
            fail(msg, "wrong number of args for %s: want %d to %d got %zu", name, f->min, f->max,
                 argc);
        return -2;
    }
    return f->fn(argv, argc, out, msg);
}
