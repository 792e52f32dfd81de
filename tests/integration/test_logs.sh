#!/usr/bin/env bash
# mydocker logs (issue 4): docker's json-file on disk, stdout/stderr kept apart, logs after
# the exit, -f (follows, ends when the container ends), --tail, -t, --since/--until, long
# lines, rotation with --log-opt max-size/max-file.
. "$(dirname "$0")/lib.sh"
setup_image

N() { echo "lg-$UNIQ-$1"; }
cleanup() {
    # by id, twice: a record a restart policy or a monitor wrote back after the first rm -f
    # (see the report) no longer answers to its name
    local ids i c
    ids=$(md ps -aq --no-trunc -f "name=lg-$UNIQ-" 2>/dev/null)
    for i in 1 2; do
        # shellcheck disable=SC2086
        md rm -f $ids >/dev/null 2>&1
        sleep 0.3
        ids=$(md ps -aq --no-trunc -f "name=lg-$UNIQ-" 2>/dev/null; for c in $ids; do [ -e "/var/lib/mydocker/containers/$c" ] && echo "$c"; done)
        [ -z "$ids" ] && break
    done
}
at_exit cleanup
TMP=$(mktemp -d); at_exit "rm -rf '$TMP'"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
not_running() { [ "$(md inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = false ]; }
is_running() { [ "$(md inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
logfile() { md inspect -f '{{.LogPath}}' "$1" 2>/dev/null; }
TS_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{1,9}Z'

# ================================================================ stdout / stderr apart, after the exit
S=$(md run -d --name "$(N s)" "${IMG[@]}" sh -c 'echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf "tab\there\n"; echo "  spaces  "; echo; echo "ünï"' 2>&1)
check_match "run -d prints an id" "$S" '^[0-9a-f]{64}$'
wait_for 5 not_running "$S"
sleep 0.2
out=$(md logs "$(N s)" 2>/dev/null; echo x); out=${out%x}
err=$(md logs "$(N s)" 2>&1 >/dev/null; echo x); err=${err%x}
want=$(printf 'out1\nout2\ntab\there\n  spaces  \n\nünï\nx'); want=${want%x}
check_eq "logs after the exit: stdout lines only on stdout, byte-exact" "$out" "$want"
want=$(printf 'err1\nerr2\nx'); want=${want%x}
check_eq "logs after the exit: stderr lines only on stderr, byte-exact" "$err" "$want"
check_rc "logs after the exit exits 0" 0 md logs "$(N s)"
lf=$(logfile "$S")
check_eq "LogPath is <dir>/<id>-json.log" "$lf" "/var/lib/mydocker/containers/$S/$S-json.log"
check_eq "json-file on disk: one object per line with log, stream, time" "$(python3 - "$lf" <<'PY' 2>&1
import json, re, sys
bad, out = [], []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    o = json.loads(line)
    if set(o) != {"log", "stream", "time"}:
        bad.append("keys %s" % sorted(o))
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z", o["time"]):
        bad.append("time %r" % o["time"])
    out.append("%s:%s" % (o["stream"], o["log"]))
# the two streams are separate pipes: only the order within each stream is defined
out.sort(key=lambda s: s.startswith("stderr"))
print(bad or "".join(out).replace("\n", "|"))
PY
)" "stdout:out1|stdout:out2|stdout:tab	here|stdout:  spaces  |stdout:|stdout:ünï|stderr:err1|stderr:err2|"

# a last line without a newline, and a long line (docker splits at 16 KiB; logs joins them)
L=$(md run -d --name "$(N l)" "${IMG[@]}" sh -c 'head -c 40000 /dev/zero | tr "\0" a; echo; printf "no newline"' 2>&1)
wait_for 5 not_running "$L"; sleep 0.2
out=$(md logs "$(N l)" 2>/dev/null; echo x); out=${out%x}
check_eq "a 40000-byte line comes back whole" "$(head -n 1 <<<"$out" | wc -c)" 40001
check_eq "a last line without a newline comes back as is" "$(tail -c 11 <<<"$out"; echo)" "$(printf 'no newline\n')"
check_eq "a last line without a newline: no newline added" "${out: -10}" "no newline"
check "long line: every json-file entry is at most 16 KiB of log" python3 -c '
import json, sys
assert all(len(json.loads(l)["log"]) <= 16384 for l in open(sys.argv[1]))' "$(logfile "$L")"

# ================================================================ --tail, -t
T=$(md run -d --name "$(N t)" "${IMG[@]}" sh -c 'i=1; while [ $i -le 100 ]; do echo "line $i"; i=$((i+1)); done; echo e1 >&2; echo e2 >&2' 2>&1)
wait_for 5 not_running "$T"; sleep 0.2
check_eq "logs: all 100 lines" "$(md logs "$(N t)" 2>/dev/null | wc -l)" 100
check_eq "--tail 3: the last 3 lines of both streams (2 on stderr)" "$(md logs --tail 3 "$(N t)" 2>&1 | sort | tr '\n' ' ')" "e1 e2 line 100 "
check_eq "--tail 3: stdout part" "$(md logs --tail 3 "$(N t)" 2>/dev/null)" "line 100"
check_eq "-n 5 (short form)" "$(md logs -n 5 "$(N t)" 2>/dev/null | tr '\n' ' ')" "line 98 line 99 line 100 "
check_eq "--tail 0: nothing" "$(md logs --tail 0 "$(N t)" 2>&1)" ""
check_eq "--tail all: everything" "$(md logs --tail all "$(N t)" 2>&1 | wc -l)" 102
check_eq "--tail 1000 (more than there is): everything" "$(md logs --tail 1000 "$(N t)" 2>&1 | wc -l)" 102
ts=$(md logs -t --tail 2 "$(N t)" 2>&1)
check_match "-t: RFC 3339 timestamp before each line" "$(head -n 1 <<<"$ts")" "^$TS_RE e1\$"
check_match "-t: second line" "$(tail -n 1 <<<"$ts")" "^$TS_RE e2\$"
check_eq "-t: stdout timestamps stay on stdout" "$(md logs -t --tail 3 "$(N t)" 2>/dev/null | grep -cE "^$TS_RE line 100\$")" 1
check_eq "-t: the same time as the json-file" "$(md logs -t --tail 1 "$(N t)" 2>&1 | cut -d' ' -f1)" \
    "$(tail -n 1 "$(logfile "$T")" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["time"])')"

# ================================================================ --since / --until
U=$(md run -d --name "$(N u)" "${IMG[@]}" sh -c 'echo before; sleep 1.2; echo after' 2>&1)
sleep 0.6
mid=$(date +%s.%N); mid_rfc=$(date -u -d "@$mid" +%Y-%m-%dT%H:%M:%S.%NZ)
wait_for 5 not_running "$U"; sleep 0.2
check_eq "--since UNIX.NANO: only later lines" "$(md logs --since "$mid" "$(N u)" 2>&1)" "after"
check_eq "--until UNIX.NANO: only earlier lines" "$(md logs --until "$mid" "$(N u)" 2>&1)" "before"
check_eq "--since RFC 3339: only later lines" "$(md logs --since "$mid_rfc" "$(N u)" 2>&1)" "after"
check_eq "--until RFC 3339: only earlier lines" "$(md logs --until "$mid_rfc" "$(N u)" 2>&1)" "before"
check_eq "--since 1h (relative): everything" "$(md logs --since 1h "$(N u)" 2>&1 | tr '\n' ' ')" "before after "
check_eq "--since in the future: nothing" "$(md logs --since "$(($(date +%s) + 3600))" "$(N u)" 2>&1)" ""
check_rc "--since with a bad value: exit 125" 125 md logs --since "not-a-time" "$(N u)"

# ================================================================ -f
F=$(md run -d --name "$(N f)" "${IMG[@]}" sh -c 'echo first; echo first-err >&2; sleep 1; echo second; sleep 1; echo last' 2>&1)
"$MYDOCKER" logs -f "$(N f)" >"$TMP/f.out" 2>"$TMP/f.err" &
lpid=$!
sleep 0.6
check_eq "-f: the lines so far arrive at once" "$(cat "$TMP/f.out")" "first"
check_eq "-f: stderr lines on stderr" "$(cat "$TMP/f.err")" "first-err"
check "-f: still following while the container runs" kill -0 "$lpid"
t0=$(now_ms)
wait "$lpid"; rc=$?
t1=$(now_ms)
el=$(md inspect -f '{{.State.FinishedAt}}' "$F")
check_eq "-f: ends when the container ends, exit 0" "$rc" 0
check_eq "-f: every line, in order" "$(cat "$TMP/f.out" | tr '\n' ' ')" "first second last "
fin_ms=$(python3 -c 'import sys,datetime; s=sys.argv[1]; d=datetime.datetime.strptime(s[:26].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f"); print(int(d.replace(tzinfo=datetime.timezone.utc).timestamp()*1000))' "$el" 2>/dev/null || echo 0)
[ $((t1 - fin_ms)) -lt 1000 ] && ok "-f: returned within 1 s of the container's end ($((t1 - fin_ms)) ms)" || fail "-f: returned within 1 s of the container's end" "$((t1 - fin_ms)) ms (FinishedAt $el)"
# -f on an exited container: prints everything and returns
t0=$(now_ms); out=$(timeout 10 "$MYDOCKER" logs -f "$(N f)" 2>/dev/null); rc=$?; t1=$(now_ms)
check_eq "-f on an exited container returns at once with everything" "$rc $(tr '\n' ' ' <<<"$out")" "0 first second last "
[ $((t1 - t0)) -lt 1000 ] || fail "-f on an exited container returns at once" "$((t1 - t0)) ms"
# -f --tail 1 while running
F2=$(md run -d --name "$(N f2)" "${IMG[@]}" sh -c 'echo a; echo b; sleep 1; echo c' 2>&1)
sleep 0.5
out=$(timeout 10 "$MYDOCKER" logs -f --tail 1 "$(N f2)" 2>/dev/null); rc=$?
check_eq "-f --tail 1: the last line so far, then the new ones" "$rc $(tr '\n' ' ' <<<"$out")" "0 b c "
# -f of a container stopped by the user ends too
F3=$(md run -d --name "$(N f3)" "${IMG[@]}" sh -c 'echo up; exec sleep 300' 2>&1)
sleep 0.3
"$MYDOCKER" logs -f "$(N f3)" >"$TMP/f3.out" 2>&1 &
lpid=$!
sleep 0.3
md kill "$(N f3)" >/dev/null 2>&1
check "-f ends after kill of the container" wait_for 3 sh -c "! kill -0 $lpid 2>/dev/null"
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
check_eq "-f after kill: the output" "$(cat "$TMP/f3.out")" "up"

# ================================================================ rotation
R=$(md run -d --name "$(N r)" --log-opt max-size=1k --log-opt max-file=2 "${IMG[@]}" sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i padding-padding-padding"; i=$((i+1)); done; echo done' 2>&1)
check_match "run -d with --log-opt max-size=1k max-file=2" "$R" '^[0-9a-f]{64}$'
wait_for 5 not_running "$R"; sleep 0.2
lf=$(logfile "$R")
files=$(ls "$lf"* 2>/dev/null)
check "rotation: at most 2 log files" test "$(grep -c . <<<"$files")" -le 2
check "rotation: the files are rotated docker's way (<log> and <log>.1)" test -e "$lf" -a -e "$lf.1"
check_eq "rotation: nothing beyond .1" "$(ls "$lf".* 2>/dev/null | grep -v '\.1$')" ""
sz=$(cat "$lf"* | wc -c)
[ "$sz" -le 2300 ] && ok "rotation: at most ~2 KiB kept ($sz bytes)" || fail "rotation: at most ~2 KiB kept" "$sz bytes"
out=$(md logs "$(N r)" 2>&1); rc=$?
check_eq "rotation: logs still exits 0" "$rc" 0
check_eq "rotation: logs ends with the last lines" "$(tail -n 2 <<<"$out" | tr '\n' ' ')" "line 299 padding-padding-padding done "
check "rotation: logs prints whole lines, consecutive, none repeated" python3 -c '
import sys
ls = sys.argv[1].splitlines()
assert ls[-1] == "done", ls[-1]
ns = [int(l.split()[1]) for l in ls[:-1]]
assert all(l == "line %d padding-padding-padding" % n for l, n in zip(ls, ns)), "bad line"
assert ns == list(range(ns[0], 300)), ns[:5]
assert len(ns) >= 10, len(ns)' "$out"
check "rotation: every file holds valid json-file lines" python3 -c '
import json, sys
for f in sys.argv[1:]:
    for l in open(f):
        json.loads(l)' $files
check_eq "rotation: --tail 3 over the rotated files" "$(md logs --tail 3 "$(N r)" 2>&1 | tr '\n' ' ')" "line 298 padding-padding-padding line 299 padding-padding-padding done "

R3=$(md run -d --name "$(N r3)" --log-opt max-size=2k --log-opt max-file=3 "${IMG[@]}" sh -c 'i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done' 2>&1)
wait_for 5 not_running "$R3"; sleep 0.2
n=$(ls "$(logfile "$R3")"* 2>/dev/null | wc -l)
check_eq "max-file=3: exactly 3 files after much output" "$n" 3
check_eq "max-file=3: logs ends with the last line" "$(md logs --tail 1 "$(N r3)" 2>&1)" "line 499"

# -f across rotations: every line once, in order
RF=$(md run -d --name "$(N rf)" --log-opt max-size=1k --log-opt max-file=2 "${IMG[@]}" sh -c 'sleep 0.5; i=0; while [ $i -lt 200 ]; do echo "l$i"; i=$((i+1)); [ $((i % 20)) = 0 ] && sleep 0.1; done' 2>&1)
out=$(timeout 15 "$MYDOCKER" logs -f "$(N rf)" 2>&1); rc=$?
check_eq "-f across rotations: exit 0" "$rc" 0
got=$(grep -c . <<<"$out"); miss=$(comm -23 <(seq 0 199 | sed 's/^/l/' | sort) <(sort -u <<<"$out") | wc -l)
check_eq "-f across rotations: every line once, in order" "$(md5sum <<<"$out")" "$(seq 0 199 | sed 's/^/l/' | md5sum)" || true
[ "$(md5sum <<<"$out")" = "$(seq 0 199 | sed 's/^/l/' | md5sum)" ] || echo "# -f across rotations: $got lines of 200, $miss missing"

# no rotation without max-size
check_eq "no --log-opt: a single file" "$(ls "$(logfile "$T")"* | wc -l)" 1
check_rc "--log-opt with an unknown option fails (125)" 125 md run -d --name "$(N bad)" --log-opt no-such-opt=1 "${IMG[@]}" true
md rm -f "$(N bad)" >/dev/null 2>&1

summary
