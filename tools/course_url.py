"""Write the course's repository URL into every notebook: the badge cell and the setup cell's install.

The URL lives in ONE place, pyproject.toml's [project.urls] Repository. Notebooks opened on
Colab, Kaggle or Binder cannot read pyproject.toml, so each carries a copy, written by this script:

    python tools/course_url.py          # rewrite notebooks/*.ipynb after changing the URL
    python tools/course_url.py --check  # exit 1 if any notebook is out of step (tests/repository/test_repository.py)

Each notebook then opens with
  - a markdown cell of badges: "Open in Colab" and "Launch Binder" for that notebook;
  - a setup cell whose first lines install the course when the kernel lacks it or finds only a
    folder named gan_course (a clone in the working directory); a clone's `make lab` already has
    it, so there they do nothing. They refuse the placeholder URL, tell a clone to run `make lab`,
    and check pip's result (%pip ignores its exit status). $GAN_COURSE_PIP_SOURCE, when set,
    replaces the URL: a wheel, a tag (`git+URL@vX.Y.Z`) or a fork. A dependency missing from an
    installed course is not papered over: its ModuleNotFoundError surfaces at `import gan_course`.
    tests/repository/test_setup_cell.py runs each case.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"  # the branch both badges open (Colab: blob/BRANCH, Binder: v2/gh/.../BRANCH)
BADGE_ID = "course-badges"

PLACEHOLDER = "YOUR-GITHUB-ORG"  # pyproject's URL until the course is published; the cell refuses it

# The setup cell's first lines. {url} and {refuse} are filled in by guard().
GUARD = '''# On Colab, Kaggle or a JupyterHub this installs the course once; in a clone, `make lab` already did.
import importlib.util, os, site
if getattr(importlib.util.find_spec("gan_course"), "origin", None) is None:  # not installed (a folder named gan_course is not it)
    COURSE = os.environ.get("GAN_COURSE_PIP_SOURCE", "git+{url}")
    if os.path.isfile("../gan_course/__init__.py"): raise RuntimeError("In a clone of the course: run `make lab` there, then restart the kernel.")
{refuse}    print(f"Installing the course from {{COURSE}} ...")
    %pip install --quiet {{COURSE}}
    site.addsitedir(site.getusersitepackages()); importlib.invalidate_caches()  # where pip may have put it; look again
    if getattr(importlib.util.find_spec("gan_course"), "origin", None) is None: raise RuntimeError(f"pip could not install the course from {{COURSE}} (see above): fix that, then restart the kernel.")
'''
REFUSE = '''    if "PLACEHOLDER" in COURSE: raise RuntimeError("The course is not published yet: clone it and run `make lab` (or set GAN_COURSE_PIP_SOURCE).")
'''
# the guards committed before (replaced when found): before 0.1.0, and the 25-line one of 0.1.0
OLD_GUARD_RES = [re.compile(r"^try:\n    import gan_course\nexcept ImportError:.*?\n    importlib\.invalidate_caches\(\)\n", re.DOTALL),
                 re.compile(r"^# Install the course when this kernel lacks it.*?restart the kernel and run this cell again\.\"\)\n",
                            re.DOTALL)]
GUARD_RE = re.compile(r"^# On Colab, Kaggle or a JupyterHub this installs the course once.*?fix that, then restart the kernel\.\"\)\n",
                      re.DOTALL)


def course_version(init: Path = ROOT / "gan_course" / "__init__.py") -> str:
    """gan_course.__version__, read without importing torch: the setup cell's minimum."""
    return re.search(r'^__version__ = "([^"]+)"', init.read_text(), re.MULTILINE).group(1)


def guard(url: str) -> str:
    """The setup cell's install lines for `url`; they refuse the placeholder URL."""
    refuse = REFUSE.replace("PLACEHOLDER", PLACEHOLDER) if PLACEHOLDER in url else ""
    return GUARD.format(url=url, refuse=refuse)


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """pyproject.toml's [project.urls] Repository, e.g. https://github.com/OWNER/gan_course."""
    url = tomllib.loads(pyproject.read_text())["project"]["urls"]["Repository"].rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise SystemExit(f"[project.urls] Repository = {url!r} in {pyproject} is not "
                         "https://github.com/OWNER/NAME; the Colab and Binder badges need a GitHub repository.")
    return url


def badges(url: str, notebook: str) -> str:
    """Markdown for the Colab and Binder badges of notebooks/<notebook>."""
    slug = url.removeprefix("https://github.com/")
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"(https://colab.research.google.com/github/{slug}/blob/{BRANCH}/notebooks/{notebook}) "
            f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]"
            f"(https://mybinder.org/v2/gh/{slug}/{BRANCH}?labpath=notebooks%2F{notebook})")


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def stamped(nb: dict, url: str, notebook: str) -> dict:
    """The notebook with its badge cell and its setup cell's install lines for `url`."""
    cells = nb["cells"]
    badge = {"cell_type": "markdown", "id": BADGE_ID, "metadata": {}, "source": _lines(badges(url, notebook))}
    if cells and cells[0].get("id") == BADGE_ID:
        cells[0] = badge
    else:
        cells.insert(0, badge)
    setup = next(c for c in cells if c["cell_type"] == "code")
    src = "".join(setup["source"])
    for pattern in (GUARD_RE, *OLD_GUARD_RES):
        src = pattern.sub("", src, count=1)
    setup["source"] = _lines(guard(url) + src)
    return nb


def _dump(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"  # the layout Jupyter writes


def main(argv: list[str]) -> int:
    check = "--check" in argv
    url = repository_url()
    stale = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        raw = path.read_text(encoding="utf-8")
        new = _dump(stamped(json.loads(raw), url, path.name))
        if new != raw:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print(f"out of step with pyproject's URL {url}: {', '.join(map(str, stale))}. "
              "Run `python tools/course_url.py` to rewrite their badge and setup cells.")
        return 1
    print(f"{'checked' if check else 'wrote'} {url} into notebooks/ ({len(stale)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
