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
