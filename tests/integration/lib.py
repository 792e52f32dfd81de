"""Helpers for Python integration tests (same conventions as lib.sh).

    t = Test()
    t.check_eq("name", got, want)     # "ok - name" / "FAIL - name: detail"
    t.check("name", cond, detail)
    img = image_args()                # ["busybox"] or ["--rootfs", DIR]; img + [cmd...]
    r = run(["run", "--rm", *img, "echo", "hi"])   # subprocess.CompletedProcess (bytes)
    t.summary()                        # prints "N passed, N failed", exits 0/1

MYDOCKER (absolute path) comes from tests/run; default: the repo's build/mydocker.
MYDOCKER_TEST_MODE=image|rootfs forces the image source (default: image when present).
"""
import atexit
import os
import random
import shutil
import subprocess
import sys
import tempfile

LIB_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(os.path.dirname(LIB_DIR))
MYDOCKER = os.environ.get("MYDOCKER") or os.path.join(REPO_DIR, "build", "mydocker")
STATE_DIR = "/var/lib/mydocker/containers"
UNIQ = "t%d-%d" % (os.getpid(), random.randrange(1 << 15))


def _short(v, n=600):
    s = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
    s = s.replace("\n", "|")
    return s if len(s) <= n else s[:n] + "..."


class Test:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name):
        self.passed += 1
        print("ok - %s" % name, flush=True)

    def fail(self, name, detail=""):
        self.failed += 1
        print("FAIL - %s%s" % (name, ": " + _short(detail) if detail else ""), flush=True)

    def check(self, name, cond, detail=""):
        if cond:
            self.ok(name)
        else:
            self.fail(name, detail)
        return bool(cond)

    def check_eq(self, name, got, want):
        if got == want:
            self.ok(name)
            return True
        self.fail(name, "got %s want %s" % (_short(repr(got), 300), _short(repr(want), 300)))
        return False

    def summary(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        sys.exit(0 if self.failed == 0 else 1)


def run(args, input=None, timeout=30, env=None, **kw):
    """Run mydocker ARGS; returns CompletedProcess with bytes stdout/stderr.
    A timeout is returned as returncode -999 instead of raising."""
    try:
        return subprocess.run([MYDOCKER] + list(args), input=input, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, env=env,
                              stdin=None if input is not None else subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, -999, e.stdout or b"", e.stderr or b"")


_IMG = None


def image_args():
    """["busybox"] when the image exists (or MYDOCKER_TEST_MODE=image), else
    ["--rootfs", DIR] with a rootfs built by lib.sh's mk_rootfs (removed at exit)."""
    global _IMG
    if _IMG is not None:
        return list(_IMG)
    mode = os.environ.get("MYDOCKER_TEST_MODE", "")
    if not mode:
        try:
            out = subprocess.run([MYDOCKER, "images", "-q", "busybox"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, timeout=30).stdout
        except Exception:
            out = b""
        mode = "image" if out.strip() else "rootfs"
    if mode == "image":
        _IMG = ["busybox"]
    else:
        d = tempfile.mkdtemp(prefix="mydocker-rootfs.%s." % UNIQ, dir="/tmp")
        atexit.register(shutil.rmtree, d, True)
        subprocess.run(["bash", "-c", '. "$1/lib.sh"; mk_rootfs "$2"', "lib", LIB_DIR, d],
                       check=True, stdout=subprocess.DEVNULL)
        _IMG = ["--rootfs", d]
    print("# image mode: %s (%s)" % (mode, " ".join(_IMG)), flush=True)
    return list(_IMG)


def mounts_snapshot():
    """The host's mount table without mount ids."""
    with open("/proc/self/mountinfo") as f:
        return sorted(" ".join(l.split()[2:]) for l in f)


def state_snapshot():
    try:
        return sorted(os.listdir(STATE_DIR))
    except FileNotFoundError:
        return []


def children_of(pid):
    out = []
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % e) as f:
                s = f.read()
        except OSError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        if fields[1] == str(pid):
            out.append(int(e))
    return out


def remove_new_containers(before, paths=None):
    """`mydocker rm -f` the containers created since state_snapshot() BEFORE (only those whose
    Path is in PATHS, when given): for tests that must run without --rm."""
    import json
    for cid in set(state_snapshot()) - set(before):
        if paths is not None:
            try:
                with open(os.path.join(STATE_DIR, cid, "container.json")) as f:
                    if json.load(f).get("Path") not in paths:
                        continue
            except (OSError, ValueError):
                continue
        subprocess.run([MYDOCKER, "rm", "-f", cid], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
