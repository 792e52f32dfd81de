#!/usr/bin/env python3
"""Byte-exact argv and env through the parent->child channel of `mydocker run`."""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import Test, run, image_args  # noqa: E402

t = Test()
img = image_args()
PRINT_ARGS = ["sh", "-c", 'for a; do printf "%s\\0" "$a"; done', "sh"]
MAX_ARG_STRLEN = 128 * 1024  # the kernel's limit per string, NUL included


def encode(args):
    return b"".join(a + b"\0" for a in args)


def roundtrip(name, args, extra=(), prefix=None):
    """Run the container with ARGS after the printing script; compare the bytes."""
    args = [a if isinstance(a, bytes) else a.encode() for a in args]
    r = run(["run", "--rm", *extra, *(prefix or img + PRINT_ARGS), *args], timeout=60)
    if r.returncode != 0:
        t.fail(name, "exit %d: %s" % (r.returncode, r.stderr[-300:]))
        return
    want = encode(args)
    if r.stdout == want:
        t.ok(name)
        return
    # say where it differs
    i = next((k for k in range(min(len(r.stdout), len(want))) if r.stdout[k] != want[k]),
             min(len(r.stdout), len(want)))
    t.fail(name, "output differs at byte %d (got %d bytes, want %d): got %r want %r"
           % (i, len(r.stdout), len(want), r.stdout[max(0, i - 20):i + 20], want[max(0, i - 20):i + 20]))


roundtrip("plain words", ["hello", "world"])
roundtrip("spaces inside an argument", ["a b  c", " lead", "trail "])
roundtrip("empty strings", ["", "x", "", ""])
roundtrip("only an empty string", [""])
roundtrip("quotes and backslashes", ["'single'", '"double"', "back\\slash", "\\", "'", '"', "`tick`"])
roundtrip("shell metacharacters are not interpreted", ["$HOME", "$(id)", "; true", "a|b", "*", "~", "&&", ">x"])
roundtrip("newlines and tabs", ["line1\nline2", "\n", "\t", "a\tb\r\n", "\n\n\n"])
roundtrip("UTF-8", ["héllo wörld", "日本語", "emoji \U0001F600", "\u200b"])
roundtrip("leading dashes", ["-", "--", "-e", "--rm", "-it", "--name=x"])
roundtrip("non-UTF-8 bytes", [bytes(range(1, 256)), b"\xff\xfe", b"\x80"])
roundtrip("many small arguments (5000)", ["a%d" % i for i in range(5000)])

# a ~1.5 MB command line: arguments up to MAX_ARG_STRLEN - 1 bytes each, all byte values but NUL
rnd = random.Random(1234)
big = []
for i in range(12):
    n = MAX_ARG_STRLEN - 1 if i < 11 else rnd.randrange(1, MAX_ARG_STRLEN)
    big.append(rnd.randbytes(n).replace(b"\0", bytes([1 + i])))
big += [b"", b"x", b" spaced out ", b"-n"]
total = sum(len(a) + 1 for a in big)
t.check("the big command line is ~1.5 MB", total >= 1_400_000, "only %d bytes" % total)
roundtrip("~1.5 MB command line (%d args, longest %d bytes)" % (len(big), max(map(len, big))), big)
roundtrip("one argument of exactly MAX_ARG_STRLEN-1 bytes", [b"y" * (MAX_ARG_STRLEN - 1)])

# the image-less form: the host's root, an absolute command
roundtrip("host root: /bin/sh args byte-exact", ["a b", "", "x\ny", "-"],
          prefix=["/bin/sh"] + PRINT_ARGS[1:])

# --entrypoint with arguments as CMD
r = run(["run", "--rm", "--entrypoint", "printf", *img, "%s|", "a b", "", "c\nd"])
t.check_eq("--entrypoint + args byte-exact", r.stdout, b"a b||c\nd|")

# environment values
env_cases = {
    "NL": "line1\nline2\n",
    "EQ": "a=b=c",
    "EMPTY": "",
    "SP": "  spaced  ",
    "UTF": "ünïcödé ✓",
    "TAB": "\tx\t",
    "QUOTE": "'\"$HOME`id`",
}
extra = []
for k, v in env_cases.items():
    extra += ["-e", "%s=%s" % (k, v)]
names = list(env_cases)
r = run(["run", "--rm", *extra, *img, "sh", "-c",
         'for k; do eval "printf \'%s\\0\' \\"\\$$k\\""; done', "sh", *names])
got = r.stdout.split(b"\0")[:-1]
for k, g in zip(names, got + [None] * len(names)):
    t.check_eq("env value byte-exact: %s" % k, g, env_cases[k].encode())
r = run(["run", "--rm", *extra, *img, "env"])
lines = r.stdout.decode("utf-8", "replace")
t.check("env: EMPTY= present (set to the empty string)", "\nEMPTY=\n" in "\n" + lines,
        lines[:300])

# a large env value (64 KiB) and many env variables
bigval = "v" * 65536
r = run(["run", "--rm", "-e", "BIG=" + bigval, *img, "sh", "-c", 'printf %s "$BIG" | wc -c'])
t.check_eq("64 KiB env value arrives whole", r.stdout.strip(), b"65536")
many = []
for i in range(500):
    many += ["-e", "V%d=%d" % (i, i * 7)]
r = run(["run", "--rm", *many, *img, "sh", "-c", 'echo "$V0 $V250 $V499"; env | grep -c "^V[0-9]"'])
t.check_eq("500 -e variables", r.stdout, b"0 1750 3493\n500\n")

# env from a file keeps '=' in values and does not split on spaces
import tempfile  # noqa: E402
with tempfile.NamedTemporaryFile("w", delete=False, prefix="envfile.", dir="/tmp") as f:
    f.write("F1=a=b\nF2=x y z\nF3='quoted'\n")
    envfile = f.name
try:
    r = run(["run", "--rm", "--env-file", envfile, *img, "sh", "-c", 'printf "%s|" "$F1" "$F2" "$F3"'])
    # docker does not strip quotes in env files
    t.check_eq("--env-file values byte-exact (quotes kept, as docker)", r.stdout, b"a=b|x y z|'quoted'|")
finally:
    os.unlink(envfile)

t.summary()
