# A private containerd 1.6 with its CRI plugin, for tests/integration/test_cri.sh and
# bench/cri.sh: root, state, socket and CNI configuration under a temp dir; runtime handlers
# `runc` and `mydocker` (the binary given); busybox and pause images imported; a CNI bridge and
# subnet of its own. Source after lib.sh, then:
#   cri_env_up DIR MYDOCKER_RUNC   DIR made by the caller; sets IMG (busybox), GEN (the stubs),
#                                  CG (the pods' parent cgroup), CSOCK; cleans up at exit
#   cri_env_down                   stops containerd; checks that nothing of it is left
CTD_PID=
C() { ctr --address "$CSOCK" -n k8s.io "$@"; }

cri_config() { # DIR MYDOCKER_RUNC PAUSE
    cat >"$1/cni/10-mdcri.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "mdcri-$UNIQ",
 "plugins": [
  {"type": "bridge", "bridge": "$BR", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.$CNET.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}},
  {"type": "loopback"}]}
EOF
    cat >"$1/config.toml" <<EOF
version = 2
root = "$1/root"
state = "$1/state"
[grpc]
  address = "$1/containerd.sock"
[ttrpc]
  address = "$1/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$3"
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
        BinaryName = "$2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$1/cni"
EOF
}

cri_env_up() {
    local dir=$1 md_runc=$2
    # what a shim or a pod leaves where containerd keeps it whatever its config says
    SHIM_SOCKS_BEFORE=$(ls /run/containerd/s 2>/dev/null | sort)
    NETNS_BEFORE=$(ls /var/run/netns 2>/dev/null | sort)
    CNET=$((RANDOM % 200 + 20))
    BR=mdcri$CNET
    CG=/mdcri-$UNIQ
    GEN=$dir/gen
    CSOCK=$dir/containerd.sock
    mkdir -p "$GEN" "$dir/cni" "$dir/pause-rootfs"
    # the stubs, from our subset of the CRI's api.proto
    protoc -I "$LIB_DIR/cri" --python_out="$GEN" --grpc_out="$GEN" \
        --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin runtime.proto || return 1
    # the images: busybox, and a pause image whose only file is our static pause
    mk_rootfs "$dir/rootfs" || return 1
    cp "$REPO_DIR/build/probes/pause" "$dir/pause-rootfs/pause"
    IMG=docker.io/library/mdcri-busybox:$UNIQ
    local pause=docker.io/library/mdcri-pause:$UNIQ
    python3 "$LIB_DIR/runc_oci_image.py" "$dir/rootfs" "$dir/bb.tar" "$IMG"
    python3 "$LIB_DIR/runc_oci_image.py" "$dir/pause-rootfs" "$dir/pause.tar" "$pause" '["/pause"]'
    cri_config "$dir" "$md_runc" "$pause"
    containerd --config "$dir/config.toml" </dev/null >"$dir/containerd.log" 2>&1 &
    CTD_PID=$!
    # last in, first out: the pods go before containerd, containerd before its directories
    at_exit "umount -R '$dir/root' 2>/dev/null; umount -R '$dir/state' 2>/dev/null; ip link del '$BR' 2>/dev/null; rm -rf '/var/lib/cni/networks/mdcri-$UNIQ'; for d in /sys/fs/cgroup/*'$CG'; do [ -d \"\$d\" ] && rmdir \"\$d\"; done 2>/dev/null"
    at_exit "kill $CTD_PID 2>/dev/null; wait $CTD_PID 2>/dev/null"
    at_exit 'for t in $(C task ls -q 2>/dev/null); do C task kill -s SIGKILL "$t"; sleep 0.2; C task delete "$t"; done >/dev/null 2>&1; for c in $(C containers ls -q 2>/dev/null); do C containers delete "$c"; done >/dev/null 2>&1'
    wait_for 30 test -S "$CSOCK" && wait_for 20 C version || return 1
    C images import "$dir/bb.tar" >/dev/null && C images import "$dir/pause.tar" >/dev/null
}

cri_env_down() {
    local dir=${CSOCK%/containerd.sock}
    check_eq "no pod task left" "$(C task ls -q | wc -l)" 0
    kill "$CTD_PID" 2>/dev/null
    wait "$CTD_PID" 2>/dev/null
    check_eq "no shim of this containerd left" "$(pgrep -f "containerd-shim-runc-v2 .*$CSOCK" | wc -l)" 0
    check_eq "no mount under the test's dirs left" "$(grep -c " $dir/" /proc/self/mountinfo)" 0
    check_eq "no shim socket left in /run/containerd/s" "$(ls /run/containerd/s 2>/dev/null | sort)" "$SHIM_SOCKS_BEFORE"
    check_eq "no pod network namespace left" "$(ls /var/run/netns 2>/dev/null | sort)" "$NETNS_BEFORE"
    ip link del "$BR" 2>/dev/null
    rm -rf "/var/lib/cni/networks/mdcri-$UNIQ" 2>/dev/null
    for d in /sys/fs/cgroup/*"$CG"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
    check_eq "no cgroup of the pods left" "$(ls -d /sys/fs/cgroup/*"$CG" 2>/dev/null | wc -l)" 0
}
