/* Wall-clock time as docker reads and prints it. */
#ifndef MD_UTIL_TIME_H
#define MD_UTIL_TIME_H

#include <stddef.h>
#include <stdint.h>

int64_t md_now_ns(void);
/* RFC 3339 with nanoseconds ("2026-12-06T09:20:38.123456789Z"), malloc'd. */
char *md_time_rfc3339(int64_t ns);
/* The same as Go's RFC3339Nano prints it (image configs, manifests):
 * trailing zeros of the fraction dropped. */
char *md_time_rfc3339_nano(int64_t ns);
/* The reverse; 0 when s is not such a time. */
int64_t md_parse_rfc3339(const char *s);
/* docker's timetypes.GetTimestamp (--since, --until, until=): a duration back
 * from now, Unix seconds (with a fraction), an RFC 3339 time or a date;
 * -1 when s is none of them */
int md_parse_timestamp(const char *s, int64_t now, int64_t *out);
/* docker's "About a minute", "3 seconds", "2 hours", malloc'd */
char *md_human_duration(int64_t ns);
/* "3 seconds ago": since ns (Unix nanoseconds) until now, malloc'd */
char *md_time_ago(int64_t ns);
/* Go's time.String() in UTC, as docker's CreatedAt: "2026-12-06 20:10:48 +0000 UTC" */
void md_time_utc_text(int64_t ns, char *buf, size_t len);

#endif
