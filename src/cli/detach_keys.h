/* docker's --detach-keys: "ctrl-p,ctrl-q" (the default), "a,b", "ctrl-@", "ctrl-[" ... and
 * the matcher that finds the sequence in a terminal's input. */
#ifndef MD_CLI_DETACH_KEYS_H
#define MD_CLI_DETACH_KEYS_H

#include <stddef.h>

#define MD_DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"

struct md_detach_keys {
    unsigned char seq[16];
    size_t n, matched;
};

/* 0, or -1 for a spec docker refuses ("Invalid detach keys (SPEC) provided") */
int md_detach_keys_parse(const char *spec, struct md_detach_keys *k);
/* Feeds input bytes; returns 1 once the whole sequence has been seen. */
int md_detach_keys_feed(struct md_detach_keys *k, const char *buf, size_t n);

#endif
