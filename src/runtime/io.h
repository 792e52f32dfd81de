/* Foreground attach: relay a pty, forward signals, wait for the end. */
#ifndef MD_IO_H
#define MD_IO_H

#include <termios.h>

#include "container.h"

struct md_tty_saved {
    int fd;
    struct termios tio;
};

/* Put fd's terminal in raw mode (no-op when not a tty); md_tty_restore undoes it. */
int md_tty_raw(int fd, struct md_tty_saved *saved);
void md_tty_restore(struct md_tty_saved *saved);
/* Copy the window size of the terminal on from_fd to the pty master. */
void md_tty_copy_winsize(int from_fd, int master);

/* Block the signals that md_io_wait forwards; call right after create. */
int md_io_block_signals(md_error_t **err);
/* Until the container's PID 1 exits: relay pty output to stdout and (if
 * forward_stdin) stdin to the pty, forward SIGINT/TERM/HUP/QUIT/USR1/USR2 to
 * PID 1, follow SIGWINCH. *status gets docker's exit code. */
int md_io_wait(struct md_container *c, int forward_stdin, int *status, md_error_t **err);

struct md_jsonlog;
/* Where the container's output comes from when it is not inherited: pipes
 * (out_fd, err_fd; -1 for none) or the pty master; copied to our stdout and
 * stderr and, with log, to docker's json-file log as well. */
struct md_io_out {
    int out_fd, err_fd;
    struct md_jsonlog *log;
};
int md_io_wait_out(struct md_container *c, int forward_stdin, const struct md_io_out *out,
                   int *status, md_error_t **err);

#endif
