#!/usr/bin/env python3
"""A --console-socket receiver (runc's protocol: one SCM_RIGHTS message
carrying the pty master). usage: runc_console.py SOCK OUT SEND

Listens on SOCK, takes the master, writes SEND (a line) to it after 0.3 s,
then copies everything read from the pty into OUT until EOF or 10 s."""
import array, os, socket, sys, time

sock, out, send = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sock)
s.listen(1)
s.settimeout(20)
c, _ = s.accept()
msg, anc, _, _ = c.recvmsg(4096, socket.CMSG_SPACE(4))
fds = array.array("i")
for level, typ, data in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[:4])
with open(out, "wb") as f:
    if not fds:
        f.write(b"NO FD")
        sys.exit(1)
    fd = fds[0]
    f.write(b"NAME " + msg + b"\n")
    time.sleep(0.3)
    if send:
        os.write(fd, send.encode() + b"\n")
    end = time.time() + 10
    while time.time() < end:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        f.write(d)
        f.flush()
