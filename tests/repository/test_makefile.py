"""The Makefile's install step (tools/venv.sh) on the traps a fresh machine sets, with a stand-in
python: a shell script that answers the version check, makes a "venv" of copies of itself, and
records each `pip install` instead of running it. No real venv is built, nothing is downloaded.

  1. Debian/Ubuntu without python3-venv: `python3 -m venv` fails at ensurepip and leaves
     .venv/bin/python without pip; the next run must not take that for a venv;
  2. a python older than 3.10 (macOS's python3): refused, naming PYTHON=python3.12; a venv made by it
     before is made again from the PYTHON given;
  3. `make lab-venv TORCH_INDEX=...cpu` after a first `make lab-venv` re-makes the venv and installs
     torch from that index; with nothing changed, a second run does nothing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gan_course.runtime import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

# The stand-in. $FAKE_VERSION (default 3.12) is the version of a python made from it; a venv it makes
# keeps that version in its folder; $FAKE_NO_ENSUREPIP=1 makes `-m venv` fail as Debian's does.
FAKE = r"""#!/bin/sh
here=$(cd "$(dirname "$0")" && pwd)
version=${FAKE_VERSION:-3.12}
[ -f "$here/../version" ] && version=$(cat "$here/../version")
case "$1" in
  -c)   case "$2" in
          *"print("*) echo "$version" ;;
          *) [ "$(printf '%s\n3.10\n' "$version" | sort -V | head -1)" = 3.10 ] ;;   # version >= 3.10
        esac ;;
  -m)   case "$2" in
          venv) mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && echo "$version" > "$3/version"
                if [ "${FAKE_NO_ENSUREPIP:-}" = 1 ]; then echo "Error: ensurepip is not available" >&2; exit 1; fi
                touch "$3/has-pip" ;;
          pip)  [ -f "$here/../has-pip" ] || { echo "No module named pip" >&2; exit 1; }
                shift 2; echo "pip $*" >> "$here/../pip.log" ;;
          gan_course) ;;
        esac ;;
esac
"""


@pytest.fixture
def clone(tmp_path) -> Path:
    """A folder with the Makefile, tools/venv.sh, a pyproject.toml, and the stand-in pythons."""
    shutil.copy(REPO_ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "tools").mkdir()
    shutil.copy(REPO_ROOT / "tools" / "venv.sh", tmp_path / "tools" / "venv.sh")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for name in ("python3", "python3.9"):
        (tmp_path / "bin").mkdir(exist_ok=True)
        (tmp_path / "bin" / name).write_text(FAKE)
        (tmp_path / "bin" / name).chmod(0o755)
    return tmp_path


def make(clone: Path, *args: str, **env) -> subprocess.CompletedProcess:
    environ = {"PATH": f"{clone / 'bin'}:/usr/bin:/bin", "HOME": str(clone), **env}
    return subprocess.run(["make", "--no-print-directory", "lab-venv", f"PYTHON={clone / 'bin' / 'python3'}", *args],
                          cwd=clone, env=environ, capture_output=True, text=True)


def pip_log(clone: Path) -> str:
    log = clone / ".venv" / "pip.log"
    return log.read_text() if log.exists() else ""


def test_a_first_run_installs_and_a_second_does_nothing(clone):
    first = make(clone)
    assert first.returncode == 0, first.stderr
    assert "install --quiet -e .[lab]" in pip_log(clone)
    installed = pip_log(clone)
    second = make(clone)
    assert second.returncode == 0 and pip_log(clone) == installed, "a second run with nothing changed installed again"


def test_a_venv_without_pip_is_made_again_and_a_missing_python3_venv_is_named(clone):
    failed = make(clone, FAKE_NO_ENSUREPIP="1")
    assert failed.returncode != 0
    assert "sudo apt install python3-venv" in failed.stderr and failed.stderr.count("make: ") <= 2, failed.stderr
    assert not (clone / ".venv" / "bin" / "python").exists(), "a half-made venv was left behind"
    # what an older Makefile left: .venv/bin/python with no pip. The next run makes the venv again.
    subprocess.run([clone / "bin" / "python3", "-m", "venv", clone / ".venv"], env={**os.environ, "FAKE_NO_ENSUREPIP": "1"},
                   capture_output=True)
    assert (clone / ".venv" / "bin" / "python").exists() and not (clone / ".venv" / "has-pip").exists()
    fixed = make(clone)
    assert fixed.returncode == 0, fixed.stderr
    assert "Re-making .venv" in fixed.stdout and "install --quiet -e .[lab]" in pip_log(clone)


def test_a_python_older_than_3_10_is_refused_naming_PYTHON(clone):
    old = make(clone, FAKE_VERSION="3.9")
    assert old.returncode != 0 and "3.9" in old.stderr and "PYTHON=python3.12" in old.stderr, old.stderr
    assert not (clone / ".venv" / "bin").exists()


def test_a_venv_made_by_an_old_python_is_made_again(clone):
    subprocess.run([clone / "bin" / "python3", "-m", "venv", clone / ".venv"], env={**os.environ, "FAKE_VERSION": "3.9"})
    fixed = make(clone)
    assert fixed.returncode == 0, fixed.stderr
    assert (clone / ".venv" / "version").read_text().strip() == "3.12"


def test_another_torch_index_remakes_the_venv_and_installs_from_it(clone):
    assert make(clone).returncode == 0
    cpu = make(clone, "TORCH_INDEX=https://download.pytorch.org/whl/cpu")
    assert cpu.returncode == 0, cpu.stderr
    assert "Re-making .venv" in cpu.stdout
    assert "install --quiet --index-url https://download.pytorch.org/whl/cpu torch torchvision" in pip_log(clone)
    installed = pip_log(clone)
    assert make(clone, "TORCH_INDEX=https://download.pytorch.org/whl/cpu").returncode == 0
    assert pip_log(clone) == installed, "the same TORCH_INDEX again installed again"
