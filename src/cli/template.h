/* Go's text/template, as docker's --format uses it, over JSON data: a parsed
 * template is a tree (template_parse.c) executed against a json-c value
 * (template_exec.c) with Go's and docker's functions (template_funcs.c,
 * template_printf.c). Messages are Go's ("template: :1: ..."). */
#ifndef MD_CLI_TEMPLATE_H
#define MD_CLI_TEMPLATE_H

#include "util/error.h"

struct json_object;
struct md_template;

int md_template_parse(const char *text, struct md_template **out, md_error_t **err);
/* Renders into a new string (*out, freed by the caller). */
int md_template_exec(const struct md_template *t, struct json_object *data, char **out,
                     md_error_t **err);
void md_template_free(struct md_template *t);

#endif
