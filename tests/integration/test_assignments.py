"""The assignments: nbgrader markup in the sources, a reproducible release, and student versions
validated inverted — every autograded test fails on the stubs, with a CheckFailed message.
(nbmake runs the source notebooks, where every test passes on the solutions: `make notebooks`.)"""
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from gan_course.runtime import REPO_ROOT

ROOT = REPO_ROOT / "assignments"
SOURCES = sorted((ROOT / "source").glob("*/*.ipynb"))
NAMES = [p.stem for p in SOURCES]


def nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def test_the_four_assignments_exist():
    assert NAMES == ["find_the_bugs", "gan_losses", "latent_walks", "wgan_gp"]


@pytest.mark.parametrize("path", SOURCES, ids=NAMES)
def test_source_uses_nbgrader_markup(path):
    cells = json.loads(path.read_text())["cells"]
    ids = [nbgrader(c)["grade_id"] for c in cells if nbgrader(c)]
    assert len(ids) == len(set(ids)) == len(cells), "every cell carries nbgrader metadata with a unique grade_id"
    solutions = [c for c in cells if nbgrader(c).get("solution")]
    tests = [c for c in cells if nbgrader(c).get("grade") and not nbgrader(c).get("solution")]
    assert solutions and tests
    for c in solutions:
        src = "".join(c["source"])
        assert "### BEGIN SOLUTION" in src and "### END SOLUTION" in src, nbgrader(c)["grade_id"]
    for c in tests:
        assert nbgrader(c)["points"] > 0 and nbgrader(c)["locked"], nbgrader(c)["grade_id"]
        assert "checks." in "".join(c["source"]), "tests report through gan_course.checks"
    assert any("### BEGIN HIDDEN TESTS" in "".join(c["source"]) for c in tests)


def test_release_is_what_build_generates(tmp_path):
    sys.path.insert(0, str(ROOT))
    try:
        import build
    finally:
        sys.path.remove(str(ROOT))
    build.main(["--out", str(tmp_path)])
    for source in SOURCES:
        rel = Path(source.parent.name) / source.name
        committed = ROOT / "release" / rel
        assert committed.is_file(), f"{rel} missing from assignments/release: run `make assignments`"
        assert (tmp_path / rel).read_bytes() == committed.read_bytes(), \
            f"assignments/release/{rel} is stale: run `make assignments` and commit the result"


@pytest.mark.parametrize("name", NAMES)
def test_student_version_fails_every_autograded_test_helpfully(name, tmp_path):
    from nbclient import NotebookClient

    path = ROOT / "release" / name / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    text = path.read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    os.environ.setdefault("GAN_COURSE_RUNS", str(tmp_path / "runs"))
    env_fast = os.environ.get("GAN_COURSE_FAST")
    os.environ["GAN_COURSE_FAST"] = "1"
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        if env_fast is None:
            os.environ.pop("GAN_COURSE_FAST")
        else:
            os.environ["GAN_COURSE_FAST"] = env_fast
    graded = [c for c in nb.cells if nbgrader(c).get("grade") and c.cell_type == "code"]
    assert graded
    for cell in graded:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        gid = nbgrader(cell)["grade_id"]
        assert errors, f"{gid} passed on the stubs"
        assert errors[0].ename == "CheckFailed", f"{gid} crashed with {errors[0].ename}: {errors[0].evalue}"
        assert "not written yet" in errors[0].evalue, errors[0].evalue


def test_find_the_bugs_article_loop_runs_and_its_generator_never_moves(capsys):
    """The intro promises ten bugs, none of which crashes: the loop as shown runs and G stays put."""
    import torch
    import torch.nn.functional as F

    import gan_course as gc

    intro = "".join(json.loads((ROOT / "source/find_the_bugs/find_the_bugs.ipynb").read_text())["cells"][0]["source"])
    loop = intro.split("```python\n")[1].split("```")[0]
    assert "range(3000)" in loop
    torch.manual_seed(0)
    scope = {"torch": torch, "F": F, "gc": gc}
    exec(loop.replace("range(3000)", "range(30)"), scope)
    torch.manual_seed(0)
    G0, D0 = gc.nets.build("mlp2d", 2, 128)
    assert all(torch.equal(p, q) for p, q in zip(scope["G"].parameters(), G0.parameters())), "G moved"
    assert not all(torch.equal(p, q) for p, q in zip(scope["D"].parameters(), D0.parameters())), "D did not move"
    assert "step 0: d_loss" in capsys.readouterr().out
