"""Checks on the repository itself: notebooks stripped and opening alike, the course URL in step,
environment.yml in step with pyproject."""
import json
import re
import subprocess
import sys

import pytest
import yaml

from gan_course.runtime import REPO_ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the backport (the [test] extra installs it there)
    import tomli as tomllib

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
def test_every_cell_has_its_own_id(path):
    # nbformat 4.5 requires a cell id (1-64 of [a-zA-Z0-9-_], unique in the notebook); nbformat only warns
    # when one is missing today ("this will become a hard error") and Jupyter adds one on save, which would
    # change a notebook's bytes, and so its timing digest (readme.stated), behind the course's back
    nb = json.loads(path.read_text())
    ids = [c.get("id") for c in nb["cells"]]
    missing = [i for i, cid in enumerate(ids) if not (isinstance(cid, str) and re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cid))]
    assert (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5), f"{path.name}: nbformat {nb['nbformat']}.{nb['nbformat_minor']} has no cell ids"
    assert not missing, f"{path.name}: cells {missing} have no valid id; add one (nbformat.validator.normalize does)"
    assert len(set(ids)) == len(ids), f"{path.name}: cell ids repeat"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_notebooks_open_with_the_setup_cell(path):
    first_code = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    src = "".join(first_code["source"])
    for needed in ("%matplotlib inline", "import gan_course as gc", "gc.seed_everything(", "gc.device()", "gc.FAST"):
        assert needed in src, f"{path.name}: setup cell lacks {needed!r}"


COURSE_NOTEBOOKS = [p for p in NOTEBOOKS if p.parent.name == "notebooks"]


def _project() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_open_with_badges_and_install_the_course_when_missing(path):
    cells = json.loads(path.read_text())["cells"]
    url = _project()["urls"]["Repository"]
    slug = url.removeprefix("https://github.com/")
    badges = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown"
    assert f"colab.research.google.com/github/{slug}/blob/main/notebooks/{path.name}" in badges
    assert f"mybinder.org/v2/gh/{slug}/main?labpath=notebooks%2F{path.name}" in badges
    setup = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    assert setup.startswith("# On Colab, Kaggle or a JupyterHub this installs the course"), f"{path.name}: no guarded install"
    guard = setup.split("%matplotlib inline")[0]
    assert "except" not in guard, f"{path.name}: the guard must not swallow an ImportError (a dependency's must surface)"
    assert f'"git+{url}"' in guard and "%pip install" in guard


def test_notebooks_are_in_step_with_pyprojects_url():
    done = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "course_url.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_badges_and_binder_open_notebook_00():
    slug = _project()["urls"]["Repository"].removeprefix("https://github.com/")
    readme = (REPO_ROOT / "README.md").read_text()
    assert f"colab.research.google.com/github/{slug}/blob/main/notebooks/00_start_here.ipynb" in readme
    assert f"mybinder.org/v2/gh/{slug}/main?labpath=notebooks%2F00_start_here.ipynb" in readme
    assert (REPO_ROOT / ".binder" / "postBuild").is_file()


def test_extras_keep_hosted_kernels_and_learners_apart():
    project = _project()
    core = {_name(r) for r in project["dependencies"]}
    extras = {k: {_name(r) for r in v} for k, v in project["optional-dependencies"].items()}
    assert not core & {"jupyterlab", "ipykernel", "notebook", "pytest", "nbgrader", "playwright"}, \
        "core dependencies would replace a hosted kernel's own Jupyter stack or ship test tools"
    assert extras["lab"] == {"jupyterlab", "ipykernel"} and extras["instructor"] == {"nbgrader"}
    torch = next(r for r in project["dependencies"] if _name(r) == "torch")
    assert ">=" in torch and "<" not in torch, "torch: a lower bound, no upper cap (README, Which torch)"


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pytorch": "torch"}


def test_environment_yml_names_the_same_packages_as_pyproject():
    # the conda environment is a learner's: the course and JupyterLab (core + [lab])
    project = _project()
    pypi = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["lab"]}
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


def test_tensorboard_cell_of_05_reads_the_folder_the_run_writes_and_starts_before_it(tmp_path, monkeypatch):
    import shlex

    from IPython.core.interactiveshell import InteractiveShell

    import gan_course

    cells = ["".join(c["source"]) for c in json.loads(
        (REPO_ROOT / "notebooks" / "05_dcgan_full_training_run.ipynb").read_text())["cells"]]
    board = next(i for i, c in enumerate(cells) if "%tensorboard" in c)
    train = next(i for i, c in enumerate(cells) if 'tensorboard=str(out / "tb")' in c)
    assert board < train, "start TensorBoard before the training cell, or it cannot follow the run live"
    monkeypatch.setenv("GAN_COURSE_RUNS", str(tmp_path / "runs dir"))
    shell = InteractiveShell.instance()
    shell.user_ns["gc"] = gan_course
    python = "\n".join(ln for ln in cells[board].splitlines() if not ln.startswith("%"))
    assert shell.run_cell(python + "\n" + next(ln for ln in cells[train].splitlines() if ln.startswith("out ="))).success
    line = next(ln for ln in cells[board].splitlines() if ln.startswith("%tensorboard"))
    args = shlex.split(shell.var_expand(line.removeprefix("%tensorboard"), depth=0))
    assert args == ["--logdir", str(shell.user_ns["out"] / "tb")]
    assert args[1] == str(gan_course.runtime.run_dir("05_dcgan_fmnist") / "tb")
    assert args[1].startswith(str(tmp_path / "runs dir" / "05_dcgan_fmnist-"))   # -fast or -full


def test_release_version_is_the_same_everywhere():
    import gan_course

    version = gan_course.__version__   # pyproject.toml reads it (dynamic = ["version"])
    assert yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text())["version"] == version
    assert f"## [{version}]" in (REPO_ROOT / "CHANGELOG.md").read_text(), "CHANGELOG.md has no entry for this version"


def test_licence_carries_the_datasets_notices():
    licence = (REPO_ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    for needed in ("Copyright (c) 2017 Zalando SE", "Sebastian Raschka", "LeCun"):
        assert needed in licence, f"LICENSE lacks the notice naming {needed!r}"
