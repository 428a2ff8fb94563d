"""The course's grading machinery without nbgrader's run: checks report warnings and stderr on stdout,
refuse patching and IPython's input transformers, catch a reference's code in a new function and a
sample from the wrong distribution; grading.py's preprocessors keep stderr from zeroing a cell, and
the feedback is configured without hidden tests. The real nbgrader run is tests/test_nbgrader.py."""
import contextlib
import io
import sys
import types
import warnings

import nbformat
import pytest
import torch
from scipy import stats

import gan_course as gc
from gan_course import checks
from gan_course.runtime import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "assignments"))
import grading  # noqa: E402


def test_run_reports_warnings_and_stderr_on_stdout():
    def correct_but_noisy():
        warnings.warn("a correct function that warns")
        print("a progress bar", file=sys.stderr)
        return 1
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert checks.run("noisy", correct_but_noisy) == 1
    assert err.getvalue() == ""
    assert "a progress bar" in out.getvalue() and "a correct function that warns" in out.getvalue()


def test_checks_cannot_be_patched():
    with pytest.raises(checks.CheckFailed, match="cannot be changed"):
        setattr(checks, "close", lambda *a, **k: None)
    with pytest.raises(checks.CheckFailed, match="cannot be changed"):
        checks.true = lambda *a, **k: None


def test_own_work_catches_a_reference_code_in_a_new_function():
    wrapped = types.FunctionType(gc.losses.d_bce.__code__, vars(gc.losses))
    with pytest.raises(checks.CheckFailed, match="d_bce"):
        checks.own_work("d_loss", wrapped, torch.zeros(3), torch.zeros(3), references=[gc.losses])
    own = lambda r, f: torch.nn.functional.softplus(-r).mean() + torch.nn.functional.softplus(f).mean()
    checks.own_work("d_loss", own, torch.zeros(3), torch.zeros(3), references=[gc.losses])


def test_distribution_tells_a_truncated_normal_from_uniform_noise_of_its_variance():
    dist = stats.truncnorm(-2, 2)
    checks.distribution("tn", torch.as_tensor(dist.rvs(4000, random_state=0)), dist, "a truncated normal")
    c = (3 * dist.var()) ** 0.5                                    # uniform on [-c, c] has the same variance
    uniform = torch.empty(4000).uniform_(-c, c, generator=torch.Generator().manual_seed(0))
    with pytest.raises(checks.CheckFailed, match="Kolmogorov"):
        checks.distribution("tn", uniform, dist, "a truncated normal")


def test_input_transformers_are_reset_and_refused():
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        for source in ("import torch\nfrom gan_course import checks\nchecks.guard()",
                       "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"):
            assert shell.run_cell(source).success
        assert shell.input_transformers_post == []                 # reset after the cell that installed it
        result = shell.run_cell("checks.close('x', torch.ones(2), torch.ones(2))")
        assert isinstance(result.error_in_exec, checks.CheckFailed)
        assert "input transformers" in str(result.error_in_exec)
    finally:
        checks._guard._tampered.clear()
        checks._guard._state.update(guarded=False)
        for event, cb in (("pre_run_cell", checks._guard._before_cell), ("post_run_cell", checks._guard._after_cell)):
            with contextlib.suppress(ValueError):
                shell.events.unregister(event, cb)
        InteractiveShell.clear_instance()


def _graded(source, outputs):
    cell = nbformat.v4.new_code_cell(source, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    return cell


def test_stderr_of_a_graded_cell_becomes_stdout():
    cell = _graded("checks.close(...)", [nbformat.v4.new_output("stream", name="stderr", text="100%|###|\n")])
    cell, _ = grading.StderrIsNotAnError().preprocess_cell(cell, {}, 0)
    assert [o.name for o in cell.outputs] == ["stdout"] and "100%" in cell.outputs[0].text


def test_a_graded_cell_without_its_seal_gets_an_error(monkeypatch):
    monkeypatch.setenv(grading.SEAL_KEY, "k")
    good = grading.expected_seal("k", "t", 2)
    sealed = _graded("checks.passed('t', 2)", [nbformat.v4.new_output("stream", name="stdout", text=f"✓ t · seal {good}\n")])
    forged = _graded("checks.passed('t', 2)", [nbformat.v4.new_output("stream", name="stdout", text="✓ t · seal " + "0" * 24)])
    cell, _ = grading.VerifySeals().preprocess_cell(sealed, {}, 0)
    assert not any(o.output_type == "error" for o in cell.outputs) and good not in cell.outputs[0].text
    cell, _ = grading.VerifySeals().preprocess_cell(forged, {}, 0)
    assert cell.outputs[-1].output_type == "error"


def test_feedback_is_configured_without_hidden_tests(monkeypatch):
    monkeypatch.setattr("os.environ", dict(__import__("os").environ))   # the config sets the seal key: not for later tests
    from nbgrader.preprocessors import ClearHiddenTests
    from traitlets.config import PyFileConfigLoader
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT / "assignments"))
    c = loader.load_config()
    assert ClearHiddenTests in c.GenerateFeedback.preprocessors
    nb = nbformat.read(REPO_ROOT / "assignments/source/gan_losses/gan_losses.ipynb", as_version=4)
    assert any("BEGIN HIDDEN TESTS" in cell.source for cell in nb.cells)
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    assert not any("BEGIN HIDDEN TESTS" in cell.source for cell in nb.cells)


def test_scan_flags_the_cheats(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "f = types.FunctionType(gc.losses.d_bce.__code__, {})\nsetattr(checks, 'close', print)\nx = 1")])
    (tmp_path / "submitted/ann/gan_losses").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "submitted/ann/gan_losses/gan_losses.ipynb")
    found = grading.scan(tmp_path / "submitted", tmp_path / "source")
    assert len(found) == 2 and "code objects" in found[0] and "attributes" in found[1]
