"""The README course map's time columns, rendered from benchmarks/reports/*.json.

The course map in README.md sits between `<!-- render: coursemap.table -->` and `<!-- /render -->`.
Its first columns (notebook, idea) are prose and stay as written; the three time columns — FAST on
a CPU, FULL on a CPU, FULL on a GPU — are rewritten by `table()` from the newest report of each kind
that measured the notebook, when `python tools/render.py` runs. Reports marked "contended" (timed
while other work shared the machine) are kept for the record but never feed the README.
"""
from __future__ import annotations

import json
from pathlib import Path

from gan_course import runtime

REPORTS = runtime.REPO_ROOT / "benchmarks" / "reports"
NOT_YET = "not measured yet"


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


def times(notebook: str, reports: list[dict]) -> tuple[list[str], list[dict]]:
    """The three time cells of a notebook's row, and the reports they came from."""
    picks = [(_pick(reports, "cpu", "fast", notebook), "fast", "not measured"),
             (_pick(reports, "cpu", "full", notebook), "full", "not measured"),
             (_pick(reports, "cuda", "full", notebook), "full", NOT_YET)]
    return [_cell(r, p, notebook, missing) for r, p, missing in picks], [r for r, _, _ in picks if r]


def render(block: str, reports: list[dict]) -> str:
    """The course-map block with its time columns (the last three) rewritten from `reports`."""
    lines, used = [], {}
    reports = sorted(reports, key=lambda r: r["date"], reverse=True)       # newest first
    for line in block.splitlines():
        if line.startswith("| ["):                                 # a notebook's row
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            notebook = cells[0].split("]")[0].lstrip("[")
            new, sources = times(notebook, reports)
            used.update({r["file"]: r for r in sources})
            lines.append("| " + " | ".join(cells[:-3] + new) + " |")
        elif line.startswith("Sources of the times:"):
            continue                                               # regenerated below
        elif line.strip() or not lines or not lines[-1].startswith("|"):
            lines.append(line)                                     # (no blank line inside the table)
    while lines and not lines[-1].strip():
        lines.pop()
    described = [f"[{f}]({f}) ({r['device']['name']}, {r['device']['kind']}, {r['date'][:10]}"
                 + (f"; {r['source']}" if r.get("source") else "") + ")" for f, r in sorted(used.items())]
    lines += ["", "Sources of the times: " + ("; ".join(described) or "none yet") + ". GPU: "
              + ("from the reports above." if any(r["device"]["kind"] == "cuda" for r in used.values())
                 else "not measured yet — no GPU report has been committed (`python tools/gpu_report.py` "
                      "on a GPU writes one).")]
    return "\n".join(lines)


def table(current: str, folder: Path = REPORTS) -> str:
    """The render step's entry: the course-map table `current` with its time columns from the reports."""
    return render(current.strip("\n"), load(folder))
