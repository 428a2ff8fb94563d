"""The course outside its clone (issue 15): build the wheel, install it into fresh venvs that reuse
this environment's torch and Jupyter, and run notebook 00 from a folder outside the repository.

Two installs, as learners meet them:
  - `pip install gan_course-*.whl` into a venv, then notebook 00 in FAST, whole;
  - Colab / Kaggle / a JupyterHub: a kernel with torch preinstalled and no course, where
    notebook 00's own setup cell installs the course (`%pip install`, pointed at the wheel by
    $GAN_COURSE_PIP_SOURCE instead of the repository URL, and with no index: offline).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from gan_course.data import manifest
from gan_course.runtime import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "00_start_here.ipynb"
HIDDEN = ("gan_course", "__editable__", "_gan_course")   # this environment's own install of the course

# Run in the notebook's kernel after its cells: where the course was found, as JSON in where.json.
PROBE = """
import json, sys
import gan_course as gc
json.dump({"prefix": sys.prefix, "package": gc.__file__, "data": str(gc.runtime.data_root()),
           "runs": str(gc.runtime.runs_dir()), "in_clone": gc.runtime.in_clone(), "fast": gc.FAST,
           "verified": gc.data.check_all()}, open("where.json", "w"))
"""

# Executes a notebook with nbclient in a kernel of the venv's python (argv: notebook, kernel, n cells).
DRIVER = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
code = [c for c in nb.cells if c.cell_type == "code"][: int(sys.argv[3])]
nb.cells = code + [nbformat.v4.new_code_cell(sys.argv[4])]
NotebookClient(nb, kernel_name=sys.argv[2], timeout=600, resources={"metadata": {"path": "."}}).execute()
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The course's wheel, built from a copy of what the build reads (the clone stays clean)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO_ROOT / name, src / name)
    for name in ("gan_course", "data"):
        shutil.copytree(REPO_ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    # offline: setuptools comes from this environment (the [test] extra), not from PyPI
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--wheel-dir", str(tmp / "dist"), str(src)], check=True)
    (built,) = (tmp / "dist").glob("gan_course-*.whl")
    return built


def _venv(root: Path) -> Path:
    """A fresh venv that sees this environment's packages (torch, Jupyter) but not the course, as
    on Colab. Returns its python; a kernel spec "course-venv" runs that python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    shared = root / "preinstalled"
    shared.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(HIDDEN):
            (shared / entry.name).symlink_to(entry)
    (site / "preinstalled.pth").write_text(f"import site; site.addsitedir({str(shared)!r})\n")
    subprocess.run([python, "-m", "ipykernel", "install", "--prefix", str(root), "--name", "course-venv"],
                   check=True, capture_output=True)
    return python


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "GAN_COURSE_DATA", "GAN_COURSE_RUNS", "GAN_COURSE_PIP_SOURCE"}}
    # One CPU thread: this test checks where the course finds itself, not speed, and on a busy
    # 2-core machine two OpenMP threads per process made 00's training ~20x slower (measured).
    return {**env, "GAN_COURSE_FAST": "1", "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "OMP_NUM_THREADS": "1", **extra}


def _run_notebook(python: Path, cwd: Path, n_code_cells: int, env: dict) -> dict:
    """Run the first n code cells of notebook 00 (all: a large n), then PROBE; return PROBE's record."""
    shutil.copy(NOTEBOOK, cwd / NOTEBOOK.name)
    done = subprocess.run([python, "-c", DRIVER, NOTEBOOK.name, "course-venv", str(n_code_cells), PROBE],
                          cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"notebook 00 failed outside the clone:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return json.loads((cwd / "where.json").read_text())


def _assert_installed_course(where: dict, venv: Path, cwd: Path) -> None:
    package = Path(where["package"]).parent
    assert Path(where["prefix"]) == venv, "the notebook's kernel is not the venv's python"
    assert package.is_relative_to(venv) and package.parent.name == "site-packages", where["package"]
    assert not where["in_clone"]
    assert Path(where["data"]) == package / "_data", "the installed course did not find its packaged data"
    assert Path(where["runs"]) == cwd / "runs", "runs/ should be beside the notebook outside a clone"
    assert where["fast"] is True
    assert where["verified"] == sorted(manifest.read_manifest(REPO_ROOT / "data"))


def test_wheel_carries_package_data_weights_and_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    subpackages = {p.parent.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "gan_course").rglob("__init__.py")}
    missing = [f"{pkg}/__init__.py" for pkg in sorted(subpackages) if f"{pkg}/__init__.py" not in names]
    assert not missing, f"sub-packages missing from the wheel (add them to pyproject's packages): {missing}"
    data = {f"gan_course/_data/{rel}" for rel in manifest.read_manifest(REPO_ROOT / "data")}
    data |= {"gan_course/_data/MANIFEST.sha256", "gan_course/_data/README.md"}
    assert not data - names, f"data files missing from the wheel (pyproject's package-data): {sorted(data - names)}"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "LICENSE (with the data notices) is not in the wheel"
    assert not [n for n in names if "__pycache__" in n or n.startswith(("runs/", "tests/", "notebooks/"))]


def test_installed_wheel_runs_notebook_00_outside_the_clone(wheel, tmp_path):
    venv, work = tmp_path / "venv", tmp_path / "work"
    python = _venv(venv)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, env=_env())
    work.mkdir()
    where = _run_notebook(python, work, n_code_cells=10_000, env=_env())
    _assert_installed_course(where, venv, work)


def test_colab_setup_cell_installs_the_course_from_its_source(wheel, tmp_path):
    venv, work = tmp_path / "venv", tmp_path / "work"
    python = _venv(venv)   # torch preinstalled, no course: what a Colab or Kaggle kernel has
    missing = subprocess.run([python, "-c", "import gan_course"], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert "No module named 'gan_course'" in missing.stderr, "the emulated Colab kernel already has the course"
    work.mkdir()
    where = _run_notebook(python, work, n_code_cells=1, env=_env(GAN_COURSE_PIP_SOURCE=str(wheel)))
    _assert_installed_course(where, venv, work)
