/* Sizes as docker's flags take them. */
#ifndef MD_UTIL_SIZE_H
#define MD_UTIL_SIZE_H

/* "10m", "1g", "512k", "100" (bytes), an optional trailing "b"; -1 on a
 * malformed or negative one */
long long md_parse_size(const char *s);

#endif
