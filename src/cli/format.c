#include "cli/format.h"
#include "cli/table.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"

static struct json_object *lookup(struct json_object *o, const char *path, size_t len)
{
    char key[256];
    while (len > 0 && *path == '.') {
        path++;
        len--;
        size_t n = 0;
        while (n < len && path[n] != '.')
            n++;
        if (n == 0) return o; /* "." alone */
        if (n >= sizeof(key) || o == NULL) return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        if (!json_object_object_get_ex(o, key, &o)) return NULL;
        path += n;
        len -= n;
    }
    return o;
}

static void emit_value(FILE *f, struct json_object *v, int as_json)
{
    if (as_json) {
        fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE),
              f);
        return;
    }
    if (v == NULL) {
        fputs("<no value>", f);
        return;
    }
    switch (json_object_get_type(v)) {
    case json_type_string:
        fputs(json_object_get_string(v), f);
        break;
    case json_type_array:
        fputc('[', f);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (i) fputc(' ', f);
            emit_value(f, json_object_array_get_idx(v, i), 0);
        }
        fputc(']', f);
        break;
    case json_type_object:
        fputs("map[", f);
        {
            int first = 1;
            json_object_object_foreach(v, k, val)
            {
                fprintf(f, "%s%s:", first ? "" : " ", k);
                emit_value(f, val, 0);
                first = 0;
            }
        }
        fputc(']', f);
        break;
    default:
        fputs(json_object_to_json_string(v), f);
    }
}

static int render_action(FILE *f, const char *a, size_t n, struct json_object *data,
                         md_error_t **err)
{
    while (n > 0 && *a == ' ')
        a++, n--;
    while (n > 0 && a[n - 1] == ' ')
        n--;
    int as_json = 0;
    if (n > 5 && strncmp(a, "json ", 5) == 0) {
        as_json = 1;
        a += 5;
        n -= 5;
        while (n > 0 && *a == ' ')
            a++, n--;
    }
    if (n == 0 || a[0] != '.')
        return md_error(err, 0, "template: unsupported action \"%.*s\"", (int)n, a);
    emit_value(f, lookup(data, a, n), as_json);
    return 0;
}

int md_template_render(const char *t, struct json_object *data, char **out, md_error_t **err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) return md_error(err, errno, "template");
    int r = 0;
    while (*t && r == 0) {
        if (t[0] == '{' && t[1] == '{') {
            const char *end = strstr(t + 2, "}}");
            if (end == NULL) {
                r = md_error(err, 0, "template: unclosed action");
                break;
            }
            r = render_action(f, t + 2, (size_t)(end - t - 2), data, err);
            t = end + 2;
        } else if (t[0] == '\\' && (t[1] == 't' || t[1] == 'n')) {
            fputc(t[1] == 't' ? '\t' : '\n', f);
            t += 2;
        } else {
            fputc(*t++, f);
        }
    }
    fclose(f);
    if (r < 0) {
        free(buf);
        return r;
    }
    *out = buf;
    return 0;
}

/* docker's tabwriter: a column is as wide as its widest cell plus 3, and at
 * least 10; the last column is not padded */
void md_table_print(char ***rows, size_t nrows, size_t ncols)
{
    md_table_write(stdout, rows, nrows, ncols, 10, 3, "\n");
}

void md_table_print_lines(char **lines, size_t n)
{
    size_t ncols = 1;
    for (size_t i = 0; i < n; i++) {
        size_t k = 1;
        for (const char *p = lines[i]; *p; p++)
            k += *p == '\t';
        if (k > ncols) ncols = k;
    }
    if (ncols > 32) ncols = 32;
    char ***rows = calloc(n ? n : 1, sizeof(char **));
    for (size_t i = 0; rows && i < n; i++) {
        rows[i] = calloc(ncols, sizeof(char *));
        char *s = lines[i];
        for (size_t c = 0; c < ncols; c++) {
            rows[i][c] = s ? s : (char *)"";
            char *tab = s ? strchr(s, '\t') : NULL;
            if (tab) *tab = '\0';
            s = tab ? tab + 1 : NULL;
        }
    }
    md_table_print(rows, n, ncols);
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i]);
    free(rows);
}

int md_format_rows(const char *fmt, struct json_object **rows, size_t n,
                   const struct md_format_head *heads, md_error_t **err)
{
    if (strcmp(fmt, "json") == 0) {
        for (size_t i = 0; i < n; i++)
            puts(json_object_to_json_string_ext(rows[i], JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
    }
    int table = strncmp(fmt, "table", 5) == 0;
    if (table) fmt += 5 + (fmt[5] == ' ');
    cleanup_strv char **lines = md_strv_dup(NULL);
    if (table) {
        /* the header: each placeholder's docker column title */
        struct json_object *h = json_object_new_object();
        for (const struct md_format_head *k = heads; k && k->field; k++)
            json_object_object_add(h, k->field, json_object_new_string(k->title));
        char *line = NULL;
        if (md_template_render(fmt, h, &line, NULL) == 0) md_strv_append(&lines, line);
        free(line);
        json_object_put(h);
    }
    for (size_t i = 0; i < n; i++) {
        cleanup_free char *line = NULL;
        if (md_template_render(fmt, rows[i], &line, err) < 0) return -EINVAL;
        md_strv_append(&lines, line);
    }
    if (table) {
        md_table_print_lines(lines, md_strv_len(lines));
    } else {
        for (char **l = lines; *l; l++)
            puts(*l);
    }
    return 0;
}

struct json_object *md_labels_text(struct json_object *labels)
{
    cleanup_free char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    int first = 1;
    if (m && labels && json_object_is_type(labels, json_type_object)) {
        json_object_object_foreach(labels, k, v)
        {
            fprintf(m, "%s%s=%s", first ? "" : ",", k, json_object_get_string(v));
            first = 0;
        }
    }
    if (m) fclose(m);
    return json_object_new_string(text ? text : "");
}
