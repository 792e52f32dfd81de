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
    int in_fd; /* write end of the container's stdin pipe, or -1 (0 is taken as -1);
                * md_io_wait_out closes it (EOF for the container) */
};

/* The caller's terminal stays the caller's: a container without a pty of its
 * own must not be handed the admin's tty as stdio (it would keep it after we
 * exit, read the admin's keystrokes, or inject input with TIOCSTI). Each of
 * fds 0..2 that is a terminal (0 only when relay_in) is swapped for a pipe
 * before create; restore after create gives ours back. md_io_wait_out
 * relays: in_w (our stdin -> the pipe), out_r and err_r (pipes -> our
 * stdout/stderr). -1 where no relay is needed. */
struct md_stdio_relay {
    int in_w, out_r, err_r;
    int child[3], saved[3];
};
#define MD_STDIO_RELAY_INIT                                                                        \
    {                                                                                              \
        -1, -1, -1, {-1, -1, -1},                                                                  \
        {                                                                                          \
            -1, -1, -1                                                                             \
        }                                                                                          \
    }
int md_stdio_relay_setup(struct md_stdio_relay *r, int relay_in, md_error_t **err);
void md_stdio_relay_restore(struct md_stdio_relay *r);
void md_stdio_relay_close(struct md_stdio_relay *r);
int md_io_wait_out(struct md_container *c, int forward_stdin, const struct md_io_out *out,
                   int *status, md_error_t **err);

#endif
