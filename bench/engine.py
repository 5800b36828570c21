#!/usr/bin/env python3
"""Engine benchmarks: Nabla's figures beside numpy, PyTorch CPU, micrograd and CPython, measured
in the same run on the same machine. Each figure goes through bench/table.py: one row per
figure and peer, as a ratio with its target, merged into bench/results.json (section "engine").
A peer that is not installed is named in its row."""
import json, math, os, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import table
import numpy as np

try:
    import torch
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(len(os.sched_getaffinity(0)))
except Exception as e:  # PyTorch is optional; its rows then name it as missing
    torch, TORCH_MISSING = None, f"not importable ({type(e).__name__})"

try:
    from micrograd.engine import Value as MicrogradValue
except Exception as e:
    MicrogradValue, MICROGRAD_MISSING = None, f"not importable ({type(e).__name__})"


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

    def views():
        for i in range(100):
            a.T; a[i:i + 64]; a[:, i:i + 64]
    out["views_us"] = median(50, views) / 300 * 1e6
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


def micrograd_figures():
    if MicrogradValue is None:
        return {}
    sys.setrecursionlimit(100_000)  # micrograd's topological sort recurses once per node

    def chain():
        v = MicrogradValue(1.0)
        for _ in range(1_000):
            v = v * 1.0001 + 0.5
        v.backward()
    return {"scalar_op_us": median(15, chain) / 2_000 * 1e6}


def cpython_figures():
    def loop():
        x = 1.0
        for _ in range(100_000):
            x = x * 1.0001 + 0.5
    return {"lang_op_us": median(5, loop) / 200_000 * 1e6}


# The interpreter's own speed beside CPython's, the same Python program run by each (issue #12:
# its loops at most 2× CPython's time). Each program times its loop itself (startup excluded).
# Each entry: (figure, peer, target, source).
PROGRAMS = {
    "int_loop_ms": ("loop of 1e6 `s += i * i` (exact ints)", "CPython", "<= 2x",
                    "import time\nt = time.perf_counter()\ns = 0\nfor i in range(1000000):\n    s += i * i\n"
                    "print((time.perf_counter() - t) * 1000)\nassert s == 333332833333500000\n"),
    "row_loop_ms": ("row loop `for i, row in enumerate(X): X[i] = row / row.sum()`, 2000×100", "CPython + numpy", None,
                    "import numpy as np\nimport time\nX = np.arange(200000.0).reshape(2000, 100) + 1\nt = time.perf_counter()\n"
                    "for i, row in enumerate(X):\n    X[i] = row / row.sum()\nprint((time.perf_counter() - t) * 1000)\n"
                    "assert abs(X.sum() - 2000) < 1e-6\n"),
    "call_loop_ms": ("loop of 1e6 calls of a def", "CPython", "<= 2x",
                     "import time\ndef f(a, b):\n    return a + b\nt = time.perf_counter()\ns = 0\nfor i in range(1000000):\n"
                     "    s = f(s, i)\nprint((time.perf_counter() - t) * 1000)\nassert s == 499999500000\n"),
}


def program_figures(reps=3):
    """Median loop time (ms) of each program under `nabla run` (release) and under CPython."""
    import tempfile
    out = {}
    nabla = ROOT / ".build" / "release" / "nabla"
    for key, (_, _, _, source) in PROGRAMS.items():
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


def nabla_figures(*names):
    """NablaBench's figures (the named ones, or all)."""
    exe = ROOT / ".build" / "release" / "NablaBench"
    return json.loads(subprocess.run([str(exe), *names], check=True, capture_output=True, text=True).stdout)


# Figures set against a peer: measured in interleaved rounds (Nabla, numpy, PyTorch, again…) and
# each taken as its median, so a slow spell of the shared machine falls on both sides of a ratio
# instead of on one (one run of the sequence saw Nabla's MLP step at 1.0 and 1.4 ms minutes apart).
RATIO_FIGURES = ("matmul_gflops", "exp_1e6_ms", "mlp_step_ms", "cnn_step_ms", "scalar_op_us", "views_us")
ROUNDS = int(os.environ.get("NABLA_BENCH_ROUNDS", "5"))


def interleaved(first_nabla):
    """Per-figure medians over ROUNDS rounds of Nabla, numpy and PyTorch (the first Nabla round given)."""
    runs = {"nabla": [first_nabla], "numpy": [], "torch": []}
    for r in range(ROUNDS):
        if r > 0:
            runs["nabla"].append(nabla_figures(*RATIO_FIGURES))
        runs["numpy"].append(numpy_figures())
        runs["torch"].append(torch_figures())
    def medians(dicts):
        keys = set().union(*dicts)
        return {k: statistics.median(d[k] for d in dicts if k in d) for k in keys}
    return {who: medians(dicts) for who, dicts in runs.items()}


def main():
    rounds = interleaved(nabla_figures())
    nabla, numpy_, torch_ = rounds["nabla"], rounds["numpy"], rounds["torch"]
    micro, cpy = micrograd_figures(), cpython_figures()

    def row(figure, key, peer, values, unit, target=None, higher=False, missing_reason=None, note=None):
        n = nabla.get(key)
        if values is None:
            table.missing(figure, n, peer, unit, target, reason=missing_reason, higher_is_better=higher)
        else:
            table.record(figure, n, peer, values.get(key), unit, target, higher_is_better=higher, note=note)

    t = torch_ if torch is not None else None
    tm = None if torch is not None else TORCH_MISSING
    m = micro if MicrogradValue is not None else None
    mm = None if MicrogradValue is not None else MICROGRAD_MISSING
    row("DGEMM 1024²", "matmul_gflops", "numpy", numpy_, "GFLOPS", ">= 0.95x", higher=True)
    row("DGEMM 1024²", "matmul_gflops", "PyTorch CPU", t, "GFLOPS", None, higher=True, missing_reason=tm)
    row("exp over 1e6 elements", "exp_1e6_ms", "numpy", numpy_, "ms")
    row("a view of a 1024² matrix (.T, 64 rows, 64 columns)", "views_us", "numpy", numpy_, "µs/view", "<= 2x")
    row("MLP 784-128-10 train step, batch 64", "mlp_step_ms", "numpy", numpy_, "ms", "<= 0.9x")
    row("MLP 784-128-10 train step, batch 64", "mlp_step_ms", "PyTorch CPU", t, "ms", "<= 0.7x", missing_reason=tm)
    row("notes' CNN train step (Adam), batch 10", "cnn_step_ms", "PyTorch CPU", t, "ms", "<= 0.7x", missing_reason=tm)
    row("scalar op x*1.0001+0.5, fwd+bwd", "scalar_op_us", "PyTorch CPU", t, "µs/op", "<= 0.5", missing_reason=tm)
    row("scalar op x*1.0001+0.5, fwd+bwd", "scalar_op_us", "micrograd", m, "µs/op", "<= 0.5", missing_reason=mm)
    row("language loop, 1e5 iters, fwd+bwd", "lang_op_us", "CPython float loop (no autograd)", cpy, "µs/op")
    table.record("notes' CNN, RSS growth over 1,000 steps", nabla.get("cnn_rss_growth_mib"), None, None, "MiB", "<= 5")
    table.record("explain, 1,000-element expression", nabla.get("explain_1000_ms"), None, None, "ms", "< 50")
    for key, figures in program_figures().items():
        figure, peer, target, _ = PROGRAMS[key]
        table.record(figure, figures["nabla"], peer, figures["cpython"], "ms", target)
    table.finish("engine")


if __name__ == "__main__":
    main()
