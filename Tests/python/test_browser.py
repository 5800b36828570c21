"""A real browser: JupyterLab on 127.0.0.1 with a random token, driven by headless Chromium
through selenium. Opens every lecture notebook, runs all cells, and checks what a student sees:
no error output, matrices and every `explain` derivation typeset by MathJax without a MathJax
error, a table, an SVG plot. Saves a screenshot of each in Tests/artifacts/."""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, tmp_path / name)
    token, port = secrets.token_hex(16), free_port()
    # Render every cell (no windowing), so every output is in the page to check.
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"))
    proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}",
                             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
                             "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False"]
                            + (["--allow-root"] if os.geteuid() == 0 else []),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", token
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_in_jupyterlab(lab, notebook):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    url, token = lab
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1800"]:
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)
    try:
        driver.get(f"{url}/lab/tree/{notebook}?token={token}")

        def js(script):
            return driver.execute_script(script)

        def wait(cond, what, timeout=120):
            end = time.time() + timeout
            while time.time() < end:
                try:
                    if cond():
                        return
                except Exception:
                    pass
                time.sleep(0.5)
            raise AssertionError(f"timed out waiting for {what}")

        ready = """const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                   return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
                             && w.sessionContext.session.kernel.status === 'idle');"""
        wait(lambda: js(ready), "the notebook and its Nabla kernel")
        assert js("return window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name") == "nabla"
        js("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        done = """const nb = window.jupyterapp.shell.currentWidget;
                  const cells = nb.content.widgets.filter(c => c.model.type === 'code');
                  return nb.sessionContext.session.kernel.status === 'idle' && cells.every(c => c.model.executionCount);"""
        wait(lambda: js(done), "all cells to run")
        wait(lambda: js("return document.querySelectorAll('mjx-container').length > 0"), "MathJax to typeset", 60)
        time.sleep(1)
        errors = js("return document.querySelectorAll('.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]').length")
        typeset = js("return document.querySelectorAll('.jp-OutputArea-output mjx-container').length")
        # A matrix result is typeset even where the HTML form is the one shown.
        matrices = js("return document.querySelectorAll('.jp-RenderedHTML .nabla-tensor mjx-container, .jp-RenderedLatex mjx-container').length")
        tables = js("return document.querySelectorAll('.jp-OutputArea-output table.nabla-table').length")
        plots = js("return document.querySelectorAll('.jp-OutputArea-output[data-mime-type=\"image/svg+xml\"] img, .jp-OutputArea-output[data-mime-type=\"image/svg+xml\"] svg').length")
        explained = """const nb = window.jupyterapp.shell.currentWidget;
                       const cells = nb.content.widgets.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().includes('explain('));
                       const latex = cells.filter(c => { const o = c.model.outputs; for (let i = 0; i < o.length; i++) { if (o.get(i).data['text/latex']) return true; } return false; });
                       return latex.length === cells.length ? cells.length : -1;"""
        rendered = "return document.querySelectorAll('.jp-RenderedLatex mjx-container').length"
        merrors = js("return document.querySelectorAll('.jp-OutputArea-output mjx-merror, .jp-OutputArea-output [data-mjx-error]').length")
        artifacts = ROOT / "Tests" / "artifacts"
        artifacts.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(artifacts / f"jupyterlab-{notebook.split('-')[0]}.png"))
        assert errors == 0
        assert merrors == 0, "a MathJax error in an output"
        assert js(rendered) >= js(explained) > 0, "an explain derivation was not typeset"
        assert typeset > 0 and matrices > 0, "no matrix typeset by MathJax in the outputs"
        if notebook.startswith("01"):
            assert tables > 0 and plots > 0
    finally:
        driver.quit()
