"""Every lecture notebook survives jupytext's py:percent round trip: the same cells (types and
sources, in order; outputs are not part of a text notebook) and the kernelspec, which names the
Nabla kernel and its language. language_info is kept too when the metadata filter asks for it."""
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
JUPYTEXT = Path(sys.executable).with_name("jupytext")


def cells(nb):
    return [(c.cell_type, c.source) for c in nb.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_py_percent_round_trip_keeps_cells_and_kernelspec(path):
    nb = nbformat.read(path, as_version=4)
    text = jupytext.writes(nb, fmt="py:percent")
    assert text.count("# %%") == len(nb.cells)
    back = jupytext.reads(text, fmt="py:percent")
    assert cells(back) == cells(nb)
    assert back.metadata["kernelspec"] == nb.metadata["kernelspec"]
    assert back.metadata["kernelspec"]["name"] == "nabla" and back.metadata["kernelspec"]["language"] == "nabla"
    # With the filter asking for it, language_info comes back as well.
    fmt = {"extension": ".py", "format_name": "percent", "notebook_metadata_filter": "language_info"}
    back = jupytext.reads(jupytext.writes(nb, fmt=fmt), fmt="py:percent")
    assert cells(back) == cells(nb) and back.metadata["language_info"] == nb.metadata["language_info"]


def test_command_line_round_trip(tmp_path):
    """jupytext --to py:percent, then --to notebook, as a teacher would run it."""
    path = NOTEBOOKS[0]
    nb_copy = tmp_path / path.name
    nb_copy.write_bytes(path.read_bytes())
    subprocess.run([str(JUPYTEXT), "--to", "py:percent", str(nb_copy)], check=True, capture_output=True)
    py = nb_copy.with_suffix(".py")
    assert py.exists() and "kernelspec:" in py.read_text(encoding="utf-8")
    nb_copy.unlink()
    subprocess.run([str(JUPYTEXT), "--to", "notebook", str(py)], check=True, capture_output=True)
    back = nbformat.read(nb_copy, as_version=4)
    nb = nbformat.read(path, as_version=4)
    assert cells(back) == cells(nb) and back.metadata["kernelspec"] == nb.metadata["kernelspec"]
