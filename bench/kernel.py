#!/usr/bin/env python3
"""Kernel benchmarks with a lean pyzmq client: startup (process spawned → kernel_info_reply)
and the round trip of `1+1` (execute_request sent → idle received), for Nabla, ipykernel and
xeus-python, interleaved in one run. Prints medians, p99 and ratios; writes
bench/results/kernel.json."""
import hashlib, hmac, json, os, socket, statistics, subprocess, sys, tempfile, time, uuid
from pathlib import Path

import zmq
from jupyter_client.kernelspec import KernelSpecManager

sys.path.insert(0, str(Path(__file__).resolve().parent))
import table

ROOT = Path(__file__).resolve().parent.parent
KERNELS = [k for k in ("nabla", "python3", "xpython") if k in KernelSpecManager().find_kernel_specs()]
CODE = {"nabla": "1+1", "python3": "1+1", "xpython": "1+1"}


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Client:
    def __init__(self, name):
        self.name = name
        self.key = uuid.uuid4().hex.encode()
        ports = free_ports(5)
        self.info = dict(zip(["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"], ports),
                         ip="127.0.0.1", transport="tcp", key=self.key.decode(), signature_scheme="hmac-sha256")
        fd, self.path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(self.info, f)
        spec = KernelSpecManager().get_kernel_spec(name)
        self.argv = [a.replace("{connection_file}", self.path) for a in spec.argv]
        if self.argv[0].startswith("python"):  # as jupyter_client does
            self.argv[0] = sys.executable
        self.ctx = zmq.Context()
        self.session = uuid.uuid4().hex

    def msg(self, msg_type, content):
        header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session, "username": "bench",
                  "date": "2026-01-01T00:00:00Z", "version": "5.5"}
        parts = [json.dumps(p).encode() for p in (header, {}, {}, content)]
        sig = hmac.new(self.key, b"".join(parts), hashlib.sha256).hexdigest().encode()
        return header["msg_id"], [b"<IDS|MSG>", sig] + parts

    def start(self):
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.shell = self.ctx.socket(zmq.DEALER)
        self.shell.setsockopt(zmq.RECONNECT_IVL, 5)  # poll for the port every 5 ms, for every kernel alike
        self.shell.connect(f"tcp://127.0.0.1:{self.info['shell_port']}")
        self.iopub = self.ctx.socket(zmq.SUB)
        self.iopub.setsockopt(zmq.RECONNECT_IVL, 5)
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
        self.iopub.connect(f"tcp://127.0.0.1:{self.info['iopub_port']}")
        msg_id, frames = self.msg("kernel_info_request", {})
        self.shell.send_multipart(frames)
        while True:
            if self.shell.poll(5):
                reply = self.shell.recv_multipart()
                if json.loads(reply[reply.index(b"<IDS|MSG>") + 3]).get("msg_id") == msg_id:
                    break
            elif time.perf_counter() - t0 > 60:
                raise RuntimeError(f"{self.name} did not start")
        startup = time.perf_counter() - t0
        # Wait until iopub delivers (a subscription made late misses messages), then warm up.
        while self.roundtrip(timeout_ms=500) is None:
            pass
        for _ in range(20):
            self.roundtrip()
        return startup

    def roundtrip(self, timeout_ms=10000):
        msg_id, frames = self.msg("execute_request", {"code": CODE[self.name], "silent": False, "store_history": False,
                                                      "user_expressions": {}, "allow_stdin": False})
        t0 = time.perf_counter()
        self.shell.send_multipart(frames)
        while True:
            if not self.iopub.poll(timeout_ms):
                return None
            parts = self.iopub.recv_multipart()
            i = parts.index(b"<IDS|MSG>")
            parent = json.loads(parts[i + 3]) or {}
            if parent.get("msg_id") == msg_id and json.loads(parts[i + 2])["msg_type"] == "status" \
                    and json.loads(parts[i + 5])["execution_state"] == "idle":
                break
        dt = time.perf_counter() - t0
        while self.shell.poll(0):
            self.shell.recv_multipart()
        return dt

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.ctx.destroy(0)
        os.unlink(self.path)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    starts = {k: [] for k in KERNELS}
    trips = {k: [] for k in KERNELS}
    for rnd in range(7):
        for name in KERNELS:
            c = Client(name)
            try:
                starts[name].append(c.start())
                trips[name] += [c.roundtrip() for _ in range(300)]
            finally:
                c.stop()
    base = "nabla"
    print(f"{'kernel':10} {'startup p50 ms':>15} {'rt p50 ms':>10} {'rt p99 ms':>10} {'startup ×':>10} {'rt ×':>8}")
    rows = []
    for name in KERNELS:
        s50, r50, r99 = statistics.median(starts[name]) * 1e3, statistics.median(trips[name]) * 1e3, pct(trips[name], 99) * 1e3
        rows.append({"kernel": name, "startup_p50_ms": s50, "roundtrip_p50_ms": r50, "roundtrip_p99_ms": r99})
    ref = next(r for r in rows if r["kernel"] == base)
    for r in rows:
        r["startup_speedup_of_nabla"] = r["startup_p50_ms"] / ref["startup_p50_ms"]
        r["roundtrip_speedup_of_nabla"] = r["roundtrip_p50_ms"] / ref["roundtrip_p50_ms"]
        print(f"{r['kernel']:10} {r['startup_p50_ms']:15.2f} {r['roundtrip_p50_ms']:10.3f} {r['roundtrip_p99_ms']:10.3f} "
              f"{r['startup_speedup_of_nabla']:9.1f}× {r['roundtrip_speedup_of_nabla']:7.1f}×")
    print("× columns: how many times faster Nabla is than that kernel (7 starts, 2,100 round trips each, interleaved)")
    by = {r["kernel"]: r for r in rows}
    for peer, label in (("python3", "ipykernel"), ("xpython", "xeus-python")):
        for key, figure in (("startup_p50_ms", "kernel startup to kernel_info_reply (p50)"),
                            ("roundtrip_p50_ms", "execute `1+1` round trip (p50)"),
                            ("roundtrip_p99_ms", "execute `1+1` round trip (p99)")):
            if peer in by:
                table.record(figure, ref[key], label, by[peer][key], "ms")
            else:
                table.missing(figure, ref[key], label, "ms", reason="kernelspec not installed")
    table.finish("kernel")
    out = ROOT / "bench" / "results" / "kernel.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
