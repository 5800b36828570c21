"""Python programs as students copy them (textbook numpy code, Stack Overflow snippets, lecture
exercises), each run by `nabla run` and by CPython with numpy; the outputs must agree word for
word, numbers to 1e-6.

One allowance, by design: Nabla shows arrays with 4 significant digits (and commas, so they
read back as lists), where numpy shows 8 and separates with spaces. Commas are ignored, and a
number Nabla printed with at most 4 significant digits matches the CPython number rounded to
as many digits. Python ints, floats and strings print exactly as in CPython."""
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.py"))
NABLA = ROOT / ".build" / "debug" / "nabla"

NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(nan|inf)$")
TOKEN = re.compile(r"[\[\](){}]|[^\s\[\](){},]+")


def tokens(text):
    return TOKEN.findall(text)


def significant_digits(token):
    mantissa = re.split(r"[eE]", token.lstrip("+-"))[0].replace(".", "").lstrip("0")
    return len(mantissa)


def numbers_match(nabla, cpython):
    a, b = float(nabla), float(cpython)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9):
        return True
    digits = significant_digits(nabla)
    return 0 < digits <= 4 and math.isclose(a, float(f"{b:.{digits}g}"), rel_tol=1e-9, abs_tol=1e-12)


def compare(nabla_out, python_out):
    xs, ys = tokens(nabla_out), tokens(python_out)
    for k, (x, y) in enumerate(zip(xs, ys)):
        if x == y:
            continue
        if NUMBER.match(x) and NUMBER.match(y) and numbers_match(x, y):
            continue
        context = " ".join(ys[max(0, k - 8):k + 3])
        return f"token {k}: Nabla printed {x!r} where CPython printed {y!r} (CPython: ... {context} ...)"
    if len(xs) != len(ys):
        return f"Nabla printed {len(xs)} tokens, CPython {len(ys)}"
    return None


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 40


def test_the_comparison_is_strict_about_python_numbers():
    assert compare("0.30000000000000004", "0.30000000000000004") is None
    assert compare("3", "3.0") is None           # numerically equal
    assert compare("0.3", "0.30000000000000004") is None
    assert compare("0.31", "0.30000000000000004") is not None
    assert compare("[0.2452, 1]", "[0.24519181 1.        ]") is None
    assert compare("[0.2453, 1]", "[0.24519181 1.        ]") is not None
    assert compare("[-1, 2, -1, 2]", "[2 4]") is not None
    assert compare("caught", "Caught") is not None


@pytest.mark.parametrize("program", CORPUS, ids=[p.stem for p in CORPUS])
def test_program_prints_what_cpython_prints(program):
    py = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=120, cwd=program.parent)
    assert py.returncode == 0, f"CPython failed on {program.name}:\n{py.stderr}"
    nb = subprocess.run([str(NABLA), "run", str(program)], capture_output=True, text=True, timeout=120, cwd=program.parent)
    assert nb.returncode == 0, f"Nabla failed on {program.name}:\n{nb.stdout}\n{nb.stderr}"
    problem = compare(nb.stdout, py.stdout)
    assert problem is None, f"{program.name}: {problem}\n--- Nabla ---\n{nb.stdout}\n--- CPython ---\n{py.stdout}"
