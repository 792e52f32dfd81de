/* The network command's verbs, in more than one file (network.c, network_ls.c). */
#ifndef MD_CMD_NETWORK_H
#define MD_CMD_NETWORK_H

int md_network_ls(int argc, char **argv);
int md_network_prune(int argc, char **argv);
/* "unknown flag" for `network VERB`: prints, returns the exit code */
int md_network_bad_flag(const char *verb, char **argv);

#endif
