#!/usr/bin/env bash
# containerd driving mydocker-runc: a private containerd (its own root,
# state and socket in a temp dir, stopped at the end), an image imported
# from a local OCI archive of the busybox rootfs, and ctr with --runc-binary
# for run, run -d, exec, ps, pause/resume, kill, delete and a tty.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/runc_lib.sh"
if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
    echo "ok - containerd is not installed (scripts/setup.sh installs it): skipped"
    summary
fi
runc_setup "$@"
forget_cgroup_parent default

T=$RTMP/ctd
mkdir -p "$T"
cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$T/containerd.sock"
[ttrpc]
  address = "$T/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
containerd --config "$T/config.toml" </dev/null >"$T/containerd.log" 2>&1 &
CTD_PID=$!
# last in, first out: the containers go before containerd, and containerd
# before its directories
at_exit "kill $CTD_PID; wait $CTD_PID; umount -R '$T/root' 2>/dev/null; rm -rf '$T'"
C() { ctr --address "$T/containerd.sock" "$@"; }
at_exit 'for t in $(C task ls -q 2>/dev/null); do C task kill -s SIGKILL "$t"; sleep 0.2; C task delete "$t"; done; for c in $(C containers ls -q 2>/dev/null); do C containers delete "$c"; done'
check "a private containerd is up" wait_for 20 test -S "$T/containerd.sock"
wait_for 10 C version

IMG=docker.io/library/mdtest-$UNIQ:latest
python3 "$LIB_DIR/runc_oci_image.py" "$RUNC_ROOTFS" "$T/img.tar" "$IMG"
check "ctr images import of a local OCI archive" C images import "$T/img.tar"
check_match "the image is listed" "$(C images ls -q)" "mdtest-$UNIQ"

RR=$T/runc-root
CR=(--runc-binary "$RUNC" --runc-root "$RR")
out=$(C run --rm "${CR[@]}" "$IMG" "ct1-$UNIQ" sh -c 'echo hello from containerd; cat /proc/self/cgroup | head -1' 2>&1); rc=$?
check_eq "ctr run --rm: exit 0" "$rc" 0
check_match "... the output" "$out" "hello from containerd"
check_match "... in containerd's cgroup (default/<id>)" "$out" "/default/ct1-$UNIQ"
C run --rm "${CR[@]}" "$IMG" "ct2-$UNIQ" sh -c 'exit 3' </dev/null >/dev/null 2>&1; rc=$?
check_eq "ctr run --rm: the task's exit status" "$rc" 3
out=$(C run --rm "${CR[@]}" "$IMG" "ct3-$UNIQ" nosuchcmd 2>&1); rc=$?
check_not "ctr run of a missing command fails" test "$rc" -eq 0
check_match "... with our error" "$out" "executable file not found"
C containers delete "ct3-$UNIQ" >/dev/null 2>&1

check "ctr run -d" C run -d "${CR[@]}" "$IMG" "ctd-$UNIQ" sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
check_match "task ls: RUNNING" "$(C task ls)" "ctd-$UNIQ +[0-9]+ +RUNNING"
check_match "mydocker-runc's own state shows it" "$(R --root "$RR/default" list 2>&1 || "$RUNC" --root "$RR/default" list)" "ctd-$UNIQ .*running"
check_match "task exec" "$(C task exec --exec-id e1 "ctd-$UNIQ" sh -c 'echo in-exec $((6*7))' 2>&1)" "in-exec 42"
C task exec --exec-id e2 "ctd-$UNIQ" sh -c 'exit 5' >/dev/null 2>&1; rc=$?
check_eq "task exec: the exit status" "$rc" 5
check_match "task ps lists the init" "$(C task ps "ctd-$UNIQ")" $'\n[0-9]+'
check "task pause" C task pause "ctd-$UNIQ"
check_match "... PAUSED" "$(C task ls)" "ctd-$UNIQ +[0-9]+ +PAUSED"
check "task resume" C task resume "ctd-$UNIQ"
check_match "... RUNNING" "$(C task ls)" "ctd-$UNIQ +[0-9]+ +RUNNING"
check "task kill (SIGTERM)" C task kill "ctd-$UNIQ"
wait_for 10 bash -c "ctr --address '$T/containerd.sock' task ls | grep -q 'ctd-$UNIQ.*STOPPED'"
check_match "... STOPPED" "$(C task ls)" "ctd-$UNIQ +[0-9]+ +STOPPED"
check "task delete" C task delete "ctd-$UNIQ"
check "container delete" C containers delete "ctd-$UNIQ"
check_eq "no task left" "$(C task ls -q)" ""
check_eq "mydocker-runc's state is empty" "$(ls "$RR/default" 2>/dev/null)" ""

# a tty: the shim gives us a console socket and relays the pty
out=$(timeout 60 python3 - "$T/containerd.sock" "$RUNC" "$RR" "$IMG" "ctt-$UNIQ" <<'PY'
import os, pty, select, sys, time
sock, runc, root, img, cid = sys.argv[1:6]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("ctr", ["ctr", "--address", sock, "run", "--rm", "-t", "--runc-binary", runc,
                      "--runc-root", root, img, cid, "sh"])
out = b""
def read(t):
    global out
    end = time.time() + t
    while time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
read(2)
os.write(fd, b"tty; echo $((40+2)); exit 7\r")
read(5)
_, st = os.waitpid(pid, 0)
print(out.decode(errors="replace").replace("\r", ""))
print("status", os.waitstatus_to_exitcode(st))
PY
)
check_match "ctr run -t: a pty in the container" "$out" "/dev/pts/[0-9]+"
check_match "... a working shell" "$out" $'\n42\n'
check_match "... its exit status" "$out" "status 7"
check "image removed" C images rm "$IMG"

summary
