"""The README course map's time columns, rendered from benchmarks/reports/*.json.

The course map in README.md sits between `<!-- render: coursemap.table -->` and `<!-- /render -->`.
Its first two columns (notebook, idea) are prose and stay as written; the time columns — FAST on a
CPU, FULL on a CPU, and FULL on a GPU once a GPU report exists (until then one sentence under the
table says so) — are rewritten by `table()` from the newest report of each kind that measured the
notebook, when `python tools/render.py` runs. Reports marked "contended" (timed
while other work shared the machine) are kept for the record but never feed the README.
"""
from __future__ import annotations

import json
from pathlib import Path

from gan_course import runtime

REPORTS = runtime.REPO_ROOT / "benchmarks" / "reports"


def duration(seconds: float) -> str:
    """14 s, 1 min, 1.7 min, 14.4 min, 29 min."""
    if seconds < 60:
        return f"{round(seconds)} s"
    return f"{seconds / 60:.1f}".removesuffix(".0") + " min"


def load(folder: Path = REPORTS) -> list[dict]:
    """Every report in `folder`, each with its file name under "file"."""
    reports = []
    for path in sorted(Path(folder).glob("*.json")):
        report = json.loads(path.read_text())
        reports.append({**report, "file": f"benchmarks/reports/{path.name}"})
    return reports


def _pick(reports: list[dict], kind: str, profile: str, notebook: str) -> dict | None:
    """The newest uncontended report on a `kind` device in which `notebook` ran through in `profile`."""
    for r in reports:
        res = r["notebooks"].get(profile, {}).get(notebook)
        if r["device"]["kind"] == kind and not r.get("contended") and res and res["ok"]:
            return r
    return None


def _cell(report: dict | None, profile: str, notebook: str, missing: str) -> str:
    if report is None:
        return missing
    text = duration(report["notebooks"][profile][notebook]["seconds"])
    run = report.get("run")
    if profile == "full" and notebook.startswith("05") and run and run["epochs"] == 20:
        c = run["course"]
        rate = f"{c['img_per_s']:,.0f}".replace(",", " ")
        text += f" (the 20-epoch run: {duration(c['seconds'])} at {rate} img/s"
        # Its FIDs only where the EMA G was scored with its own BatchNorm statistics: a run from before
        # issue 12's fix ("ema_bn": "copied") scored an EMA G carrying raw G's, which says nothing now.
        if c.get("ema_bn") == "recomputed":
            text += f"; FID {c['fid_raw']:.1f} raw G, {c['fid_ema']:.1f} EMA G"
        text += ")"
    return text


HEADER = ["notebook", "idea", "FAST, CPU", "FULL, CPU"]
GPU_HEADER = "FULL, GPU"
NO_GPU = "No GPU time has been measured yet; a GPU report adds a FULL, GPU column."
SOURCES = "Times are measured by `tools/gpu_report.py` ([the reports](benchmarks/reports/))."


def times(notebook: str, reports: list[dict], gpu: bool) -> tuple[list[str], list[dict]]:
    """The time cells of a notebook's row (two, or three with `gpu`), and the reports they came from."""
    picks = [(_pick(reports, "cpu", "fast", notebook), "fast"), (_pick(reports, "cpu", "full", notebook), "full")]
    if gpu:
        picks.append((_pick(reports, "cuda", "full", notebook), "full"))
    return [_cell(r, p, notebook, "not measured") for r, p in picks], [r for r, _ in picks if r]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render(block: str, reports: list[dict]) -> str:
    """The course-map block with its time columns (after notebook and idea) rewritten from `reports`."""
    reports = sorted(reports, key=lambda r: r["date"], reverse=True)       # newest first
    rows = [line for line in block.splitlines() if line.startswith("| [")]   # the notebooks' rows
    notebooks = [[c.strip() for c in line.strip().strip("|").split("|")][:2] for line in rows]
    gpu = any(_pick(reports, "cuda", "full", cells[0].split("]")[0].lstrip("[")) for cells in notebooks)
    header = HEADER + ([GPU_HEADER] if gpu else [])
    lines = [_row(header), _row(["---"] * len(header))]
    for cells in notebooks:
        new, _ = times(cells[0].split("]")[0].lstrip("["), reports, gpu)
        lines.append(_row(cells + new))
    lines += ["", SOURCES + ("" if gpu else " " + NO_GPU)]
    return "\n".join(lines)


def table(current: str, folder: Path = REPORTS) -> str:
    """The render step's entry: the course-map table `current` with its time columns from the reports."""
    return render(current.strip("\n"), load(folder))
