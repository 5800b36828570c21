#!/usr/bin/env python3
"""Kernel benchmarks with a lean pyzmq client: startup (process spawned → kernel_info_reply)
and the round trip of `1+1` (execute_request sent → idle received), for Nabla, ipykernel and
xeus-python, interleaved in one run, and for bench/kernel_floor.c (a C server with Nabla's
threads and sockets that does no work: what ZeroMQ, the threads and this client cost by
themselves); the kernel's own CPU per request without sockets (NablaBench); then each kernel's resident memory (idle, and after
10,000 cells), a print flood (100,000 lines: all delivered, in order, and how fast), and a widget
slider move (comm_msg `update` sent → the re-run output and idle back) for Nabla and ipykernel +
ipywidgets. Prints medians, p99 and ratios; writes bench/results/kernel.json and widgets.json."""
import hashlib, hmac, json, os, socket, statistics, subprocess, sys, tempfile, time, uuid
from pathlib import Path

import zmq
from jupyter_client.kernelspec import KernelSpecManager

sys.path.insert(0, str(Path(__file__).resolve().parent))
import table

ROOT = Path(__file__).resolve().parent.parent
KERNELS = [k for k in ("nabla", "python3", "xpython") if k in KernelSpecManager().find_kernel_specs()]
CODE = {"nabla": "1+1", "python3": "1+1", "xpython": "1+1", "floor": "1+1"}
FLOOR = Path(tempfile.gettempdir()) / "nabla-kernel-floor"
C_CLIENT = Path(tempfile.gettempdir()) / "nabla-kernel-client"


def build(source, exe, *libs):
    """Compiles bench/<source>; None (with the reason printed) when it cannot be built."""
    r = subprocess.run(["cc", "-O2", str(ROOT / "bench" / source), "-o", str(exe), *libs], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"{source} not built: {r.stderr.strip()[:200]}")
        return None
    return exe


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
        if name == "floor":
            self.argv = [str(FLOOR), self.path]
        else:
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

    def c_roundtrips(self, n):
        """n round trips timed by bench/kernel_client.c (a raw libzmq client), in seconds."""
        r = subprocess.run([str(C_CLIENT), self.path, str(n)], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"{self.name}: kernel_client: {r.stderr.strip()}")
        return [float(v) * 1e-6 for v in r.stdout.split()]

    def request(self, msg_type, content, timeout_ms=10000):
        """Sends a shell request; returns (seconds until its idle, its iopub messages as (type, content))."""
        msg_id, frames = self.msg(msg_type, content)
        t0 = time.perf_counter()
        self.shell.send_multipart(frames)
        got = []
        while True:
            if not self.iopub.poll(timeout_ms):
                raise RuntimeError(f"{self.name}: no idle for {msg_type}")
            parts = self.iopub.recv_multipart()
            i = parts.index(b"<IDS|MSG>")
            if (json.loads(parts[i + 3]) or {}).get("msg_id") != msg_id:
                continue
            kind, body = json.loads(parts[i + 2])["msg_type"], json.loads(parts[i + 5])
            if kind == "status" and body["execution_state"] == "idle":
                break
            got.append((kind, body))
        dt = time.perf_counter() - t0
        while self.shell.poll(0):
            self.shell.recv_multipart()
        return dt, got

    def run(self, code, timeout_ms=60000):
        """Executes code; returns (seconds until idle, stdout text received)."""
        dt, got = self.request("execute_request", {"code": code, "silent": False, "store_history": True,
                                                   "user_expressions": {}, "allow_stdin": False}, timeout_ms)
        return dt, "".join(b["text"] for k, b in got if k == "stream" and b["name"] == "stdout")

    def rss_mib(self):
        """Resident memory of the kernel process (VmRSS), MiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.ctx.destroy(0)
        os.unlink(self.path)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def memory(name, cells=10_000):
    """Idle RSS after start-up and a warm-up, and after `cells` more small cells (MiB)."""
    c = Client(name)
    try:
        c.start()
        time.sleep(0.5)
        idle = c.rss_mib()
        for i in range(cells):
            c.run(f"x{i % 100} = {i} + 1")
        time.sleep(0.5)
        return idle, c.rss_mib()
    finally:
        c.stop()


FLOOD_LINES = 100_000


def flood(name, rounds=3):
    """Seconds from execute_request to idle for a cell printing FLOOD_LINES lines (median of
    rounds), and whether every round delivered all lines, in order. A kernel that does not
    reach idle within the minute `run` waits gets NaN and incomplete, and the bench goes on."""
    c = Client(name)
    expected = "".join(f"{i}\n" for i in range(FLOOD_LINES))
    try:
        c.start()
        times, complete = [], True
        for _ in range(rounds):
            try:
                dt, text = c.run(f"for i in range({FLOOD_LINES}):\n    print(i)\n")
            except RuntimeError as e:
                print(f"{name}: {e}", file=sys.stderr)
                return float("nan"), False
            times.append(dt)
            complete = complete and text == expected
        return statistics.median(times), complete
    finally:
        c.stop()


# A slider whose every move re-runs a function into an Output (interactive_output), as a lesson
# does. "print": the same small work in both kernels (12 gradient-descent steps, printed);
# "lesson": Nabla's learning-rate lesson (an SVG plot and the explain derivation, typeset).
WIDGET_SETUP = {
    "print": """import ipywidgets as widgets
s = widgets.FloatSlider(value=0.1, min=0.05, max=1.2, step=0.05)
def show(a):
    xs = [4.0]
    for k in range(12):
        xs.append(xs[-1] - a * 2 * xs[-1])
    print('alpha', a, 'x', xs)
out = widgets.interactive_output(show, {'a': s})
s.model_id""",
    "lesson": """import ipywidgets as widgets
s = widgets.FloatSlider(value=0.1, min=0.05, max=1.2, step=0.05)
f = lambda x: x ** 2
def show(a):
    xs = [4.0]
    for k in range(12):
        xs.append(xs[-1] - a * 2 * xs[-1])
    print('alpha', a)
    display(plot(arange(13), xs, title='x_k', xlabel='step k', ylabel='x_k'))
    x0 = param(4.0)
    display(explain(x0 - a * grad(f(x0), x0)))
out = widgets.interactive_output(show, {'a': s})
s.model_id""",
}


def widget_moves(name, setup, moves=200):
    """Seconds per slider move: comm_msg update sent → the Output's new content and idle back."""
    c = Client(name)
    try:
        c.start()
        _, got = c.request("execute_request", {"code": setup, "silent": False, "store_history": False,
                                               "user_expressions": {}, "allow_stdin": False})
        result = [b for k, b in got if k == "execute_result"]
        if not result:
            raise RuntimeError(f"{name}: widget setup failed: {got}")
        comm_id = result[0]["data"]["text/plain"].strip("'")
        times = []
        for i in range(moves):
            value = 0.05 + 0.05 * (i % 23)
            dt, got = c.request("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": {"value": value},
                                                                          "buffer_paths": []}})
            # The new output came back: Nabla sends it as the Output's state, ipykernel as messages
            # the Output captures by their parent.
            if not any(k in ("stream", "display_data") or (k == "comm_msg" and "outputs" in b["data"].get("state", {}))
                       for k, b in got):
                raise RuntimeError(f"{name}: no output for a slider move: {got}")
            times.append(dt)
        return times
    finally:
        c.stop()


def resources(rows):
    """Memory and print flood for each kernel, beside each other; adds them to rows."""
    print(f"\n{'kernel':10} {'idle RSS MiB':>13} {'after 10k cells':>16} {'growth MiB':>11} {'100k prints s':>14} {'complete':>9}")
    for r in rows:
        idle, after = memory(r["kernel"])
        secs, complete = flood(r["kernel"])
        r.update(idle_rss_mib=idle, rss_after_10k_cells_mib=after, rss_growth_mib=after - idle,
                 flood_100k_lines_s=secs, flood_complete_in_order=complete)
        print(f"{r['kernel']:10} {idle:13.1f} {after:16.1f} {after - idle:11.1f} {secs:14.2f} {str(complete):>9}")
    print("targets for nabla: idle ≤ 30 MiB, growth ≤ 5 MiB, 100k prints complete in ≤ 2 s")


def widgets_bench():
    peers = [k for k in ("nabla", "python3") if k in KERNELS]
    if "python3" in peers:
        try:
            import ipywidgets  # noqa: F401  (the ipykernel side needs it in this venv)
        except ImportError:
            peers.remove("python3")
    runs = [("nabla", "print"), ("python3", "print"), ("nabla", "lesson")]
    runs = [r for r in runs if r[0] in peers]
    times = {r: [] for r in runs}
    for rnd in range(3):
        for r in runs:
            times[r] += widget_moves(r[0], WIDGET_SETUP[r[1]])
    rows = []
    print(f"\n{'slider move → output back':28} {'p50 ms':>8} {'p99 ms':>8} {'×':>6}")
    ref = statistics.median(times[("nabla", "print")])
    for (name, work), ts in times.items():
        p50, p99 = statistics.median(ts) * 1e3, pct(ts, 99) * 1e3
        rows.append({"kernel": name, "work": work, "move_p50_ms": p50, "move_p99_ms": p99})
        print(f"{name + ' (' + work + ')':28} {p50:8.2f} {p99:8.2f} {statistics.median(ts) / ref:5.1f}×")
    print("× column: time relative to Nabla's print run (3 kernels × 200 moves each, interleaved); target ≤ 50 ms")
    p50 = {(r["kernel"], r["work"]): r["move_p50_ms"] for r in rows}
    if ("python3", "print") in p50:
        table.record("slider move → output back (p50)", p50[("nabla", "print")], "ipykernel + ipywidgets", p50[("python3", "print")], "ms", "<= 50")
    else:
        table.missing("slider move → output back (p50)", p50[("nabla", "print")], "ipykernel + ipywidgets", "ms", "<= 50")
    if ("nabla", "lesson") in p50:
        table.record("slider move → lesson plot + explain back (p50)", p50[("nabla", "lesson")], None, None, "ms", "<= 50")
    out = ROOT / "bench" / "results" / "widgets.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


def kernel_request_us():
    """The kernel's own CPU for one `1+1` execute_request, without sockets (NablaBench)."""
    exe = ROOT / ".build" / "release" / "NablaBench"
    r = subprocess.run([str(exe), "kernel_request_us"], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)["kernel_request_us"]


def main():
    floor = ["floor"] if build("kernel_floor.c", FLOOR, "-lzmq", "-lpthread") else []
    c_client = build("kernel_client.c", C_CLIENT, "-lzmq", "-lsodium")
    starts = {k: [] for k in KERNELS + floor}
    trips = {k: [] for k in KERNELS + floor}
    c_trips = {k: [] for k in KERNELS + floor}
    for rnd in range(7):
        for name in KERNELS + floor:
            c = Client(name)
            try:
                starts[name].append(c.start())
                trips[name] += [c.roundtrip() for _ in range(300)]
                if c_client:
                    c_trips[name] += c.c_roundtrips(300)
            finally:
                c.stop()
    base = "nabla"
    print(f"{'kernel':10} {'startup p50 ms':>15} {'rt p50 ms':>10} {'rt p99 ms':>10} {'startup ×':>10} {'rt ×':>8} {'C-client rt p50':>16}")
    rows = []
    for name in KERNELS + floor:
        s50, r50, r99 = statistics.median(starts[name]) * 1e3, statistics.median(trips[name]) * 1e3, pct(trips[name], 99) * 1e3
        rows.append({"kernel": name, "startup_p50_ms": s50, "roundtrip_p50_ms": r50, "roundtrip_p99_ms": r99,
                     "c_roundtrip_p50_ms": statistics.median(c_trips[name]) * 1e3 if c_trips[name] else None})
    ref = next(r for r in rows if r["kernel"] == base)
    for r in rows:
        r["startup_speedup_of_nabla"] = r["startup_p50_ms"] / ref["startup_p50_ms"]
        r["roundtrip_speedup_of_nabla"] = r["roundtrip_p50_ms"] / ref["roundtrip_p50_ms"]
        print(f"{r['kernel']:10} {r['startup_p50_ms']:15.2f} {r['roundtrip_p50_ms']:10.3f} {r['roundtrip_p99_ms']:10.3f} "
              f"{r['startup_speedup_of_nabla']:9.1f}× {r['roundtrip_speedup_of_nabla']:7.1f}× {r['c_roundtrip_p50_ms'] or float('nan'):16.3f}")
    print("× columns: how many times faster Nabla is than that kernel (7 starts, 2,100 round trips each, interleaved)")
    print("rt: the pyzmq client above; C-client rt: bench/kernel_client.c, the same request timed by a raw libzmq client")
    print("targets for nabla: round trip p50 ≤ 0.35 ms, startup ≤ 20 ms")
    floor_row = next((r for r in rows if r["kernel"] == "floor"), None)
    rows = [r for r in rows if r["kernel"] != "floor"]
    resources(rows)
    own = kernel_request_us()
    print(f"nabla's own CPU per `1+1` request, no sockets: {own:.1f} µs")
    by = {r["kernel"]: r for r in rows}
    figures = (("startup_p50_ms", "kernel startup to kernel_info_reply (p50)", "ms", "<= 20"),
               ("roundtrip_p50_ms", "execute `1+1` round trip, pyzmq client (p50)", "ms", "<= 0.35"),
               ("roundtrip_p99_ms", "execute `1+1` round trip, pyzmq client (p99)", "ms", None),
               ("c_roundtrip_p50_ms", "execute `1+1` round trip, C libzmq client (p50)", "ms", "<= 0.35"),
               ("idle_rss_mib", "idle RSS", "MiB", "<= 30"),
               ("rss_growth_mib", "RSS growth over 10,000 cells", "MiB", "<= 5"),
               ("flood_100k_lines_s", "100,000 printed lines to idle", "s", "<= 2"))
    for peer, label in (("python3", "ipykernel"), ("xpython", "xeus-python")):
        for key, figure, unit, target in figures:
            if peer in by:
                table.record(figure, ref[key], label, by[peer][key], unit, target)
            else:
                table.missing(figure, ref[key], label, unit, target,
                              reason=f"{label} not installed here (pip install -r requirements-bench.txt)")
    floor_label = "C server, same threads, no work (bench/kernel_floor.c)"
    for key, figure in (("roundtrip_p50_ms", "execute `1+1` round trip, pyzmq client (p50)"),
                        ("c_roundtrip_p50_ms", "execute `1+1` round trip, C libzmq client (p50)")):
        if floor_row:
            table.record(figure, ref[key], floor_label, floor_row[key], "ms", "<= 0.35")
        else:
            table.missing(figure, ref[key], floor_label, "ms", "<= 0.35",
                          reason="bench/kernel_floor.c did not build (needs cc and libzmq3-dev)")
    if floor_row:
        rows.append(floor_row)
    table.record("kernel's own CPU per `1+1` request, no sockets", own, None, None, "µs")
    out = ROOT / "bench" / "results" / "kernel.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    widgets_bench()
    table.finish("kernel")


if __name__ == "__main__":
    if sys.argv[1:] == ["widgets"]:
        widgets_bench()
        table.finish("widgets")
    else:
        main()
