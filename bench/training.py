#!/usr/bin/env python3
"""Training benchmarks: one epoch of the notes' Keras models through Nabla's `model.fit`
(the release `nabla run`, timed inside the script) beside the same models, data sizes and
optimizer in PyTorch CPU float64, in the same run. Prints medians and ratios; writes
bench/results/training.json.

- cnn_epoch:  the notes' CNN (Conv2D 32/64/16 3×3 relu + 2×2 max pooling, Dense 16, softmax 3;
  28,947 parameters) on 300 images 28×28×3, batch 10, Adam, sparse categorical cross entropy.
- lstm_epoch: the notes' deep LSTM (LSTM 64/32/16, each with Dropout 0.2 and BatchNormalization,
  Dense 10 softmax) on 320 sequences of 8 timesteps × 8 features (the digits read row by
  row), batch 32, Adam.
"""
import json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPS = int(os.environ.get("NABLA_BENCH_REPS", "7"))

try:
    import torch
    torch.set_default_dtype(torch.float64)
except Exception:  # PyTorch is optional
    torch = None

NABLA_SCRIPT = """
import time
seed(0)
def timed(model, x, y, batch):
    model.fit(x, y, epochs=1, batch_size=batch, verbose=0)      # warm-up epoch
    ts = []
    for r in range(REPS):
        t0 = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=batch, verbose=0)
        ts.append(time.perf_counter() - t0)
    ts = sorted(ts)
    return ts[len(ts) // 2]

cnn = keras.models.Sequential()
cnn.add(keras.layers.Conv2D(32, (3,3), activation='relu', input_shape=(28,28,3)))
cnn.add(keras.layers.MaxPool2D(2,2))
cnn.add(keras.layers.Conv2D(64, (3,3), activation='relu'))
cnn.add(keras.layers.MaxPooling2D((2,2)))
cnn.add(keras.layers.Conv2D(16, (3,3), activation='relu'))
cnn.add(keras.layers.MaxPooling2D((2,2)))
cnn.add(keras.layers.Flatten())
cnn.add(keras.layers.Dense(16, activation='relu'))
cnn.add(keras.layers.Dense(3, activation='softmax'))
cnn.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
assert cnn.count_params() == 28947
x = randn(300, 28, 28, 3)
y = arange(300) % 3
print('cnn_epoch_s', timed(cnn, x, y, 10))

lstm = Sequential()
lstm.add(LSTM(64, return_sequences=True, input_shape=(8, 8)))
lstm.add(Dropout(0.2))
lstm.add(BatchNormalization())
lstm.add(LSTM(32, return_sequences=True))
lstm.add(Dropout(0.2))
lstm.add(BatchNormalization())
lstm.add(LSTM(16))
lstm.add(Dropout(0.2))
lstm.add(BatchNormalization())
lstm.add(Dense(10, activation='softmax'))
lstm.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
xs = randn(320, 8, 8)
ys = arange(320) % 10
print('lstm_epoch_s', timed(lstm, xs, ys, 32))
"""


def nabla_figures():
    exe = ROOT / ".build" / "release" / "nabla"
    with tempfile.NamedTemporaryFile("w", suffix=".nabla", delete=False) as f:
        f.write(NABLA_SCRIPT.replace("REPS", str(REPS)))
    try:
        out = subprocess.run([str(exe), "run", f.name], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)
    figures = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].endswith("_s"):
            figures[parts[0]] = float(parts[1])
    return figures


def torch_epoch(model, x, y, batch):
    """Seconds for one epoch of shuffled mini-batches with Adam (the median of REPS epochs)."""
    opt = torch.optim.Adam(model.parameters())
    g = torch.Generator().manual_seed(0)

    def epoch():
        model.train()
        order = torch.randperm(len(x), generator=g)
        for s in range(0, len(x), batch):
            idx = order[s:s + batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()

    epoch()
    ts = []
    for _ in range(REPS):
        t0 = time.perf_counter(); epoch(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def torch_figures(threads=None):
    """PyTorch's figures with its default threads, or with `threads` (on a loaded machine its
    default threads can oversubscribe the cores and slow it many times over)."""
    if torch is None:
        return {}
    default_threads = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    nn = torch.nn
    g = torch.Generator().manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(64, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    out = {"cnn_epoch_s": torch_epoch(cnn, torch.randn(300, 3, 28, 28, generator=g), torch.arange(300) % 3, 10)}

    class SeqBatchNorm(nn.Module):
        """Keras' BatchNormalization over the last axis of (N, T, F)."""
        def __init__(self, features):
            super().__init__()
            self.bn = nn.BatchNorm1d(features, momentum=0.01, eps=1e-3)

        def forward(self, x):
            return self.bn(x.transpose(1, 2)).transpose(1, 2) if x.dim() == 3 else self.bn(x)

    class DeepLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = nn.LSTM(8, 64, batch_first=True), nn.LSTM(64, 32, batch_first=True), nn.LSTM(32, 16, batch_first=True)
            self.d = nn.Dropout(0.2)
            self.b1, self.b2, self.b3 = SeqBatchNorm(64), SeqBatchNorm(32), SeqBatchNorm(16)
            self.out = nn.Linear(16, 10)

        def forward(self, x):
            x = self.b1(self.d(self.l1(x)[0]))
            x = self.b2(self.d(self.l2(x)[0]))
            x = self.b3(self.d(self.l3(x)[0][:, -1]))
            return self.out(x)

    out["lstm_epoch_s"] = torch_epoch(DeepLSTM(), torch.randn(320, 8, 8, generator=g), torch.arange(320) % 10, 32)
    torch.set_num_threads(default_threads)
    return out


ROWS = [  # key, label, target (Nabla's time at most this many times PyTorch's)
    ("cnn_epoch_s", "notes' CNN epoch, 300 images, batch 10", 1.0),
    ("lstm_epoch_s", "notes' deep LSTM epoch, 320 seqs, batch 32", 1.5),
]


def main():
    nabla, torch_, torch1 = nabla_figures(), torch_figures(), torch_figures(threads=1)
    print(f"{'benchmark':44} {'nabla s':>9} {'torch s':>9} {'nabla/torch':>12} {'torch 1t s':>11} {'nabla/1t':>9} {'target':>8}")
    rows = []
    for key, label, target in ROWS:
        n, t, t1 = nabla.get(key), torch_.get(key), torch1.get(key)
        r = n / t if n is not None and t else None
        r1 = n / t1 if n is not None and t1 else None
        rows.append({"benchmark": key, "unit": "s", "nabla": n, "torch": t, "time_vs_torch": r,
                     "torch_1_thread": t1, "time_vs_torch_1_thread": r1, "target": target})
        fmt = lambda v: f"{v:9.3f}" if v is not None else f"{'—':>9}"
        print(f"{label:44} {fmt(n)} {fmt(t)} {(f'{r:11.2f}×' if r else '—'):>12} {fmt(t1):>11} "
              f"{(f'{r1:8.2f}×' if r1 else '—'):>9} {f'≤ {target}×':>8}")
    print(f"medians of {REPS} epochs after a warm-up epoch; nabla/torch is time relative to PyTorch CPU float64 (< 1: Nabla faster),")
    print("with PyTorch's default threads and with one thread (the fair peer when the machine is loaded)")
    if torch is None:
        print("(PyTorch is not installed; `.venv/bin/pip install -r requirements-bench.txt` adds its column)")
    out = ROOT / "bench" / "results" / "training.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "reps": REPS, "torch": torch.__version__ if torch else None}, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
