/* docker's ps filters (cli/ps_filters.c), for `ps` and the API's container list: the values of
 * one key ORed, keys ANDed */
#ifndef MD_CLI_PS_FILTERS_H
#define MD_CLI_PS_FILTERS_H

#include "cli/filters.h"
#include "store/ctr.h"

extern const char *const md_ps_filter_keys[];
int md_ps_matches(struct md_ctr *c, const struct md_filters *f);
/* docker refuses a status it does not know, an exit code that is not a number, ...:
 * "invalid filter 'k=v'" (exit 1) */
int md_ps_filter_check(const struct md_filters *f, md_error_t **err);

#endif
