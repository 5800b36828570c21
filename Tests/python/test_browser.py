"""A real browser: JupyterLab on 127.0.0.1 with a random token, driven by headless Chromium
through selenium. Opens every lecture notebook, runs all cells, and checks what a student sees:
no error output, matrices and every `explain` derivation typeset by MathJax without a MathJax
error, a table, an SVG plot. Opens the interactive lessons in JupyterLab and in Voilà, moves a
slider with the keyboard and sees the plot and the derivation change. Saves a screenshot of
each in Tests/artifacts/."""
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
LESSONS = "07-lessons.ipynb"
# The lecture notebooks; the lessons' plots and derivations live in widgets (tested below).
LECTURES = [n for n in NOTEBOOKS if n != LESSONS]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=60):
    """Waits until a server listens on 127.0.0.1:port (or the timeout passes)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)


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
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}", token
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.parametrize("notebook", LECTURES)
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


def chrome():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1800"]:
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)


def wait_for(cond, what, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = cond()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


# The first lesson's box: its slider, and its output area's printed verdict and plot.
FIRST_LESSON = "document.querySelector('.widget-interact')"
VERDICT = f"const o = {FIRST_LESSON}.querySelector('.widget-output'); return o ? o.innerText : '';"
PLOT = f"""const o = {FIRST_LESSON}.querySelector('.widget-output');
           const p = o && o.querySelector('[data-mime-type="image/svg+xml"] img, [data-mime-type="image/svg+xml"] svg');
           return p ? (p.getAttribute('src') || p.outerHTML) : '';"""
DERIVED = f"return {FIRST_LESSON}.querySelectorAll('.widget-output mjx-container').length"


def move_first_slider(driver, presses=3):
    """Focuses the first lesson's slider handle and presses → (a student's keyboard move)."""
    from selenium.webdriver.common.keys import Keys
    handle = driver.execute_script(f"return {FIRST_LESSON}.querySelector('.noUi-handle')")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", handle)
    handle.click()
    for _ in range(presses):
        handle.send_keys(Keys.ARROW_RIGHT)
        time.sleep(0.2)


def check_lesson_page(driver, shot):
    js = driver.execute_script
    wait_for(lambda: "α = 0.10" in js(VERDICT) and js(PLOT), "the first lesson's output")
    wait_for(lambda: js(DERIVED) > 0, "the derivation typeset in the lesson's output", 60)
    before_plot = js(PLOT)
    assert "converges" in js(VERDICT)
    move_first_slider(driver)
    wait_for(lambda: "α = 0.25" in js(VERDICT), "the output for the moved slider", 30)
    wait_for(lambda: js(PLOT) and js(PLOT) != before_plot, "the plot to change", 30)
    wait_for(lambda: js(DERIVED) > 0, "the new derivation typeset", 30)
    artifacts = ROOT / "Tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(artifacts / shot))
    # The lesson alone (README's picture is one of these).
    driver.execute_script(f"return {FIRST_LESSON}").screenshot(str(artifacts / shot.replace(".png", "-lesson.png")))


def test_lessons_in_jupyterlab_follow_the_slider(lab):
    url, token = lab
    driver = chrome()
    try:
        driver.get(f"{url}/lab/tree/{LESSONS}?token={token}")
        js = driver.execute_script
        ready = """const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                   return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
                             && w.sessionContext.session.kernel.status === 'idle');"""
        wait_for(lambda: js(ready), "the lessons notebook and its Nabla kernel")
        js("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        wait_for(lambda: js("return document.querySelectorAll('.widget-interact').length") >= 5, "the lessons' widgets")
        assert js("return document.querySelectorAll('.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]').length") == 0
        check_lesson_page(driver, "jupyterlab-07-slider.png")
    finally:
        driver.quit()


@pytest.fixture
def voila(tmp_path):
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    proc = subprocess.Popen([str(Path(sys.executable).parent / "voila"), str(ROOT / "notebooks" / LESSONS), "--no-browser",
                             f"--port={port}", "--Voila.ip=127.0.0.1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_lessons_in_voila_show_no_code_and_follow_the_slider(voila):
    if not shutil.which("voila", path=str(Path(sys.executable).parent)):
        pytest.skip("voila is not installed in this venv")
    driver = chrome()
    try:
        driver.get(voila)
        js = driver.execute_script
        wait_for(lambda: js("return document.querySelectorAll('.widget-interact').length") >= 5, "the lessons' widgets in Voilà", 180)
        # A page without code: no code editors or prompts (markdown is shown), none of the cells' source.
        assert js("return document.querySelectorAll('.jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor, .jp-InputPrompt').length") == 0
        text = js("return document.body.innerText")
        assert "def gd_lesson" not in text and "@interact" not in text
        assert "Gradient descent and the learning rate" in text
        check_lesson_page(driver, "voila-07-slider.png")
    finally:
        driver.quit()
