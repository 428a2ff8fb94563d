"""The README's course-map times are rendered from benchmarks/reports/*.json, never typed."""
import copy

import pytest

from gan_course import readme


def test_the_readme_course_map_is_what_the_committed_reports_give():
    block, rendered = readme.expected()
    assert block == rendered, ("README.md's course map differs from benchmarks/reports/*.json: run "
                               "`python -c 'from gan_course import readme; readme.update()'` and commit the result.")


@pytest.mark.parametrize("seconds, text", [(6.4, "6 s"), (59.4, "59 s"), (60, "1 min"), (102, "1.7 min"),
                                           (864, "14.4 min"), (1740, "29 min")])
def test_durations_read_as_the_course_map_writes_them(seconds, text):
    assert readme.duration(seconds) == text


def report(kind, date, seconds, contended=False, name="dev"):
    nb = {"05_dcgan_full_training_run": {"seconds": seconds, "ok": True}}
    return {"file": f"benchmarks/reports/{kind}-{date}.json", "date": date, "contended": contended,
            "device": {"kind": kind, "name": name}, "notebooks": {"fast": copy.deepcopy(nb), "full": nb}}


BLOCK = ("| notebook | idea | FAST, CPU | FULL, CPU | FULL, GPU |\n|---|---|---|---|---|\n"
         "| [05_dcgan_full_training_run](notebooks/05.ipynb) | the run | typed | by | hand |")


def row(text):
    return [c.strip() for c in text.splitlines()[2].strip("|").split("|")]


def test_each_column_takes_the_newest_uncontended_report_of_its_kind():
    reports = [report("cpu", "2026-11-01", 50), report("cpu", "2026-11-23", 999, contended=True),
               report("cpu", "2026-11-22", 30)]
    assert row(readme.render(BLOCK, reports))[2:] == ["30 s", "30 s", "not measured yet"]
    text = readme.render(BLOCK, reports + [report("cuda", "2026-11-24", 12, name="NVIDIA H100")])
    assert row(text)[2:] == ["30 s", "30 s", "12 s"]
    assert "NVIDIA H100" in text and "not measured yet" not in text


def test_the_gpu_column_says_not_measured_yet_without_a_gpu_report():
    text = readme.render(BLOCK, [report("cpu", "2026-11-22", 30)])
    assert row(text)[-1] == "not measured yet"
    assert "GPU: not measured yet" in text
    assert readme.render(text, [report("cpu", "2026-11-22", 30)]) == text    # rendering twice changes nothing


def test_a_notebook_states_the_times_the_course_map_shows(tmp_path):
    import shutil
    for f in readme.REPORTS.glob("*.json"):
        shutil.copy(f, tmp_path)
    block, _ = readme.expected()
    row = next(line for line in block.splitlines() if line.startswith("| [04_"))
    fast, full, gpu = [c.strip() for c in row.strip().strip("|").split("|")][-3:]
    said = readme.stated("04_first_gan_on_digits", tmp_path)
    assert f"FAST {fast}, FULL {full}" in said and f"On a GPU: {gpu}." in said
    assert "No timing report" in readme.stated("04_first_gan_on_digits", tmp_path / "absent")


def test_a_time_measured_on_another_version_of_the_notebook_says_so(tmp_path):
    import json

    from gan_course import report
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    (nbdir / "04_x.ipynb").write_text('{"cells": []}')
    now = report.notebook_digest(nbdir / "04_x.ipynb")
    base = {"format": 1, "device": {"kind": "cpu", "name": "CPU", "cpu_threads": 2}, "date": "2026-11-22T00:00:00",
            "contended": False}
    for name, digest in [("same", now), ("other", "0" * 16)]:
        folder = tmp_path / name
        folder.mkdir()
        entry = {"seconds": 30, "ok": True, "sha256": digest}
        (folder / "r.json").write_text(json.dumps({**base, "notebooks": {"fast": {"04_x": entry}, "full": {}}}))
    assert "earlier version" not in readme.stated("04_x", tmp_path / "same", nbdir)
    assert "FAST 30 s" in readme.stated("04_x", tmp_path / "same", nbdir)
    assert "earlier version of this notebook" in readme.stated("04_x", tmp_path / "other", nbdir)
    (tmp_path / "other" / "r.json").write_text((tmp_path / "other" / "r.json").read_text().replace(', "sha256": "0000000000000000"', ""))
    assert "does not record which version" in readme.stated("04_x", tmp_path / "other", nbdir)


@pytest.mark.parametrize("ema_bn, shown", [("recomputed", True), ("copied", False), (None, False)])
def test_the_05_row_shows_the_runs_fids_only_when_the_ema_had_its_own_batchnorm_statistics(ema_bn, shown):
    r = report("cpu", "2026-11-22", 30)
    course = {"seconds": 864, "img_per_s": 1385, "fid_ema": 16.9, "fid_raw": 15.2}
    r["run"] = {"epochs": 20, "course": {**course, **({"ema_bn": ema_bn} if ema_bn else {})}}
    full = row(readme.render(BLOCK, [r]))[3]
    assert full.startswith("30 s (the 20-epoch run: 14.4 min at 1 385 img/s")
    assert ("FID 15.2 raw G, 16.9 EMA G" in full) == shown, full


def test_the_gpu_ema_figures_in_the_readme_and_05_are_what_the_stored_runs_give():
    import json

    runs = [json.loads(line) for f in sorted((readme.REPORTS.parent / "gpu_models").glob("*.jsonl"))
            for line in f.read_text().splitlines() if line.strip()]
    scored = [r for r in runs if r.get("fid_raw") is not None]
    lower = sum(r["fid"] < r["fid_raw"] for r in scored)
    gain = {r["step"]: f"{r['fid_raw'] - r['fid']:+.2f}" for r in scored if r["preset"] == "dcgan-fmnist"}
    said = (f"EMA worse by {gain[18720].lstrip('-')} at 40 epochs, better by {gain[28080].lstrip('+')} at 60 "
            f"and {gain[46800].lstrip('+')} at")
    assert gain[18720].startswith("-") and gain[28080].startswith("+") and gain[46800].startswith("+")
    text = " ".join(readme.README.read_text().split())
    assert f"lower than raw G in {lower} of {len(scored)} Fashion-MNIST evaluations" in text
    assert said in text
    nb = json.loads((readme.REPORTS.parents[1] / "notebooks" / "05_dcgan_full_training_run.ipynb").read_text())
    reading = " ".join("".join(next(c for c in nb["cells"] if c.get("id") == "fix05-ema-read")["source"]).split())
    assert f"the EMA G was worse by {gain[18720].lstrip('-')} at 40 epochs, better by {gain[28080].lstrip('+')} at 60" in reading
