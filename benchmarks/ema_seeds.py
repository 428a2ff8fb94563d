"""Raw G vs its EMA copy, FID on the course's metric, at several steps of one dcgan-fmnist run per seed.

Columns per evaluation: raw G; the EMA copy with BatchNorm statistics recomputed for its own weights
(train.recompute_batchnorm, what the course does now); the same EMA weights with raw G's statistics
copied in (what train.ema_update did before issue 12); and extra half-lives, all from the same run
(extra EMA copies are only averaged weights, so they cost no training).

    nice -n 15 python benchmarks/ema_seeds.py --seed 0 --out benchmarks/ema_runs/seed0.jsonl
then `python benchmarks/ema_seeds.py --table benchmarks/ema_runs/*.jsonl` prints the table.
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

from gan_course import bench, classifier, metrics, presets, train


def score(G, clf, n):
    return round(metrics.fid(metrics.generate(G, n, seed=1), clf), 2)


def main(args):
    torch.set_num_threads(args.threads)
    cfg = presets.config("dcgan-fmnist", steps=args.steps, width=args.width, batch_size=args.batch_size,
                         seed=args.seed, device="cpu", compile="off", ema_half_life=args.half_lives[0])
    run, step = bench.course_recipe(cfg)
    extra = {h: copy.deepcopy(run.G_ema) for h in args.half_lives[1:]}
    clf = classifier.load_classifier(device="cpu")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    while run.step < args.steps:
        step()
        for h, ema in extra.items():
            train.ema_update(ema, run.G, train.ema_beta(run.step - 1, cfg.batch_size, h))
        if run.step % 25 == 0:
            print(f"step {run.step} at {time.perf_counter() - t0:.0f} s", flush=True)
        if run.step % args.eval_every == 0:
            old_way = copy.deepcopy(run.G_ema)
            for b_old, b in zip(old_way.buffers(), run.G.buffers()):
                b_old.copy_(b)                                   # the pre-issue-12 EMA: raw G's statistics
            row = {"seed": args.seed, "step": run.step, "images": run.step * cfg.batch_size,
                   "beta_used": train.ema_beta(run.step - 1, cfg.batch_size, args.half_lives[0]),
                   "raw": score(run.G, clf, args.n), f"ema{args.half_lives[0]}": score(run.sampler, clf, args.n),
                   f"ema{args.half_lives[0]}_copied_bn": score(old_way, clf, args.n),
                   **{f"ema{h}": score(train.recompute_batchnorm(e), clf, args.n) for h, e in extra.items()},
                   "seconds": round(time.perf_counter() - t0)}
            with out.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(row, flush=True)


def table(files):
    rows = [json.loads(line) for f in files for line in Path(f).read_text().splitlines()]
    keys = [k for k in rows[0] if k.startswith(("raw", "ema"))]
    print("| step | images | " + " | ".join(f"{k} (per seed)" for k in keys) + " | " + " | ".join(f"{k} median" for k in keys) + " |")
    print("|" + "---|" * (2 + 2 * len(keys)))
    for s in sorted({r["step"] for r in rows}):
        at = sorted((r for r in rows if r["step"] == s), key=lambda r: r["seed"])
        per = [" / ".join(f"{r[k]:.1f}" for r in at) for k in keys]
        med = [f"{statistics.median(r[k] for r in at):.1f}" for k in keys]
        print(f"| {s} | {at[0]['images']} | " + " | ".join(per) + " | " + " | ".join(med) + " |")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--eval-every", type=int, default=150)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--half-lives", type=float, nargs="+", default=[10_000, 2_500])  # images; the first is the run's own
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default="benchmarks/ema_runs/seed0.jsonl")
    p.add_argument("--table", nargs="*")
    a = p.parse_args()
    table(a.table) if a.table else main(a)
