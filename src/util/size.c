/* docker's sizes for flags such as --log-opt max-size and --tmpfs size. */
#include "size.h"

#include <errno.h>
#include <stdlib.h>

long long md_parse_size(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0) return -1;
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
    return *end ? -1 : (long long)(v * (double)mult);
}
