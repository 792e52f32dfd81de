#!/usr/bin/env python3
"""Run a command as a child subreaper: what containerd-shim and conmon are for
runc. A container whose `create` process exited is reparented to us and
reaped here (PID 1 of this machine reaps nothing). Exits with the command's
status; SIGTERM/SIGINT are passed on to it."""
import ctypes, os, signal, sys

PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, lambda sig, frame: os.kill(pid, sig))
status = 1
while True:
    try:
        p, st = os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    if p == pid:
        status = os.waitstatus_to_exitcode(st)
        break
sys.exit(status if status >= 0 else 128 - status)
