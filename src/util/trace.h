/* MYDOCKER_TRACE=1 prints a timestamp per stage of a start on stderr, to
 * see where the milliseconds go (bench/README.md); MYDOCKER_TRACE=/a/file appends every
 * process's stages to that file on one clock. Costs one getenv. */
#ifndef MD_TRACE_H
#define MD_TRACE_H

void md_trace(const char *stage);

#endif
