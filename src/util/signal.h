/* Signal names and numbers. */
#ifndef MD_UTIL_SIGNAL_H
#define MD_UTIL_SIGNAL_H

/* "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3", "RTMAX-1" -> the number; -1 if none. */
int md_signal_parse(const char *s);

#endif
