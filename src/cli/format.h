/* docker's --format: Go templates (cli/template.h) over JSON rows, "table"
 * and "json" shorthands, and "\t" / "\n" escapes as docker's CLI accepts. */
#ifndef MD_CLI_FORMAT_H
#define MD_CLI_FORMAT_H

#include <stddef.h>

#include "util/error.h"

struct json_object;

/* Parses and runs one template against data (Go's text/template). */
int md_template_render(const char *tmpl, struct json_object *data, char **out, md_error_t **err);
/* Print rows as a docker table: columns padded to the widest cell + 3 spaces. */
void md_table_print(char ***rows, size_t nrows, size_t ncols);
/* Lines with tab-separated cells (a "table" --format), aligned the same way. */
void md_table_print_lines(char **lines, size_t n);

struct md_ctr;
/* docker's COMMAND column of ps (docker compose's too): "\"sh -c 'echo a; sl…\"", quoted
 * whole with no_trunc (malloc'd) */
char *md_command_column(const struct md_ctr *c, int no_trunc);
/* docker's Labels column of a labels object: "k=v,k=v" (a JSON string) */
struct json_object *md_labels_text(struct json_object *labels);
/* A placeholder and its column title in a "table" --format header. */
struct md_format_head {
    const char *field, *title;
};
/* Prints rows by fmt: "json" (one object per line), "table TEMPLATE" (a header
 * from heads, NULL-terminated, then aligned rows) or a plain template. */
int md_format_rows(const char *fmt, struct json_object **rows, size_t n,
                   const struct md_format_head *heads, md_error_t **err);

#endif
