/* Go's time.ParseDuration, as docker's duration flags take it:
 * "300ms", "-1.5h", "2h45m", "1µs"; "0" alone needs no unit. */
#ifndef MD_UTIL_DURATION_H
#define MD_UTIL_DURATION_H

#include <stdint.h>

/* 0, or -1 when s is not a duration (Go's message: time: invalid duration "s") */
int md_parse_duration(const char *s, int64_t *ns);
/* Go's Duration.String(): "1m30s", "500ms", "0s" (into buf) */
void md_duration_text(int64_t ns, char *buf, unsigned long len);

#endif
