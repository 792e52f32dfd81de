/* The prune sections that `system prune` puts together (cmd/prune.c): each
 * prints docker's "Deleted X:" block (nothing when nothing went) and returns
 * the bytes it freed; the commands print docker's total line. */
#ifndef MD_CMD_PRUNE_H
#define MD_CMD_PRUNE_H

struct md_filters;

long long md_container_prune_section(const struct md_filters *f);
long long md_volume_prune_section(const struct md_filters *f, int all);
void md_network_prune_section(const struct md_filters *f);
/* "Total reclaimed space: 1.2MB" */
void md_print_reclaimed(long long bytes);

#endif
