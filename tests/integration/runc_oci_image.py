#!/usr/bin/env python3
"""Write an OCI image archive (what `ctr images import` reads) from a rootfs dir.

usage: runc_oci_image.py ROOTFS OUT.tar NAME [ENTRYPOINT-JSON]

One uncompressed layer made with tarfile, a config with PATH and Cmd sh (or the entrypoint
given, without Cmd),
a manifest, and index.json naming the image NAME (io.containerd.image.name)."""
import hashlib, io, json, sys, tarfile

def main():
    rootfs, out, name = sys.argv[1:4]
    entrypoint = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
        t.add(rootfs, arcname=".", recursive=True)
    blobs = {}
    def blob(data, media):
        d = hashlib.sha256(data).hexdigest()
        blobs[d] = data
        return {"mediaType": media, "digest": "sha256:" + d, "size": len(data)}
    raw = layer.getvalue()
    ldesc = blob(raw, "application/vnd.oci.image.layer.v1.tar")
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                         "Cmd": ["sh"]} if entrypoint is None else
                        {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                         "Entrypoint": entrypoint},
              "rootfs": {"type": "layers", "diff_ids": [ldesc["digest"]]}}
    cdesc = blob(json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cdesc, "layers": [ldesc]}
    mdesc = blob(json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")
    mdesc["annotations"] = {"io.containerd.image.name": name,
                            "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}
    index = {"schemaVersion": 2, "manifests": [mdesc]}
    with tarfile.open(out, "w") as t:
        def add(path, data):
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        add("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add("index.json", json.dumps(index).encode())
        for d, data in blobs.items():
            add("blobs/sha256/" + d, data)

if __name__ == "__main__":
    main()
