"""Raw G vs its EMA copy, FID on the course's metric, at several steps of one dcgan-fmnist run per seed.

Columns per evaluation: raw G; the EMA copy with BatchNorm statistics recomputed for its own weights
(train.recompute_batchnorm, what the course does now); the same EMA weights with raw G's statistics
copied in (what train.ema_update did before issue 12); and extra half-lives, all from the same run
(extra EMA copies are only averaged weights, so they cost no training).

    nice -n 15 python benchmarks/ema_seeds.py --seed 0 --out benchmarks/ema_runs/seed0.jsonl
    python benchmarks/ema_seeds.py --warmup --batch-size 64 --half-lives 10000 2500   # where the warm-up ends
    python benchmarks/ema_seeds.py --table benchmarks/ema_runs/seed*.jsonl --md benchmarks/ema_seeds_table.md
The last writes the table (and what it says, counted from the rows) that notebook 05 shows.
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from pathlib import Path

import torch

from gan_course import ema as averaging, speed as bench, classifier, metrics, presets, train


def score(G, fid, n):
    """metrics.fid of n samples (sample seed 1), with the real statistics loaded once per process."""
    fid.reset()                                                  # keeps the real features (reset_real_features=False)
    images = metrics.generate(G, n, seed=1)
    for i in range(0, n, 1000):
        fid.update(images[i:i + 1000], real=False)
    return round(fid.compute().item(), 2)


def warmup(batch_size, half_lives) -> str:
    """Where the warm-up ends for each half-life, and the half-life actually used on the way there."""
    lines = ["| half-life (images) | target decay per step | warm-up ends at step | images seen then | "
             "half-life used at 1/4, 1/2, 3/4 of the warm-up (images) |", "|---|---|---|---|---|"]
    for h in half_lives:
        t = averaging.warmup_steps(batch_size, h)
        used = " / ".join(f"{averaging.half_life_at(int(t * f), batch_size, h):.0f}" for f in (0.25, 0.5, 0.75))
        lines.append(f"| {h:.0f} | {0.5 ** (batch_size / h):.6f} | {t} | {t * batch_size} | {used} |")
    return "\n".join(lines)


def main(args):
    torch.set_num_threads(args.threads)
    cfg = presets.config(args.preset, steps=args.steps, width=args.width, batch_size=args.batch_size,
                         seed=args.seed, device="cpu", compile="off", ema_half_life=args.half_lives[0])
    print(warmup(cfg.batch_size, args.half_lives), flush=True)
    own = f"ema{args.half_lives[0]:.0f}"
    run, step = bench.stepper(cfg)
    extra = {h: copy.deepcopy(run.G_ema) for h in args.half_lives[1:]}
    fid = metrics.fid_metric(classifier.load_classifier(device="cpu"))   # the course's FID, real side loaded once
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    while run.step < args.steps:
        step()
        for h, ema in extra.items():
            averaging.average(ema, run.G, averaging.beta(run.step - 1, cfg.batch_size, h))
        if run.step % 100 == 0:
            print(f"step {run.step} at {time.perf_counter() - t0:.0f} s", flush=True)
        if run.step % args.eval_every == 0 and run.step >= args.eval_from:
            old_way = copy.deepcopy(run.G_ema)
            for b_old, b in zip(old_way.buffers(), run.G.buffers()):
                b_old.copy_(b)                                   # the pre-issue-12 EMA: raw G's statistics
            row = {"preset": args.preset, "lr": cfg.lr_g, "seed": args.seed, "step": run.step, "images": run.step * cfg.batch_size, "n": args.n,
                   "width": cfg.width, "batch_size": cfg.batch_size,
                   "warmup_ends": {f"ema{h:.0f}": averaging.warmup_steps(cfg.batch_size, h) for h in args.half_lives},
                   "raw": score(run.G, fid, args.n),
                   **({"raw_recomputed_bn": score(train.recompute_batchnorm(copy.deepcopy(run.G)), fid, args.n)}
                      if args.raw_recomputed else {}),
                   own: score(run.sampler, fid, args.n),
                   f"{own}_copied_bn": score(old_way, fid, args.n),
                   **{f"ema{h:.0f}": score(train.recompute_batchnorm(e), fid, args.n) for h, e in extra.items()},
                   "seconds": round(time.perf_counter() - t0)}
            with out.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(row, flush=True)


def table(files) -> str:
    """The per-seed table, then for each EMA column how often it beat raw G after its own warm-up,
    by how much (median over seeds of raw − EMA), and the seed spread of raw G at the same steps."""
    rows = [json.loads(line) for f in files for line in Path(f).read_text().splitlines() if line.strip()]
    keys = [k for k in rows[0] if k.startswith(("raw", "ema"))]
    ends = rows[0].get("warmup_ends", {})
    steps = sorted({r["step"] for r in rows})
    by_step = {s: sorted((r for r in rows if r["step"] == s), key=lambda r: r["seed"]) for s in steps}
    seeds = sorted({r["seed"] for r in rows})
    r0 = rows[0]
    lr = f", lr {r0['lr']:g}" if "lr" in r0 else ""
    out = [f"`{r0.get('preset', 'dcgan-fmnist')}`, width {r0.get('width', '?')}, batch {r0.get('batch_size', '?')}{lr}. "
           f"FID ({r0.get('n', '?')} samples, sample seed 1, against the 60 000 training images) per seed ({' / '.join(map(str, seeds))}) and the median; "
           "lower is better. A column's cell is in **bold** once that EMA is past its own warm-up.", "",
           "| step | images | " + " | ".join(keys) + " | " + " | ".join(f"{k} median" for k in keys) + " |",
           "|" + "---|" * (2 + 2 * len(keys))]
    for s, at in by_step.items():
        def past(k):                                             # an EMA column past its own warm-up
            return s >= ends.get(k.removesuffix("_copied_bn"), float("inf"))
        per = [(" / ".join(f"{r[k]:.1f}" for r in at), past(k)) for k in keys]
        med = [(f"{statistics.median(r[k] for r in at):.1f}", past(k)) for k in keys]
        out.append(f"| {s} | {at[0]['images']} | " + " | ".join(f"**{c}**" if p else c for c, p in per + med) + " |")
    out += ["", "After each EMA's warm-up (only steps where every seed was evaluated):", ""]
    full = {s: at for s, at in by_step.items() if len(at) == len(seeds)}
    for k in [k for k in keys if k.startswith("ema")]:
        end = ends.get(k.removesuffix("_copied_bn"))
        post = {s: at for s, at in full.items() if end is not None and s >= end}
        if not post:
            out.append(f"- **{k}**: no evaluation after its warm-up (step {end}).")
            continue
        wins = sum(r[k] < r["raw"] for at in post.values() for r in at)
        cells = sum(len(at) for at in post.values())
        gaps = ", ".join(f"{statistics.median(r['raw'] - r[k] for r in at):+.1f}" for at in post.values())
        spread = ", ".join(f"{max(r['raw'] for r in at) - min(r['raw'] for r in at):.1f}" for at in post.values())
        every = all(statistics.median(r['raw'] - r[k] for r in at) > 0 for at in post.values())
        out.append(f"- **{k}** (warm-up ends at step {end}): lower FID than raw G in {wins} of {cells} "
                   f"(seed, step) cells at steps {', '.join(map(str, post))}; median gain raw − EMA per step "
                   f"{gaps} (positive: EMA better); seed spread of raw G (max − min) at those steps {spread}. "
                   f"Median gain positive at every post-warm-up step: {'yes' if every else 'no'}.")
    if "raw_recomputed_bn" in keys:                             # weight averaging alone: both with recomputed statistics
        for k in [k for k in keys if k.startswith("ema") and not k.endswith("_copied_bn")]:
            post = [r for r in rows if r["step"] >= ends.get(k, float("inf"))]
            if post:
                wins = sum(r[k] < r["raw_recomputed_bn"] for r in post)
                out.append(f"- {k} vs raw G with its statistics recomputed too (raw_recomputed_bn): lower FID in {wins} "
                           f"of {len(post)} cells past the warm-up, by a median of "
                           f"{statistics.median(r['raw_recomputed_bn'] - r[k] for r in post):+.1f}.")
    for k in keys:
        if k.endswith("_copied_bn"):
            base = k.removesuffix("_copied_bn")
            better = sum(r[base] < r[k] for r in rows)
            out.append(f"- Recomputed statistics ({base}) vs copied ({k}): lower FID in {better} of {len(rows)} "
                       f"cells, by a median of {statistics.median(r[k] - r[base] for r in rows):.1f}.")
    return "\n".join(out)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--preset", default="dcgan-fmnist", help="e.g. dcgan-fmnist-5min (width and batch still from the flags)")
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--eval-every", type=int, default=150)
    p.add_argument("--eval-from", type=int, default=0, help="no evaluation before this step")
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--half-lives", type=float, nargs="+", default=[10_000, 2_500])  # images; the first is the run's own
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--raw-recomputed", action="store_true",
                   help="also score raw G with its BatchNorm statistics recomputed (weight averaging alone)")
    p.add_argument("--out", default="benchmarks/ema_runs/seed0.jsonl")
    p.add_argument("--table", nargs="*")
    p.add_argument("--md", help="with --table: also write the table to this file")
    p.add_argument("--note", help="with --table: a paragraph put above the table (how and when it was measured)")
    p.add_argument("--warmup", action="store_true", help="print where the warm-up ends, then stop")
    a = p.parse_args()
    if a.warmup:
        print(warmup(a.batch_size, a.half_lives))
    elif a.table:
        text = (a.note + "\n\n" if a.note else "") + table(a.table)
        print(text)
        if a.md:
            Path(a.md).write_text(text + "\n")
    else:
        main(a)
