"""Every lecture notebook runs with the Nabla kernel, with no error output; the notebooks'
own asserts check the lecture's numbers."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import KERNEL

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
LESSONS = "07-lessons"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def test_there_is_one_notebook_per_lecture_note():
    # 01–05 follow the five notes; 06 (training with Keras) the Keras cells of the first note;
    # 07 holds the interactive lessons.
    assert len([p for p in NOTEBOOKS if p.stem != LESSONS]) == 6
    assert any(p.stem == LESSONS for p in NOTEBOOKS)


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


def test_lessons_keep_each_curve_and_derivation_in_the_widget_state():
    """Every lesson's Output holds its plot and its typeset derivation, saved with the notebook."""
    path = next(p for p in NOTEBOOKS if p.stem == LESSONS)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name=KERNEL).execute()
    models = nb.metadata["widgets"][WIDGET_STATE]["state"]
    outputs = [m["state"]["outputs"] for m in models.values() if m["model_name"] == "OutputModel"]
    assert len(outputs) == 6
    errors = [o for out in outputs for o in out if o["output_type"] == "error"]
    assert errors == []
    # Five lessons show a plot and an explain derivation; the laid-out one a plot.
    with_both = [out for out in outputs if any("image/svg+xml" in o.get("data", {}) for o in out)
                 and any("text/latex" in o.get("data", {}) for o in out)]
    assert len(with_both) == 5
    sliders = [m["state"] for m in models.values() if m["model_name"] == "FloatSliderModel"]
    assert {s["description"] for s in sliders} >= {"alpha", "beta", "delta", "mu", "sigma", "weight", "α"}
    assert any(m["model_name"] == "LinkModel" for m in models.values())
