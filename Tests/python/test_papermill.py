"""papermill parameterizes Nabla notebooks: the translator in python/nabla_papermill is found
through its entry point, and every type papermill passes arrives in the kernel as the value
it was. Each value is read back from the executed notebook one leaf at a time (a string by
printing it alone, a number read back exactly, with its sign), with its type and container lengths."""
import math
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.translators import papermill_translators

from conftest import KERNEL

ROOT = Path(__file__).resolve().parents[2]
PAPERMILL = Path(sys.executable).with_name("papermill")

STRINGS = {
    "quotes": "it's \"quoted\" and 'single'",
    "backslashes": "C:\\new\\table\\ and a trailing \\",
    "escapes_as_text": "\\n is not a newline, \\t not a tab, \\' not a quote",
    "newlines": "line one\nline two\n\nline four\n",
    "crlf_tab": "a\r\nb\tc\rd",
    "control": "bell\a nul\x00 esc\x1b del\x7f",
    "unicode": "손실 함수 θ ∇ α=0.1 — naïve café (e\u0301) 👩‍👩‍👧 𝔼",
    "empty": "",
    "code_like": "x'; print('injected') #",
    "triple": "'''\"\"\"",
}
NUMBERS = {
    "lr": 0.1, "steps": 3, "negative": -7, "big_int": 2 ** 53 + 1, "int64_max": 2 ** 63 - 1, "int64_min": -2 ** 63,
    "zero": 0, "neg_zero": -0.0, "whole_float": 2.0,
    "tiny": 5e-324, "huge": 1.7976931348623157e308, "third": 1 / 3, "sci": -1.25e-7,
    "inf": math.inf, "ninf": -math.inf, "nan": math.nan,
}
OTHERS = {
    "yes": True, "no": False, "nothing": None,
    "sizes": [1, 2, 3], "matrix": [[1.5, -2.0], [3.0, 4.25]], "empty_list": [], "floats": [0.5, 2.0, -0.0],
    "mixed": [1, "two", None, True, [3.5, "four\n"], []],
    "words": ["a", "b'c", "d\"e"],
}
DICTS = {
    "config": {"lr": 0.01, "name": "mse", "layers": [4, 2], "opts": {"momentum": 0.9, "nesterov": False, "tag": None}},
    "empty_dict": {},
    "odd_keys": {"it's": 1, "line\nbreak": "v", "키": [True, {"deep": "est"}]},
}


def type_name(v):
    """Nabla's values have Python's types: type(x).__name__ is the same in the kernel."""
    return type(v).__name__


def leaves(name, value, path=""):
    """(Nabla expression, expected value) for every node of a parameter."""
    expr = name + path
    yield expr, value
    if isinstance(value, list):
        for i, x in enumerate(value):
            yield from leaves(name, x, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, x in value.items():
            yield from leaves(name, x, f"{path}[{k!r}]")


def notebook(params):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Nabla", "language": "nabla", "name": KERNEL},
                   "language_info": {"name": "nabla"}}
    defaults = nbformat.v4.new_code_cell("\n".join(f"{k} = 0  # default" for k in params))
    defaults.metadata["tags"] = ["parameters"]
    nb.cells = [defaults]
    checks = []
    for name, value in params.items():
        for expr, expected in leaves(name, value):
            checks.append((expr, expected))
            nb.cells.append(nbformat.v4.new_code_cell(f"print(type({expr}).__name__)"))
            if isinstance(expected, (list, dict)):
                nb.cells.append(nbformat.v4.new_code_cell(f"print(len({expr}))"))
            else:
                nb.cells.append(nbformat.v4.new_code_cell(f"print({expr})"))
    return nb, checks


def stdout(cell):
    errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{cell.source!r} failed: {errors}"
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def check(out_nb, checks):
    cells = out_nb.cells
    injected = [c for c in cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and injected[0].source.startswith("# Parameters\n")
    rest = iter(cells[2:])  # after the parameters and the injected parameters
    for expr, expected in checks:
        t = next(rest)
        assert stdout(t) == type_name(expected) + "\n", f"type({expr}): {stdout(t)!r}"
        shown = stdout(next(rest))
        if isinstance(expected, (list, dict)):
            assert shown == f"{len(expected)}\n", f"len({expr})"
        elif isinstance(expected, str):
            assert shown == expected + "\n", f"{expr}: {shown!r} != {expected!r}"
        elif isinstance(expected, bool) or expected is None:
            assert shown == f"{expected}\n", expr
        elif isinstance(expected, int):
            assert int(shown) == expected, f"{expr}: {shown!r} != {expected!r}"
        elif math.isnan(expected):
            assert shown == "nan\n", expr
        else:
            assert float(shown) == expected and math.copysign(1, float(shown)) == math.copysign(1, expected), \
                f"{expr}: {shown!r} != {expected!r}"


def test_translator_is_registered_through_its_entry_point():
    eps = {ep.name: ep for ep in entry_points(group="papermill.translators")}
    assert eps["nabla"].value == "nabla_papermill:NablaTranslator"
    # found by kernel name, and by language for a kernel installed under another name
    assert papermill_translators.find_translator("nabla", "nabla").__name__ == "NablaTranslator"
    assert papermill_translators.find_translator("nabla-dev", "nabla").__name__ == "NablaTranslator"


def test_the_injected_cell_reads_as_nabla():
    src = papermill_translators.find_translator(KERNEL, "nabla").codify(
        {"lr": 0.1, "name": "a'b", "nan": math.nan, "t": (1,), "d": {"k": [None, True]}}, "Injected parameters")
    lines = src.splitlines()
    assert lines[0] == "# Injected parameters"
    # Nabla's integers are 64-bit: a larger one is refused before anything runs.
    with pytest.raises(ValueError, match="64-bit"):
        papermill_translators.find_translator(KERNEL, "nabla").codify({"n": 2 ** 63})
    assert lines[1:] == ["lr = 0.1", "name = 'a\\'b'", "nan = float('nan')", "t = (1,)", "d = {'k': [None, True]}"]


def test_help_notebook_lists_the_parameters(tmp_path):
    nb, _ = notebook({"lr": 0.1, "name": "x"})
    path = tmp_path / "in.ipynb"
    nbformat.write(nb, path)
    params = pm.inspect_notebook(str(path))
    assert set(params) == {"lr", "name"} and params["lr"]["default"] == "0" and params["lr"]["help"] == "default"


@pytest.mark.parametrize("group", ["strings", "numbers", "others", "dicts"])
def test_every_parameter_type_arrives_as_it_was(tmp_path, group):
    params = {"strings": STRINGS, "numbers": NUMBERS, "others": OTHERS, "dicts": DICTS}[group]
    nb, checks = notebook(params)
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    pm.execute_notebook(str(src), str(out), parameters=params, kernel_name=KERNEL, progress_bar=False)
    check(nbformat.read(out, as_version=4), checks)


def test_the_command_line_of_the_issue(tmp_path):
    """papermill in.ipynb out.ipynb -k nabla -p lr 0.1, and -r, -y, -f for the other kinds."""
    expected = {"lr": 0.1, "steps": 10, "name": "3 # not a number", "flag": True, "sizes": [1, 2],
                "words": ["a b", None]}
    nb, checks = notebook(expected)
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    (tmp_path / "p.yaml").write_text("words: ['a b', null]\n")
    subprocess.run([str(PAPERMILL), str(src), str(out), "-k", KERNEL, "-p", "lr", "0.1", "-p", "steps", "10",
                    "-r", "name", "3 # not a number", "-p", "flag", "True", "-y", "sizes: [1, 2]",
                    "-f", str(tmp_path / "p.yaml"), "--no-progress-bar"], check=True, capture_output=True, timeout=300)
    check(nbformat.read(out, as_version=4), checks)


def test_the_package_installs_with_pip_from_the_repository(tmp_path):
    """A wheel builds from python/nabla_papermill, with the entry points in its metadata."""
    src = shutil.copytree(ROOT / "python" / "nabla_papermill", tmp_path / "src",
                          ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(src)],
                   check=True, timeout=300)
    wheel = next(tmp_path.glob("nabla_papermill-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        eps = next(n for n in z.namelist() if n.endswith("entry_points.txt"))
        text = z.read(eps).decode()
        assert "[papermill.translators]\nnabla = nabla_papermill:NablaTranslator" in text
        assert "[papermill.engine]\nnabla = nabla_papermill:NablaEngine" in text
        assert "nabla_papermill/__init__.py" in z.namelist()
