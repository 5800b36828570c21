"""Every lecture notebook runs with the Nabla kernel, with no error output; the notebooks'
own asserts check the lecture's numbers."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import KERNEL

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_is_one_notebook_per_lecture_note():
    # 01–05 follow the five notes; 06 (training with Keras) the Keras cells of the first note.
    assert len(NOTEBOOKS) == 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name=KERNEL, allow_errors=True).execute()
    errors = [(i, o.ename, o.evalue) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    # Every code cell ran, and the notebook shows rich output: typeset math, tables, plots.
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    mimes = {k for c in nb.cells if c.cell_type == "code" for o in c.outputs for k in o.get("data", {})}
    assert {"text/latex", "text/html", "image/svg+xml"} <= mimes
