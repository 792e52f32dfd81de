#!/usr/bin/env bash
# The built-in default image: a root filesystem from Debian's busybox-static,
# imported as `busybox:latest` through `mydocker import` (the normal image
# path, no special case). Re-importing the same content is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
MYDOCKER=${MYDOCKER:-./build/mydocker}
tag=${1:-busybox:latest}
bb=$(command -v busybox || echo /bin/busybox)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,etc,root,tmp,var/tmp,home,proc,sys,dev,usr/bin,usr/sbin,sbin}
chmod 1777 "$root/tmp" "$root/var/tmp"
cp "$bb" "$root/bin/busybox"
# `busybox --list` includes busybox itself: skip it
for app in $("$root/bin/busybox" --list); do
    [ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done
cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
user:x:1000:1000:user:/home/user:/bin/sh
P
cat >"$root/etc/group" <<'G'
root:x:0:
daemon:x:1:
bin:x:2:
wheel:x:10:root
tty:x:5:
users:x:100:user
user:x:1000:
nogroup:x:65534:
G
mkdir -p "$root/home/user" && chown 1000:1000 "$root/home/user"
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
