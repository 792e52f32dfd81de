# A private dockerd for the benches that compare with docker (source it): its root, exec root,
# socket and pid file in DIR, no default bridge and no iptables (nothing of it is left on the
# host), busybox loaded from DIR/bb.tar.
#   private_dockerd DIR     starts it (DPID), waits until it answers, loads busybox; 1 if not
private_dockerd() {
    local dir=$1
    dockerd --data-root "$dir/dk" --exec-root "$dir/dkx" -H "unix://$dir/dockerd.sock" \
        --pidfile "$dir/docker.pid" --bridge none --iptables=false --ip-masq=false \
        >"$dir/dockerd.log" 2>&1 &
    DPID=$!
    for _ in $(seq 100); do
        /usr/bin/docker -H "unix://$dir/dockerd.sock" version >/dev/null 2>&1 && break
        sleep 0.1
    done
    /usr/bin/docker -H "unix://$dir/dockerd.sock" load -q -i "$dir/bb.tar" >/dev/null 2>&1
}

# A private MYDOCKER_ROOT (DIR/md, exported) with busybox made from the host's, and DIR/bb.tar of
# it for private_dockerd. Needs $MD and tests/integration/reglib.sh (mk_busybox_tar).
#   bench_store DIR
bench_store() {
    export MYDOCKER_ROOT=$1/md
    mk_busybox_tar "$1/bb-rootfs.tar"
    "$MD" import "$1/bb-rootfs.tar" busybox >/dev/null
    "$MD" save -o "$1/bb.tar" busybox
}
