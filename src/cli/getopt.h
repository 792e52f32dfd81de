/* getopt_long without abbreviations. glibc takes any unique prefix of a long
 * option as that option, so `run --pid host` became --pids-limit host; docker's
 * parser (pflag) takes only whole names, and a script must never get a flag it
 * did not spell. Header-only so that mydocker-runc (runc's parser takes whole
 * names too) uses it without linking the CLI library. */
#ifndef MD_CLI_GETOPT_H
#define MD_CLI_GETOPT_H

#include <getopt.h>
#include <string.h>

/* printf arguments for "%.*s": a flag as docker names it in an error, without
 * its "=value" ("unknown flag: --nosuch") */
#define MD_FLAG_NAME(arg) (int)strcspn((arg), "="), (arg)

/* Index in argv of the word that held long option o, just parsed. */
static inline int md_getopt_word(char *const argv[], const struct option *o)
{
    const char *last = argv[optind - 1];
    if (o->has_arg != required_argument || optind < 2) return optind - 1;
    /* "--name=value" is one word; "--name value" two, the option first */
    const char *eq = strchr(last, '=');
    if (strncmp(last, "--", 2) == 0 && eq &&
        strncmp(o->name, last + 2, (size_t)(eq - last - 2)) == 0)
        return optind - 1;
    return optind - 2;
}

/* getopt_long, but an abbreviated long option is unknown: returns '?' with
 * optind just past the abbreviation, so argv[optind - 1] is what to report
 * ("unknown flag: --pid"). */
static inline int md_getopt_long(int argc, char *const argv[], const char *optstring,
                                 const struct option *longopts, int *longindex)
{
    int idx = -1;
    int c = getopt_long(argc, argv, optstring, longopts, &idx);
    if (longindex) *longindex = idx;
    if (c == -1 || c == '?' || c == ':' || idx < 0) return c;
    int w = md_getopt_word(argv, &longopts[idx]);
    const char *word = argv[w];
    if (strncmp(word, "--", 2) != 0) return c; /* a short option that shares the code */
    size_t n = strcspn(word + 2, "=");
    if (n == strlen(longopts[idx].name) && strncmp(word + 2, longopts[idx].name, n) == 0) return c;
    optind = w + 1;
    optopt = 0;
    return '?';
}

#endif
