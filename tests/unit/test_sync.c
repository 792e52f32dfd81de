/* The parent/child channel (src/runtime/sync.c) over a socketpair in one
 * process; large payloads are written by a forked child so the socket
 * buffer cannot deadlock the test. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/sync.h"
#include "unit.h"
#include "util/error.h"
#include "util/fs.h"

static md_error_t *err;

static const char *errmsg(void)
{
    return err && err->msg ? err->msg : "(no error)";
}

static int pair(int sv[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        UNIT_FAIL("socketpair: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void test_small_round_trip(void)
{
    int sv[2];
    if (pair(sv) < 0) return;
    struct md_sync_msg m;
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_READY, NULL, 0, -1), 0);
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_PROCESS, "{\"a\":1}", 7, -1), 0);
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_START, "x\0y", 3, -1), 0);

    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_READY);
    CHECK_INT(m.len, 0);
    CHECK(m.data != NULL && m.data[0] == '\0');
    CHECK_INT(m.fd, -1);
    md_sync_msg_clear(&m);
    CHECK(m.data == NULL && m.fd == -1);

    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_PROCESS);
    CHECK_INT(m.len, 7);
    CHECK_STR(m.data, "{\"a\":1}");
    md_sync_msg_clear(&m);

    /* binary payloads (with NUL bytes) keep their length */
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_START);
    CHECK_INT(m.len, 3);
    CHECK(m.data && memcmp(m.data, "x\0y", 4) == 0);
    md_sync_msg_clear(&m);

    /* the other direction too */
    CHECK_INT(md_sync_send(sv[1], MD_SYNC_PID, "1234", 4, -1), 0);
    CHECK_INT(md_sync_recv(sv[0], &m), 0);
    CHECK_INT(m.type, MD_SYNC_PID);
    CHECK_STR(m.data, "1234");
    md_sync_msg_clear(&m);
    close(sv[0]);
    close(sv[1]);
}

static void test_large_payload(void)
{
    const size_t len = 2 * 1024 * 1024 + 17;
    char *buf = malloc(len);
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)('a' + (i * 7 + i / 4096) % 26);
    int sv[2];
    if (pair(sv) < 0) {
        free(buf);
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[1]);
        /* two big messages back to back, then one small one */
        int r = md_sync_send(sv[0], MD_SYNC_PROCESS, buf, len, -1);
        if (r == 0) r = md_sync_send(sv[0], MD_SYNC_PROCESS, buf + 1, len - 1, -1);
        if (r == 0) r = md_sync_send(sv[0], MD_SYNC_START, "end", 3, -1);
        _exit(r == 0 ? 0 : 1);
    }
    close(sv[0]);
    struct md_sync_msg m;
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_PROCESS);
    CHECK_INT(m.len, len);
    CHECK(m.data && memcmp(m.data, buf, len) == 0 && m.data[len] == '\0');
    md_sync_msg_clear(&m);
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.len, len - 1);
    CHECK(m.data && memcmp(m.data, buf + 1, len - 1) == 0);
    md_sync_msg_clear(&m);
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_START);
    CHECK_STR(m.data, "end");
    md_sync_msg_clear(&m);
    /* then EOF */
    CHECK_INT(md_sync_recv(sv[1], &m), -EPIPE);
    int st = 0;
    CHECK_INT(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(sv[1]);
    free(buf);
}

static void test_fd_passing(void)
{
    int sv[2], p[2];
    if (pair(sv) < 0) return;
    CHECK_INT(pipe(p), 0);
    /* the write end travels; the receiver writes through its copy */
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_PTY, "pty", 3, p[1]), 0);
    close(p[1]);
    /* a message without an fd right behind must not get one */
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_READY, NULL, 0, -1), 0);
    struct md_sync_msg m;
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_PTY);
    CHECK_STR(m.data, "pty");
    CHECK(m.fd >= 0);
    if (m.fd >= 0) {
        CHECK((fcntl(m.fd, F_GETFD) & FD_CLOEXEC) != 0); /* MSG_CMSG_CLOEXEC */
        CHECK_INT(write(m.fd, "hello", 5), 5);
        char got[8] = "";
        CHECK_INT(read(p[0], got, sizeof(got) - 1), 5);
        CHECK_STR(got, "hello");
        int fd = m.fd;
        md_sync_msg_clear(&m); /* closes the received fd */
        CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
    }
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_READY);
    CHECK_INT(m.fd, -1);
    md_sync_msg_clear(&m);
    /* every copy of the write end is closed now: the pipe reads EOF */
    char c;
    CHECK_INT(read(p[0], &c, 1), 0);
    close(p[0]);

    /* an fd with an empty payload */
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_PTY, NULL, 0, devnull), 0);
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK(m.fd >= 0 && m.fd != devnull);
    CHECK_INT(m.len, 0);
    md_sync_msg_clear(&m);
    close(devnull);
    close(sv[0]);
    close(sv[1]);
}

static void test_error_records(void)
{
    int sv[2];
    if (pair(sv) < 0) return;
    struct md_sync_msg m;

    /* 127: command not found, no errno */
    md_error_t *e = NULL;
    md_error_code(&e, MD_EXIT_NOT_FOUND, 0, "exec: \"nope\": executable file not found in $PATH");
    md_sync_send_error(sv[0], &e);
    CHECK(e == NULL); /* consumed */
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_ERROR);
    md_error_free(&err);
    CHECK_INT(md_sync_error_from_msg(&m, &err), -1);
    CHECK(err != NULL);
    if (err) {
        CHECK_INT(err->exit_code, 127);
        CHECK_INT(err->errnum, 0);
        CHECK_STR(err->msg, "exec: \"nope\": executable file not found in $PATH");
    }
    md_sync_msg_clear(&m);

    /* 126 with an errno: the message is not suffixed twice, errno kept */
    md_error_code(&e, MD_EXIT_CANNOT_INVOKE, EACCES, "exec /etc/passwd");
    md_sync_send_error(sv[0], &e);
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    md_error_free(&err);
    CHECK_INT(md_sync_error_from_msg(&m, &err), -EACCES);
    if (err) {
        CHECK_INT(err->exit_code, 126);
        CHECK_INT(err->errnum, EACCES);
        CHECK_STR(err->msg, "exec /etc/passwd: Permission denied");
    }
    md_sync_msg_clear(&m);

    /* an engine error keeps 125 */
    md_error(&e, ENOENT, "mount %s", "/proc");
    md_sync_send_error(sv[0], &e);
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    md_error_free(&err);
    CHECK_INT(md_sync_error_from_msg(&m, &err), -ENOENT);
    if (err) {
        CHECK_INT(err->exit_code, 125);
        CHECK_STR(err->msg, "mount /proc: No such file or directory");
    }
    md_sync_msg_clear(&m);

    /* no error at all still sends a record */
    e = NULL;
    md_sync_send_error(sv[0], &e);
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    CHECK_INT(m.type, MD_SYNC_ERROR);
    md_error_free(&err);
    CHECK_INT(md_sync_error_from_msg(&m, &err), -1);
    if (err) {
        CHECK_INT(err->exit_code, 125);
        CHECK_STR(err->msg, "unknown error");
    }
    md_sync_msg_clear(&m);

    /* a truncated record (shorter than its header) */
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_ERROR, "ab", 2, -1), 0);
    CHECK_INT(md_sync_recv(sv[1], &m), 0);
    md_error_free(&err);
    CHECK_INT(md_sync_error_from_msg(&m, &err), -1);
    if (err) {
        CHECK_INT(err->exit_code, 125);
        CHECK_STR(err->msg, "container init failed");
    }
    md_sync_msg_clear(&m);
    close(sv[0]);
    close(sv[1]);
}

static void test_expect(void)
{
    int sv[2];
    if (pair(sv) < 0) return;
    struct md_sync_msg m;
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_READY, "ok", 2, -1), 0);
    md_error_free(&err);
    CHECK_INT(md_sync_expect(sv[1], MD_SYNC_READY, &m, "died", &err), 0);
    CHECK_STR(m.data, "ok");
    CHECK(err == NULL);
    md_sync_msg_clear(&m);

    /* an error record instead of the wanted message */
    md_error_t *e = NULL;
    md_error_code(&e, 127, 0, "not found");
    md_sync_send_error(sv[0], &e);
    CHECK_INT(md_sync_expect(sv[1], MD_SYNC_READY, &m, "died", &err), -1);
    CHECK(err && err->exit_code == 127);
    CHECK_STR(errmsg(), "not found");
    CHECK(m.data == NULL);

    /* the wrong type */
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_PID, "1", 1, -1), 0);
    md_error_free(&err);
    CHECK(md_sync_expect(sv[1], MD_SYNC_READY, &m, "died", &err) < 0);
    CHECK_STR(errmsg(), "sync with container: unexpected message 6");
    CHECK(m.data == NULL);

    /* EOF */
    close(sv[0]);
    md_error_free(&err);
    CHECK(md_sync_expect(sv[1], MD_SYNC_READY, &m, "container init died", &err) < 0);
    CHECK_STR(errmsg(), "container init died");
    close(sv[1]);
}

static void test_eof(void)
{
    int sv[2];
    if (pair(sv) < 0) return;
    struct md_sync_msg m;
    /* EOF before any header */
    close(sv[0]);
    CHECK_INT(md_sync_recv(sv[1], &m), -EPIPE);
    CHECK(m.data == NULL && m.fd == -1);
    close(sv[1]);

    /* EOF inside a header */
    if (pair(sv) < 0) return;
    uint32_t half = MD_SYNC_PROCESS;
    CHECK_INT(write(sv[0], &half, 3), 3);
    close(sv[0]);
    CHECK_INT(md_sync_recv(sv[1], &m), -EPIPE);
    close(sv[1]);

    /* EOF inside a payload: the header promises 100 bytes, 10 come */
    if (pair(sv) < 0) return;
    uint32_t hdr[2] = {MD_SYNC_PROCESS, 100};
    CHECK_INT(write(sv[0], hdr, sizeof(hdr)), (long)sizeof(hdr));
    CHECK_INT(write(sv[0], "0123456789", 10), 10);
    close(sv[0]);
    CHECK_INT(md_sync_recv(sv[1], &m), -EPIPE);
    CHECK(m.data == NULL);
    close(sv[1]);

    /* sending to a closed peer: -EPIPE, and no SIGPIPE kills us */
    if (pair(sv) < 0) return;
    close(sv[1]);
    CHECK_INT(md_sync_send(sv[0], MD_SYNC_READY, "x", 1, -1), -EPIPE);
    close(sv[0]);
}

/* The peer dies while a large payload is on its way (the child failed
 * while the parent was still sending the process description). The header
 * goes out with MSG_NOSIGNAL; the payload must not raise SIGPIPE either:
 * the sender should get -EPIPE and report, not be killed. */
static void test_peer_dies_mid_payload(void)
{
    int sv[2];
    if (pair(sv) < 0) return;
    const size_t len = 4 * 1024 * 1024;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        close(sv[1]);
        char *buf = calloc(1, len);
        int r = md_sync_send(sv[0], MD_SYNC_PROCESS, buf, len, -1);
        _exit(r == -EPIPE ? 0 : 1);
    }
    close(sv[0]);
    uint32_t hdr[2];
    CHECK_INT(md_read_exact(sv[1], hdr, sizeof(hdr)), 0);
    CHECK_INT(hdr[1], len);
    close(sv[1]);
    int st = 0;
    CHECK_INT(waitpid(pid, &st, 0), pid);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        unit_passed++;
    else if (WIFSIGNALED(st))
        UNIT_FAIL("md_sync_send: peer closed mid-payload: sender killed by signal %d (%s), "
                  "want -EPIPE",
                  WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        UNIT_FAIL("md_sync_send: peer closed mid-payload: sender did not get -EPIPE (exit %d)",
                  WEXITSTATUS(st));
}

int main(void)
{
    test_small_round_trip();
    test_large_payload();
    test_fd_passing();
    test_error_records();
    test_expect();
    test_eof();
    test_peer_dies_mid_payload();
    md_error_free(&err);
    return UNIT_END("sync");
}
