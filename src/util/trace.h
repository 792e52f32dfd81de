/* MYDOCKER_TRACE=1 prints a timestamp per stage of a start on stderr, to
 * see where the milliseconds go (bench/README.md). Costs one getenv. */
#ifndef MD_TRACE_H
#define MD_TRACE_H

void md_trace(const char *stage);

#endif
