"""The table of this study, from rows.jsonl (tools/render.py writes it into README.md)."""
from __future__ import annotations

import statistics
from pathlib import Path

from gan_course.experiments import record

ROWS = Path(__file__).parent / "rows.jsonl"


def sd_at(n: int) -> float:
    """FID's sd over sample seeds at N = n, for one fixed generator (what other studies compare with)."""
    return statistics.stdev([r["fid"] for r in record.rows(ROWS) if r["n"] == n])


def table() -> str:
    out = ["| N | seeds | mean FID | sd | min – max | 2 sd (smallest difference that means something) |",
           "|---|---|---|---|---|---|"]
    data = record.rows(ROWS)
    for n in sorted({r["n"] for r in data}):
        v = [r["fid"] for r in data if r["n"] == n]
        sd = statistics.stdev(v)
        out.append(f"| {n} | {len(v)} | {statistics.mean(v):.2f} | {sd:.3f} | {min(v):.2f} – {max(v):.2f} | {2 * sd:.2f} |")
    return "\n".join(out)


def training_seeds() -> str:
    """FID's spread over *training* seeds of one short recipe (09's healthy DCGAN, 1 500 steps, N = 5 000):
    seeds 0–2 from ../stabilizers_failing_baseline/, seeds 3–4 run for this study (training_seeds.jsonl)."""
    here = record.rows(Path(__file__).parent / "training_seeds.jsonl")
    there = record.rows(Path(__file__).parent.parent / "stabilizers_failing_baseline" / "rows.jsonl")
    runs = sorted((r for r in there + here if r["row"] == "baseline" and r["optimiser"] == "dcgan"),
                  key=lambda r: r["seed"])
    out = ["| FID of | training seeds | N | per seed | mean | sd | sd over the sample-seed sd at this N |",
           "|---|---|---|---|---|---|---|"]
    floor = sd_at(runs[0]["n"])
    for key, name in (("fid_raw", "raw G"), ("fid_ema", "EMA G")):
        v = [r[key] for r in runs]
        out.append(f"| {name} | {len(v)} | {runs[0]['n']} | {' / '.join(f'{x:.1f}' for x in v)} | "
                   f"{statistics.mean(v):.1f} | {statistics.stdev(v):.1f} | {statistics.stdev(v) / floor:.0f}× |")
    return "\n".join(out)
