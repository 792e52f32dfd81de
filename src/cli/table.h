/* docker's CLI tables (Go's tabwriter as docker configures it): each column
 * as wide as its widest cell plus the padding, at least minwidth; the last
 * column is not padded. eol ends each line: "\n", or "\033[K\n" to clear
 * what a previous frame left on a terminal. */
#ifndef MD_CLI_TABLE_H
#define MD_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* Display columns of s: UTF-8 code points (continuation bytes take none). */
size_t md_text_width(const char *s);
void md_table_write(FILE *f, char ***rows, size_t nrows, size_t ncols, size_t minwidth,
                    size_t padding, const char *eol);

#endif
