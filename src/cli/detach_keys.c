#include "cli/detach_keys.h"

#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

static int key_code(const char *t, unsigned char *out)
{
    if (strlen(t) == 1) {
        *out = (unsigned char)t[0];
        return 0;
    }
    if (strncmp(t, "ctrl-", 5) != 0 || strlen(t) != 6) return -1;
    char c = t[5];
    if (c >= 'a' && c <= 'z')
        *out = (unsigned char)(c - 'a' + 1);
    else if (c == '@')
        *out = 0;
    else if (c >= '[' && c <= '_')
        *out = (unsigned char)(c - '[' + 27);
    else
        return -1;
    return 0;
}

int md_detach_keys_parse(const char *spec, struct md_detach_keys *k)
{
    cleanup_free char *copy = strdup(spec);
    k->n = k->matched = 0;
    for (char *save = NULL, *t = copy ? strtok_r(copy, ",", &save) : NULL; t;
         t = strtok_r(NULL, ",", &save)) {
        if (k->n == sizeof(k->seq) || key_code(t, &k->seq[k->n]) < 0) return -1;
        k->n++;
    }
    return k->n ? 0 : -1;
}

int md_detach_keys_feed(struct md_detach_keys *k, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)buf[i];
        k->matched = b == k->seq[k->matched] ? k->matched + 1 : b == k->seq[0] ? 1 : 0;
        if (k->matched == k->n) return 1;
    }
    return 0;
}
