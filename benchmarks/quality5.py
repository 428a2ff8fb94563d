"""The 5-minute sweep: which recipe gives the lowest FID after the same wall-clock budget on a CPU.

Each invocation trains one arm with one seed for `--minutes` of training time (the clock stops while it
scores), and scores raw G and EMA copies of several half-lives at a few points on the way. The arms are
the `dcgan-fmnist` preset with one or two settings changed (ARMS), or (`--arm reference`, not run in the
stored sweep: the bench measured the reference) the pytorch/examples reference recipe of `tools/bench.py`. Extra EMA copies are averaged weights only (they cost no training), each
scored after its BatchNorm statistics are recomputed for it. One JSON line per evaluation.

    python benchmarks/quality5.py --arm w32 --seed 0 --threads 1 --out benchmarks/quality5/runs.jsonl
    python benchmarks/quality5.py --table benchmarks/quality5/runs.jsonl   # the table pasted in quality5.md

The sweep in benchmarks/quality5.md ran two arms at a time, one thread each, on the 2-core CPU, so
its FIDs are those of half a machine: they rank the arms; `python tools/bench.py --quality-minutes 5`
(two threads, one trainer at a time) gives the figures the README quotes.
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ema_seeds import score  # noqa: E402  (the same FID scoring as the EMA study)

from gan_course import ema as averaging, speed as bench, classifier, metrics, presets, train  # noqa: E402

# Each arm: settings changed from the dcgan-fmnist preset (width 64, batch 128, Adam 2e-4/2e-4, NS loss).
ARMS: dict[str, dict] = {
    "base": {},
    "w32": {"width": 32},
    "w32-lr5e-4": {"width": 32, "lr_d": 5e-4, "lr_g": 5e-4},
    "w16": {"width": 16},
    "w16-lr5e-4": {"width": 16, "lr_d": 5e-4, "lr_g": 5e-4},
    "w8": {"width": 8},
}
HALF_LIVES = (10_000, 2_500, 40_000)      # images; the first is the preset's own (run.G_ema)


def course(arm: str, seed: int, minutes: float, evals: list[float], n: int, fid, out: Path) -> None:
    cfg = presets.config("dcgan-fmnist", steps=10**9, seed=seed, device="cpu", compile="off",
                         ema_half_life=HALF_LIVES[0], **ARMS[arm])
    run, step = bench.stepper(cfg)
    extra = {h: copy.deepcopy(run.G_ema) for h in HALF_LIVES[1:]}
    trained, todo = 0.0, sorted(evals)
    while todo:
        t0 = time.perf_counter()
        step()
        for h, ema in extra.items():
            averaging.average(ema, run.G, averaging.beta(run.step - 1, cfg.batch_size, h))
        trained += time.perf_counter() - t0
        if trained >= 60 * todo[0]:
            row = {"arm": arm, "seed": seed, "minutes": todo.pop(0), "step": run.step,
                   "images": run.step * cfg.batch_size, "n": n, "threads": torch.get_num_threads(),
                   "warmup_ends": {f"ema{h}": averaging.warmup_steps(cfg.batch_size, h) for h in HALF_LIVES},
                   "raw": score(run.G, fid, n), f"ema{HALF_LIVES[0]}": score(run.sampler, fid, n),
                   **{f"ema{h}": score(train.recompute_batchnorm(e), fid, n) for h, e in extra.items()}}
            _write(out, row)
            if not todo:                                         # what the samples look like at the end
                _grid(run.sampler, out.parent / f"{arm}-seed{seed}.png")


def _grid(G, path: Path) -> None:
    from torchvision.utils import save_image
    save_image(metrics.generate(G, 64, seed=1), path, nrow=8, normalize=True, value_range=(-1, 1))


def reference(seed: int, minutes: float, evals: list[float], n: int, fid, out: Path) -> None:
    G, step = bench.reference_recipe(128, torch.device("cpu"), seed)
    trained, todo, steps = 0.0, sorted(evals), 0
    while todo:
        t0 = time.perf_counter()
        step()
        steps += 1
        trained += time.perf_counter() - t0
        if trained >= 60 * todo[0]:
            _write(out, {"arm": "reference", "seed": seed, "minutes": todo.pop(0), "step": steps,
                         "images": steps * 128, "n": n, "threads": torch.get_num_threads(), "raw": score(G, fid, n)})
            if not todo:
                _grid(G, out.parent / f"reference-seed{seed}.png")


def _write(out: Path, row: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as f:
        f.write(json.dumps(row) + "\n")
    print(row, flush=True)


def table(files) -> str:
    """Per arm and evaluation time: FID of raw G and of each EMA, per seed and median, and how often
    each EMA past its warm-up beat raw G."""
    rows = [json.loads(line) for f in files for line in Path(f).read_text().splitlines() if line.strip()]
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    keys = ["raw"] + [f"ema{h}" for h in HALF_LIVES]
    out = ["FID (course metric, sample seed 1) per seed and the median; lower is better. A cell is in "
           "**bold** once that EMA is past its warm-up.", "",
           "| arm | minutes | images (median) | " + " | ".join(keys) + " |", "|---|---|---|" + "---|" * len(keys)]
    for arm in arms:
        for m in sorted({r["minutes"] for r in rows if r["arm"] == arm}):
            at = sorted((r for r in rows if r["arm"] == arm and r["minutes"] == m), key=lambda r: r["seed"])
            cells = []
            for k in keys:
                if k not in at[0]:
                    cells.append("")
                    continue
                past = all(r["step"] >= r["warmup_ends"][k] for r in at) if k != "raw" else False
                c = " / ".join(f"{r[k]:.1f}" for r in at) + f" → {statistics.median(r[k] for r in at):.1f}"
                cells.append(f"**{c}**" if past else c)
            out.append(f"| {arm} | {m:g} | {statistics.median(r['images'] for r in at):.0f} | " + " | ".join(cells) + " |")
    out += [""]
    for arm in arms:
        course_rows = [r for r in rows if r["arm"] == arm and "warmup_ends" in r]
        for k in keys[1:]:
            post = [r for r in course_rows if r["step"] >= r["warmup_ends"][k]]
            if post:
                wins = sum(r[k] < r["raw"] for r in post)
                out.append(f"- {arm}, {k}: lower FID than raw G in {wins} of {len(post)} (seed, time) cells past "
                           f"its warm-up; median raw − EMA {statistics.median(r['raw'] - r[k] for r in post):+.1f}.")
    return "\n".join(out)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--arm", choices=[*ARMS, "reference"], default="base")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--evals", type=float, nargs="+", default=[2.5, 5.0], help="training minutes")
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default="benchmarks/quality5/runs.jsonl")
    p.add_argument("--table", nargs="*")
    p.add_argument("--md")
    a = p.parse_args()
    if a.table:
        text = table(a.table)
        Path(a.md).write_text(text + "\n") if a.md else print(text)
        sys.exit(0)
    torch.set_num_threads(a.threads)
    fid = metrics.fid_metric(classifier.load_classifier(device="cpu"))   # the real side loaded once
    evals = [m for m in a.evals if m <= a.minutes]
    if a.arm == "reference":
        reference(a.seed, a.minutes, evals, a.n, fid, Path(a.out))
    else:
        course(a.arm, a.seed, a.minutes, evals, a.n, fid, Path(a.out))
