/* docker's sizes for flags such as --log-opt max-size and --tmpfs size. */
#include "size.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

long long md_parse_size(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* "nan" and "inf" parse; a NaN or a value past long long would be
     * undefined behaviour to convert (found by fuzz_mounts) */
    if (errno || end == s || !(v >= 0)) return -1;
    long long mult = 1;
    switch (*end) {
    case 'b':
    case 'B':
        mult = 1;
        end++;
        break;
    case 'k':
    case 'K':
        mult = 1024;
        end++;
        break;
    case 'm':
    case 'M':
        mult = 1024 * 1024;
        end++;
        break;
    case 'g':
    case 'G':
        mult = 1024LL * 1024 * 1024;
        end++;
        break;
    case 't':
    case 'T':
        mult = 1024LL * 1024 * 1024 * 1024;
        end++;
        break;
    case '\0':
        break;
    default:
        return -1;
    }
    if (mult > 1 && (*end == 'b' || *end == 'B')) end++;
    double bytes = v * (double)mult;
    return *end || !(bytes < 9.2e18) ? -1 : (long long)bytes;
}

/* docker's units.HumanSizeWithPrecision (decimal) and BytesSize (binary) */
static void human(char *buf, size_t len, double v, double base, int prec, const char *const *u)
{
    int i = 0;
    while (v >= base && i < 8) {
        v /= base;
        i++;
    }
    snprintf(buf, len, "%.*g%s", prec, v, u[i]);
}

void md_size_decimal(char *buf, size_t len, double bytes, int precision)
{
    static const char *const u[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    human(buf, len, bytes, 1000.0, precision, u);
}

void md_size_binary(char *buf, size_t len, double bytes, int precision)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
    human(buf, len, bytes, 1024.0, precision, u);
}
