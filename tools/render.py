"""The render step: every generated table in the repository, rewritten from its data.

A file holding

    <!-- render: NAME.FUNCTION -->
    ...generated text...
    <!-- /render -->

gets the text between the markers replaced by FUNCTION's result, where NAME is a study of the
research record (benchmarks/NAME/tables.py) or a tool (tools/NAME.py). FUNCTION takes no argument,
or one: the text now between the markers (the course map keeps its prose columns that way).

    python tools/render.py           # rewrite every file that is out of step
    python tools/render.py --check   # exit 1, naming each block, if any committed text differs

The --check run is the one test that compares prose (tests/docs/test_render.py): a generated table
is never pasted by hand.
"""
from __future__ import annotations

import argparse
import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- render: ([A-Za-z0-9_]+)\.([A-Za-z0-9_]+) -->\n)(.*?)(\n?<!-- /render -->)", re.S)
SUFFIXES = (".md", ".ipynb", ".html")


def _module(name: str):
    for path in (ROOT / "benchmarks" / name / "tables.py", ROOT / "tools" / f"{name}.py"):
        if path.is_file():
            sys.path.insert(0, str(path.parent))
            try:
                spec = importlib.util.spec_from_file_location(f"_render_{name}", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            finally:
                sys.path.pop(0)
            return module
    raise LookupError(f"no benchmarks/{name}/tables.py and no tools/{name}.py")


def generate(name: str, function: str, current: str) -> str:
    fn = getattr(_module(name), function)
    text = fn(current) if inspect.signature(fn).parameters else fn()
    return text.strip("\n")


def _render_text(text: str, where: str) -> tuple[str, list[str]]:
    changed = []

    def replace(m: re.Match) -> str:
        new = generate(m.group(2), m.group(3), m.group(4))
        if new != m.group(4).strip("\n"):
            changed.append(f"{where}: {m.group(2)}.{m.group(3)}")
        return m.group(1) + new + "\n<!-- /render -->"

    return BLOCK.sub(replace, text), changed


def _render_notebook(path: Path) -> tuple[str, list[str]]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    changed = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and "<!-- render:" in cell.source:
            cell.source, c = _render_text(cell.source, f"{path.relative_to(ROOT)} cell {i}")
            changed += c
    return (nbformat.writes(nb) + "\n") if changed else path.read_text(), changed


def files() -> list[Path]:
    """Tracked files that hold a render block."""
    out = subprocess.run(["git", "grep", "-l", "<!-- render:", "--", *[f"*{s}" for s in SUFFIXES]],
                         cwd=ROOT, capture_output=True, text=True).stdout.split()
    return [ROOT / f for f in out if not f.startswith("tools/render.py")]


def render_all(check: bool = False) -> list[str]:
    """Render every block; returns what was (or, with check, would be) changed."""
    changed = []
    for path in files():
        if path.suffix == ".ipynb":
            new, c = _render_notebook(path)
        else:
            new, c = _render_text(path.read_text(), str(path.relative_to(ROOT)))
        changed += c
        if c and not check:
            path.write_text(new)
    return changed


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python tools/render.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of step")
    args = p.parse_args(argv)
    try:
        changed = render_all(check=args.check)
    except (LookupError, AttributeError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for c in changed:
        print(("out of step: " if args.check else "rendered: ") + c)
    if args.check and changed:
        print("run `python tools/render.py` and commit the result.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
