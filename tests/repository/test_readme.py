"""tools/coursemap.py: the README's course-map times, rendered from benchmarks/reports/*.json."""
import copy

import pytest

import coursemap as readme


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
    assert row(readme.render(BLOCK, reports))[2:] == ["30 s", "30 s"]
    text = readme.render(BLOCK, reports + [report("cuda", "2026-11-24", 12, name="NVIDIA H100")])
    assert text.splitlines()[0].endswith("| FULL, GPU |")
    assert row(text)[2:] == ["30 s", "30 s", "12 s"]
    assert readme.NO_GPU not in text


def test_without_a_gpu_report_one_sentence_replaces_the_gpu_column():
    text = readme.render(BLOCK, [report("cpu", "2026-11-22", 30)])
    assert "GPU" not in text.splitlines()[0] and len(row(text)) == 4
    assert text.count(readme.NO_GPU) == 1
    assert readme.render(text, [report("cpu", "2026-11-22", 30)]) == text    # rendering twice changes nothing


def test_the_prose_columns_stay_as_written():
    assert row(readme.render(BLOCK, []))[:2] == ["[05_dcgan_full_training_run](notebooks/05.ipynb)", "the run"]


@pytest.mark.parametrize("ema_bn, shown", [("recomputed", True), ("copied", False), (None, False)])
def test_the_05_row_shows_the_runs_fids_only_when_the_ema_had_its_own_batchnorm_statistics(ema_bn, shown):
    r = report("cpu", "2026-11-22", 30)
    course = {"seconds": 864, "img_per_s": 1385, "fid_ema": 16.9, "fid_raw": 15.2}
    r["run"] = {"epochs": 20, "course": {**course, **({"ema_bn": ema_bn} if ema_bn else {})}}
    full = row(readme.render(BLOCK, [r]))[3]
    assert full.startswith("30 s (the 20-epoch run: 14.4 min at 1 385 img/s")
    assert ("FID 15.2 raw G, 16.9 EMA G" in full) == shown, full
