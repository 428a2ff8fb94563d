"""The setup cell's install guard (written by tools/course_url.py) in the cases a learner meets, run
in an IPython shell (so `%pip` works) from a scratch folder, without installing into this environment:

  - the course is installed: nothing happens;
  - a dependency of the course is missing: its ModuleNotFoundError surfaces at the import, nothing is installed;
  - the URL is still pyproject's placeholder: a clear refusal, unless $GAN_COURSE_PIP_SOURCE is set;
  - pip fails (here: a source that does not exist): "pip could not install ... restart the kernel";
  - a folder named gan_course in the working directory (a `git clone` on Colab) imports as a
    namespace package: the guard still installs the course, and the real one is imported after.
The whole install path, in a Jupyter kernel, is tests/repository/test_wheel.py's Colab emulation.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gan_course.runtime import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import course_url  # noqa: E402
from test_wheel import _venv, wheel  # noqa: E402,F401  (wheel: the built course, a fixture)

# argv: the cell. Prints the outcome as one JSON line: the error (type, message) and where gan_course is.
SHELL = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
result = shell.run_cell(sys.argv[1])
err = result.error_in_exec
mod = sys.modules.get("gan_course")
print(json.dumps({"error": type(err).__name__ if err else None, "message": str(err) if err else "",
                  "file": getattr(mod, "__file__", None), "version": getattr(mod, "__version__", None)}))
"""


@pytest.fixture(scope="module")
def colab(tmp_path_factory) -> str:
    """The python of a fresh venv with this environment's torch and Jupyter but no course."""
    return str(_venv(tmp_path_factory.mktemp("colab") / "venv"))


def _guard(url: str = course_url.repository_url()) -> str:
    return course_url.guard(url)


def _run(cell: str, cwd: Path, python: str, **env) -> tuple[dict, str]:
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PIP_NO_INDEX": "1",
               "PIP_DISABLE_PIP_VERSION_CHECK": "1", "OMP_NUM_THREADS": "1", **env}
    done = subprocess.run([python, "-c", SHELL, cell], cwd=cwd, env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    *printed, record = done.stdout.strip().splitlines()
    return json.loads(record), "\n".join(printed)


def _installed(printed: str) -> bool:
    """Whether the cell printed that it installs (a line of its own, not a traceback's quote of the cell)."""
    return re.search(r"^Installing the course from ", printed, re.MULTILINE) is not None


def _fake_course(root: Path, init: str) -> None:
    (root / "gan_course").mkdir()
    (root / "gan_course" / "__init__.py").write_text(init)


def test_notebooks_carry_this_guard():
    setup = "".join(next(c for c in json.loads((REPO_ROOT / "notebooks" / "00_start_here.ipynb").read_text())["cells"]
                         if c["cell_type"] == "code")["source"])
    assert setup.startswith(_guard())


def test_a_missing_dependency_is_reported_not_papered_over_by_an_install(colab, tmp_path):
    _fake_course(tmp_path, "import a_dependency_that_is_missing\n__version__ = '99.0'\n")
    record, printed = _run(_guard() + "import gan_course\n", tmp_path, colab, GAN_COURSE_PIP_SOURCE=str(tmp_path / "nowhere.whl"))
    assert record["error"] == "ModuleNotFoundError" and "a_dependency_that_is_missing" in record["message"]
    assert not _installed(printed)


def test_the_placeholder_url_is_refused_with_a_clear_message(colab, tmp_path):
    assert course_url.PLACEHOLDER in course_url.repository_url(), "pyproject names a real URL: drop this test's premise"
    record, printed = _run(_guard(), tmp_path, colab)
    assert record["error"] == "RuntimeError" and "not published yet" in record["message"]
    assert not _installed(printed)
    # a real URL carries no refusal
    assert "not published yet" not in _guard("https://github.com/someone/gan_course")


def test_a_failed_pip_install_says_what_failed_and_to_restart(colab, tmp_path):
    nowhere = tmp_path / "nowhere.whl"
    record, printed = _run(_guard(), tmp_path, colab, GAN_COURSE_PIP_SOURCE=str(nowhere))
    assert f"Installing the course from {nowhere}" in printed
    assert record["error"] == "RuntimeError", record
    assert f"pip could not install the course from {nowhere}" in record["message"]
    assert "restart the kernel" in record["message"]


def test_a_kernel_with_the_course_installs_nothing(colab, tmp_path):
    _fake_course(tmp_path, "__version__ = '0.1.0'\n")
    record, printed = _run(_guard() + "import gan_course\n", tmp_path, colab, GAN_COURSE_PIP_SOURCE=str(tmp_path / "nowhere.whl"))
    assert record["error"] is None and record["version"] == "0.1.0", record
    assert printed == ""


def test_a_gan_course_folder_in_the_cwd_does_not_count_as_the_course(wheel, tmp_path):
    python = _venv(tmp_path / "venv")   # its own venv: the course gets installed into it
    (tmp_path / "work" / "gan_course").mkdir(parents=True)   # `!git clone .../gan_course` on Colab
    (tmp_path / "work" / "gan_course" / "README.md").write_text("a clone, not a package\n")
    record, printed = _run(_guard() + "import gan_course as gc\n", tmp_path / "work", str(python),
                           GAN_COURSE_PIP_SOURCE=str(wheel))
    assert _installed(printed)
    assert record["error"] is None, record
    assert record["file"] and Path(record["file"]).is_relative_to(tmp_path / "venv"), record
    assert record["version"] == course_url.course_version()


def test_a_clone_without_the_course_in_its_kernel_is_told_to_run_make_lab(colab, tmp_path):
    _fake_course(tmp_path, "__version__ = '0.1.0'\n")        # the clone's package, beside notebooks/
    (tmp_path / "notebooks").mkdir()
    record, printed = _run(_guard(), tmp_path / "notebooks", colab)
    assert record["error"] == "RuntimeError" and "clone of the course" in record["message"], record
    assert "make lab" in record["message"]
    assert not _installed(printed)
