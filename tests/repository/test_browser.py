"""End to end in a real browser: JupyterLab serves notebook 07, Debian's chromium (driven by
Playwright) runs all its cells, a slider is dragged, and the generated picture must change.

Skips, saying why, only where chromium or the playwright package is missing
(`.ci/run` installs both: `apt-get install -y chromium`, `pip install -e '.[test]'`).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from gan_course.runtime import REPO_ROOT

NOTEBOOK = "07_latent_space_explorer.ipynb"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on a free localhost port with a token, serving a copy of notebook 07."""
    shutil.copy(REPO_ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    port, token = free_port(), "gan-course-e2e"
    env = {**os.environ, "GAN_COURSE_FAST": "1", "GAN_COURSE_RUNS": str(tmp_path / "runs")}
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
           "--ServerApp.open_browser=False", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                    json.load(r)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab exited: {(tmp_path / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not answer in 60 s: {(tmp_path / 'lab.log').read_text()[-2000:]}")
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_explorer_slider_changes_the_picture_in_a_real_browser(lab, tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    url, token = lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)   # the kernel is up
            # "Run All Cells" acts on the current notebook; right after loading it may not be current
            # yet and the menu entry does nothing — so activate it, and retry until a cell runs.
            for attempt in range(4):
                page.locator(".jp-NotebookPanel .jp-Cell").first.click()
                page.click(".lm-MenuBar-itemLabel:text-is('Run')")
                page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
                try:
                    page.wait_for_function("[...document.querySelectorAll('.jp-InputArea-prompt')]"
                                           ".some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))", timeout=20_000)
                    break
                except sync_api.TimeoutError:
                    page.keyboard.press("Escape")
            else:
                pytest.fail("Run → Run All Cells did not start the notebook in four tries")
            # four explorer/interpolation UIs: wait until the last one (the inverted images) has drawn
            page.wait_for_function("document.querySelectorAll('.widget-image').length >= 4", timeout=300_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=300_000)
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
            assert tracebacks == [], tracebacks

            image = page.locator(".widget-image").first
            image.scroll_into_view_if_needed()
            before = image.get_attribute("src")
            handle = page.locator(".widget-slider .noUi-handle").nth(2)     # seed, ψ, then z[0] +
            handle.scroll_into_view_if_needed()
            box = handle.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(box["x"] + 80, box["y"] + box["height"] / 2, steps=8)
            page.mouse.up()
            page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                                   arg=[image.element_handle(), before], timeout=30_000)
            page.screenshot(path=str(tmp_path / "explorer.png"), full_page=False)
        finally:
            browser.close()
    assert (tmp_path / "explorer.png").stat().st_size > 10_000
