/* Minimal unit-test helpers. A test binary prints one line per failed check
 * and ends with UNIT_END("name"), which prints exactly
 * "unit <name>: N passed, N failed" and yields the exit status. */
#ifndef MD_UNIT_H
#define MD_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define UNIT_FAIL(...)                                                                             \
    do {                                                                                           \
        unit_failed++;                                                                             \
        printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        fflush(stdout);                                                                            \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond)                                                                                  \
            unit_passed++;                                                                         \
        else                                                                                       \
            UNIT_FAIL("%s", #cond);                                                                \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0)                                       \
            unit_passed++;                                                                         \
        else                                                                                       \
            UNIT_FAIL("%s: got \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)",                     \
                      w_ ? w_ : "(null)");                                                         \
    } while (0)

#define CHECK_INT(got, want)                                                                       \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (g_ == w_)                                                                              \
            unit_passed++;                                                                         \
        else                                                                                       \
            UNIT_FAIL("%s: got %lld, want %lld", #got, g_, w_);                                    \
    } while (0)

#define UNIT_END(name)                                                                             \
    (printf("unit %s: %d passed, %d failed\n", (name), unit_passed, unit_failed),                  \
     unit_failed > 0 ? 1 : 0)

#endif
