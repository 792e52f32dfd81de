#!/usr/bin/env bash
# Detached containers (issue 4): run -d, names, ids and prefixes, bad input, ps (wording,
# columns, flags, --format), create/start/wait/rename/inspect, stop/kill/restart, containers
# killed from outside (PID 1 or the monitor), rm, leaks over 20 cycles, parallel --name,
# run --rm -d, monitor RSS; attach/pause/top/prune/stats when they exist.
# Logs: test_logs.sh; exec: test_exec.py; restart policies: test_restart.sh.
. "$(dirname "$0")/lib.sh"
setup_image

skip() { echo "skip - $1${2:+: $2}"; }
N() { echo "lc-$UNIQ-$1"; }            # a container name of this test
IDS=()                                  # ids of unnamed containers, removed at exit
cleanup() {
    # by id, twice: a record a restart policy or a monitor wrote back after the first rm -f
    # (see the report) no longer answers to its name
    local ids i c
    ids=$(md ps -aq --no-trunc -f "name=lc-$UNIQ-" 2>/dev/null)
    for i in 1 2; do
        # shellcheck disable=SC2086
        md rm -f $ids "${IDS[@]}" >/dev/null 2>&1
        sleep 0.3
        ids=$(md ps -aq --no-trunc -f "name=lc-$UNIQ-" 2>/dev/null; for c in $ids "${IDS[@]}"; do [ -e "/var/lib/mydocker/containers/$c" ] && echo "$c"; done)
        [ -z "$ids" ] && break
    done
}
at_exit cleanup
# exec, retried after the known start-up race (exit 126, "exited before it was ready" /
# "Connection reset by peer"), which test_exec.py measures on its own
exec_retry() {
    local i out rc
    for i in 1 2 3 4 5 6 7 8; do
        out=$(md exec "$@" 2>&1); rc=$?
        [ "$rc" = 126 ] && [[ "$out" =~ "before it was ready"|"Connection reset by peer"|"Broken pipe" ]] || break
    done
    printf '%s\n' "$out"; return "$rc"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
insp() { md inspect -f "$1" "$2" 2>&1; }                 # insp FORMAT CONTAINER
status_of() { md ps -a --no-trunc -f "id=$1" --format '{{.Status}}' 2>&1; }  # by full id
is_running() { [ "$(md inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
not_running() { [ "$(md inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = false ]; }
# alive PID: the process exists and is not a zombie
alive() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; [ "${s:0:1}" != Z ]; }
ppid_of() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; echo "$2"; }
# leftovers ID: every place a removed container could leave something behind
leftovers() {
    local id=$1 p
    for p in "/var/lib/mydocker/containers/$id" "/run/mydocker/containers/$id" /sys/fs/cgroup/*/mydocker/"$id" /sys/fs/cgroup/mydocker/"$id"; do
        [ -e "$p" ] && echo "$p"
    done
    grep -l -- "$id" /var/lib/mydocker/names/* 2>/dev/null
    grep -c -- "$id" /proc/self/mountinfo | grep -v '^0$' | sed 's/^/mounts: /'
}
# one_line NAME OUTPUT: exactly one non-empty line (the "one clear line" rule)
one_line() {
    local n
    n=$(printf '%s\n' "$2" | grep -c .)
    if [ "$n" -eq 1 ]; then ok "$1"; else fail "$1" "$n lines: $2"; fi
}
# err_case NAME WANT_RC REGEX CMD...: exit code, exactly one stderr line matching REGEX, empty stdout
err_case() {
    local name=$1 want=$2 re=$3 out err rc; shift 3
    out=$("$@" 2>/tmp/lc-err.$$); rc=$?; err=$(cat /tmp/lc-err.$$); rm -f /tmp/lc-err.$$
    check_eq "$name: exit code" "$rc" "$want"
    one_line "$name: one line on stderr" "$err"
    check_match "$name: message" "$err" "$re"
    check_eq "$name: nothing on stdout" "$out" ""
}

# ================================================================ run -d
t0=$(now_ms)
out=$(md run -d --name "$(N a)" "${IMG[@]}" sh -c 'echo started; hostname; trap "exit 0" TERM; sleep 300 & wait' 2>/tmp/lc-err.$$); rc=$?
t1=$(now_ms); err=$(cat /tmp/lc-err.$$); rm -f /tmp/lc-err.$$
A=$out
check_eq "run -d exits 0" "$rc" 0
check_match "run -d prints the 64-hex id" "$A" '^[0-9a-f]{64}$'
check_eq "run -d prints nothing on stderr" "$err" ""
[ $((t1 - t0)) -lt 1000 ] && ok "run -d returns at once ($((t1 - t0)) ms)" || fail "run -d returns at once" "$((t1 - t0)) ms"
check "run -d container is running" wait_for 3 is_running "$A"
has_2_lines() { [ "$(md logs "$1" 2>/dev/null | grep -c .)" -ge 2 ]; }
wait_for 3 has_2_lines "$A"
check_eq "hostname is the first 12 hex of the id (from inside)" "$(md logs "$A" 2>/dev/null | sed -n 2p)" "${A:0:12}"
check_eq "Config.Hostname is the first 12 hex of the id" "$(insp '{{.Config.Hostname}}' "$A")" "${A:0:12}"
check_eq "inspect .Id is the full id" "$(insp '{{.Id}}' "$(N a)")" "$A"
check_eq "inspect .Name is /NAME" "$(insp '{{.Name}}' "$A")" "/$(N a)"

# generated names
B=$(md run -d "${IMG[@]}" sleep 300 2>&1); IDS+=("$B")
check_match "run -d without --name prints an id" "$B" '^[0-9a-f]{64}$'
bname=$(insp '{{.Name}}' "$B")
# adjective_surname; a digit follows when the pair was taken (docker's retry)
check_match "generated name is adjective_surname" "$bname" '^/[a-z]+_[a-z]+[0-9]*$'
check_eq "ps shows the generated name" "$(md ps --no-trunc -f "id=$B" --format '{{.Names}}')" "${bname#/}"
gen_ok=1
for i in 1 2 3 4 5; do
    g=$(md create "${IMG[@]}" true 2>&1); IDS+=("$g")
    gn=$(insp '{{.Name}}' "$g"); [[ "$gn" =~ ^/[a-z]+_[a-z]+[0-9]*$ ]] || { gen_ok=0; fail "generated name #$i" "$gn"; }
done
[ "$gen_ok" = 1 ] && ok "5 more generated names match adjective_surname"
check_eq "the generated name works as a reference" "$(insp '{{.Id}}' "${bname#/}")" "$B"

# any unique prefix or the name
for p in "${A:0:12}" "${A:0:20}" "${A:0:40}" "$A" "$(N a)"; do
    check_eq "inspect by '$p'" "$(insp '{{.Id}}' "$p")" "$A"
done
check_eq "exec by 12-hex prefix" "$(exec_retry "${A:0:12}" hostname)" "${A:0:12}"
check_eq "logs by 16-hex prefix" "$(md logs "${A:0:16}" 2>/dev/null | head -n 1)" "started"
check_eq "ps -f id=PREFIX" "$(md ps -q -f "id=${A:0:10}")" "${A:0:12}"

# ================================================================ bad input
err_case "stop of an unknown container" 1 "No such container: nosuch-$UNIQ" md stop "nosuch-$UNIQ"
for verb in start kill rm restart wait logs; do
    err_case "$verb of an unknown container" 1 "No such container: nosuch-$UNIQ" md $verb "nosuch-$UNIQ"
done
err_case "exec into an unknown container" 1 "No such container: nosuch-$UNIQ" md exec "nosuch-$UNIQ" true
err_case "rename of an unknown container" 1 "No such container: nosuch-$UNIQ" md rename "nosuch-$UNIQ" "x-$UNIQ"
err=$(md inspect "nosuch-$UNIQ" 2>&1 >/dev/null); rc=$?
check_eq "inspect of an unknown container exits 1" "$rc" 1
check_match "inspect of an unknown container: No such object" "$err" "No such object: nosuch-$UNIQ"
err_case "unknown hex id" 1 "No such container: ffffffffffffffffffff" md stop ffffffffffffffffffff

# ambiguous prefix: on a private root (other containers on the host must not
# share the prefix), containers until two share a first hex digit
aroot=$(mktemp -d /tmp/mydocker-amb.XXXXXX); arfs=$(mktemp -d /tmp/mydocker-ambfs.XXXXXX)
at_exit "MYDOCKER_ROOT='$aroot' '$MYDOCKER' rm -f \$(MYDOCKER_ROOT='$aroot' '$MYDOCKER' ps -aq) >/dev/null 2>&1; rm -rf '$aroot' '$arfs'"
mk_rootfs "$arfs"
amd() { MYDOCKER_ROOT=$aroot "$MYDOCKER" "$@"; }
declare -A byfirst=()
amb=
for i in $(seq 1 17); do
    c=$(amd create --rootfs "$arfs" true 2>&1) || break
    if [ -n "${byfirst[${c:0:1}]:-}" ]; then amb=$(printf '%s\n%s\n' "${byfirst[${c:0:1}]}" "$c"); break; fi
    byfirst[${c:0:1}]=$c
done
if [ -n "$amb" ]; then
    a1=$(sed -n 1p <<<"$amb"); a2=$(sed -n 2p <<<"$amb")
    pfx=${a1:0:1}; while [ "${a1:0:$((${#pfx} + 1))}" = "${a2:0:$((${#pfx} + 1))}" ]; do pfx=${a1:0:$((${#pfx} + 1))}; done
    err_case "ambiguous prefix '$pfx' (logs)" 1 "multiple IDs found with provided prefix: $pfx" amd logs "$pfx"
    err_case "ambiguous prefix '$pfx' (exec)" 1 "multiple IDs found with provided prefix: $pfx" amd exec "$pfx" true
    err_case "ambiguous prefix '$pfx' (rm)" 1 "multiple IDs found with provided prefix: $pfx" amd rm "$pfx"
    check "ambiguous rm: nothing removed" test -d "$aroot/containers/$a1" -a -d "$aroot/containers/$a2"
    check_eq "a longer unique prefix of one of them works" \
        "$(amd inspect -f '{{.Id}}' "${a2:0:$((${#pfx} + 1))}" 2>&1)" "$a2"
else
    fail "ambiguous prefix" "could not create two containers sharing a first digit"
fi

# rm of a running container without -f: one line, exit 1, nothing changed
pidA=$(insp '{{.State.Pid}}' "$A")
err_case "rm of a running container without -f" 1 'container is running: stop the container before removing or force remove' md rm "$(N a)"
check "rm without -f: still running" is_running "$A"
check_eq "rm without -f: same PID 1" "$(insp '{{.State.Pid}}' "$A")" "$pidA"
check "rm without -f: record kept" test -f "/var/lib/mydocker/containers/$A/container.json"

# bad signal name: docker's daemon rejects it ("Invalid signal: X"), the CLI exits 1
err_case "kill -s with a bad signal name" 1 '[Ii]nvalid signal: NOPE' md kill -s NOPE "$(N a)"
check "bad signal: the container still runs" is_running "$A"
check_eq "bad signal: same PID 1" "$(insp '{{.State.Pid}}' "$A")" "$pidA"

# ================================================================ ps
sleep 2   # A has run for >= 2 s
st=$(status_of "$A")
check_match "ps wording: Up N seconds" "$st" '^Up [0-9]+ seconds$'
check_eq "ps -q lists A (12 hex)" "$(md ps -q | grep -c "^${A:0:12}\$")" 1
check_eq "ps --no-trunc shows the full id" "$(md ps --no-trunc --format '{{.ID}}' | grep -c "^$A\$")" 1
check_eq "ps --no-trunc -q shows the full id" "$(md ps --no-trunc -q | grep -c "^$A\$")" 1

# header of an empty listing: docker's tabwriter (min width 10, padding 3)
check_eq "ps header (no rows) is docker's" "$(md ps -a -f "name=nosuch-$UNIQ")" \
    "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES"
# columns of a row line up under the header
tbl=$(md ps -f "id=$A")
hdr=$(sed -n 1p <<<"$tbl"); row=$(sed -n 2p <<<"$tbl")
check_eq "ps: header + one row" "$(grep -c . <<<"$tbl")" 2
col_ok=1
for h in "IMAGE" "COMMAND" "CREATED" "STATUS" "NAMES"; do
    pre=${hdr%%"$h"*}; pos=${#pre}
    [ "${row:$pos:1}" != " " ] && [ "${row:$((pos - 1)):1}" = " " ] || { col_ok=0; fail "ps column $h lines up" "at $pos: [$hdr] / [$row]"; }
done
[ "$col_ok" = 1 ] && ok "ps columns line up under the header"
img_re='[^ ]+'; [ "$IMG_MODE" = image ] && img_re=busybox
check_match "ps row: id, image, command, created, status, name" "$row" "^${A:0:12} +$img_re +\"sh -c echo started;…\" +[0-9]+ seconds ago +Up [0-9]+ seconds +$(N a)\$"

# exited and created wording, -a, filters
C=$(md run -d --name "$(N c)" "${IMG[@]}" sleep 300 2>&1)
wait_for 3 is_running "$C"
t0=$(now_ms); out=$(md stop -t 1 "$(N c)" 2>&1); rc=$?; t1=$(now_ms)
check_eq "stop -t 1 (PID 1 ignores SIGTERM) exits 0" "$rc" 0
check_eq "stop prints the name as given" "$out" "$(N c)"
el=$((t1 - t0))
[ "$el" -ge 900 ] && [ "$el" -le 1500 ] && ok "stop -t 1 on a SIGTERM-ignoring PID 1 takes ~1 s ($el ms)" || fail "stop -t 1 takes ~1 s" "$el ms"
check_match "ps after SIGKILL: Exited (137) ... ago" "$(status_of "$C")" '^Exited \(137\) (Less than a second|[0-9]+ seconds?) ago$'
check_eq "inspect ExitCode 137" "$(insp '{{.State.ExitCode}}' "$C")" 137
check_eq "inspect Status exited" "$(insp '{{.State.Status}}' "$C")" exited
check_eq "inspect Pid 0 after exit" "$(insp '{{.State.Pid}}' "$C")" 0
check_eq "ps (no -a) hides the exited container" "$(md ps -q --no-trunc | grep -c "^$C\$")" 0
check_eq "ps -a shows the exited container" "$(md ps -aq --no-trunc | grep -c "^$C\$")" 1
sleep 2
check_match "ps wording: Exited (137) N seconds ago" "$(status_of "$C")" '^Exited \(137\) [0-9]+ seconds ago$'

D=$(md create --name "$(N d)" "${IMG[@]}" sh -c 'echo out-d; echo err-d >&2; exit 4' 2>&1)
check_match "create prints the 64-hex id" "$D" '^[0-9a-f]{64}$'
check_eq "ps wording: Created" "$(status_of "$D")" "Created"
check_eq "inspect created: Status" "$(insp '{{.State.Status}}' "$D")" created
check_eq "inspect created: Pid 0, not running" "$(insp '{{.State.Pid}} {{.State.Running}}' "$D")" "0 false"
check_eq "ps -a -f status=created" "$(md ps -a --no-trunc -q -f status=created -f "name=lc-$UNIQ-d")" "$D"
check_eq "ps -a -f status=exited" "$(md ps -a --no-trunc -q -f status=exited -f "name=lc-$UNIQ-c")" "$C"
check_eq "ps -f status=running" "$(md ps --no-trunc -q -f status=running -f "name=lc-$UNIQ-a")" "$A"
check_eq "ps -f name=" "$(md ps -a --no-trunc -q -f "name=$(N c)")" "$C"
check_eq "ps -n 1 (with a filter): the newest" "$(md ps -n 1 --no-trunc -q -f "name=lc-$UNIQ-")" "$D"
check_eq "ps -n 2 (with a filter): the two newest" "$(md ps -n 2 --no-trunc -q -f "name=lc-$UNIQ-" | tr '\n' ' ')" "$D $C "
check_eq "ps -l (with a filter): the newest" "$(md ps -l --no-trunc -q -f "name=lc-$UNIQ-")" "$D"
check_eq "ps -n 1 includes stopped ones" "$(md ps -n 1 --no-trunc -q -f "name=$(N c)")" "$C"

# --format
f=$(md ps --no-trunc -f "id=$A" --format '{{.ID}}|{{.Image}}|{{.Command}}|{{.CreatedAt}}|{{.Status}}|{{.Names}}')
IFS='|' read -r f_id f_img f_cmd f_cat f_st f_nm <<<"$f"
check_eq "ps --format {{.ID}} (--no-trunc)" "$f_id" "$A"
[ "$IMG_MODE" = image ] && check_eq "ps --format {{.Image}}" "$f_img" busybox
check_eq "ps --format {{.Command}} (--no-trunc, Go-quoted)" "$f_cmd" '"sh -c echo started; hostname; trap \"exit 0\" TERM; sleep 300 & wait"'
check_match "ps --format {{.CreatedAt}}" "$f_cat" '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \+0000 UTC$'
check_match "ps --format {{.Status}}" "$f_st" '^Up [0-9]+ seconds$'
check_eq "ps --format {{.Names}}" "$f_nm" "$(N a)"
f=$(md ps -f "id=$A" --format '{{.Command}}')
check_eq "ps --format {{.Command}} is quoted and cut like docker (19 chars + …)" "$f" '"sh -c echo started;…"'
f=$(md ps -f "id=$A" --format 'table {{.ID}}\t{{.Names}}')
check_eq "ps --format table: docker's header and aligned columns" "$f" "$(printf 'CONTAINER ID   NAMES\n%s   %s' "${A:0:12}" "$(N a)")"
f=$(md ps -f "id=$A" --format 'table {{.Names}}')
check_eq "ps --format table, one column" "$f" "$(printf 'NAMES\n%s' "$(N a)")"
j=$(md ps -f "id=$A" --format json)
check_eq "ps --format json: one JSON object per line with docker's keys" "$(python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
o = json.loads(lines[0])
print(len(lines), o["ID"], o["Names"], o["State"], o["Status"].startswith("Up "), sorted(set(["ID","Image","Command","CreatedAt","RunningFor","Status","State","Ports","Names"]) - set(o)))' <<<"$j" 2>&1)" "1 ${A:0:12} $(N a) running True []"
check_not "ps -f with an unknown filter fails" md ps -f "bogus=1"

# ================================================================ create / start / wait / rename / inspect
out=$(md start -a "$(N d)" 2>/tmp/lc-err.$$); rc=$?; err=$(cat /tmp/lc-err.$$); rm -f /tmp/lc-err.$$
check_eq "start -a: the container's stdout" "$out" "out-d"
check_eq "start -a: the container's stderr" "$err" "err-d"
check_eq "start -a: the container's exit code" "$rc" 4
check_match "after start -a: Exited (4)" "$(status_of "$D")" '^Exited \(4\) '
check_eq "wait on an exited container prints its code" "$(md wait "$(N d)" 2>&1)" 4
out=$(md start "$(N d)" 2>&1); rc=$?
check_eq "start (detached) prints the name" "$out $rc" "$(N d) 0"
check_eq "wait after start prints the exit code" "$(md wait "$(N d)" 2>&1)" 4
check_eq "logs of two runs (start -a and start): both logged" "$(md logs "$(N d)" 2>/dev/null | tr '\n' ' ')" "out-d out-d "

E=$(md create --name "$(N e)" "${IMG[@]}" sh -c 'sleep 1; exit 5' 2>&1)
check_eq "start of a created container prints the name" "$(md start "$(N e)" 2>&1)" "$(N e)"
check "started container runs" is_running "$E"
t0=$(now_ms); out=$(md wait "$(N e)" 2>&1); rc=$?; t1=$(now_ms)
check_eq "wait blocks until the exit and prints the code" "$out" 5
check_eq "wait exits 0" "$rc" 0
[ $((t1 - t0)) -ge 400 ] && ok "wait blocked ($((t1 - t0)) ms)" || fail "wait blocked" "$((t1 - t0)) ms"
# the window between PID 1's exit and the monitor's record: a short run, wait at once
bad=
for i in 1 2 3 4 5 6; do
    w=$(md run -d --name "$(N w$i)" "${IMG[@]}" sh -c 'sleep 0.3; exit 4' 2>&1)
    got=$(md wait "$w" 2>&1); [ "$got" = 4 ] || bad="$bad run$i:$got"
    md rm -f "$w" >/dev/null 2>&1
done
[ -z "$bad" ] && ok "run -d then wait: the real exit code, 6 times" || fail "run -d then wait: the real exit code" "$bad (want 4)"
check_eq "start of a running container succeeds and prints the name" "$(md start "$(N a)" 2>&1; echo "rc=$?")" "$(printf '%s\nrc=0' "$(N a)")"

check_eq "rename exits 0, prints nothing" "$(md rename "$(N e)" "$(N e2)" 2>&1; echo "rc=$?")" "rc=0"
check_eq "renamed: the new name resolves" "$(insp '{{.Id}}' "$(N e2)")" "$E"
check_eq "renamed: .Name" "$(insp '{{.Name}}' "$E")" "/$(N e2)"
check_eq "renamed: ps shows the new name" "$(md ps -a --no-trunc -f "id=$E" --format '{{.Names}}')" "$(N e2)"
err_case "renamed: the old name is gone" 1 "No such container: $(N e)" md logs "$(N e)"
err_case "rename to a name in use" 1 "Conflict. The container name \"/$(N a)\" is already in use" md rename "$(N e2)" "$(N a)"
check_eq "failed rename: both names unchanged" "$(insp '{{.Id}}' "$(N e2)") $(insp '{{.Id}}' "$(N a)")" "$E $A"
check_eq "the old name can be reused" "$(md create --name "$(N e)" "${IMG[@]}" true >/dev/null 2>&1; echo $?)" 0

# inspect: docker-shaped JSON
ij=$(md inspect "$A" 2>&1)
check_eq "inspect: docker-shaped fields" "$(python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert isinstance(d, list) and len(d) == 1, "not a one-element array"
c = d[0]
miss = [k for k in ["Id", "Name", "Created", "Path", "Args", "State", "Image", "Config", "HostConfig", "LogPath", "Mounts", "NetworkSettings"] if k not in c]
miss += ["State." + k for k in ["Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid", "ExitCode", "Error", "StartedAt", "FinishedAt"] if k not in c["State"]]
print(miss, c["Path"], c["Args"], c["State"]["Status"], c["State"]["Running"], c["Config"]["Hostname"], c["HostConfig"]["RestartPolicy"]["Name"])' <<<"$ij" 2>&1)" \
    "[] sh ['-c', 'echo started; hostname; trap \"exit 0\" TERM; sleep 300 & wait'] running True ${A:0:12} no"
check_match "inspect .Created is RFC 3339" "$(insp '{{.Created}}' "$A")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'
check_match "inspect .State.StartedAt is RFC 3339" "$(insp '{{.State.StartedAt}}' "$A")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$'
check "inspect .LogPath exists" test -f "$(insp '{{.LogPath}}' "$A")"
check_eq "inspect of two containers: an array of two" "$(md inspect "$A" "$C" | python3 -c 'import json,sys; print([c["Id"] for c in json.load(sys.stdin)])')" "['$A', '$C']"
pidA=$(insp '{{.State.Pid}}' "$A")
check_eq "inspect --format '{{.State.Pid}}' is the container's PID 1 on the host" "$(cat "/proc/$pidA/comm" 2>&1)" sh
check_eq "that PID is PID 1 inside" "$(grep NSpid "/proc/$pidA/status" 2>&1 | awk '{print $NF}')" 1
check_match "inspect FinishedAt after exit is a real time" "$(insp '{{.State.FinishedAt}}' "$C")" '^20[0-9]{2}-'
check_eq "inspect -f of several fields" "$(insp '{{.State.Status}} {{.State.Running}} {{.State.Paused}} {{.State.Restarting}} {{.State.Dead}}' "$A")" "running true false false false"

# ================================================================ stop / kill / restart
t0=$(now_ms); out=$(md stop "$(N a)" 2>&1); rc=$?; t1=$(now_ms)
check_eq "stop of a TERM-trapping sh exits 0, prints the name" "$out $rc" "$(N a) 0"
[ $((t1 - t0)) -lt 1000 ] && ok "stop of a TERM-trapping sh is quick ($((t1 - t0)) ms)" || fail "stop of a TERM-trapping sh is quick" "$((t1 - t0)) ms"
check_match "exit 0 after the trap" "$(status_of "$A")" '^Exited \(0\) '
out=$(md stop "$(N a)" 2>&1); rc=$?
check_eq "stop of a stopped container succeeds and prints the name" "$out|$rc" "$(N a)|0"
check_match "stop of a stopped container: unchanged" "$(status_of "$A")" '^Exited \(0\) '
err_case "kill of a stopped container" 1 "is not running" md kill "$(N a)"
err_case "exec into a stopped container" 1 "is not running" md exec "$(N a)" true
check_eq "restart of a stopped container prints the name" "$(md restart "$(N a)" 2>&1)" "$(N a)"
check "restart: running again" wait_for 3 is_running "$A"
p1=$(insp '{{.State.Pid}}' "$A")
check_eq "restart of a running container prints the name" "$(md restart -t 1 "$(N a)" 2>&1)" "$(N a)"
p2=$(insp '{{.State.Pid}}' "$A")
check "restart: a new PID 1" test "$p1" != "$p2" -a "$p2" != 0
rbad=
for i in 1 2 3 4 5 6 7 8; do
    out=$(md restart -t 1 "$(N a)" 2>&1); [ "$out" = "$(N a)" ] || rbad="$rbad #$i: $out"
done
[ -z "$rbad" ] && ok "8 restarts in a row all succeed" || fail "8 restarts in a row all succeed" "$rbad"
is_running "$A" || md start "$(N a)" >/dev/null 2>&1   # go on after a failed restart
wait_for 3 is_running "$A"
check_eq "kill -s USR1 prints the name" "$(md kill -s USR1 "$(N a)" 2>&1)" "$(N a)"
sleep 0.2
check "kill -s USR1: a PID 1 without a handler for it keeps running" is_running "$A"
check_eq "kill -s SIGTERM prints the name" "$(md kill -s SIGTERM "$(N a)" 2>&1)" "$(N a)"
check "kill -s SIGTERM: the trap exits" wait_for 3 not_running "$A"
check_eq "kill -s SIGTERM: exit 0" "$(insp '{{.State.ExitCode}}' "$A")" 0
md start "$(N a)" >/dev/null 2>&1; wait_for 3 is_running "$A"
check_eq "kill (default KILL) prints the name" "$(md kill "$(N a)" 2>&1)" "$(N a)"
check "kill: not running" wait_for 3 not_running "$A"
check_match "kill: Exited (137)" "$(status_of "$A")" '^Exited \(137\) '
check_eq "kill -s 9 by number" "$(md start "$(N a)" >/dev/null 2>&1; wait_for 3 is_running "$A"; md kill -s 9 "$(N a)" 2>&1)" "$(N a)"
check "kill -s 9: not running" wait_for 3 not_running "$A"
check_eq "stop of several, one unknown: the known one printed" "$(md start "$(N a)" >/dev/null 2>&1; md stop -t 1 "$(N a)" "nosuch-$UNIQ" 2>/dev/null)" "$(N a)"
check_rc "stop of several, one unknown: exit 1" 1 md stop "$(N a)" "nosuch-$UNIQ"

# ================================================================ killed from outside
# kill -9 of PID 1 from the host
K=$(md run -d --name "$(N k)" "${IMG[@]}" sleep 300 2>&1)
wait_for 3 is_running "$K"
kp=$(insp '{{.State.Pid}}' "$K")
if [ -n "$kp" ] && [ "$kp" != 0 ]; then
    kill -9 "$kp"
    check "kill -9 of PID 1 from the host: ps -a shows it exited" wait_for 3 sh -c "'$MYDOCKER' ps -a --no-trunc -f id=$K --format '{{.Status}}' | grep -q '^Exited (137) '"
    check_match "kill -9 of PID 1: status text" "$(status_of "$K")" '^Exited \(137\) (Less than a second|[0-9]+ seconds?) ago$'
    check_eq "kill -9 of PID 1: not in ps" "$(md ps -q --no-trunc | grep -c "^$K\$")" 0
    check_eq "kill -9 of PID 1: rm (no -f) works" "$(md rm "$(N k)" 2>&1)" "$(N k)"
    check_eq "kill -9 of PID 1: nothing left" "$(leftovers "$K")" ""
else
    fail "kill -9 of PID 1 from the host" "no pid from inspect: $kp"
fi

# kill -9 of the monitor (the parent of PID 1)
K=$(md run -d --name "$(N km)" "${IMG[@]}" sleep 300 2>&1)
wait_for 3 is_running "$K"
kp=$(insp '{{.State.Pid}}' "$K"); mon=$(ppid_of "$kp")
check_eq "the parent of PID 1 is mydocker-monitor" "$(cat "/proc/$mon/comm" 2>&1)" "mydocker-monito"
check_eq "the monitor is not the caller's child (init's or a subreaper's)" "$(ppid_of "$mon" | grep -c "^$$\$")" 0
rss=$(ps -o rss= -p "$mon" | tr -d ' ')
[ -n "$rss" ] && [ "$rss" -lt 1024 ] && ok "monitor RSS under 1 MB ($rss kB)" || fail "monitor RSS under 1 MB" "${rss:-?} kB ($(file -b "$(dirname "$MYDOCKER")/mydocker-monitor" | cut -c1-60))"
kill -9 "$mon"
check "kill -9 of the monitor: the container's PID 1 dies" wait_for 3 sh -c "! { s=\$(cat /proc/$kp/stat 2>/dev/null) && s=\${s##*) } && [ \"\${s:0:1}\" != Z ]; }"
check "kill -9 of the monitor: ps -a shows it exited" wait_for 3 sh -c "'$MYDOCKER' ps -a --no-trunc -f id=$K --format '{{.Status}}' | grep -q '^Exited '"
check_match "kill -9 of the monitor: status text" "$(status_of "$K")" '^Exited \(137\) (Less than a second|[0-9]+ seconds?) ago$'
check_match "kill -9 of the monitor: FinishedAt is a real time" "$(insp '{{.State.FinishedAt}}' "$K")" '^20[0-9]{2}-'
check_eq "kill -9 of the monitor: inspect not running" "$(insp '{{.State.Running}} {{.State.Pid}}' "$K")" "false 0"
check_eq "kill -9 of the monitor: rm cleans it" "$(md rm "$(N km)" 2>&1)" "$(N km)"
check_eq "kill -9 of the monitor: nothing left (dirs, name, cgroups, mounts)" "$(leftovers "$K")" ""

# ================================================================ rm
R1=$(md run -d --name "$(N r)" "${IMG[@]}" sleep 300 2>&1)
wait_for 3 is_running "$R1"
rp=$(insp '{{.State.Pid}}' "$R1")
check_eq "rm -f of a running container prints the name" "$(md rm -f "$(N r)" 2>&1)" "$(N r)"
check "rm -f: PID 1 is gone" wait_for 3 sh -c "! { s=\$(cat /proc/$rp/stat 2>/dev/null) && s=\${s##*) } && [ \"\${s:0:1}\" != Z ]; }"
sleep 0.3
check_eq "rm -f: nothing left (dirs, name, cgroups, mounts)" "$(leftovers "$R1")" ""
err_case "rm -f: the name is gone" 1 "No such container: $(N r)" md stop "$(N r)"
check_eq "rm of an exited container" "$(md rm "$(N c)" 2>&1)" "$(N c)"
check_eq "rm of an exited container: nothing left" "$(leftovers "$C")" ""
check_eq "rm of a created container" "$(md rm "$(N e)" 2>&1)" "$(N e)"

# ================================================================ run --rm -d
RM=$(md run --rm -d --name "$(N rm)" "${IMG[@]}" sh -c 'sleep 0.5' 2>&1)
check_match "run --rm -d prints an id" "$RM" '^[0-9a-f]{64}$'
check "run --rm -d: removed after the exit" wait_for 5 sh -c "! test -e /var/lib/mydocker/containers/$RM"
sleep 0.3
check_eq "run --rm -d: not in ps -a" "$(md ps -aq --no-trunc | grep -c "^$RM\$")" 0
check_eq "run --rm -d: nothing left" "$(leftovers "$RM")" ""
check_eq "run --rm -d: the name is free again" "$(md create --name "$(N rm)" "${IMG[@]}" true >/dev/null 2>&1; echo $?)" 0
md rm -f "$(N rm)" >/dev/null 2>&1
RM=$(md run --rm -d --name "$(N rm2)" "${IMG[@]}" sleep 300 2>&1)
wait_for 3 is_running "$RM"
md stop -t 1 "$(N rm2)" >/dev/null 2>&1
check "run --rm -d then stop: removed" wait_for 5 sh -c "! test -e /var/lib/mydocker/containers/$RM"

# ================================================================ 20 run -d / rm -f cycles
ids=(); cbad=
mnt0=$(mounts_snapshot); run0=$(ls /run/mydocker/containers 2>/dev/null | sort)
cg0=$(ls -d /sys/fs/cgroup/*/mydocker/* /sys/fs/cgroup/mydocker/* 2>/dev/null | sort)
for i in $(seq 1 20); do
    c=$(md run -d --name "$(N cy$i)" "${IMG[@]}" sleep 300 2>&1) || { cbad="$cbad run$i:$c"; continue; }
    ids+=("$c")
    o=$(md rm -f "$(N cy$i)" 2>&1); [ "$o" = "$(N cy$i)" ] || cbad="$cbad rm$i:$o"
done
[ -z "$cbad" ] && ok "20 run -d / rm -f cycles" || fail "20 run -d / rm -f cycles" "$cbad"
sleep 0.5
left=; for c in "${ids[@]}"; do l=$(leftovers "$c"); [ -n "$l" ] && left="$left $l"; done
check_eq "20 cycles: nothing left of those containers (dirs, names, cgroups, mounts)" "$left" ""
mnt1=$(mounts_snapshot); run1=$(ls /run/mydocker/containers 2>/dev/null | sort)
cg1=$(ls -d /sys/fs/cgroup/*/mydocker/* /sys/fs/cgroup/mydocker/* 2>/dev/null | sort)
# other engineers' containers may come and go meanwhile: report unrelated changes, fail on ours
extra=$(comm -13 <(echo "$mnt0") <(echo "$mnt1") | grep -c -e "$(printf '%s\n' "${ids[@]}" | cut -c1-12 | paste -sd'|' | sed 's/|/\\|/g')" || true)
check_eq "20 cycles: mountinfo has no new mount of ours" "$extra" 0
[ "$mnt0" = "$mnt1" ] || echo "# note: mountinfo changed during the cycles ($(comm -3 <(echo "$mnt0") <(echo "$mnt1") | wc -l) lines; other tests running?)"
[ "$run0" = "$run1" ] || echo "# note: /run/mydocker/containers changed during the cycles (other tests running?)"
[ "$cg0" = "$cg1" ] || echo "# note: cgroup dirs changed during the cycles (other tests running?)"

# ================================================================ 10 parallel run -d --name same
tmp=$(mktemp -d); at_exit "rm -rf '$tmp'"
for i in $(seq 1 10); do
    ( md run -d --name "$(N same)" "${IMG[@]}" sleep 300 >"$tmp/out$i" 2>"$tmp/err$i"; echo $? >"$tmp/rc$i" ) &
done
wait
check_eq "10 parallel --name same: one exit 0, nine 125" "$(cat "$tmp"/rc* | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')" "1x0 9x125 "
winner=$(cat "$tmp"/out* | grep -E '^[0-9a-f]{64}$')
check_eq "10 parallel: one id printed" "$(grep -c . <<<"$winner")" 1
check_eq "10 parallel: exactly one container with that name" "$(md ps -a --no-trunc -q -f "name=$(N same)")" "$winner"
conf=$(cat "$tmp"/err* | grep -c "Conflict. The container name \"/$(N same)\" is already in use by container \"$winner\". You have to remove (or rename) that container to be able to reuse that name.")
check_eq "10 parallel: nine Conflict messages naming the winner" "$conf" 9
check_eq "10 parallel: one stderr line each" "$(cat "$tmp"/err* | grep -c .)" 9
check "10 parallel: the winner runs" is_running "$winner"
err_case "run --name of a name in use" 125 "Conflict. The container name \"/$(N same)\" is already in use" md run -d --name "$(N same)" "${IMG[@]}" true
md rm -f "$(N same)" >/dev/null 2>&1

# ================================================================ 40 parallel run --rm
# each run's sweep of dead owners' --rm containers must not take a lock another run is making
before=$(md ps -aq | sort)
for i in $(seq 1 40); do
    ( md run --rm --network none --label "lc-par=$UNIQ" "${IMG[@]}" true >"$tmp/prm$i" 2>&1; echo $? >"$tmp/prc$i" ) &
done
wait
check_eq "40 parallel run --rm: all exit 0" "$(cat "$tmp"/prc* | sort | uniq -c | awk '{print $1 "x" $2}')" "40x0"
check_eq "... no error printed" "$(cat "$tmp"/prm* | head -3)" ""
check_eq "... none of them left" "$(md ps -aq -f "label=lc-par=$UNIQ" | wc -l)" 0

# ================================================================ commands being built by others
# from the usage list only: running a command to probe it may act (container prune did)
has_cmd() { md --help 2>&1 | awk '{print $1}' | grep -qx -- "$1"; }
P=$(md run -d --name "$(N p)" "${IMG[@]}" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done' 2>&1)
wait_for 3 is_running "$P"
if has_cmd pause && has_cmd unpause; then
    check_eq "pause prints the name" "$(md pause "$(N p)" 2>&1)" "$(N p)"
    check_match "ps: Up N (Paused)" "$(status_of "$P")" '^Up .* \(Paused\)$'
    check_eq "inspect: paused" "$(insp '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' "$P")" "paused true true"
    n1=$(cat "/proc/$(insp '{{.State.Pid}}' "$P")/root/tmp/n" 2>/dev/null); sleep 0.5
    n2=$(cat "/proc/$(insp '{{.State.Pid}}' "$P")/root/tmp/n" 2>/dev/null)
    check_eq "paused: the processes are frozen" "$n2" "$n1"
    err_case "exec into a paused container" 1 "paused" md exec "$(N p)" true
    err_case "pause of a paused container" 1 "paused" md pause "$(N p)"
    check_eq "unpause prints the name" "$(md unpause "$(N p)" 2>&1)" "$(N p)"
    check_match "ps: Up after unpause" "$(status_of "$P")" '^Up [^(]*$'
    sleep 0.4; n3=$(cat "/proc/$(insp '{{.State.Pid}}' "$P")/root/tmp/n" 2>/dev/null)
    check "unpaused: running again" test "${n3:-0}" -gt "${n2:-0}"
    err_case "unpause of a running container" 1 "not paused" md unpause "$(N p)"
    err_case "pause of a stopped container" 1 "is not running" md pause "$(N a)"
else
    skip "pause/unpause" "not implemented yet"
fi
if has_cmd top; then
    tp=$(md top "$(N p)" 2>&1); rc=$?
    check_eq "top exits 0" "$rc" 0
    check_match "top: a header with PID and CMD" "$(head -n 1 <<<"$tp")" 'PID.*(CMD|COMMAND)'
    check_match "top: lists the container's sh" "$tp" 'sh -c i=0'
    err_case "top of a stopped container" 1 "is not running" md top "$(N a)"
else
    skip "top" "not implemented yet"
fi
if has_cmd stats; then
    st=$(timeout 10 "$MYDOCKER" stats --no-stream "$(N p)" 2>&1); rc=$?
    check_eq "stats --no-stream exits 0" "$rc" 0
    check_match "stats: docker's header" "$(head -n 1 <<<"$st")" '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$'
    check_match "stats: a row for the container" "$st" "${P:0:12} +$(N p) "
else
    skip "stats" "not implemented yet"
fi
if has_cmd attach; then
    AT=$(md run -d --name "$(N at)" "${IMG[@]}" sh -c 'while :; do echo tick; sleep 0.2; done' 2>&1)
    wait_for 3 is_running "$AT"
    out=$(timeout 1.5 "$MYDOCKER" attach --no-stdin "$(N at)" 2>/dev/null </dev/null)
    check_match "attach relays the container's stdout" "$out" 'tick'
    check "attach ends, the container still runs" is_running "$AT"
    A2=$(md run -d --name "$(N at2)" "${IMG[@]}" sh -c 'sleep 1; echo bye; exit 6' 2>&1)
    out=$(timeout 10 "$MYDOCKER" attach "$(N at2)" 2>&1 </dev/null); rc=$?
    check_eq "attach: output until the exit" "$out" "bye"
    check_eq "attach: the container's exit code" "$rc" 6
    err_case "attach to a stopped container" 1 "You cannot attach to a stopped container" md attach "$(N a)"
else
    skip "attach" "not implemented yet"
fi
# lists read each container's summary (summary.json, store/summary.c), not its record: it
# follows every change of the record, and a record without one (written before summaries)
# is listed from the record itself
S1=$(md run -d --name "$(N sum)" -l sum=1 "${IMG[@]}" sleep 300 2>&1)
sdir=$(md inspect -f '{{.ResolvConfPath}}' "$S1" 2>/dev/null); sdir=${sdir%/resolv.conf}
check_match "summary: written with the record" "$(cat "$sdir/summary.json" 2>&1)" '"Status":"running".*"Labels":\{"sum":"1"\}'
check_not "summary: not the record's HostConfig defaults" grep -q '"ShmSize"' "$sdir/summary.json"
md stop -t 0 "$S1" >/dev/null 2>&1
md rename "$(N sum)" "$(N sum2)" >/dev/null 2>&1
check_match "summary: follows stop and rename" "$(cat "$sdir/summary.json" 2>&1)" '"Name":"/lc-[^"]*-sum2".*"Status":"exited"'
line=$(md ps -a --no-trunc -f label=sum=1 --format '{{.ID}} {{.Names}} {{.Status}} {{.Labels}}')
check_match "ps: from the summary" "$line" "^$S1 $(N sum2) Exited \(137\) .* sum=1$"
rm -f "$sdir/summary.json"
check_eq "ps: a record without a summary is listed from the record" \
    "$(md ps -a --no-trunc -f label=sum=1 --format '{{.ID}} {{.Names}} {{.Status}} {{.Labels}}')" "$line"
md start "$S1" >/dev/null 2>&1
check_match "summary: written again at the next change" "$(cat "$sdir/summary.json" 2>&1)" '"Status":"running"'
md rm -f "$S1" >/dev/null 2>&1
# rm -f of a container a foreground run owns: the run records the end and exits 137 (rm -f
# kills only a monitor proper, never the command owning the container)
md run --name "$(N fg)" --network none "${IMG[@]}" sleep 60 >/dev/null 2>&1 & fg=$!
wait_for 5 sh -c "[ \"\$('$MYDOCKER' inspect -f '{{.State.Status}}' '$(N fg)' 2>/dev/null)\" = running ]"
md rm -f "$(N fg)" >/dev/null 2>&1; wait "$fg"; fgrc=$?
check_eq "rm -f of a foreground run's container: the run exits 137, the container is gone" \
    "$fgrc $(md ps -aq -f name="$(N fg)" | wc -l)" "137 0"
# rm: the directory leaves the store by a rename and a detached process deletes it (and what
# a killed deleter left); the command's output pipe is not held by it
store=${sdir%/*}
T1=$(md create --name "$(N trash)" "${IMG[@]}" true 2>&1)
mkdir -p "$store/.removing-lc-$UNIQ/sub" && echo left > "$store/.removing-lc-$UNIQ/sub/f"
check_eq "rm: prints the name" "$(md rm "$(N trash)" 2>&1)" "$(N trash)"
check "rm: the directory has left the store when rm returns" test ! -e "$store/$T1"
wait_for 5 sh -c "! ls -A '$store' | grep -q '^\.removing-'"
check_eq "... and is deleted after, with a killed deleter's leftover" "$(ls -A "$store" | grep -c '^\.removing-')" 0
# prune removes every stopped container: only ever run it on a private MYDOCKER_ROOT
proot=$(mktemp -d); at_exit "rm -rf '$proot'"
if has_cmd container && ! MYDOCKER_ROOT=$proot md container prune -f 2>&1 | grep -q "unknown container command"; then
    rfs=$(mktemp -d); at_exit "rm -rf '$rfs'"; mk_rootfs "$rfs"
    x1=$(MYDOCKER_ROOT=$proot md run -d --rootfs "$rfs" true 2>&1)
    x2=$(MYDOCKER_ROOT=$proot md run -d --rootfs "$rfs" sleep 300 2>&1)
    at_exit "MYDOCKER_ROOT='$proot' '$MYDOCKER' rm -f '$x1' '$x2'"
    sleep 0.5
    out=$(MYDOCKER_ROOT=$proot md container prune -f 2>&1); rc=$?
    check_eq "container prune -f exits 0" "$rc" 0
    check_match "container prune lists the removed id" "$out" "Deleted Containers:.*$x1"
    check_eq "container prune: only the running one is left" "$(MYDOCKER_ROOT=$proot md ps -aq --no-trunc)" "$x2"
    MYDOCKER_ROOT=$proot md rm -f "$x2" >/dev/null 2>&1
else
    skip "container prune" "not implemented yet"
fi

summary
