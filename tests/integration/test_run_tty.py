#!/usr/bin/env python3
"""`mydocker run -it` driven through a real pty: the seeds' sessions (`run -it /bin/sh`,
`run -it /bin/ls` over the host's root), and `-it IMAGE sh`: tty, Ctrl-C, job control,
window size and SIGWINCH, exit codes, the host terminal restored afterwards."""
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import (Test, MYDOCKER, UNIQ, image_args, mounts_snapshot, children_of,  # noqa: E402
                 state_snapshot, remove_new_containers)

t = Test()
img = image_args()
counter = [0]


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Session:
    """mydocker ARGS on the slave side of a fresh pty (its controlling terminal)."""

    def __init__(self, args, rows=24, cols=80):
        self.master, self.slave = os.openpty()
        set_winsize(self.slave, rows, cols)
        self.termios_before = termios.tcgetattr(self.slave)
        slave = self.slave

        def child_setup():
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([MYDOCKER] + args, stdin=slave, stdout=slave, stderr=slave,
                                     preexec_fn=child_setup, close_fds=True)
        self.buf = b""   # everything read so far
        self.pos = 0     # expect() searches from here

    def read_some(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.buf += data
        return True

    def expect(self, pattern, timeout=10):
        """Wait for regex PATTERN (bytes) after the previous match; returns the match or None."""
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        while True:
            m = rx.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.time()
            if left <= 0:
                return None
            if not self.read_some(min(left, 0.2)) and self.proc.poll() is not None:
                # drain what is left, then give up
                while self.read_some(0.05):
                    pass
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                return m

    def send(self, data):
        os.write(self.master, data if isinstance(data, bytes) else data.encode())

    def cmd(self, line, timeout=10):
        """Type LINE between two marker commands; returns the output between the markers
        (\r removed), or None when they never came back. The markers' expansions
        (BG<n>_<n*5>, MK<n>_<n*3>) differ from what the terminal echoes, so the echo of the
        typed line (wrapped, redrawn by a line editor...) never matches."""
        counter[0] += 1
        n = counter[0]
        self.send("echo BG%d_$((%d*5)); %s; echo MK%d_$((%d*3))\n" % (n, n, line, n, n))
        if self.expect(rb"BG%d_%d\r?\n" % (n, n * 5), timeout) is None:
            return None
        start = self.pos
        m = self.expect(rb"MK%d_%d" % (n, n * 3), timeout)
        if m is None:
            return None
        return self.buf[start:m.start()].replace(b"\r", b"")

    def wait(self, timeout=10):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            rc = "timeout (killed, %s)" % rc
        while self.read_some(0.05):
            pass
        return rc

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def tail(self, n=400):
        return self.buf[-n:].decode("utf-8", "replace")


PROMPT = rb"[#$] (?:\x1b\[6n)?$"  # busybox ash asks for the cursor position after its prompt


def host_proc_state():
    st = open("/proc/1/stat").read()
    return (open("/proc/1/comm").read(), st[st.rindex(")") + 2:].split()[19],  # starttime
            os.readlink("/proc/self") == str(os.getpid()))


# ------------------------------------------------------------------ seeds: run -it /bin/sh
mounts_before = mounts_snapshot()
proc_before = host_proc_state()
# the seeds' commands have no --rm: remove the containers they leave (docker keeps them too)
state_before = state_snapshot()
host_hostname = os.uname().nodename
s = Session(["run", "-it", "/bin/sh"])
try:
    if t.check("run -it /bin/sh: a prompt", s.expect(PROMPT, 15) is not None, s.tail()):
        out = s.cmd("echo $$")
        t.check_eq("run -it /bin/sh: the shell is PID 1", (out or b"").strip(), b"1")
        out = s.cmd("ps -ef")
        lines = [l for l in (out or b"").decode("utf-8", "replace").split("\n") if l.strip()]
        procs = [l.split(None, 7) for l in lines[1:]]
        got = sorted((p[1], p[7]) for p in procs if len(p) >= 8)
        t.check("run -it /bin/sh: ps -ef shows /bin/sh as PID 1 and ps -ef as the only other",
                len(got) == 2 and got[0] == ("1", "/bin/sh") and got[1][1] == "ps -ef",
                repr(lines))
        out = s.cmd("for n in uts pid net mnt ipc; do readlink /proc/self/ns/$n; done")
        host_ns = [os.readlink("/proc/self/ns/" + n).encode() for n in ("uts", "pid", "net", "mnt", "ipc")]
        got_ns = (out or b"").split()
        t.check("run -it /bin/sh: new uts, pid, net, mnt, ipc namespaces",
                len(got_ns) == 5 and all(a != b for a, b in zip(got_ns, host_ns)),
                "inside %r host %r" % (got_ns, host_ns))
        out = s.cmd("ls /proc | grep -c '^[0-9]'")
        t.check("run -it /bin/sh: a fresh /proc (only a few pids)",
                out is not None and out.strip().isdigit() and int(out.strip()) <= 3, repr(out))
        out = s.cmd("ip -o link 2>/dev/null | wc -l || cat /proc/net/dev | tail -n +3 | wc -l")
        t.check_eq("run -it /bin/sh: only lo in the network namespace", (out or b"").strip(), b"1")
        s.send("exit\n")
    rc = s.wait(10)
    t.check_eq("run -it /bin/sh: exit 0", rc, 0)
    t.check_eq("run -it /bin/sh: host terminal settings restored", termios.tcgetattr(s.slave),
               s.termios_before)
finally:
    s.close()
t.check_eq("run -it /bin/sh: host hostname unchanged", os.uname().nodename, host_hostname)
t.check_eq("run -it /bin/sh: host mountinfo unchanged", mounts_snapshot(), mounts_before)
t.check_eq("run -it /bin/sh: host /proc intact (/proc/1 is still init, /proc/self is us)",
           host_proc_state(), proc_before)

# hostname isolation (setting it needs CAP_SYS_ADMIN, as in docker)
s = Session(["run", "-it", "--rm", "--privileged", "/bin/sh"])
try:
    if t.check("run -it --privileged /bin/sh: a prompt", s.expect(PROMPT, 15) is not None, s.tail()):
        out = s.cmd("hostname inside-%s; hostname" % UNIQ)
        t.check_eq("run -it /bin/sh: hostname set inside", (out or b"").strip(),
                   ("inside-%s" % UNIQ).encode())
        s.send("exit\n")
    t.check_eq("run -it --privileged /bin/sh: exit 0", s.wait(10), 0)
finally:
    s.close()
t.check_eq("run -it /bin/sh: host hostname unchanged", os.uname().nodename, host_hostname)
t.check_eq("run -it --privileged /bin/sh: host mountinfo unchanged", mounts_snapshot(), mounts_before)
t.check_eq("run -it --privileged /bin/sh: host /proc intact", host_proc_state(), proc_before)

# ------------------------------------------------------------------ seeds: run -it /bin/ls
s = Session(["run", "-it", "/bin/ls"])
try:
    rc = s.wait(15)
    t.check_eq("run -it /bin/ls: exit 0", rc, 0)
    names = set(s.buf.replace(b"\r", b"").split())
    t.check("run -it /bin/ls: lists the host's root (bin etc usr proc)",
            {b"bin", b"etc", b"usr", b"proc"} <= names, s.tail())
    t.check_eq("run -it /bin/ls: host terminal settings restored", termios.tcgetattr(s.slave),
               s.termios_before)
finally:
    s.close()
t.check_eq("run -it /bin/ls: host mountinfo unchanged", mounts_snapshot(), mounts_before)
t.check_eq("run -it /bin/ls: host /proc intact", host_proc_state(), proc_before)

# ------------------------------------------------------------------ -it IMAGE sh
s = Session(["run", "-it", "--rm", *img, "sh"], rows=37, cols=101)
try:
    if t.check("-it sh: a prompt", s.expect(PROMPT, 15) is not None, s.tail()):
        t.check_eq("-it sh: tty is /dev/pts/0", (s.cmd("tty") or b"").strip(), b"/dev/pts/0")
        t.check_eq("-it sh: stdin, stdout, stderr are the tty",
                   (s.cmd("for f in 0 1 2; do readlink /proc/$$/fd/$f; done") or b"").split(),
                   [b"/dev/pts/0"] * 3)
        t.check_eq("-it sh: TERM set", (s.cmd('echo "$TERM"') or b"").strip(), b"xterm")
        t.check_eq("-it sh: window size at start", (s.cmd("stty size") or b"").strip(), b"37 101")

        # Ctrl-C interrupts the foreground command; the shell survives
        s.send("sleep 100\n")
        time.sleep(0.7)
        t0 = time.time()
        s.send(b"\x03")
        # (an interactive shell drops the rest of a command list on SIGINT: type it afterwards;
        # the echo of "status=$?" does not match the pattern, only the expansion does)
        s.send("echo status=$?\n")
        m = s.expect(rb"status=(\d+)", timeout=10)
        t.check("-it sh: Ctrl-C interrupts sleep 100 (in < 5 s)",
                m is not None and time.time() - t0 < 5, s.tail())
        t.check_eq("-it sh: sleep's status is 130 after Ctrl-C", m and m.group(1), b"130")
        t.check_eq("-it sh: the shell survives Ctrl-C", (s.cmd("echo $$") or b"").strip(), b"1")

        # Ctrl-C at the prompt does not kill the shell either
        s.send(b"\x03")
        time.sleep(0.3)
        t.check_eq("-it sh: Ctrl-C at the prompt keeps the shell", (s.cmd("echo alive") or b"").strip(),
                   b"alive")

        # job control
        out = s.cmd("sleep 100 & :", timeout=10)
        out = s.cmd("jobs")
        t.check("-it sh: jobs lists the background sleep", out is not None and b"sleep 100" in out
                and b"Running" in out, repr(out))
        out = s.cmd("kill %1; wait; jobs")
        t.check("-it sh: kill %1 ends the job", out is not None and b"Running" not in out, repr(out))
        s.send("sleep 100\n")
        time.sleep(0.5)
        s.send(b"\x1a")  # Ctrl-Z
        m = s.expect(rb"[Ss]topped", 5)
        t.check("-it sh: Ctrl-Z stops the foreground job", m is not None, s.tail())
        out = s.cmd("jobs")
        t.check("-it sh: the stopped job is listed", out is not None and b"sleep 100" in out, repr(out))
        out = s.cmd("kill -9 %1; wait; echo done")
        t.check("-it sh: the stopped job can be killed", out is not None and b"done" in out, repr(out))

        # window size change: TIOCSWINSZ on our side + SIGWINCH to mydocker
        set_winsize(s.slave, 45, 132)
        s.proc.send_signal(signal.SIGWINCH)
        time.sleep(0.3)
        t.check_eq("-it sh: window size after SIGWINCH", (s.cmd("stty size") or b"").strip(), b"45 132")
        set_winsize(s.slave, 50, 160)
        time.sleep(0.3)
        t.check_eq("-it sh: window size follows a second resize", (s.cmd("stty size") or b"").strip(),
                   b"50 160")

        # input is byte-exact through the tty in raw mode on the host side
        out = s.cmd("read -r line; echo \"[$line]\"")
        s.send("héllo wörld\n")
        m = s.expect(rb"\[h\xc3\xa9llo w\xc3\xb6rld\]", 5)
        t.check("-it sh: UTF-8 typed input arrives", m is not None, s.tail())
        s.send("exit 7\n")
    rc = s.wait(10)
    t.check_eq("-it sh: exit 7 passed through", rc, 7)
    if isinstance(rc, int):
        t.check_eq("-it sh: host terminal settings restored", termios.tcgetattr(s.slave), s.termios_before)
finally:
    s.close()

# Ctrl-D (EOF) ends the shell with 0
s = Session(["run", "-it", "--rm", *img, "sh"])
try:
    if s.expect(PROMPT, 15) is not None:
        s.send(b"\x04")
    rc = s.wait(10)
    t.check_eq("-it sh: Ctrl-D exits 0", rc, 0)
    t.check_eq("-it sh after Ctrl-D: host terminal restored", termios.tcgetattr(s.slave), s.termios_before)
finally:
    s.close()

# cat echoes typed lines; Ctrl-D ends it
s = Session(["run", "-it", "--rm", *img, "cat"])
try:
    time.sleep(0.5)
    s.send("ping-%s\n" % UNIQ)
    m = s.expect(("ping-%s\r\n.*ping-%s" % (UNIQ, UNIQ)).encode(), 10)
    t.check("-it cat: the typed line comes back (echo + cat)", m is not None, s.tail())
    s.send(b"\x04")
    rc = s.wait(10)
    t.check_eq("-it cat: Ctrl-D ends cat with 0", rc, 0)
finally:
    s.close()

# the container's PID 1 killed from the host in the middle of a raw-mode program
s = Session(["run", "-it", "--rm", *img, "sh", "-c", "stty raw -echo; exec sleep 100"])
try:
    pid1 = None
    for _ in range(100):
        kids = [k for k in children_of(s.proc.pid)
                if open("/proc/%d/comm" % k).read().strip() == "sleep"]
        if kids:
            pid1 = kids[0]
            break
        time.sleep(0.05)
    if pid1:
        os.kill(pid1, signal.SIGKILL)
    rc = s.wait(10)
    t.check_eq("-it: killed by SIGKILL gives 137", rc, 137)
    t.check_eq("-it: host terminal restored after the container died in raw mode",
               termios.tcgetattr(s.slave), s.termios_before)
finally:
    s.close()

# mydocker itself killed by SIGTERM while attached: the host terminal is still restored
s = Session(["run", "-it", "--rm", *img, "sh", "-c", "trap 'exit 9' TERM; while :; do sleep 0.1; done"])
try:
    time.sleep(1.0)
    s.proc.send_signal(signal.SIGTERM)
    rc = s.wait(10)
    t.check_eq("-it: SIGTERM to mydocker reaches the container (exit 9)", rc, 9)
    t.check_eq("-it: host terminal restored after SIGTERM", termios.tcgetattr(s.slave), s.termios_before)
finally:
    s.close()

# attach to a detached -t container, then detach with the keys: docker's default Ctrl-P Ctrl-Q and
# --detach-keys; the container runs on
name = "tty-detach-" + UNIQ
subprocess.run([MYDOCKER, "run", "-d", "-t", "--name", name, *img, "sh"], check=True,
               stdout=subprocess.DEVNULL)
try:
    for keys, seq in ((None, b"\x10\x11"), ("ctrl-x,y", b"\x18y")):
        s = Session(["attach"] + (["--detach-keys", keys] if keys else []) + [name])
        try:
            time.sleep(0.5)
            s.send(b"echo attached-$((6*7))\r")
            t.check("attach %s: the shell answers" % (keys or "(default keys)"),
                    s.expect(rb"attached-42", 10) is not None)
            s.send(seq)
            rc = s.wait(10)
            t.check_eq("attach %s: the keys detach (exit 0)" % (keys or "(default keys)"), rc, 0)
            t.check("... docker's message", b"read escape sequence" in s.buf)
        finally:
            s.close()
    state = subprocess.run([MYDOCKER, "inspect", "-f", "{{.State.Running}}", name],
                           capture_output=True, text=True).stdout.strip()
    t.check_eq("the container runs on after the detaches", state, "true")
finally:
    subprocess.run([MYDOCKER, "rm", "-f", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

# run -it --detach-keys: the container runs under a monitor and this run attaches to it, so the
# keys leave it running (docker's run); typing goes through, the output was all seen
name = "tty-run-detach-" + UNIQ
s = Session(["run", "-it", "--detach-keys", "ctrl-x,y", "--name", name, *img, "sh"])
try:
    s.send(b"echo run-$((6*7))\r")
    t.check("run -it --detach-keys: the shell answers", s.expect(rb"run-42", 10) is not None)
    s.send(b"\x18y")
    rc = s.wait(10)
    t.check_eq("run -it --detach-keys: the keys detach run (exit 0)", rc, 0)
    t.check("... docker's message", b"read escape sequence" in s.buf)
    t.check_eq("... the host terminal restored", termios.tcgetattr(s.slave), s.termios_before)
finally:
    s.close()
state = subprocess.run([MYDOCKER, "inspect", "-f", "{{.State.Running}}", name],
                       capture_output=True, text=True).stdout.strip()
t.check_eq("run --detach-keys: the container runs on after the detach", state, "true")
# start -ai --detach-keys on the stopped container: attached again, then `exit` ends both
subprocess.run([MYDOCKER, "stop", "-t", "1", name], stdout=subprocess.DEVNULL)
s = Session(["start", "-ai", "--detach-keys", "ctrl-x,y", name])
try:
    s.send(b"echo start-$((6*7)); exit 5\r")
    t.check("start -ai --detach-keys: the shell answers", s.expect(rb"start-42", 10) is not None)
    t.check_eq("start -ai --detach-keys: the container's exit code", s.wait(10), 5)
finally:
    s.close()
    subprocess.run([MYDOCKER, "rm", "-f", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

remove_new_containers(state_before, ["/bin/sh", "/bin/ls"])
t.check_eq("no mount left after the tty sessions", mounts_snapshot(), mounts_before)
t.summary()
