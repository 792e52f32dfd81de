#!/usr/bin/python3
"""A pod's start through the CRI (RunPodSandbox, then CreateContainer and StartContainer of one
container), timed per runtime handler, runs alternating; each pod removed untimed after.

usage: podbench.py GEN_DIR SOCKET IMAGE CGROUP_PARENT WORK_DIR RUNS HANDLER...
Prints the median and the fastest start of each handler and the ratio to the first one."""
import os
import sys
import time

GEN, SOCK, IMAGE, CGPARENT, WORK, RUNS = sys.argv[1:7]
HANDLERS = sys.argv[7:]
sys.path.insert(0, GEN)
import grpc  # noqa: E402
import runtime_pb2 as pb  # noqa: E402
import runtime_pb2_grpc as pbg  # noqa: E402

rt = pbg.RuntimeServiceStub(grpc.insecure_channel("unix://" + SOCK))


def pod_start(handler, i):
    name = "bench-%s-%d-%d" % (handler, os.getpid(), i)
    cfg = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=name, namespace="mdbench"), hostname=name,
        log_directory=os.path.join(WORK, "logs", name), linux=pb.LinuxPodSandboxConfig(cgroup_parent=CGPARENT))
    os.makedirs(cfg.log_directory, exist_ok=True)
    began = time.perf_counter()
    pid = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg, runtime_handler=handler)).pod_sandbox_id
    c = pb.ContainerConfig(metadata=pb.ContainerMetadata(name="app"), image=pb.ImageSpec(image=IMAGE),
                           args=["sleep", "300"], log_path="app.log")
    cid = rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pid, config=c, sandbox_config=cfg)).container_id
    rt.StartContainer(pb.StartContainerRequest(container_id=cid))
    took = time.perf_counter() - began
    rt.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0))
    rt.RemoveContainer(pb.RemoveContainerRequest(container_id=cid))
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    return took * 1e3


times = {h: [] for h in HANDLERS}
for h in HANDLERS:  # warm-up: the first pod of a handler pays for its shim binary's cache
    pod_start(h, -1)
for i in range(int(RUNS)):
    for h in HANDLERS:
        times[h].append(pod_start(h, i))
base = sorted(times[HANDLERS[0]])[len(times[HANDLERS[0]]) // 2]
for h in HANDLERS:
    v = sorted(times[h])
    med = v[len(v) // 2]
    print("  %-10s pod start median %8.2f ms   fastest %8.2f ms   %5.2fx %s" % (h, med, v[0], med / base, HANDLERS[0]))
