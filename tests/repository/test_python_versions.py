"""The course supports Python 3.10–3.13 (pyproject's requires-python and classifiers); CI runs one
version, so these checks keep the code inside what 3.10 can parse and 3.13 still ships."""
import ast
import json

import pytest

from gan_course.runtime import REPO_ROOT

OLDEST = (3, 10)
# Standard-library modules that 3.10 lacks: import them only inside try/except ImportError.
NEWER_THAN_OLDEST = {"tomllib": "3.11", "wsgiref.types": "3.11"}
# Removed by 3.12 (distutils) and 3.13 (PEP 594's dead batteries, lib2to3): never import them.
REMOVED = {"distutils", "lib2to3", "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap",
           "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib"}

SOURCES = sorted(p for folder in ("gan_course", "tests", "tools", "benchmarks", "assignments")
                 for p in (REPO_ROOT / folder).rglob("*.py") if "release" not in p.parts)
NOTEBOOKS = sorted(p for p in [*REPO_ROOT.glob("notebooks/*.ipynb"), *REPO_ROOT.glob("assignments/source/**/*.ipynb")]
                   if ".ipynb_checkpoints" not in p.parts)


def _imports(tree: ast.AST):
    """(module, guarded) for every import; guarded = inside a try whose handler catches ImportError."""
    guarded_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                h.type is None or any(isinstance(n, ast.Name) and n.id in {"ImportError", "ModuleNotFoundError"}
                                      for n in ast.walk(h.type)) for h in node.handlers):
            guarded_nodes.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            yield name, id(node) in guarded_nodes


def check_310(source: str, where: str) -> list[str]:
    """What in `source` would fail on Python 3.10 or 3.13: syntax newer than 3.10, unguarded imports
    of modules 3.10 lacks, imports of modules 3.13 removed."""
    try:
        tree = ast.parse(source, filename=where, feature_version=OLDEST)
    except SyntaxError as err:
        return [f"{where}:{err.lineno}: Python 3.10 cannot parse this ({err.msg})"]
    problems = []
    for name, guarded in _imports(tree):
        top = name.split(".")[0]
        if top in REMOVED:
            problems.append(f"{where}: imports {name}, which Python 3.13 no longer ships")
        since = NEWER_THAN_OLDEST.get(name) or NEWER_THAN_OLDEST.get(top)
        if since and not guarded:
            problems.append(f"{where}: imports {name} (Python {since}+) without a fallback for 3.10 "
                            "(try: ... except ModuleNotFoundError: a backport such as tomli)")
    return problems


def test_there_is_code_to_check():
    assert REPO_ROOT / "gan_course" / "runtime.py" in SOURCES and len(NOTEBOOKS) >= 10


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_python_files_run_on_310_to_313(path):
    assert check_310(path.read_text(encoding="utf-8"), str(path.relative_to(REPO_ROOT))) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_notebook_cells_run_on_310_to_313(path):
    from IPython.core.inputtransformer2 import TransformerManager   # turns %magics into Python

    to_python = TransformerManager().transform_cell
    problems = []
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] == "code":
            problems += check_310(to_python("".join(cell["source"])), f"{path.name} cell {i}")
    assert problems == []


@pytest.mark.parametrize("source, problem", [
    ("type Vector = list[float]\n", "cannot parse"),                         # 3.12 syntax
    ("def first[T](xs: list[T]) -> T:\n    return xs[0]\n", "cannot parse"),  # 3.12 syntax
    ("try:\n    pass\nexcept* ValueError:\n    pass\n", "cannot parse"),       # 3.11 syntax
    ("import tomllib\n", "without a fallback"),
    ("from wsgiref.types import WSGIApplication\n", "without a fallback"),
    ("import imghdr\n", "no longer ships"),
    ("from distutils.util import strtobool\n", "no longer ships"),
])
def test_the_check_catches_what_310_or_313_reject(source, problem):
    found = check_310(source, "example.py")
    assert len(found) == 1 and problem in found[0]


def test_the_check_accepts_a_guarded_backport():
    assert check_310("try:\n    import tomllib\nexcept ModuleNotFoundError:\n    import tomli as tomllib\n", "x") == []

