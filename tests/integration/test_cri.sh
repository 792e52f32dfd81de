#!/usr/bin/env bash
# The Kubernetes node path (issue 18): containerd's CRI plugin runs pods with mydocker-runc as a
# runtime handler, driven through the CRI gRPC API as a kubelet drives it (cri/scenarios.py; no
# kubelet or crictl is packaged). A private containerd (root, state, socket, CNI config under a
# temp dir), a pause image built here, Debian's CNI plugins (bridge, host-local, portmap,
# loopback); the same scenarios with the `mydocker` handler and with runc's, and nothing left
# after: no pod, shim, mount, netns, cgroup or bridge of this test.
. "$(dirname "$0")/lib.sh"
for need in containerd ctr protoc /usr/bin/grpc_python_plugin /usr/lib/cni/bridge; do
    if ! command -v "$need" >/dev/null; then
        echo "FAIL - $need is not installed (scripts/setup.sh installs it)"
        summary
    fi
done
if ! /usr/bin/python3 -c 'import grpc, google.protobuf, websocket' 2>/dev/null; then
    echo "FAIL - python3-grpcio, python3-protobuf or python3-websocket missing (scripts/setup.sh)"
    summary
fi
T=$(mktemp -d /tmp/mydocker-cri.XXXXXX)
N=$((RANDOM % 200 + 20))
BR=mdcri$N
CG=/mdcri-$UNIQ
at_exit "rm -rf '$T'"

# the stubs, from our subset of the CRI's api.proto
mkdir -p "$T/gen"
check "protoc: the CRI stubs" protoc -I "$LIB_DIR/cri" --python_out="$T/gen" --grpc_out="$T/gen" \
    --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin runtime.proto

# the images: busybox, and a pause image whose only file is our static pause
mk_rootfs "$T/rootfs" || { echo "FAIL - cannot build a rootfs"; summary; }
mkdir -p "$T/pause-rootfs"
cp "$REPO_DIR/build/probes/pause" "$T/pause-rootfs/pause"
IMG=docker.io/library/mdcri-busybox:$UNIQ
PAUSE=docker.io/library/mdcri-pause:$UNIQ
python3 "$LIB_DIR/runc_oci_image.py" "$T/rootfs" "$T/bb.tar" "$IMG"
python3 "$LIB_DIR/runc_oci_image.py" "$T/pause-rootfs" "$T/pause.tar" "$PAUSE" '["/pause"]'

# the mydocker handler's binary, through a wrapper that notes the shim's command lines
cat >"$T/mydocker-runc" <<EOF
#!/bin/sh
echo "\$*" >>"$T/runtime-argv.log"
exec "$REPO_DIR/build/mydocker-runc" "\$@"
EOF
chmod +x "$T/mydocker-runc"

mkdir -p "$T/cni"
cat >"$T/cni/10-mdcri.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "mdcri-$UNIQ",
 "plugins": [
  {"type": "bridge", "bridge": "$BR", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.$N.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}},
  {"type": "loopback"}]}
EOF
cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
[grpc]
  address = "$T/containerd.sock"
[ttrpc]
  address = "$T/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  # root here lacks CAP_SYS_RESOURCE (docs/kubernetes.md): the sandbox's oom_score_adj of -998
  # would be refused to runc and mydocker-runc alike; containerd keeps it at its own instead
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mydocker]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mydocker.options]
        BinaryName = "$T/mydocker-runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$T/cni"
EOF
containerd --config "$T/config.toml" </dev/null >"$T/containerd.log" 2>&1 &
CTD_PID=$!
# last in, first out: the pods go before containerd, containerd before its directories
at_exit "umount -R '$T/root' 2>/dev/null; umount -R '$T/state' 2>/dev/null"
at_exit "kill $CTD_PID 2>/dev/null; wait $CTD_PID 2>/dev/null"
C() { ctr --address "$T/containerd.sock" -n k8s.io "$@"; }
at_exit 'for t in $(C task ls -q 2>/dev/null); do C task kill -s SIGKILL "$t"; sleep 0.2; C task delete "$t"; done >/dev/null 2>&1; for c in $(C containers ls -q 2>/dev/null); do C containers delete "$c"; done >/dev/null 2>&1'
check "a private containerd with the CRI plugin is up" wait_for 30 test -S "$T/containerd.sock"
wait_for 20 C version
check "ctr -n k8s.io images import: busybox" C images import "$T/bb.tar"
check "ctr -n k8s.io images import: the pause image" C images import "$T/pause.tar"

for handler in mydocker runc; do
    out=$(timeout 600 /usr/bin/python3 "$LIB_DIR/cri/scenarios.py" "$T/gen" "$T/containerd.sock" "$handler" \
        "$IMG" "$CG" "$T" 2>&1)
    printf '%s\n' "$out" | grep -E '^(ok|FAIL) - ' | sed 's/^/  /' | sed 's/^  //'
    PASS=$((PASS + $(printf '%s\n' "$out" | grep -c '^ok - ')))
    FAILED=$((FAILED + $(printf '%s\n' "$out" | grep -c '^FAIL - ')))
    printf '%s\n' "$out" | grep -q -E '^[0-9]+ passed, [0-9]+ failed$' ||
        fail "[$handler] the scenarios ran to their end" "$(printf '%s\n' "$out" | tail -n 5)"
    if [ "$handler" = mydocker ]; then
        check_eq "[mydocker] the shim ran mydocker-runc: create, start, exec, update, kill, delete" \
            "$(cut -d' ' -f1-12 "$T/runtime-argv.log" 2>/dev/null | grep -oE ' (create|start|exec|update|delete|kill)( |$)' | sort -u | tr -d ' ' | tr '\n' ' ')" \
            "create delete exec kill start update "
    fi
done

check_eq "no pod task left" "$(C task ls -q | wc -l)" 0
kill "$CTD_PID" 2>/dev/null; wait "$CTD_PID" 2>/dev/null
check_eq "no shim of this containerd left" "$(pgrep -f "containerd-shim-runc-v2 .*$T/containerd.sock" | wc -l)" 0
check_eq "no mount under the test's dirs left" "$(grep -c " $T/" /proc/self/mountinfo)" 0
ip link del "$BR" 2>/dev/null
rm -rf "/var/lib/cni/networks/mdcri-$UNIQ" "/var/lib/cni/results/mdcri-$UNIQ"-* 2>/dev/null
for d in /sys/fs/cgroup/*"$CG" /sys/fs/cgroup/unified"$CG"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
check_eq "no cgroup of the pods left" "$(ls -d /sys/fs/cgroup/*"$CG" /sys/fs/cgroup/*/"${CG#/}" 2>/dev/null | wc -l)" 0
summary
