#!/usr/bin/env python3
"""make report: executes every notebook with the Nabla kernel and writes reports/NAME.html and
reports/NAME.pdf. The HTML typesets its math with a local MathJax (copied next to it), so it
needs no network; the PDF is headless Chromium printing that HTML."""
import shutil
import subprocess
import sys
from pathlib import Path

import jupyter_server_mathjax
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "reports"


def main(names):
    OUT.mkdir(exist_ok=True)
    mathjax = OUT / "mathjax"
    if not mathjax.exists():
        shutil.copytree(Path(jupyter_server_mathjax.__file__).parent / "static", mathjax)
    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if names:
        notebooks = [n for n in notebooks if any(s in n.stem for s in names)]
    failed = False
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="nabla", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        body, _ = exporter.from_notebook_node(nb)
        # Printed pages have no horizontal scroll: wrap long code lines instead of cutting them.
        body = body.replace("</head>", "<style>@media print { pre { white-space: pre-wrap !important; overflow-wrap: anywhere; } }</style></head>", 1)
        html = OUT / f"{path.stem}.html"
        html.write_text(body, encoding="utf-8")
        line = f"{path.stem}: {len(nb.cells)} cells, {'%d ERRORS' % len(errors) if errors else 'no errors'} → {html.relative_to(ROOT)}"
        failed |= bool(errors)
        if chromium:
            pdf = OUT / f"{path.stem}.pdf"
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                            "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000",
                            f"--print-to-pdf={pdf}", html.as_uri()],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
            line += f", {pdf.relative_to(ROOT)}"
        else:
            line += " (no chromium: PDF skipped)"
        print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
