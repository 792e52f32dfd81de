#!/usr/bin/env bash
# A Debian 12 base image built from Debian's archive with debootstrap (minbase), imported as
# debian:bookworm and debian:12 into the store MYDOCKER_ROOT names (the default one without).
# The root filesystem's tarball is cached (MYDOCKER_DEBIAN_CACHE, by default
# /var/cache/mydocker/debian-bookworm-minbase.tar): about 30 s the first time, then an import.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MD=${MYDOCKER:-$HERE/../build/mydocker}
CACHE=${MYDOCKER_DEBIAN_CACHE:-/var/cache/mydocker/debian-bookworm-minbase.tar}
MIRROR=${MYDOCKER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ ! -s "$CACHE" ]; then
    mkdir -p "$(dirname "$CACHE")"
    root=$(mktemp -d /tmp/mydocker-debootstrap.XXXXXX)
    trap 'umount -R "$root/proc" "$root/sys" 2>/dev/null; rm -rf "$root" "$CACHE.tmp"' EXIT
    debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null
    # what docker's debian image leaves out too: downloaded packages and the index lists
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar --numeric-owner -C "$root" -cf "$CACHE.tmp" .
    mv "$CACHE.tmp" "$CACHE"
fi
"$MD" import -c 'CMD ["bash"]' "$CACHE" debian:bookworm >/dev/null
"$MD" tag debian:bookworm debian:12
