#!/usr/bin/env bash
# Command 1 of the README: on a fresh Debian 12 root shell, install every
# package needed to build and test, build, create the default image
# `busybox` through the normal import path, and run a container from it.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential pkg-config make
    libjson-c-dev libseccomp-dev libcap-dev          # hot path: run, exec, runtime
    libarchive-dev libssl-dev                        # image tool: layers, digests
    libcurl4-openssl-dev libmnl-dev libnftables-dev  # registry, netlink, firewall
    libmicrohttpd-dev                                # the Engine API server (docs/api.md)
    libyaml-dev                                      # mydocker compose (docs/compose.md)
    busybox-static                                   # the default image's rootfs
    python3 iproute2 procps util-linux psmisc        # tests (pty driving, ip, ps, script)
    hyperfine runc crun                              # bench/: side by side timings
    buildah docker.io                                # bench/build.sh: buildah, a private dockerd (BuildKit, classic)
    docker-registry skopeo apache2-utils openssl     # registry tests: local registry, htpasswd, tokens
    podman                                           # bench/pull.sh: podman pull side by side
    podman containerd                                # tests: mydocker-runc driven by podman and ctr
    containernetworking-plugins python3-grpcio       # tests: the CRI (test_cri.sh): CNI, gRPC,
    python3-protobuf protobuf-compiler               #   the stubs made from cri/runtime.proto,
    protobuf-compiler-grpc python3-websocket         #   CRI streaming (exec, attach)
    python3-docker docker-compose                    # test_api.sh: the Python docker SDK (compose: issue 16)
    libnftables1 nftables curl socat iperf3          # networking: dlopen'ed firewall; tests observe (nft), fetch, listen; bench
    qemu-system-x86 linux-image-amd64                # test_cgroup_v2_qemu.sh: a real cgroup v2 kernel (TCG)
    debootstrap                                      # scripts/mkdebian.sh: the Debian base image of test_build_debian.sh
    clang libclang-rt-14-dev clang-format            # make fuzz (libFuzzer), make format-check
    xfsprogs                                         # --storage-opt size= (an XFS with pquota on a loop device)
)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    # no package's service may start: a system dockerd (docker.io, for bench/ only) would set
    # iptables' FORWARD policy to DROP and cut the bridges' traffic that mydocker's nftables
    # table allows
    made_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now docker.service docker.socket containerd.service >/dev/null 2>&1 || true
fi

make -s -j"$(nproc)"
./scripts/mkbusybox.sh
./build/mydocker run --rm busybox echo hello
