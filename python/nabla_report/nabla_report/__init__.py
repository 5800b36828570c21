"""`nabla report` (and `make report`): executes notebooks with the Nabla kernel and writes
reports/NAME.html and reports/NAME.pdf, the report a student hands in.

- The HTML typesets its math with a local MathJax 3 (copied next to it), so it needs no network.
- A title, the date and a table of contents from the headings open it; cells tagged
  `remove-cell` are left out, and `remove-input` / `hide-input` show only their outputs, as
  nbconvert's TagRemovePreprocessor does.
- Nothing is cut at the page edge: wide plots and graphs scale to the page width, and wide
  formulas, matrices and tables are scaled down to fit once MathJax has typeset them.
- The PDF is printed by headless Chromium (through its DevTools protocol, after MathJax is
  done) with page numbers in the footer.

Usage: nabla report [--out DIR] [NOTEBOOK.ipynb | NAME-PART ...]
(or python -m nabla_report …): a path to a notebook, or a part of the name of one in
./notebooks; none means every notebook there."""
import argparse
import base64
import datetime
import html as htmllib
import re
import shutil
import sys
import time
from pathlib import Path

import mathjax as mathjax3
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

OUT = Path("reports")
NOTEBOOKS = Path("notebooks")

# Print rules: no scrollbars, no cut outputs.
PRINT_CSS = """<style>
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
body { overflow: visible !important; }
.nabla-report-head { margin: 0 0 1.5em 0; }
.nabla-report-head h1 { margin-bottom: 0.2em; }
.nabla-report-head .date { color: #555; }
.nabla-toc ol { margin: 0.3em 0 0 1.2em; padding: 0; }
.nabla-toc li { margin: 0.1em 0; }
.jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-RenderedLatex, .jp-RenderedSVG, .jp-RenderedImage { overflow: visible !important; max-width: 100% !important; }
.jp-OutputArea-output svg, .jp-OutputArea-output img { max-width: 100% !important; height: auto !important; }
.jp-OutputArea-output table { max-width: 100%; }
.jp-InputPrompt, .jp-OutputPrompt { flex: 0 0 4.5em !important; min-width: 4.5em !important; font-size: 9px; }
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
@media print { .jp-Cell { break-inside: avoid-page; } h1, h2, h3 { break-after: avoid-page; } }
</style>"""

# MathJax 3 with its SVG output (paths, so nothing depends on fonts when printing), from a local
# copy. When it has typeset the page: scale down any output still wider than its area, then
# say we are done.
FIT_SCRIPT = """<script>
function nablaFit() {
  document.querySelectorAll('.jp-OutputArea-output').forEach(function (area) {
    var width = area.clientWidth;
    if (width > 0 && area.scrollWidth > width + 1) { area.style.zoom = (width / area.scrollWidth).toFixed(3); }
  });
  window.nablaReady = true;
}
window.MathJax = {
  tex: { inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true, processEnvironments: true },
  svg: { fontCache: 'global' },
  startup: { pageReady: function () { return MathJax.startup.defaultPageReady().then(nablaFit); } }
};
</script>
<script src="mathjax/es5/tex-svg-full.js"></script>"""


def slug(text, used):
    base = re.sub(r"[^\w\-]+", "-", text.strip().lower()).strip("-") or "section"
    s, k = base, 2
    while s in used:
        s, k = f"{base}-{k}", k + 1
    used.add(s)
    return s


def headings(nb):
    """(level, text) of each Markdown heading, in order."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        in_code = False
        for line in cell.source.splitlines():
            if line.startswith("```"):
                in_code = not in_code
            m = None if in_code else re.match(r"^(#{1,3})\s+(.*?)\s*#*\s*$", line)
            if m:
                out.append((len(m.group(1)), m.group(2)))
    return out


def front_matter(nb, path):
    """The title (the first level-1 heading), the date, and a table of contents."""
    hs = headings(nb)
    title = next((t for level, t in hs if level == 1), path.stem)
    used, items = set(), []
    for level, text in hs:
        if level == 1:
            continue
        items.append((level, text, slug(text, used)))
    toc = "".join(f'<li style="margin-left:{(level - 2) * 1.2}em"><a href="#{a}">{htmllib.escape(strip_md(t))}</a></li>'
                  for level, t, a in items)
    head = (f'<div class="nabla-report-head"><h1>{htmllib.escape(strip_md(title))}</h1>'
            f'<div class="date">{datetime.date.today().isoformat()} · executed with the Nabla kernel</div></div>'
            f'<nav class="nabla-toc"><strong>Contents</strong><ol>{toc}</ol></nav>')
    return title, head, items


def strip_md(text):
    return re.sub(r"[*_`$]", "", text)


def export(nb, path, exporter):
    title, head, items = front_matter(nb, path)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": strip_md(title)}})
    # Anchors for the table of contents on the headings nbconvert wrote (by their text).
    for level, text, anchor in items:
        plain = htmllib.escape(strip_md(text))
        body = re.sub(rf"(<h{level})(\s[^>]*)?>(\s*{re.escape(plain)})", rf'\1 id="{anchor}"\2>\3', body, count=1)
    # nbconvert's template loads MathJax 2; this report uses MathJax 3 instead.
    body = re.sub(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", "", body, count=1, flags=re.S)
    body = body.replace("</head>", PRINT_CSS + FIT_SCRIPT + "</head>", 1)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + head, body, count=1)
    return body


def print_pdf(driver, html_path, pdf_path):
    driver.get(html_path.as_uri())
    end = time.time() + 120
    while time.time() < end and not driver.execute_script("return window.nablaReady === true"):
        time.sleep(0.2)
    footer = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
              '<span class="title"></span> · <span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {
        "printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": True,
        "headerTemplate": "<div></div>", "footerTemplate": footer})
    pdf_path.write_bytes(base64.b64decode(pdf["data"]))


def chrome():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        return None
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files"]:
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(driver_path), options=opts)


def main(names, out=OUT, notebooks_dir=NOTEBOOKS):
    notebooks = sorted(Path(notebooks_dir).resolve().glob("*.ipynb"))
    if names:
        # A path to a notebook, or a part of the name of one in notebooks/.
        notebooks = [Path(s).resolve() for s in names if s.endswith(".ipynb") and Path(s).is_file()] + \
                    [n for n in notebooks if any(s in n.stem for s in names if not s.endswith(".ipynb"))]
    missing = [s for s in names if s.endswith(".ipynb") and not Path(s).is_file()]
    if missing:
        print(f"nabla report: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    if not notebooks:
        print(f"nabla report: no notebook matches {' '.join(names) or str(notebooks_dir) + '/*.ipynb'}", file=sys.stderr)
        return 2
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    mathjax = out / "mathjax" / "es5"
    if not (mathjax / "tex-svg-full.js").exists():
        shutil.rmtree(out / "mathjax", ignore_errors=True)
        shutil.copytree(Path(mathjax3.__file__).parent / "static" / "mathjax" / "es5", mathjax)
    exporter = HTMLExporter(template_name="lab")
    tags = TagRemovePreprocessor(remove_cell_tags={"remove-cell"}, remove_input_tags={"remove-input", "hide-input"})
    driver = chrome()
    failed = False
    try:
        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, timeout=600, kernel_name="nabla", allow_errors=True,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
            nb, _ = tags.preprocess(nb, {})
            html = out / f"{path.stem}.html"
            html.write_text(export(nb, path, exporter), encoding="utf-8")
            (out / f"{path.stem}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
            line = f"{path.stem}: {len(nb.cells)} cells, {'%d ERRORS' % len(errors) if errors else 'no errors'} → {html}"
            failed |= bool(errors)
            if driver:
                pdf = out / f"{path.stem}.pdf"
                print_pdf(driver, html, pdf)
                line += f", {pdf}"
            else:
                line += " (no chromium: PDF skipped)"
            print(line, flush=True)
    finally:
        if driver:
            driver.quit()
    return 1 if failed else 0


def cli(argv=None):
    parser = argparse.ArgumentParser(prog="nabla report", description="Execute notebooks with the Nabla kernel and write HTML and PDF reports.")
    parser.add_argument("notebooks", nargs="*", help="notebook files, or parts of the names of notebooks in ./notebooks (default: all of them)")
    parser.add_argument("--out", default=str(OUT), help="folder for the reports (default: reports)")
    args = parser.parse_args(argv)
    return main(args.notebooks, out=Path(args.out))
