#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/fs.h"

struct hdr {
    uint32_t type;
    uint32_t len;
};

struct err_rec {
    int32_t exit_code;
    int32_t errnum;
};

int md_sync_send(int sock, uint32_t type, const void *data, size_t len, int fd)
{
    if (len > UINT32_MAX) return -E2BIG;
    struct hdr h = {type, (uint32_t)len};
    struct iovec iov = {&h, sizeof(h)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&u, 0, sizeof(u));
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof(u.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if ((size_t)n < sizeof(h)) {
        ssize_t w = send(sock, (char *)&h + n, sizeof(h) - (size_t)n, MSG_NOSIGNAL);
        if (w != (ssize_t)(sizeof(h) - (size_t)n)) return w < 0 ? -errno : -EIO;
    }
    /* send, not write: a peer that died must give EPIPE, not kill us by SIGPIPE */
    const char *b = data;
    while (len > 0) {
        ssize_t w = send(sock, b, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -errno;
        b += w;
        len -= (size_t)w;
    }
    return 0;
}

static int recv_header(int sock, struct hdr *h, int *fd)
{
    struct iovec iov = {h, sizeof(*h)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if (n == 0) return -EPIPE;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(fd, CMSG_DATA(c), sizeof(int));
    if ((size_t)n < sizeof(*h)) return md_read_exact(sock, (char *)h + n, sizeof(*h) - (size_t)n);
    return 0;
}

int md_sync_recv(int sock, struct md_sync_msg *msg)
{
    struct hdr h;
    memset(msg, 0, sizeof(*msg));
    msg->fd = -1;
    int r = recv_header(sock, &h, &msg->fd);
    if (r < 0) return r;
    msg->type = h.type;
    msg->len = h.len;
    msg->data = malloc((size_t)h.len + 1);
    if (msg->data == NULL) return -ENOMEM;
    r = md_read_exact(sock, msg->data, h.len);
    if (r < 0) {
        md_sync_msg_clear(msg);
        return r;
    }
    msg->data[h.len] = '\0';
    return 0;
}

void md_sync_msg_clear(struct md_sync_msg *msg)
{
    free(msg->data);
    msg->data = NULL;
    if (msg->fd >= 0) close(msg->fd);
    msg->fd = -1;
}

void md_sync_send_error(int sock, md_error_t **err)
{
    const char *m = (err && *err && (*err)->msg) ? (*err)->msg : "unknown error";
    size_t ml = strlen(m);
    char *buf = malloc(sizeof(struct err_rec) + ml);
    if (buf != NULL) {
        struct err_rec rec = {err && *err ? (*err)->exit_code : MD_EXIT_ENGINE,
                              err && *err ? (*err)->errnum : 0};
        memcpy(buf, &rec, sizeof(rec));
        memcpy(buf + sizeof(rec), m, ml);
        md_sync_send(sock, MD_SYNC_ERROR, buf, sizeof(rec) + ml, -1);
        free(buf);
    }
    md_error_free(err);
}

int md_sync_error_from_msg(const struct md_sync_msg *msg, md_error_t **err)
{
    struct err_rec rec = {MD_EXIT_ENGINE, 0};
    const char *m = "container init failed";
    int ml = (int)strlen(m);
    if (msg->len >= sizeof(rec)) {
        memcpy(&rec, msg->data, sizeof(rec));
        m = msg->data + sizeof(rec);
        ml = (int)(msg->len - sizeof(rec));
    }
    md_error_code(err, rec.exit_code, 0, "%.*s", ml, m);
    if (err && *err) (*err)->errnum = rec.errnum;
    return rec.errnum > 0 ? -rec.errnum : -1;
}

int md_sync_expect(int sock, uint32_t want, struct md_sync_msg *msg, const char *eof_msg,
                   md_error_t **err)
{
    int r = md_sync_recv(sock, msg);
    if (r == -EPIPE) return md_error(err, 0, "%s", eof_msg);
    if (r < 0) return md_error(err, -r, "sync with container");
    if (msg->type == MD_SYNC_ERROR) {
        r = md_sync_error_from_msg(msg, err);
        md_sync_msg_clear(msg);
        return r;
    }
    if (msg->type != want) {
        md_sync_msg_clear(msg);
        return md_error(err, 0, "sync with container: unexpected message %u", msg->type);
    }
    return 0;
}
