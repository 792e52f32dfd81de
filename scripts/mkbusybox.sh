#!/usr/bin/env bash
# The built-in default image: a root filesystem from Debian's busybox-static,
# imported as `busybox:latest` through `mydocker import` (the normal image
# path, no special case). Re-importing the same content is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
MYDOCKER=${MYDOCKER:-./build/mydocker}
tag=${1:-busybox:latest}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
./scripts/busybox-rootfs.sh "$root"
# deterministic tar: same busybox -> same layer digest
tar --sort=name --mtime='2024-01-01 00:00:00' --owner=0 --group=0 --numeric-owner \
    -C "$root" -cf "$work/rootfs.tar" .
sum=$(sha256sum "$work/rootfs.tar" | cut -c1-64)
stamp=/var/lib/mydocker/.busybox-layer
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -n "$("$MYDOCKER" images -q "$tag" 2>/dev/null)" ]; then
    exit 0
fi
"$MYDOCKER" import -c 'CMD ["sh"]' "$work/rootfs.tar" "$tag" >/dev/null
mkdir -p /var/lib/mydocker && echo "$sum" >"$stamp"
