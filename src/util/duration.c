/* Go's time.ParseDuration and Duration.String over int64 nanoseconds. */
#include "util/duration.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int64_t ns;
} units[] = {
    {"ns", 1},       {"us", 1000},        {"\xc2\xb5s", 1000},  {"\xce\xbcs", 1000},
    {"ms", 1000000}, {"s", 1000000000LL}, {"m", 60000000000LL}, {"h", 3600000000000LL},
};

/* the unit at p (longest match first: "ms" before "m") */
static int64_t unit_at(const char **p)
{
    size_t best = 0;
    int64_t ns = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
        size_t n = strlen(units[i].name);
        if (n > best && strncmp(*p, units[i].name, n) == 0) {
            best = n;
            ns = units[i].ns;
        }
    }
    *p += best;
    return ns;
}

/* one "1.5h" element; adds to *total */
static int element(const char **p, double *total)
{
    const char *s = *p;
    double whole = 0, frac = 0, scale = 1;
    int digits = 0;
    for (; isdigit((unsigned char)*s); s++, digits++)
        whole = whole * 10 + (*s - '0');
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++, digits++)
            frac += (*s - '0') * (scale /= 10);
    if (digits == 0) return -1;
    int64_t unit = unit_at(&s);
    if (unit == 0) return -1;
    *total += (whole + frac) * (double)unit;
    *p = s;
    return 0;
}

int md_parse_duration(const char *s, int64_t *ns)
{
    int neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return 0;
    }
    if (*s == '\0') return -1;
    double total = 0;
    while (*s)
        if (element(&s, &total) < 0) return -1;
    if (total > 9.2e18) return -1; /* Go: time: invalid duration (overflow) */
    *ns = (int64_t)(neg ? -total : total);
    return 0;
}

void md_duration_text(int64_t ns, char *buf, unsigned long len)
{
    char out[64];
    size_t o = 0;
    unsigned long long u = ns < 0 ? -(unsigned long long)ns : (unsigned long long)ns;
    if (ns < 0) out[o++] = '-';
    if (u == 0) {
        snprintf(buf, len, "0s");
        return;
    }
    if (u < 1000000000ULL) { /* under a second: one unit with a fraction, as Go */
        const char *unit = u < 1000 ? "ns" : u < 1000000 ? "µs" : "ms";
        double v = u < 1000 ? (double)u : u < 1000000 ? (double)u / 1e3 : (double)u / 1e6;
        snprintf(out + o, sizeof(out) - o, "%.9g%s", v, unit);
        snprintf(buf, len, "%s", out);
        return;
    }
    unsigned long long h = u / 3600000000000ULL, m = u / 60000000000ULL % 60;
    double sec = (double)(u % 60000000000ULL) / 1e9;
    if (h) o += (size_t)snprintf(out + o, sizeof(out) - o, "%lluh", h);
    if (h || m) o += (size_t)snprintf(out + o, sizeof(out) - o, "%llum", m);
    snprintf(out + o, sizeof(out) - o, "%.9gs", sec);
    snprintf(buf, len, "%s", out);
}
