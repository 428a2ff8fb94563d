"""Markdown tables of this study, from rows.jsonl (tools/render.py writes them into README.md).

    python benchmarks/stabilizers_failing_baseline/tables.py
"""
from __future__ import annotations

import statistics
from pathlib import Path

from gan_course.experiments import record, stats

HERE = Path(__file__).parent
FLOOR_SD = 0.31                         # FID sd over sample seeds at N = 5 000 (../fid_noise_floor/)


def _rows() -> list[dict]:
    return record.rows(HERE / "rows.jsonl")


def results(key: str = "fid_raw") -> str:
    """One line per (optimiser, row): per-seed FIDs, mean ± sd, and Welch's test against the failing baseline."""
    data = _rows()
    groups = {}
    for r in data:
        groups.setdefault((r["optimiser"], r["row"]), {})[r["seed"]] = r
    ref = [r[key] for r in groups.get(("aggressive", "baseline"), {}).values()]
    out = [f"| optimiser | row | seeds | {key} per seed | mean ± sd | Δ vs failing baseline | Welch p | beyond 2×floor (0.62) and seed sd? |",
           "|---|---|---|---|---|---|---|---|"]
    for (opt, row), by_seed in groups.items():
        v = [by_seed[s][key] for s in sorted(by_seed)]
        sd = statistics.stdev(v) if len(v) > 1 else float("nan")
        cells = [opt, row, str(len(v)), " / ".join(f"{x:.0f}" for x in v), f"{statistics.mean(v):.1f} ± {sd:.1f}"]
        if (opt, row) != ("aggressive", "baseline") and len(v) > 1 and len(ref) > 1:
            d = statistics.mean(v) - statistics.mean(ref)
            p = stats.welch(v, ref)["p"]
            real = abs(d) > 2 * FLOOR_SD and abs(d) > max(sd, statistics.stdev(ref)) * 2
            cells += [f"{d:+.1f}", f"{p:.3g}", "yes" if real and p < 0.05 else "no"]
        else:
            cells += ["—", "—", "—"]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def ema() -> str:
    """EMA G against raw G of the same runs, seed by seed (scipy.stats.ttest_rel)."""
    groups = {}
    for r in _rows():
        groups.setdefault((r["optimiser"], r["row"]), []).append(r)
    out = ["| optimiser | row | seeds | EMA − raw per seed | mean | paired p |", "|---|---|---|---|---|---|"]
    for (opt, row), rs in groups.items():
        d = [r["fid_ema"] - r["fid_raw"] for r in rs]
        p = stats.paired([r["fid_ema"] for r in rs], [r["fid_raw"] for r in rs])["p"] if len(rs) > 1 else float("nan")
        out.append(f"| {opt} | {row} | {len(rs)} | {' / '.join(f'{x:+.0f}' for x in d)} | {statistics.mean(d):+.1f} | {p:.3g} |")
    return "\n".join(out)


def fid_raw() -> str:
    return results("fid_raw")


def fid_ema() -> str:
    return results("fid_ema")


if __name__ == "__main__":
    print(results("fid_raw")); print(); print(results("fid_ema")); print(); print(ema())
