#!/usr/bin/env bash
# The layer rule (docs/architecture.md): an include points down, never up or sideways.
#   util < cgroup, image < runtime < store < net < engine < front ends (cmd, cli, imagetool,
#   runc, monitor, api, compose)
# Each quoted include "dir/..." of a file in src/<layer>/ must name its own directory or a lower
# layer. Also: library code (every layer up to the engine, and the image tool's files other than
# cmd_*.c and main.c) never prints and never parses argv (getopt), and every C file is formatted
# as .clang-format says.
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR" || exit 1
out=$(/usr/bin/python3 - <<'PY'
import glob, os, re
level = {"util": 0, "cgroup": 1, "image": 1, "runtime": 2, "store": 3, "net": 4, "engine": 5,
         "cli": 6, "cmd": 7, "imagetool": 7, "runc": 7, "monitor": 7, "api": 7, "compose": 7}
bad = []
for path in sorted(glob.glob("src/*/*.[ch]")):
    layer = path.split("/")[1]
    for n, line in enumerate(open(path, errors="replace"), 1):
        m = re.match(r'\s*#\s*include\s+"([a-z_]+)/', line)
        if not m or m.group(1) == layer:
            continue
        dep = m.group(1)
        if dep not in level or layer not in level:
            bad.append(f"{path}:{n}: unknown layer {dep!r}")
        elif level[dep] >= level[layer]:
            bad.append(f"{path}:{n}: {layer} includes {dep} ({line.strip()})")
# library code: every layer below the front ends, and the image tool's library
# files (its commands are cmd_*.c and main.c). util's md_error_report (what the
# front ends call to print an error once) and MYDOCKER_TRACE's stderr lines are
# the two sanctioned writers.
lib = [p for p in sorted(glob.glob("src/*/*.c"))
       if level.get(p.split("/")[1], 9) <= level["engine"]
       or (p.startswith("src/imagetool/") and not re.match(r"src/imagetool/(cmd_|main\.c)", p))]
allowed = {"src/util/error.c": 1, "src/util/trace.c": 1}
for path in lib:
    text = open(path, errors="replace").read()
    for pat in (r"\bprintf\s*\(", r"\bputs\s*\(", r"fprintf\s*\(\s*std(out|err)", r"\bgetopt(_long)?\s*\(",
                r"fputs\s*\([^;]*std(out|err)\s*\)"):
        hits = list(re.finditer(pat, text))
        if path in allowed and pat.startswith("fprintf") and len(hits) <= allowed[path]:
            continue
        for m in hits:
            n = text.count("\n", 0, m.start()) + 1
            bad.append(f"{path}:{n}: library code prints or parses argv ({m.group(0)})")
print("\n".join(bad))
PY
)
if [ -z "$out" ]; then ok "every include points down; library code neither prints nor parses argv"
else
    while IFS= read -r l; do fail "layer rule" "$l"; done <<<"$out"
fi
# one style for every C file (.clang-format; `make format` applies it)
if command -v clang-format >/dev/null; then
    check "make format-check: every C file as .clang-format says" make -s format-check
else
    fail "make format-check" "clang-format is needed (scripts/setup.sh installs it)"
fi
summary
