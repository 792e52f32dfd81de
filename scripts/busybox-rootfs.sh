#!/usr/bin/env bash
# A root filesystem from Debian's busybox-static in DIR: applet links,
# /etc/passwd with root and user 1000, /etc/group. The one definition used by
# the default image (mkbusybox.sh) and by the tests' --rootfs fallback.
set -euo pipefail
root=${1:?usage: busybox-rootfs.sh DIR}
bb=$(command -v busybox || echo /bin/busybox)
mkdir -p "$root"/{bin,etc,root,tmp,var/tmp,home,proc,sys,dev,usr/bin,usr/sbin,sbin}
chmod 755 "$root"
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
