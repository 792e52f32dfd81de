#!/usr/bin/env bash
# podman driving mydocker-runc by path (through conmon), with its own
# storage in a temp dir, cgroup_manager = "cgroupfs", runtime_supports_json
# naming the runtime, and default ulimits that fit this machine (podman
# asks for nofile/nproc 1048576; root here lacks CAP_SYS_RESOURCE and the
# hard nofile limit is 20000): run --rm, exit statuses, run -d, exec, logs,
# pause/unpause, stop, kill, rm -f, -p with podman's network, run -it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/runc_lib.sh"
if ! command -v podman >/dev/null; then
    echo "ok - podman is not installed (scripts/setup.sh installs it): skipped"
    summary
fi
runc_setup "$@"
forget_cgroup_parent libpod_parent

# short: podman refuses a runroot longer than 50 characters
T=$(mktemp -d /tmp/pm.XXXXXX)
mkdir -p "$T/tmp"
cat >"$T/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$T/tmp"
runtime = "mydocker"
runtime_supports_json = ["mydocker"]
[engine.runtimes]
mydocker = ["$RUNC"]
EOF
export CONTAINERS_CONF=$T/containers.conf
P() { podman --root "$T/storage" --runroot "$T/run" "$@"; }
had_bridge=$(ip link show cni-podman0 >/dev/null 2>&1 && echo yes)
at_exit "rm -rf '$T'"
at_exit "[ -n '$had_bridge' ] || ip link del cni-podman0"
at_exit 'P rm -af -t 0; P system reset -f; umount -R "$T/storage" "$T/run"'

ROOT=$RTMP/prootfs
cp -a "$RUNC_ROOTFS" "$ROOT"
mkdir -p "$ROOT/www" && echo "hello-podman-$UNIQ" >"$ROOT/www/index.html"
N=pm-$UNIQ

check_match "podman uses mydocker-runc" "$(P info --format '{{.Host.OCIRuntime.Path}}')" "mydocker-runc$"
check_eq "run --rm" "$(P run --rm --network none --rootfs "$ROOT" echo hi 2>&1)" hi
P run --rm --network none --rootfs "$ROOT" sh -c 'exit 3' >/dev/null 2>&1; rc=$?
check_eq "run --rm: the exit status" "$rc" 3
out=$(P run --rm --network none --rootfs "$ROOT" nosuchcmd 2>&1); rc=$?
check_eq "run of a missing command: 127" "$rc" 127
check_match "... with the runtime's message" "$out" "executable file not found"
VIEW='echo $$ $(hostname) $(id); grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status; ulimit -n; ls /dev; awk "{print \$2, \$3}" /proc/self/mounts | sort'
ours=$(P run --rm --network none --hostname h-$UNIQ --rootfs "$ROOT" sh -c "$VIEW" 2>&1)
check_match "run: pid 1, the hostname" "$ours" "^1 h-$UNIQ uid=0"
if command -v runc >/dev/null; then
    check_eq "run: the container's view is the one runc gives (caps, seccomp, limits, /dev, mounts)" \
        "$ours" "$(P --runtime runc run --rm --network none --hostname h-$UNIQ --rootfs "$ROOT" sh -c "$VIEW" 2>&1)"
fi

check "run -d" P run -d --name "$N" --network none --rootfs "$ROOT" sh -c 'trap "exit 0" TERM; echo started; while :; do sleep 0.1; done'
check_match "ps: Up" "$(P ps --filter name="$N" --format '{{.Status}}')" "^Up"
check_eq "exec" "$(P exec "$N" sh -c 'echo in-exec $((6*7))' 2>&1)" "in-exec 42"
check_match "--tmpfs (podman's tmpcopyup: the tmpfs starts with what it covers)" \
    "$(P run --rm --network none --tmpfs /etc --rootfs "$ROOT" sh -c 'grep -c root: /etc/passwd; touch /etc/x && echo writable' 2>&1)" $'^1\nwritable$'
P exec "$N" sh -c 'exit 6' >/dev/null 2>&1; rc=$?
check_eq "exec: the exit status" "$rc" 6
check_match "exec sees the container's processes" "$(P exec "$N" ps -o pid,args 2>&1)" "1 sh -c trap"
check_eq "logs (conmon captured the runtime's stdio)" "$(P logs "$N" 2>&1)" started
check "pause" P pause "$N"
check_match "... paused" "$(P inspect --format '{{.State.Status}}' "$N")" paused
check "unpause" P unpause "$N"
check_match "... running" "$(P inspect --format '{{.State.Status}}' "$N")" running
check "stop (SIGTERM)" P stop -t 5 "$N"
check_eq "... exited 0" "$(P inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$N")" "exited 0"
check "start again" P start "$N"
check_match "... running" "$(P inspect --format '{{.State.Status}}' "$N")" running
check "kill" P kill "$N"
wait_for 10 bash -c "[ \"\$(podman --root '$T/storage' --runroot '$T/run' inspect --format '{{.State.Status}}' '$N')\" = exited ]"
check "rm -f" P rm -f -t 0 "$N"
check_eq "nothing left" "$(P ps -aq)" ""

# -p: podman's network (CNI bridge + port mapping) in the namespace we made
check "run -d -p" P run -d --name "$N-web" -p 18080:80 --rootfs "$ROOT" httpd -f -p 80 -h /www
body=$(for i in $(seq 1 50); do python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:18080/index.html", timeout=2).read().decode().strip())' 2>/dev/null && break; sleep 0.1; done)
check_eq "-p 18080:80 reaches the container" "$body" "hello-podman-$UNIQ"
check "rm -f the web container" P rm -f -t 0 "$N-web"

# run -it through a pty (conmon gets the pty master through our console socket)
out=$(timeout 60 python3 - "$T" "$ROOT" <<'PY'
import os, pty, select, sys, time
t, root = sys.argv[1:3]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("podman", ["podman", "--root", t + "/storage", "--runroot", t + "/run", "run", "--rm",
                         "-it", "--network", "none", "--rootfs", root, "sh"])
out = b""
def read(s):
    global out
    end = time.time() + s
    while time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
read(3)
os.write(fd, b"tty; echo $((40+2)); exit 5\r")
read(5)
_, st = os.waitpid(pid, 0)
print(out.decode(errors="replace").replace("\r", ""))
print("status", os.waitstatus_to_exitcode(st))
PY
)
check_match "run -it: a pty" "$out" "/dev/pts/[0-9]+"
check_match "... a working shell" "$out" $'\n42\n'
check_match "... its exit status" "$out" "status 5"

summary
