"""Write the course's repository URL into every notebook: the badge cell and the setup cell's install.

The URL lives in ONE place, pyproject.toml's [project.urls] Repository. Notebooks opened on
Colab, Kaggle or Binder cannot read pyproject.toml, so each carries a copy, written by this script:

    python tools/course_url.py          # rewrite notebooks/*.ipynb after changing the URL
    python tools/course_url.py --check  # exit 1 if any notebook is out of step (tests/test_repository.py)

Each notebook then opens with
  - a markdown cell of badges: "Open in Colab" and "Launch Binder" for that notebook;
  - a setup cell whose first lines install the course when the kernel lacks it (a clone's
    `make lab` already has it, so there they do nothing). $GAN_COURSE_PIP_SOURCE, when set,
    replaces the URL: a wheel, a tag (`git+URL@v0.1.0`) or a fork.
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
BRANCH = "main"  # the branch the Colab badges open
BADGE_ID = "course-badges"

GUARD = '''try:
    import gan_course
except ImportError:  # Colab, Kaggle, a JupyterHub: install the course (a clone already has it)
    import importlib, os
    COURSE = os.environ.get("GAN_COURSE_PIP_SOURCE", "git+{url}")
    %pip install --quiet {{COURSE}}
    importlib.invalidate_caches()
'''
GUARD_RE = re.compile(r"^try:\n    import gan_course\nexcept ImportError:.*?\n    importlib\.invalidate_caches\(\)\n",
                      re.DOTALL)


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
            f"(https://mybinder.org/v2/gh/{slug}/HEAD?labpath=notebooks%2F{notebook})")


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
    src = GUARD_RE.sub("", "".join(setup["source"]), count=1)
    setup["source"] = _lines(GUARD.format(url=url) + src)
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
