#!/usr/bin/env python3
"""One results table for every benchmark script: each figure beside its peer measured in the
same run, as a ratio, with its target. Scripts call `record(...)` per row (and `missing(...)`
for a peer that is not installed, so it is named, never skipped silently), then `finish(section)`,
which prints their rows and merges them into bench/results.json under `section`. Rows of other
sections (other scripts of the same `make bench`) are kept, so engine.py and kernel.py each
write their part. `python bench/table.py` prints the merged table; `--markdown` renders it for
the README with the machine it ran on.

    import table
    table.record("matmul 1024²", 41.0, "numpy", 43.0, "GFLOPS", ">= 0.95x", higher_is_better=True)
    table.record("scalar op fwd+bwd", 0.4, None, None, "µs", "<= 0.5")   # absolute target, no peer
    table.missing("CNN step", 6.1, "PyTorch", "ms", "<= 0.7x", reason="torch not importable")
    table.finish("engine")

Ratios are Nabla ÷ peer in the figure's own unit: for times < 1 means Nabla is faster, for
throughputs (higher_is_better) > 1 does. A target ending in "x" applies to that ratio; a target
without "x" applies to Nabla's value itself.
"""
import json, os, platform, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
_rows = []


def _check(target, nabla, ratio):
    """True/False when `target` ("<= 0.7x", ">= 0.95x", "<= 0.5") is met or not; None if unknown."""
    if not target:
        return None
    m = re.fullmatch(r"\s*(<=|>=|<|>)\s*([0-9.]+)\s*(x?)\s*", target)
    if not m:
        raise ValueError(f"target {target!r}: write it as '<= 0.7x', '>= 0.95x' or '<= 0.5'")
    op, bound, on_ratio = m.group(1), float(m.group(2)), m.group(3) == "x"
    v = ratio if on_ratio else nabla
    if v is None:
        return None
    return {"<=": v <= bound, ">=": v >= bound, "<": v < bound, ">": v > bound}[op]


def record(figure, nabla_value, peer_name, peer_value, unit, target=None, higher_is_better=False, note=None):
    """One row: Nabla's figure beside `peer_name`'s (None for a figure with no peer)."""
    ratio = nabla_value / peer_value if (nabla_value is not None and peer_value) else None
    _rows.append({"figure": figure, "unit": unit, "nabla": nabla_value, "peer": peer_name, "peer_value": peer_value,
                  "ratio": ratio, "higher_is_better": higher_is_better, "target": target,
                  "met": _check(target, nabla_value, ratio), "note": note})


def missing(figure, nabla_value, peer_name, unit, target=None, reason="not installed", higher_is_better=False):
    """A row whose peer could not be measured in this run: named, with the reason."""
    record(figure, nabla_value, peer_name, None, unit, target, higher_is_better, note=f"missing: {reason}")


def machine():
    """CPU model, the CPUs this process may use, and the BLAS core `nabla --version` reports."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    blas = None
    exe = next((e for e in (ROOT / ".build" / c / "nabla" for c in ("release", "debug")) if e.exists()), None)
    if exe is not None:
        try:
            out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=30).stdout
            blas = next((l.strip() for l in out.splitlines() if l.startswith("BLAS")), None)
        except (OSError, subprocess.SubprocessError):
            pass
    return {"cpu": cpu, "cores": cores, "blas": blas, "os": platform.platform(), "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _fmt(v):
    if v is None:
        return "—"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def _lines(rows, markdown=False):
    head = ["figure", "unit", "Nabla", "peer", "peer value", "Nabla ÷ peer", "target", "met"]
    body = []
    for r in rows:
        met = {True: "yes", False: "NO", None: "—"}[r["met"]]
        peer = r["peer"] or "(none)"
        if r.get("note"):
            peer += f" ({r['note']})"
        body.append([r["figure"], r["unit"], _fmt(r["nabla"]), peer, _fmt(r["peer_value"]),
                     f"{r['ratio']:.2f}×" if r["ratio"] is not None else "—", r["target"] or "—", met])
    if markdown:
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(b) + " |" for b in body]
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    return [fmt(head), fmt(["-" * w for w in widths])] + [fmt(b) for b in body]


def finish(section):
    """Prints this script's rows and merges them into bench/results.json under `section`."""
    for line in _lines(_rows):
        print(line)
    print("Nabla ÷ peer: times < 1 and throughputs > 1 favour Nabla; medians, same run, same machine")
    data = {}
    if RESULTS.exists():
        try:
            data = json.loads(RESULTS.read_text())
        except ValueError:
            data = {}
    data.setdefault("sections", {})[section] = list(_rows)
    data["machine"] = machine()
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)} [{section}]")


def main():
    data = json.loads(RESULTS.read_text())
    m = data.get("machine", {})
    markdown = "--markdown" in sys.argv
    rows = [r for sec in data.get("sections", {}).values() for r in sec]
    where = f"{m.get('cpu')}, {m.get('cores')} cores, {m.get('blas')}, {m.get('date')}"
    print(f"Measured on {where}." if markdown else where)
    if markdown:
        print()
    for line in _lines(rows, markdown):
        print(line)


if __name__ == "__main__":
    main()
