#!/usr/bin/python3
"""The server's share of `docker run --rm busybox true`: the docker CLI's requests replayed on
one socket without the CLI (a Go binary's start and its own work are most of its run time).
The same requests in the same order as docker 20.10's run: HEAD /_ping, create, attach
(upgraded), wait?condition=removed (headers first), start, then the attach's end and wait's
answer. Prints the median and the fastest run of each step and of the whole, in ms.
Usage: api_replay.py SOCKET RUNS"""
import json
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s


def send(s, method, path, body=b""):
    head = "%s %s HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n" \
           "Content-Length: %d\r\n\r\n" % (method, path, len(body))
    s.sendall(head.encode() + body)


def response(s):
    """one whole response: by Content-Length, by the chunked end, or a header-only one"""
    data = b""
    while True:
        more = s.recv(65536)
        if not more:
            return data
        data += more
        if b"\r\n\r\n" not in data:
            continue
        head, rest = data.split(b"\r\n\r\n", 1)
        low = head.lower()
        if b"transfer-encoding: chunked" in low:
            if rest.endswith(b"0\r\n\r\n"):
                return data
        elif b"content-length:" in low:
            length = int(low.split(b"content-length:")[1].split(b"\r\n")[0])
            if len(rest) >= length:
                return data
        else:
            return data


def one_run(path, body, steps):
    t = [time.perf_counter()]
    a = connect(path)
    send(a, "HEAD", "/_ping")
    response(a)
    t.append(time.perf_counter())
    send(a, "POST", "/v1.41/containers/create", body)
    cid = json.loads(response(a).split(b"\r\n\r\n", 1)[1])["Id"]
    t.append(time.perf_counter())
    b = connect(path)
    send(b, "POST", "/v1.41/containers/%s/attach?stderr=1&stdout=1&stream=1" % cid)
    b.recv(4096)
    send(a, "POST", "/v1.41/containers/%s/wait?condition=removed" % cid)
    waited = a.recv(4096)
    t.append(time.perf_counter())
    c = connect(path)
    send(c, "POST", "/v1.41/containers/%s/start" % cid)
    response(c)
    t.append(time.perf_counter())
    while b.recv(4096):
        pass
    while not waited.endswith(b"0\r\n\r\n"):
        waited += a.recv(4096)
    t.append(time.perf_counter())
    for s in (a, b, c):
        s.close()
    for name, i in (("ping", 1), ("create", 2), ("attach+wait", 3), ("start", 4), ("exit+removal", 5)):
        steps.setdefault(name, []).append((t[i] - t[i - 1]) * 1e3)
    steps.setdefault("whole run", []).append((t[5] - t[0]) * 1e3)


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    body = json.dumps({"Image": "busybox", "Cmd": ["true"], "AttachStdout": True,
                       "AttachStderr": True,
                       "HostConfig": {"AutoRemove": True, "NetworkMode": "none"}}).encode()
    steps = {}
    for _ in range(3):
        one_run(path, body, {})
    for _ in range(runs):
        one_run(path, body, steps)
    for name, v in steps.items():
        v.sort()
        print("  %-24s median %8.2f ms   fastest %6.2f ms" % (name, v[len(v) // 2], v[0]))


main()
