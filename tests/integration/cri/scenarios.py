#!/usr/bin/python3
"""The CRI scenarios of tests/integration/test_cri.sh, through containerd's CRI plugin with one
runtime handler: what a kubelet asks of a node, without a kubelet (none is packaged in Debian).

usage: scenarios.py GEN_DIR SOCKET HANDLER IMAGE CGROUP_PARENT WORK_DIR

GEN_DIR holds runtime_pb2*.py (protoc from cri/runtime.proto); IMAGE is a busybox image
containerd has; CGROUP_PARENT the pods' parent cgroup (cgroupfs); WORK_DIR for logs. Prints
"ok - ..." / "FAIL - ..." lines, each named with the handler, and "N passed, N failed"."""
import json
import os
import sys
import time
import urllib.parse

GEN, SOCK, HANDLER, IMAGE, CGPARENT, WORK = sys.argv[1:7]
sys.path.insert(0, GEN)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import grpc  # noqa: E402
import runtime_pb2 as pb  # noqa: E402
import runtime_pb2_grpc as pbg  # noqa: E402
from lib import Test  # noqa: E402

t = Test()
rt = pbg.RuntimeServiceStub(grpc.insecure_channel("unix://" + SOCK))
UNIQ = "%s-%d" % (HANDLER, os.getpid())
made_pods = []


def name(s):
    return "[%s] %s" % (HANDLER, s)


def pod_config(pod, host_network=False, privileged=False):
    ns = pb.NamespaceOption(network=pb.NODE if host_network else pb.POD)
    # a kubelet names the pod's host only when the pod has its own network (and so its own UTS)
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=pod, uid=pod + "-uid", namespace="mdtest"),
        hostname="" if host_network else pod, log_directory=os.path.join(WORK, "logs", pod),
        linux=pb.LinuxPodSandboxConfig(
            cgroup_parent=CGPARENT,
            security_context=pb.LinuxSandboxSecurityContext(namespace_options=ns, privileged=privileged)))


def run_pod(pod, host_network=False, privileged=False):
    cfg = pod_config(pod, host_network, privileged)
    os.makedirs(cfg.log_directory, exist_ok=True)
    pid = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg, runtime_handler=HANDLER)).pod_sandbox_id
    made_pods.append(pid)
    return pid, cfg


def container(pid, cfg, cname, args, security=None, resources=None, cmd=None):
    c = pb.ContainerConfig(metadata=pb.ContainerMetadata(name=cname), image=pb.ImageSpec(image=IMAGE),
                           args=args, log_path=cname + ".log",
                           linux=pb.LinuxContainerConfig(security_context=security, resources=resources))
    if cmd:
        c.command.extend(cmd)
    cid = rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pid, config=c, sandbox_config=cfg)).container_id
    rt.StartContainer(pb.StartContainerRequest(container_id=cid))
    return cid


def sh(cid, script, timeout=10):
    return rt.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=["sh", "-c", script], timeout=timeout))


def status(cid):
    return rt.ContainerStatus(pb.ContainerStatusRequest(container_id=cid)).status


def wait_exited(cid, seconds=15):
    end = time.time() + seconds
    while time.time() < end:
        s = status(cid)
        if s.state == pb.CONTAINER_EXITED:
            return s
        time.sleep(0.1)
    return status(cid)


def two_containers_one_pod():
    pid, cfg = run_pod("web-" + UNIQ)
    st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status
    t.check_eq(name("RunPodSandbox: the pod is ready"), st.state, pb.SANDBOX_READY)
    t.check(name("... with an address from the pod network"), st.network.ip.startswith("10.88."), st.network.ip)
    t.check_eq(name("... run by its handler"), st.runtime_handler, HANDLER)
    srv = container(pid, cfg, "server",
                    ["sh", "-c", "echo hello-cri > /tmp/i.html; echo serving; exec httpd -f -p 8080 -h /tmp"])
    cli = container(pid, cfg, "client", ["sh", "-c", "trap 'echo got-term; exit 0' TERM; while :; do sleep 0.1; done"])
    t.check_eq(name("StartContainer: running"), status(srv).state, pb.CONTAINER_RUNNING)
    r = None
    for _ in range(50):
        r = sh(cli, "wget -qO- http://127.0.0.1:8080/i.html")
        if r.exit_code == 0:
            break
        time.sleep(0.1)
    t.check_eq(name("two containers share the pod's network: the client reaches the server on localhost"),
               r.stdout, b"hello-cri\n")
    r = sh(cli, "echo out; echo err >&2; exit 3")
    t.check_eq(name("ExecSync: both streams and the exit code"), (r.stdout, r.stderr, r.exit_code), (b"out\n", b"err\n", 3))
    t.check_eq(name("ExecSync: the pod's hostname"), sh(cli, "hostname").stdout, ("web-" + UNIQ + "\n").encode())
    log = os.path.join(cfg.log_directory, "server.log")
    lines = open(log).read().splitlines() if os.path.exists(log) else []
    t.check(name("the log in the CRI format (time stream F message)"),
            any(len(x.split(" ", 3)) == 4 and x.split(" ", 3)[1:] == ["stdout", "F", "serving"] for x in lines), lines)
    stats = rt.ContainerStats(pb.ContainerStatsRequest(container_id=srv)).stats
    t.check(name("ContainerStats: cpu and memory"), stats.cpu.usage_core_nano_seconds.value > 0 and
            stats.memory.working_set_bytes.value > 0, str(stats))
    rt.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
        container_id=cli, linux=pb.LinuxContainerResources(memory_limit_in_bytes=96 << 20, cpu_shares=512)))
    r = sh(cli, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max")
    seen = r.stdout if r.exit_code == 0 else r.stdout + r.stderr + sh(cli, "grep cgroup /proc/self/mountinfo").stdout
    t.check_eq(name("UpdateContainerResources: the new memory limit, seen inside"), seen, b"100663296\n")
    began = time.time()
    rt.StopContainer(pb.StopContainerRequest(container_id=cli, timeout=10))
    s = status(cli)
    t.check_eq(name("StopContainer: a process trapping SIGTERM exits cleanly"), (s.state, s.exit_code), (pb.CONTAINER_EXITED, 0))
    t.check(name("... at once, not after the grace period"), time.time() - began < 5, time.time() - began)
    stubborn = container(pid, cfg, "stubborn", ["sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"])
    began = time.time()
    rt.StopContainer(pb.StopContainerRequest(container_id=stubborn, timeout=1))
    s = status(stubborn)
    t.check_eq(name("StopContainer: one ignoring SIGTERM is killed after the grace period"),
               (s.state, s.exit_code), (pb.CONTAINER_EXITED, 137))
    t.check(name("... after about a second"), 0.8 < time.time() - began < 8, time.time() - began)
    for c in (srv, cli, stubborn):
        rt.StopContainer(pb.StopContainerRequest(container_id=c, timeout=0))
        rt.RemoveContainer(pb.RemoveContainerRequest(container_id=c))
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status
    t.check_eq(name("StopPodSandbox: not ready"), st.state, pb.SANDBOX_NOTREADY)
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    made_pods.remove(pid)
    try:
        rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid))
        t.check(name("RemovePodSandbox: gone"), False, "still there")
    except grpc.RpcError as e:
        t.check_eq(name("RemovePodSandbox: gone"), e.code(), grpc.StatusCode.NOT_FOUND)


def security_and_oom():
    pid, cfg = run_pod("sec-" + UNIQ, privileged=True)  # a privileged container needs a privileged pod
    sec = pb.LinuxContainerSecurityContext(
        run_as_user=pb.Int64Value(value=1000), readonly_rootfs=True,
        capabilities=pb.Capability(drop_capabilities=["ALL"], add_capabilities=["NET_BIND_SERVICE"]),
        seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.RuntimeDefault))
    c = container(pid, cfg, "restricted", ["sleep", "300"], security=sec)
    r = sh(c, "id -u; touch /x 2>/dev/null && echo writable || echo read-only; "
              "grep -E '^(CapBnd|Seccomp):' /proc/self/status | tr -s '\\t' ' '")
    # a uid other than 0 has no effective capabilities: the bounding set shows what was kept
    t.check_eq(name("security context: run_as_user, readonly_rootfs, capabilities, seccomp RuntimeDefault"),
               r.stdout.decode(), "1000\nread-only\nCapBnd: 0000000000000400\nSeccomp: 2\n")
    p = container(pid, cfg, "privileged", ["sleep", "300"], security=pb.LinuxContainerSecurityContext(privileged=True))
    r = sh(p, "grep CapEff /proc/self/status | tr -s '\\t' ' '; mkdir -p /tmp/m && mount -t tmpfs t /tmp/m && echo mounted")
    t.check(name("privileged: every capability, mount works"), b"mounted" in r.stdout and
            not r.stdout.startswith(b"CapEff: 0000000000000000"), r.stdout + r.stderr)
    oom = container(pid, cfg, "oom", ["sh", "-c", "x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done"],
                    resources=pb.LinuxContainerResources(memory_limit_in_bytes=32 << 20))
    s = wait_exited(oom, 30)
    t.check_eq(name("a container over its memory limit: exited, reason OOMKilled"),
               (s.state, s.reason), (pb.CONTAINER_EXITED, "OOMKilled"))
    for x in (c, p, oom):
        rt.StopContainer(pb.StopContainerRequest(container_id=x, timeout=0))
        rt.RemoveContainer(pb.RemoveContainerRequest(container_id=x))
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    made_pods.remove(pid)


def host_network():
    pid, cfg = run_pod("host-" + UNIQ, host_network=True)
    st = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pid)).status
    t.check_eq(name("RunPodSandbox with the host's network: ready"), st.state, pb.SANDBOX_READY)
    c = container(pid, cfg, "hostnet", ["sleep", "300"])
    want = sorted(os.listdir("/sys/class/net"))
    got = sorted(sh(c, "ls /sys/class/net").stdout.decode().split())
    t.check_eq(name("... a container in it sees the host's interfaces"), got, want)
    rt.StopContainer(pb.StopContainerRequest(container_id=c, timeout=0))
    rt.RemoveContainer(pb.RemoveContainerRequest(container_id=c))
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    made_pods.remove(pid)


def streaming():
    """Exec and Attach through the CRI streaming server (its websocket protocol: a channel
    byte before each frame, 1 stdout, 2 stderr, 3 the status)"""
    import websocket
    pid, cfg = run_pod("stream-" + UNIQ)
    c = container(pid, cfg, "talker", ["sh", "-c", "i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done"])
    url = rt.Exec(pb.ExecRequest(container_id=c, cmd=["sh", "-c", "echo streamed; echo oops >&2; exit 4"],
                                 stdout=True, stderr=True)).url
    out = {1: b"", 2: b"", 3: b""}
    ws = websocket.create_connection(url.replace("http://", "ws://"), subprotocols=["v4.channel.k8s.io"], timeout=10)
    try:
        while True:
            op, data = ws.recv_data()
            if op == websocket.ABNF.OPCODE_CLOSE:
                break
            if data:
                out[data[0]] = out.get(data[0], b"") + data[1:]
    except websocket.WebSocketConnectionClosedException:
        pass
    ws.close()
    status3 = json.loads(out[3] or b"{}")
    code = [c_["message"] for c_ in status3.get("details", {}).get("causes", []) if c_.get("reason") == "ExitCode"]
    t.check_eq(name("Exec (streaming): stdout, stderr and the exit code"), (out[1], out[2], code), (b"streamed\n", b"oops\n", ["4"]))
    url = rt.Attach(pb.AttachRequest(container_id=c, stdout=True, stderr=True)).url
    ws = websocket.create_connection(url.replace("http://", "ws://"), subprotocols=["v4.channel.k8s.io"], timeout=10)
    got = b""
    end = time.time() + 5
    while time.time() < end and b"tick" not in got:
        op, data = ws.recv_data()
        if data and data[0] == 1:
            got += data[1:]
    ws.close()
    t.check(name("Attach: the container's output as it comes"), b"tick" in got, got)
    rt.StopContainer(pb.StopContainerRequest(container_id=c, timeout=0))
    rt.RemoveContainer(pb.RemoveContainerRequest(container_id=c))
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
    made_pods.remove(pid)


def main():
    v = rt.Version(pb.VersionRequest(version="v1"))
    t.check_eq(name("Version: containerd's CRI, runtime.v1"), (v.runtime_name, v.runtime_api_version), ("containerd", "v1"))
    for scenario in (two_containers_one_pod, security_and_oom, host_network, streaming):
        try:
            scenario()
        except Exception as e:  # a scenario that breaks is a failure, the next ones still run
            t.check(name("%s ran to its end" % scenario.__name__), False, repr(e)[:400])
        finally:
            for pid in list(made_pods):
                try:
                    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pid))
                    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pid))
                except grpc.RpcError:
                    pass
                made_pods.remove(pid)
    t.summary()


main()
