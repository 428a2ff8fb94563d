"""`python tools/gpu_report.py` on a CPU, on a tiny subset (what CI can afford)."""
import json

import nbformat
import pytest

import gpu_report as report


def test_report_runs_a_notebook_the_ladder_and_a_short_run_on_cpu(tmp_path):
    rc = report.main(report.parser().parse_args(["--profiles", "fast", "--notebooks", "02", "--ladder-seconds", "0.05", "--warmup", "0",
                   "--ladder-batch-size", "8", "--ladder-steps", "1",
                   "--run-epochs", "0.001", "--fid-n", "100", "--out", str(tmp_path), "--device", "cpu",
                   "--contended", "--note", "a test"]))
    assert rc == 0
    [path] = tmp_path.glob("*.json")
    rep = json.loads(path.read_text())
    assert path.stem == report.slug(rep["device"]) and path.stem.startswith("cpu-")
    nb = rep["notebooks"]["fast"]["02_deriving_the_losses"]
    assert nb["ok"] and nb["seconds"] > 0 and nb["max_rss_mib"] > 0
    assert nb["sha256"] == report.notebook_digest(report.notebooks(["02_"])[0])   # the version it timed
    assert list(rep["notebooks"]) == ["fast"] and rep["contended"] is True and rep["complete"] is True
    rows = rep["ladder"]["rows"]
    assert all(r["steps_each"] == 1 for r in rows if r["img_per_s"] is not None)     # --ladder-steps bounds it
    assert rows[0]["img_per_s"] > 0 and rows[1]["row"] == "course, plain"
    run = rep["run"]
    assert run["course"]["images"] == run["reference"]["images"] == run["steps"] * 128
    assert run["course"]["fid_ema"] > 0 and run["reference"]["fid"] > 0
    assert run["course"]["ema_bn"] == "recomputed"         # the README shows a run's FIDs only then (readme._cell)
    md = path.with_suffix(".md").read_text()
    assert "02_deriving_the_losses" in md and "course, plain" in md


def test_a_failing_notebook_is_recorded_not_raised_and_sees_the_profile(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import os\nassert os.environ['GAN_COURSE_FAST'] == '0', os.environ['GAN_COURSE_FAST']"),
        nbformat.v4.new_code_cell("1/0", metadata={"tags": ["skip-execution"]}),     # left out, as nbmake does
        nbformat.v4.new_code_cell("raise ZeroDivisionError('on purpose')")])
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, path)
    result = report.run_notebook(path, fast=False, runs=tmp_path, timeout=60)
    assert result["ok"] is False and "on purpose" in result["error"]


def test_an_interrupted_report_keeps_what_it_measured(tmp_path, monkeypatch):
    seen = []
    def fake_run(path, fast, runs, timeout):
        if seen:                                   # the second notebook: the learner presses Ctrl-C
            raise KeyboardInterrupt
        seen.append(path.stem)
        return {"seconds": 1.5, "ok": True, "sha256": "x"}
    monkeypatch.setattr(report, "run_notebook", fake_run)
    out = tmp_path / "reports"
    with pytest.raises(KeyboardInterrupt):
        report.measure(report.torch.device("cpu"), ["fast"], ["00", "01"], ladder_seconds=0, run_epochs=0,
                       save=lambda partial: report.write(partial, out))
    [path] = out.glob("*.json")
    rep = json.loads(path.read_text())
    assert rep["complete"] is False and list(rep["notebooks"]["fast"]) == seen == ["00_start_here"]
    assert "Interrupted" in path.with_suffix(".md").read_text()


def test_the_report_runs_every_course_notebook_lettered_ones_included():
    from gan_course.runtime import REPO_ROOT
    names = [p.name for p in report.notebooks()]
    assert names == sorted(p.name for p in (REPO_ROOT / "notebooks").glob("*.ipynb"))
    assert "04b_the_articles_conv_gan.ipynb" in names and names.index("04b_the_articles_conv_gan.ipynb") == \
        names.index("04_first_gan_on_digits.ipynb") + 1
    assert names.index("02b_the_loss_zoo.ipynb") == names.index("02_deriving_the_losses.ipynb") + 1
    assert [p.stem for p in report.notebooks(["02b"])] == ["02b_the_loss_zoo"]


def test_unknown_notebook_prefix_is_refused_by_name(capsys, tmp_path):
    assert report.main(report.parser().parse_args(["--notebooks", "42", "--device", "cpu", "--ladder-seconds", "0",
                                                  "--run-epochs", "0", "--out", str(tmp_path)])) == 1
    assert "no notebook matches ['42']" in capsys.readouterr().err


@pytest.mark.parametrize("info, expected", [
    ({"kind": "cuda", "name": "NVIDIA H100 80GB HBM3", "cpu_threads": 16, "cpu_bf16": False}, "nvidia-h100-80gb-hbm3"),
    ({"kind": "cpu", "name": "AMD EPYC", "cpu_threads": 2, "cpu_bf16": True}, "cpu-amd-epyc-bf16-2-threads"),
    ({"kind": "cpu", "name": "AMD EPYC", "cpu_threads": 2, "cpu_bf16": False}, "cpu-amd-epyc-2-threads")])
def test_report_file_names_tell_devices_apart(info, expected):
    assert report.slug(info) == expected
