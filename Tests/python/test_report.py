"""`nabla report` (what `make report` runs), checked as a reader checks a report: every notebook printed to PDF (A4) with
its headings and the numbers of its outputs, a table of contents and page numbers, nothing
past the page edge; cells tagged remove-cell / remove-input / hide-input handled as nbconvert's
TagRemovePreprocessor does."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nabla_report as report
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NABLA = ROOT / ".build" / "debug" / "nabla"

pytestmark = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("chromium") and shutil.which("chromedriver")),
                                reason="needs poppler-utils, chromium and chromium-driver (scripts/bootstrap installs them)")


def squash(text):
    """Text without white space, minus signs unified, for matching across line breaks."""
    return re.sub(r"\s+", "", text).replace("−", "-")


def pdf_text(pdf):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def words_outside_page(pdf):
    """Words whose box leaves the page, from pdftotext's bounding boxes."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    bad = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml, re.S):
        w, h = float(page.group(1)), float(page.group(2))
        for m in re.finditer(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>', page.group(3)):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            if x0 < -0.5 or y0 < -0.5 or x1 > w + 0.5 or y1 > h + 0.5:
                bad.append(m.group(5))
    return bad


def nabla_report(*args, cwd=ROOT):
    """Runs `nabla report ARGS` as a student would, in the project's environment."""
    env = dict(os.environ, VIRTUAL_ENV=sys.prefix)
    return subprocess.run([str(NABLA), "report", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=1500)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    run = nabla_report("--out", out)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_a_mistyped_name_is_an_error_not_an_empty_report(tmp_path):
    run = nabla_report("no-such-notebook", "--out", tmp_path)
    assert run.returncode == 2 and "no notebook matches no-such-notebook" in run.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_every_notebook_prints_whole(reports, name):
    pdf = reports / f"{name}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = squash(pdf_text(pdf))
    nb = nbformat.read(reports / f"{name}.ipynb", as_version=4)
    for level, heading in report.headings(nb):
        assert squash(report.strip_md(heading)) in text, f"heading {heading!r} missing"
    assert "Contents" in text and f"1/{pages}" in text, "no table of contents or page numbers"
    # Every number printed as text (prints, and results shown as plain text) is in the PDF.
    numbers = set()
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                shown = o.text
            elif o.output_type == "execute_result" and set(o.data) == {"text/plain"}:
                shown = o.data["text/plain"]
            else:
                continue
            numbers |= set(re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", shown.replace("−", "-")))
    missing = [n for n in numbers if n not in text]
    assert not missing, f"numbers of the outputs missing from the PDF: {missing[:10]}"
    assert not words_outside_page(pdf), "text past the page edge"


def test_tags_remove_cells_and_inputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "nabla", "display_name": "Nabla", "language": "nabla"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tagged cells"),
        nbformat.v4.new_code_cell("print('SECRETCELL')", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell("hidden_code_marker = 1\nprint('OUTPUTKEPT1')", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_code_cell("other_hidden_marker = 2\nprint('OUTPUTKEPT2')", metadata={"tags": ["hide-input"]}),
        nbformat.v4.new_code_cell("print('PLAINCELL')"),
    ]
    path = tmp_path / "tagged.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out"
    run = nabla_report(path, "--out", out, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    text = squash(pdf_text(out / "tagged.pdf"))
    assert "SECRETCELL" not in text
    assert "OUTPUTKEPT1" in text and "OUTPUTKEPT2" in text and "PLAINCELL" in text
    assert "hidden_code_marker" not in text and "other_hidden_marker" not in text
