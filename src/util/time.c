/* Time as docker shows it: RFC 3339 with nanoseconds, and its "3 seconds"
 * durations. */
#include "time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/duration.h"

int64_t md_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

char *md_time_rfc3339(int64_t ns)
{
    time_t s = (time_t)(ns / 1000000000LL);
    struct tm tm;
    gmtime_r(&s, &tm);
    char buf[40], *out = NULL;
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    return asprintf(&out, "%s.%09lldZ", buf, (long long)(ns % 1000000000LL)) < 0 ? NULL : out;
}

int64_t md_parse_rfc3339(const char *s)
{
    struct tm tm = {0};
    if (s == NULL) return 0;
    const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (rest == NULL) return 0;
    int64_t ns = 0;
    if (*rest == '.') {
        int digits = 0;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
            if (digits < 9) ns = ns * 10 + (*rest - '0');
        for (; digits < 9; digits++)
            ns *= 10;
    }
    return (int64_t)timegm(&tm) * 1000000000LL + ns;
}

char *md_human_duration(int64_t ns)
{
    int64_t s = ns / 1000000000LL;
    char *out = NULL;
    int r;
    if (s < 1)
        r = asprintf(&out, "Less than a second");
    else if (s == 1)
        r = asprintf(&out, "1 second");
    else if (s < 60)
        r = asprintf(&out, "%lld seconds", (long long)s);
    else if (s / 60 == 1)
        r = asprintf(&out, "About a minute");
    else if (s < 3600)
        r = asprintf(&out, "%lld minutes", (long long)(s / 60));
    else if ((s + 1800) / 3600 == 1)
        r = asprintf(&out, "About an hour");
    else if (s < 48 * 3600)
        r = asprintf(&out, "%lld hours", (long long)((s + 1800) / 3600));
    else if (s < 14 * 86400)
        r = asprintf(&out, "%lld days", (long long)(s / 86400));
    else if (s < 60 * 86400)
        r = asprintf(&out, "%lld weeks", (long long)(s / (7 * 86400)));
    else if (s < 2 * 365 * 86400)
        r = asprintf(&out, "%lld months", (long long)(s / (30 * 86400)));
    else
        r = asprintf(&out, "%lld years", (long long)(s / (365 * 86400)));
    return r < 0 ? NULL : out;
}

char *md_time_rfc3339_nano(int64_t ns)
{
    char *full = md_time_rfc3339(ns);
    if (full == NULL) return NULL;
    /* Go's RFC3339Nano: trailing zeros of the fraction dropped, and the dot
     * with them when nothing is left */
    char *dot = strrchr(full, '.'), *z = strrchr(full, 'Z');
    if (dot && z && z > dot) {
        char *e = z;
        while (e > dot + 1 && e[-1] == '0')
            e--;
        if (e == dot + 1) e = dot;
        memmove(e, z, strlen(z) + 1);
    }
    return full;
}

/* docker's timetypes.GetTimestamp: a duration back from now, Unix seconds
 * (with a fraction), or an RFC 3339 time or date */
int md_parse_timestamp(const char *s, int64_t now, int64_t *out)
{
    int64_t d;
    if (md_parse_duration(s, &d) == 0 && strcmp(s, "0") != 0) {
        *out = now - d;
        return 0;
    }
    char *end;
    double secs = strtod(s, &end);
    if (end != s && *end == '\0' && isdigit((unsigned char)s[0])) {
        *out = (int64_t)(secs * 1e9);
        return 0;
    }
    char buf[64];
    if (strlen(s) == 10 && snprintf(buf, sizeof(buf), "%sT00:00:00Z", s) > 0) s = buf;
    *out = md_parse_rfc3339(s);
    return *out > 0 ? 0 : -1;
}

char *md_time_ago(int64_t ns)
{
    char *d = md_human_duration(md_now_ns() - ns), *s = NULL;
    if (asprintf(&s, "%s ago", d ? d : "") < 0) s = NULL;
    free(d);
    return s;
}

void md_time_utc_text(int64_t ns, char *buf, size_t len)
{
    time_t s = (time_t)(ns / 1000000000LL);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
}
