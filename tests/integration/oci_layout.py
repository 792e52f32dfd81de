#!/usr/bin/env python3
"""Build an OCI image layout for the registry tests, from tar files.

usage: oci_layout.py DIR TAG [--arch ARCH]... [--cmd CMD] LAYER.tar...

Each layer is gzip-compressed; one image (config + manifest) per --arch
(default amd64). With several archs the tag names an index of them, as a
multi-platform image would. skopeo copies the layout to a registry."""
import gzip, hashlib, json, os, sys

def blob(root, data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}

def image(root, arch, layers, cmd):
    diff_ids, descs = [], []
    for path in layers:
        raw = open(path, "rb").read()
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        d = blob(root, gzip.compress(raw, compresslevel=1, mtime=0))
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        descs.append(d)
    config = {"architecture": arch, "os": "linux",
              "created": "2024-01-01T00:00:00Z",
              "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                         "Cmd": cmd},
              "rootfs": {"type": "layers", "diff_ids": diff_ids},
              "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "oci_layout.py"}] * len(layers)}
    c = blob(root, json.dumps(config).encode())
    c["mediaType"] = "application/vnd.oci.image.config.v1+json"
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": c, "layers": descs}
    md = blob(root, json.dumps(m).encode())
    md["mediaType"] = m["mediaType"]
    md["platform"] = {"architecture": arch, "os": "linux"}
    return md

def main():
    args = sys.argv[1:]
    root, tag, archs, cmd, layers = args[0], args[1], [], ["sh"], []
    i = 2
    while i < len(args):
        if args[i] == "--arch":
            archs.append(args[i + 1]); i += 2
        elif args[i] == "--cmd":
            cmd = args[i + 1].split(); i += 2
        else:
            layers.append(args[i]); i += 1
    archs = archs or ["amd64"]
    os.makedirs(root, exist_ok=True)
    mans = [image(root, a, layers, cmd) for a in archs]
    if len(mans) == 1:
        top = dict(mans[0]); top.pop("platform")
    else:
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": mans}
        top = blob(root, json.dumps(idx).encode())
        top["mediaType"] = idx["mediaType"]
    top["annotations"] = {"org.opencontainers.image.ref.name": tag}
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [top]}, f)

main()
