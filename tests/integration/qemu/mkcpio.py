#!/usr/bin/env python3
"""Write a directory tree as an initramfs: a "newc" cpio archive (the format
the kernel unpacks), plus /dev/console, which the kernel opens for init's
stdio before /dev is mounted. Usage: mkcpio.py DIR OUT"""
import os
import stat
import sys


def header(f, name, mode, size, ino, rdev=(0, 0), nlink=1, mtime=0):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, mtime, size, 0, 0, rdev[0], rdev[1], len(name_b), 0]
    f.write(b"070701" + b"".join(b"%08x" % v for v in fields))
    f.write(name_b)
    f.write(b"\0" * (-(110 + len(name_b)) % 4))  # header + name padded to 4


def data(f, blob):
    f.write(blob)
    f.write(b"\0" * (-len(blob) % 4))


def main(root, out):
    ino = 1
    with open(out, "wb") as f:
        entries = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for n in sorted(dirnames) + sorted(filenames):
                entries.append(os.path.join(dirpath, n))
        header(f, "dev", stat.S_IFDIR | 0o755, 0, ino)
        ino += 1
        header(f, "dev/console", stat.S_IFCHR | 0o600, 0, ino, rdev=(5, 1))
        ino += 1
        links = {}  # (dev, ino) -> our ino: a hard link's data goes once
        for path in entries:
            rel = os.path.relpath(path, root)
            if rel == "dev":
                continue
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                if key in links:  # the kernel links it to the first name
                    header(f, rel, st.st_mode, 0, links[key], nlink=st.st_nlink)
                    continue
                links[key] = ino
            if stat.S_ISLNK(st.st_mode):
                blob = os.readlink(path).encode()
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as src:
                    blob = src.read()
            elif stat.S_ISDIR(st.st_mode):
                blob = b""
            else:
                continue
            header(f, rel, st.st_mode, len(blob), ino,
                   nlink=st.st_nlink if stat.S_ISREG(st.st_mode) else 1)
            data(f, blob)
            ino += 1
        header(f, "TRAILER!!!", 0, 0, 0, nlink=1)
        f.write(b"\0" * (-f.tell() % 512))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
