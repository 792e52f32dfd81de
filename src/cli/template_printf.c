/* Go's fmt.Sprintf for the template function printf: verbs v s q d b o x X c
 * U t e E f F g G and %%, flags "+- #0", width and precision (also "*"), and
 * Go's in-band errors: %!d(string=x), %!d(MISSING), %!(EXTRA int=1). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template_int.h"
#include "util/xalloc.h"

typedef struct json_object jo;

struct spec {
    char flags[8];
    int width, prec; /* -1: not given */
    char verb;
};

static void bad_verb(FILE *f, char verb, jo *v)
{
    if (v == NULL) {
        fprintf(f, "%%!%c(<nil>)", verb);
        return;
    }
    fprintf(f, "%%!%c(%s=", verb, tpl_type_name(v));
    tpl_print_value(f, v, 0);
    fputc(')', f);
}

/* a C conversion spec with the same flags, width and precision */
static void c_spec(char *out, size_t n, const struct spec *s, const char *conv)
{
    char w[16] = "", p[16] = "";
    if (s->width >= 0) snprintf(w, sizeof(w), "%d", s->width);
    if (s->prec >= 0) snprintf(p, sizeof(p), ".%d", s->prec);
    snprintf(out, n, "%%%s%s%s%s", s->flags, w, p, conv);
}

/* The C format comes from c_spec: flags from "+- #0", numbers, and a
 * conversion from a fixed list, never text of the template itself. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void c_int(FILE *f, const char *cf, long long i, int neg_hex)
{
    if (neg_hex) {
        /* Go writes -ff, C the two's complement */
        fputc('-', f);
        fprintf(f, cf, -(unsigned long long)i);
        return;
    }
    fprintf(f, cf, i);
}

static void c_double(FILE *f, const char *cf, double d)
{
    fprintf(f, cf, d);
}
#pragma GCC diagnostic pop

static void pad_str(FILE *f, const struct spec *s, const char *str, size_t len)
{
    if (s->prec >= 0 && (size_t)s->prec < len) len = (size_t)s->prec;
    int left = strchr(s->flags, '-') != NULL;
    int fill = s->width > (int)len ? s->width - (int)len : 0;
    if (!left) fprintf(f, "%*s", fill, "");
    fwrite(str, 1, len, f);
    if (left) fprintf(f, "%*s", fill, "");
}

/* strconv.Quote */
static void quote(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\n' ? "\\n"
                          : c == '\t' ? "\\t"
                          : c == '\r' ? "\\r"
                                      : NULL;
        if (esc)
            fputs(esc, f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void put_rune(FILE *f, long long cp)
{
    if (cp < 0 || cp > 0x10ffff) cp = 0xfffd;
    if (cp < 0x80) {
        fputc((int)cp, f);
    } else if (cp < 0x800) {
        fputc((int)(0xc0 | (cp >> 6)), f);
        fputc((int)(0x80 | (cp & 0x3f)), f);
    } else if (cp < 0x10000) {
        fputc((int)(0xe0 | (cp >> 12)), f);
        fputc((int)(0x80 | ((cp >> 6) & 0x3f)), f);
        fputc((int)(0x80 | (cp & 0x3f)), f);
    } else {
        fputc((int)(0xf0 | (cp >> 18)), f);
        fputc((int)(0x80 | ((cp >> 12) & 0x3f)), f);
        fputc((int)(0x80 | ((cp >> 6) & 0x3f)), f);
        fputc((int)(0x80 | (cp & 0x3f)), f);
    }
}

static void fmt_int(FILE *f, const struct spec *s, long long i, jo *v)
{
    char cf[48], buf[80];
    const char *conv = NULL;
    switch (s->verb) {
    case 'v':
    case 'd':
        conv = "lld";
        break;
    case 'o':
    case 'x':
    case 'X':
        conv = s->verb == 'o' ? "llo" : s->verb == 'x' ? "llx" : "llX";
        break;
    case 'b': {
        unsigned long long u = i < 0 ? -(unsigned long long)i : (unsigned long long)i;
        int k = 0;
        char bits[70];
        do
            bits[k++] = (char)('0' + (u & 1));
        while (u >>= 1);
        char *o = buf;
        if (i < 0) *o++ = '-';
        while (k > 0)
            *o++ = bits[--k];
        pad_str(f, s, buf, (size_t)(o - buf));
        return;
    }
    case 'c':
        put_rune(f, i);
        return;
    case 'U':
        fprintf(f, "U+%04llX", i);
        return;
    default:
        bad_verb(f, s->verb, v);
        return;
    }
    c_spec(cf, sizeof(cf), s, conv);
    c_int(f, cf, i, i < 0 && s->verb != 'v' && s->verb != 'd');
}

static void fmt_float(FILE *f, const struct spec *s, double d, jo *v)
{
    char cf[48];
    if (strchr("eEfFgGv", s->verb) == NULL || s->verb == '\0') {
        bad_verb(f, s->verb, v);
        return;
    }
    if ((s->verb == 'v' || s->verb == 'g' || s->verb == 'G') && s->prec < 0) {
        /* Go's %g without a precision is the shortest exact form */
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m == NULL) md_oom();
        tpl_print_float(m, d);
        fclose(m);
        pad_str(f, s, buf, len);
        free(buf);
        return;
    }
    char conv[2] = {s->verb == 'v' ? 'g' : s->verb, 0};
    c_spec(cf, sizeof(cf), s, conv);
    c_double(f, cf, d);
}

static void fmt_string(FILE *f, const struct spec *s, jo *v)
{
    const char *str = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    if (s->verb == 'v' || s->verb == 's') {
        pad_str(f, s, str, n);
    } else if (s->verb == 'q') {
        quote(f, str, n);
    } else if (s->verb == 'x' || s->verb == 'X') {
        for (size_t i = 0; i < n; i++)
            fprintf(f, s->verb == 'x' ? "%02x" : "%02X", (unsigned char)str[i]);
    } else {
        bad_verb(f, s->verb, v);
    }
}

static void fmt_one(FILE *f, const struct spec *s, jo *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m;
    switch (json_object_get_type(v)) {
    case json_type_null:
        if (s->verb == 'v')
            pad_str(f, s, "<nil>", 5);
        else
            bad_verb(f, s->verb, NULL);
        return;
    case json_type_boolean:
        if (s->verb == 'v' || s->verb == 't')
            pad_str(f, s, json_object_get_boolean(v) ? "true" : "false",
                    json_object_get_boolean(v) ? 4 : 5);
        else
            bad_verb(f, s->verb, v);
        return;
    case json_type_int:
        fmt_int(f, s, (long long)json_object_get_int64(v), v);
        return;
    case json_type_double:
        fmt_float(f, s, json_object_get_double(v), v);
        return;
    case json_type_string:
        fmt_string(f, s, v);
        return;
    default: /* slices and maps: Go formats the elements; %v's text is close enough */
        m = open_memstream(&buf, &len);
        if (m == NULL) md_oom();
        tpl_print_value(m, v, 0);
        fclose(m);
        pad_str(f, s, buf, len);
        free(buf);
    }
}

/* widths and precisions past this are an attack on memory, not a format */
enum { MAX_WIDTH = 4096 };

/* n may come from a "*" argument: any int (the fuzzer found -555555556 then a digit) */
static int digit(int n, char c)
{
    if (n < 0 || n > MAX_WIDTH) n = n < 0 ? 0 : MAX_WIDTH;
    n = n * 10 + (c - '0');
    return n > MAX_WIDTH ? MAX_WIDTH : n;
}

/* "*" takes an int argument */
static int star(jo **argv, size_t argc, size_t *ai)
{
    if (*ai >= argc || !json_object_is_type(argv[*ai], json_type_int)) return -1;
    int64_t v = json_object_get_int64(argv[(*ai)++]);
    return v > MAX_WIDTH ? MAX_WIDTH : v < -1 ? -1 : (int)v;
}

static size_t parse_spec(const char *fmt, size_t i, size_t flen, struct spec *s, jo **argv,
                         size_t argc, size_t *ai)
{
    size_t nf = 0;
    memset(s, 0, sizeof(*s));
    s->width = s->prec = -1;
    while (i < flen && strchr("+- #0", fmt[i]) && fmt[i] && nf < sizeof(s->flags) - 1)
        s->flags[nf++] = fmt[i++];
    if (i < flen && fmt[i] == '*') {
        s->width = star(argv, argc, ai);
        i++;
    }
    for (; i < flen && fmt[i] >= '0' && fmt[i] <= '9'; i++)
        s->width = digit(s->width < 0 ? 0 : s->width, fmt[i]);
    if (i < flen && fmt[i] == '.') {
        s->prec = 0;
        if (++i < flen && fmt[i] == '*') {
            s->prec = star(argv, argc, ai);
            i++;
        }
        for (; i < flen && fmt[i] >= '0' && fmt[i] <= '9'; i++)
            s->prec = digit(s->prec, fmt[i]);
    }
    if (s->prec < -1) s->prec = -1;
    s->verb = i < flen ? fmt[i++] : '\0';
    return i;
}

int tpl_printf(FILE *f, const char *fmt, size_t flen, jo **argv, size_t argc)
{
    size_t ai = 0;
    for (size_t i = 0; i < flen;) {
        if (fmt[i] != '%') {
            fputc(fmt[i++], f);
            continue;
        }
        struct spec s;
        i = parse_spec(fmt, i + 1, flen, &s, argv, argc, &ai);
        if (s.verb == '\0')
            fputs("%!(NOVERB)", f);
        else if (s.verb == '%')
            fputc('%', f);
        else if (ai >= argc)
            fprintf(f, "%%!%c(MISSING)", s.verb);
        else
            fmt_one(f, &s, argv[ai++]);
    }
    if (ai < argc) {
        fputs("%!(EXTRA ", f);
        for (size_t i = ai; i < argc; i++) {
            fprintf(f, "%s%s=", i > ai ? ", " : "", tpl_type_name(argv[i]));
            tpl_print_value(f, argv[i], 0);
        }
        fputc(')', f);
    }
    return 0;
}
