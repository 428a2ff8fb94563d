"""Checks on the repository itself: notebooks stripped, environment.yml in step with pyproject."""
import json
import re
import tomllib

import pytest
import yaml

from gan_course.runtime import REPO_ROOT

NOTEBOOKS = sorted(p for p in [*REPO_ROOT.glob("notebooks/*.ipynb"), *REPO_ROOT.glob("assignments/**/*.ipynb")]
                   if not {".ipynb_checkpoints", "release"} & set(p.parts))


def test_there_are_notebooks():
    assert (REPO_ROOT / "notebooks" / "00_start_here.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_committed_notebooks_carry_no_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"])
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; strip them (see README, Contributing)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_notebooks_open_with_the_setup_cell(path):
    first_code = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    src = "".join(first_code["source"])
    for needed in ("%matplotlib inline", "import gan_course as gc", "gc.seed_everything(", "gc.device()", "gc.FAST"):
        assert needed in src, f"{path.name}: setup cell lacks {needed!r}"


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pytorch": "torch"}


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pypi = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda, pip = set(), []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep["pip"]
        else:
            conda.add(CONDA_TO_PYPI.get(_name(dep), _name(dep)))
    assert pip == ["-e ."]
    conda.discard("python")
    conda.discard("pip")
    assert conda == pypi, f"only in environment.yml: {conda - pypi}; only in pyproject.toml: {pypi - conda}"
