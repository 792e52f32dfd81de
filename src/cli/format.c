#include "cli/format.h"
#include "cli/table.h"
#include "cli/template.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ctr.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* docker's formatter turns the two-character sequences \t and \n of a
 * --format into a tab and a newline before parsing */
static char *unescape_format(const char *t)
{
    char *s = md_xstrdup(t), *w = s;
    for (const char *r = t; *r; r++) {
        if (r[0] == '\\' && (r[1] == 't' || r[1] == 'n')) {
            *w++ = r[1] == 't' ? '\t' : '\n';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return s;
}

int md_template_render(const char *t, struct json_object *data, char **out, md_error_t **err)
{
    cleanup_free char *text = unescape_format(t);
    struct md_template *tpl = NULL;
    int r = md_template_parse(text, &tpl, err);
    if (r == 0) r = md_template_exec(tpl, data, out, err);
    md_template_free(tpl);
    if (r < 0 && err && *err) {
        /* docker's CLI words both kinds of failure so, and exits 1 */
        md_error_prefix(err, "template parsing error");
        (*err)->exit_code = 1;
    }
    return r < 0 ? -EINVAL : 0;
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

/* the inside of Go's strconv.Quote: docker quotes --no-trunc commands so */
static char *go_quote_body(const char *s)
{
    char *out = md_xmalloc(strlen(s) * 2 + 1), *o = out;
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') *o++ = '\\';
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

char *md_command_column(const struct md_ctr *c, int no_trunc)
{
    cleanup_free char *line = md_ctr_command_line(c);
    cleanup_free char *q = go_quote_body(line);
    char *out = NULL;
    /* docker cuts at 20 characters and marks the cut with an ellipsis */
    int r = (!no_trunc && strlen(line) > 20) ? asprintf(&out, "\"%.19s…\"", line)
                                             : asprintf(&out, "\"%s\"", no_trunc ? q : line);
    return r < 0 ? NULL : out;
}
