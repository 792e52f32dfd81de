/* Sizes as docker's flags take them. */
#ifndef MD_UTIL_SIZE_H
#define MD_UTIL_SIZE_H

#include <stddef.h>

/* "10m", "1g", "512k", "100" (bytes), an optional trailing "b"; -1 on a
 * malformed or negative one */
long long md_parse_size(const char *s);
/* docker's human sizes: decimal ("1.98MB", units.HumanSizeWithPrecision) and
 * binary ("1.5MiB", units.BytesSize), with precision significant digits */
void md_size_decimal(char *buf, size_t len, double bytes, int precision);
void md_size_binary(char *buf, size_t len, double bytes, int precision);

#endif
