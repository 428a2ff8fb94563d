"""The course website (`make site`, in build/site/) read in a real browser: Debian's chromium, driven
by Playwright, opens every page from disk (file://) as a learner who downloaded the site would.

Every notebook of notebooks/ has a page that loads without a script error, shows at least one
rendered figure (with alt text) and maths typeset by MathJax (where its markdown has maths: 00 has
none), and no formula left as raw TeX; every assignment's page loads; no
link inside the site is broken; and no page requests anything from the network — every request
that is not a file of the site is refused and reported. Screenshots of the front page and of
notebook 01 are saved in build/site-screenshots/.

Run by `make site-test` (after `make site`; CI runs both after `make grading`), not by `make unit`.
Skips, saying why, only where chromium or the playwright package is missing.
"""
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from gan_course.runtime import REPO_ROOT

pytestmark = pytest.mark.site

SITE = REPO_ROOT / "build" / "site"
SHOTS = REPO_ROOT / "build" / "site-screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOTEBOOKS = sorted(p.stem for p in (REPO_ROOT / "notebooks").glob("*.ipynb"))
ASSIGNMENTS = sorted(p.stem for p in (REPO_ROOT / "assignments" / "release").glob("*/*.ipynb"))

# in the page: MathJax has finished, then what a reader would see
TYPESET = "() => !(window.MathJax && MathJax.startup && MathJax.startup.promise) || MathJax.startup.promise.then(() => true)"
SEEN = """() => ({
  maths: document.querySelectorAll('mjx-container').length,
  raw_tex: [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).length,
  figures: [...document.querySelectorAll('.cell_output img')]
           .map(i => ({ok: i.complete && i.naturalWidth > 0, alt: i.getAttribute('alt') || '',
                       widget: !!i.closest('.jupyter-widgets')})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  widgets: document.querySelectorAll('.cell_output .jupyter-widgets').length,
  widget_notes: [...document.querySelectorAll('.cell p')].filter(p => p.textContent.includes('need a live Python kernel')).length,
})"""


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not (SITE / "index.html").is_file():
        pytest.fail("build/site/ has not been built: run `make site` first (`make site-test` does)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that refuses every request outside the site, and records it and any script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.outside, page.errors = [], []

    def route(r):
        url = r.request.url
        if url.startswith("file://") or url.startswith("data:") or url.startswith("blob:"):
            return r.continue_()
        page.outside.append(url)
        return r.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("requestfailed", lambda req: req.url.startswith("file://") and page.errors.append(f"missing file {req.url}"))
    yield page
    context.close()


def open_page(page, relative: str) -> dict:
    """Load a page of the site, wait for MathJax, and return what it shows."""
    path = SITE / relative
    assert path.is_file(), f"{relative} is not in the site: is `make site` older than the notebook?"
    page.goto(path.as_uri(), wait_until="load")
    assert page.outside == [], f"{relative} requested the network: {page.outside}"
    page.wait_for_function(TYPESET)
    page.wait_for_timeout(200)
    seen = page.evaluate(SEEN)
    assert page.outside == [], f"{relative} requested the network: {page.outside}"
    assert page.errors == [], f"{relative}: {page.errors}"
    return seen


def has_maths(notebook: str) -> bool:
    """Whether the notebook's markdown holds $…$ maths for its page to typeset."""
    nb = json.loads((REPO_ROOT / "notebooks" / f"{notebook}.ipynb").read_text())
    return any(re.search(r"\$[^$]+\$", "".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "markdown")


def broken_links(links: list[str]) -> list[str]:
    """Links into the site whose file (or #anchor) does not exist."""
    broken = []
    for link in links:
        url = urlsplit(link)
        if url.scheme != "file":
            continue
        target = Path(unquote(url.path))
        if not target.exists():
            broken.append(link)
        elif url.fragment and target.suffix == ".html" and f'id="{unquote(url.fragment)}"' not in target.read_text():
            broken.append(link)
    return broken


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_page_shows_figures_and_maths_offline(page, notebook):
    seen = open_page(page, f"notebooks/{notebook}.html")
    assert [f for f in seen["figures"] if f["ok"]], f"{notebook}: no figure was rendered"
    # a widget's picture (ipywidgets.Image) cannot carry alt text; the note under the widget describes it
    assert all(f["alt"].strip() for f in seen["figures"] if not f["widget"]), f"{notebook}: a figure has no alt text"
    if has_maths(notebook):       # 00_start_here has no formula to show (yet)
        assert seen["maths"] > 0, f"{notebook}: no maths typeset by MathJax"
    assert seen["raw_tex"] == 0, f"{notebook}: {seen['raw_tex']} formulas left as raw TeX"
    assert seen["widget_notes"] == 0 or seen["widgets"] > 0, f"{notebook}: widgets noted but none rendered"
    assert broken_links(seen["links"]) == []
    if notebook.startswith("01_"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".cell_output img").first.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -250)")
        page.screenshot(path=str(SHOTS / "notebook-01.png"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_page_loads_offline(page, assignment):
    seen = open_page(page, f"assignments/{assignment}.html")
    assert seen["raw_tex"] == 0
    assert broken_links(seen["links"]) == []
    assert page.get_by_text("Open in Colab").count() >= 1, f"{assignment}: no launch links"


def test_front_page_is_the_course_map(page):
    seen = open_page(page, "index.html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "front-page.png"))
    for notebook in NOTEBOOKS:               # every notebook is reachable from the front page
        assert any(link.endswith(f"notebooks/{notebook}.html") for link in seen["links"]), notebook
    assert broken_links(seen["links"]) == []
    assert page.get_by_role("heading", name="The course map").count() == 1


def test_timings_page_comes_from_the_reports(page):
    seen = open_page(page, "timings.html")
    assert broken_links(seen["links"]) == []
    for report in (REPO_ROOT / "benchmarks" / "reports").glob("*.json"):
        assert page.get_by_text(f"benchmarks/reports/{report.name}").count() >= 1
