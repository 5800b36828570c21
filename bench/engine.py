#!/usr/bin/env python3
"""Engine benchmarks: Nabla's figures beside numpy (and PyTorch when importable), measured
in the same run on the same machine. Prints a table of medians and ratios and writes
bench/results/engine.json."""
import json, math, os, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
import numpy as np

try:
    import torch
    torch.set_default_dtype(torch.float64)
except Exception:  # PyTorch is optional
    torch = None


def median(reps, body):
    body()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); body(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def numpy_figures():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((1024, 1024)), rng.standard_normal((1024, 1024))
    out = {"matmul_gflops": 2 * 1024**3 / median(15, lambda: a @ b) / 1e9}
    big = rng.standard_normal(1_000_000)
    out["exp_1e6_ms"] = median(30, lambda: np.exp(big)) * 1e3

    x = rng.standard_normal((64, 784)); y = np.arange(64) % 10
    W1 = rng.standard_normal((784, 128)) * 0.05; b1 = np.zeros(128)
    W2 = rng.standard_normal((128, 10)) * 0.05; b2 = np.zeros(10)
    onehot = np.eye(10)[y]

    def step():
        nonlocal W1, b1, W2, b2
        z1 = x @ W1 + b1; h = np.maximum(z1, 0)
        s = h @ W2 + b2
        s = s - s.max(axis=1, keepdims=True); e = np.exp(s); p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(64), y]).mean()
        ds = (p - onehot) / 64
        dW2 = h.T @ ds; db2 = ds.sum(0)
        dh = ds @ W2.T; dz1 = dh * (z1 > 0)
        dW1 = x.T @ dz1; db1 = dz1.sum(0)
        W1 -= 0.01 * dW1; b1 -= 0.01 * db1; W2 -= 0.01 * dW2; b2 -= 0.01 * db2
        return loss
    out["mlp_step_ms"] = median(200, step) * 1e3
    return out


def torch_figures():
    if torch is None:
        return {}
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(1024, 1024, generator=g), torch.randn(1024, 1024, generator=g)
    out = {"matmul_gflops": 2 * 1024**3 / median(15, lambda: a @ b) / 1e9}
    big = torch.randn(1_000_000, generator=g)
    out["exp_1e6_ms"] = median(30, lambda: torch.exp(big)) * 1e3
    x = torch.randn(64, 784, generator=g); y = torch.arange(64) % 10
    W1 = (torch.randn(784, 128, generator=g) * 0.05).requires_grad_(); b1 = torch.zeros(128, requires_grad=True)
    W2 = (torch.randn(128, 10, generator=g) * 0.05).requires_grad_(); b2 = torch.zeros(10, requires_grad=True)
    opt = torch.optim.SGD([W1, b1, W2, b2], lr=0.01)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(torch.relu(x @ W1 + b1) @ W2 + b2, y)
        loss.backward(); opt.step()
    out["mlp_step_ms"] = median(200, step) * 1e3

    def chain():
        p = torch.tensor(1.0, requires_grad=True); v = p
        for _ in range(10_000):
            v = v * 1.0001 + 0.5
        v.backward()
    out["scalar_op_us"] = median(5, chain) / 20_000 * 1e6

    # The notes' Keras CNN ('valid' convolutions, 28,947 parameters), Adam, batch 10, NCHW.
    nn = torch.nn
    cnn = nn.Sequential(nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(64, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    assert sum(p.numel() for p in cnn.parameters()) == 28947
    images, labels = torch.randn(10, 3, 28, 28, generator=g), torch.arange(10) % 3
    adam = torch.optim.Adam(cnn.parameters())

    def cnn_step():
        adam.zero_grad()
        nn.functional.cross_entropy(cnn(images), labels).backward()
        adam.step()
    out["cnn_step_ms"] = median(30, cnn_step) * 1e3
    return out


def cpython_figures():
    def loop():
        x = 1.0
        for _ in range(100_000):
            x = x * 1.0001 + 0.5
    return {"lang_op_us": median(5, loop) / 200_000 * 1e6}


# The interpreter's own speed beside CPython's, the same Python program run by each (issue #12:
# each at most 2× CPython's time). Each program times its loop itself (startup excluded).
PROGRAMS = {
    "int_loop_ms": ("loop of 1e6 `s += i * i` (exact ints)",
                    "import time\nt = time.perf_counter()\ns = 0\nfor i in range(1000000):\n    s += i * i\n"
                    "print((time.perf_counter() - t) * 1000)\nassert s == 333332833333500000\n"),
    "call_loop_ms": ("loop of 1e6 calls of a def",
                     "import time\ndef f(a, b):\n    return a + b\nt = time.perf_counter()\ns = 0\nfor i in range(1000000):\n"
                     "    s = f(s, i)\nprint((time.perf_counter() - t) * 1000)\nassert s == 499999500000\n"),
}


def program_figures(reps=3):
    """Median loop time (ms) of each program under `nabla run` (release) and under CPython."""
    import tempfile
    out = {}
    nabla = ROOT / ".build" / "release" / "nabla"
    for key, (_, source) in PROGRAMS.items():
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(source)
        times = {"nabla": [], "cpython": []}
        for _ in range(reps):
            for who, cmd in (("nabla", [str(nabla), "run", f.name]), ("cpython", [sys.executable, f.name])):
                r = subprocess.run(cmd, check=True, capture_output=True, text=True)
                times[who].append(float(r.stdout.split()[0]))
        os.unlink(f.name)
        out[key] = {who: statistics.median(v) for who, v in times.items()}
    return out


def nabla_figures():
    exe = ROOT / ".build" / "release" / "NablaBench"
    return json.loads(subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout)


ROWS = [  # key, label, unit, higher is better, target ratio vs numpy (None: no target)
    ("matmul_gflops", "matmul 1024×1024", "GFLOPS", True),
    ("exp_1e6_ms", "exp over 1e6 elements", "ms", False),
    ("mlp_step_ms", "MLP 784-128-10 step, batch 64", "ms", False),
    ("scalar_op_us", "scalar op x*1.0001+0.5, fwd+bwd", "µs/op", False),
    ("cnn_step_ms", "notes' CNN train step, batch 10", "ms", False),  # peer: PyTorch float64
    ("explain_1000_ms", "explain, 1,000-element expression", "ms", False),  # target < 50 ms; no peer
]
LANG_ROWS = [
    ("lang_op_us", "language loop, 1e5 iters, fwd+bwd", "µs/op", False),
]


def main():
    nabla, numpy_, torch_ = nabla_figures(), numpy_figures(), torch_figures()
    print(f"{'benchmark':34} {'unit':7} {'nabla':>9} {'numpy':>9} {'torch':>9} {'vs numpy':>9} {'vs torch':>9}")

    def fmt(v):
        return f"{v:9.3f}" if v is not None else f"{'—':>9}"

    def ratio(mine, other, higher):
        if mine is None or other is None:
            return None
        return mine / other if higher else other / mine  # > 1 means Nabla is better

    rows = []
    for key, label, unit, higher in ROWS:
        n, p, t = nabla.get(key), numpy_.get(key), torch_.get(key)
        rn, rt = ratio(n, p, higher), ratio(n, t, higher)
        rows.append({"benchmark": key, "unit": unit, "nabla": n, "numpy": p, "torch": t,
                     "speed_vs_numpy": rn, "speed_vs_torch": rt})
        print(f"{label:34} {unit:7} {fmt(n)} {fmt(p)} {fmt(t)} "
              f"{(f'{rn:8.2f}×' if rn else '—'):>9} {(f'{rt:8.2f}×' if rt else '—'):>9}")
    cpy = cpython_figures()
    for key, label, unit, higher in LANG_ROWS:
        n, c, t = nabla.get(key), cpy.get(key), torch_.get("scalar_op_us")
        rc, rt = ratio(n, c, higher), ratio(n, t, higher)
        rows.append({"benchmark": key, "unit": unit, "nabla": n, "cpython_float_loop": c, "torch": t,
                     "speed_vs_cpython": rc, "speed_vs_torch": rt})
        print(f"{label:34} {unit:7} {fmt(n)} {fmt(c)} {fmt(t)} "
              f"{(f'{rc:8.2f}×' if rc else '—'):>9} {(f'{rt:8.2f}×' if rt else '—'):>9}")
    print("(the language row's peer column is CPython's plain float loop, no autograd)")
    print(f"{'program (same source in each)':42} {'nabla ms':>9} {'CPython ms':>10} {'× CPython':>9}")
    for key, figures in program_figures().items():
        n, c = figures["nabla"], figures["cpython"]
        rows.append({"benchmark": key, "unit": "ms", "nabla": n, "cpython": c, "time_vs_cpython": n / c})
        print(f"{PROGRAMS[key][0]:42} {n:9.1f} {c:10.1f} {n / c:8.2f}×")
    print("ratios are speed relative to the peer (> 1: Nabla faster); medians of repeated runs")
    if torch is None:
        print("(PyTorch is not installed; `.venv/bin/pip install torch` adds its column)")
    out = ROOT / "bench" / "results" / "engine.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "numpy": np.__version__,
                               "torch": torch.__version__ if torch else None}, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
