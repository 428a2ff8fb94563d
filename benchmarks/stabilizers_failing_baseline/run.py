"""09 against a baseline that fails: the plain NS DCGAN under an aggressive Adam (lr 1e-3, β1 0.9, after
Miyato et al. 2018's setting F without its 5 D steps), then one change of D per row on the same optimiser.

    OMP_NUM_THREADS=1 python benchmarks/stabilizers_failing_baseline/run.py --row baseline --seed 0
    python benchmarks/stabilizers_failing_baseline/run.py --table
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import gan_course as gc
from gan_course.experiments import record

HERE = Path(__file__).parent
ROWS = HERE / "rows.jsonl"

BUDGET = dict(steps=1500, width=16, batch_size=64)   # 09's FULL width and batch, 1 500 G steps (~1.6 epochs)
OPTIMISERS = {"dcgan": dict(lr_d=2e-4, lr_g=2e-4, betas=(0.5, 0.999)),    # Radford et al.: the healthy reference
              "aggressive": dict(lr_d=1e-3, lr_g=1e-3, betas=(0.9, 0.999))}  # the candidate failing setting
ROWS_D = {"baseline": {},                                      # BatchNorm D (the preset's)
          "sn": dict(arch="dcgan-sn"),                         # Miyato et al.'s D: SN instead of BatchNorm
          "nonorm": dict(arch="dcgan-nonorm"),                 # the reference of R1: no BatchNorm, no SN
          "r1": dict(arch="dcgan-nonorm", loss="ns-r1", r1_gamma=1.0)}   # Mescheder et al. 2018, γ = 1
N_EVAL = 5000                                        # noise floor at N = 5 000: sd 0.31 (fid_noise_floor)


def run(row: str, seed: int, optimiser: str = "aggressive") -> dict:
    cfg = gc.presets.config("dcgan-fmnist", seed=seed, device="cpu", log_every=50, ckpt_every=0,
                            **BUDGET, **OPTIMISERS[optimiser], **ROWS_D[row])
    out = Path(tempfile.mkdtemp(prefix="stab_"))
    t0 = time.perf_counter()
    r = gc.train.fit(cfg, out=out, progress=False)
    seconds = time.perf_counter() - t0
    clf = gc.classifier.load_classifier()
    scores = {}
    for label, G in (("raw", r.G), ("ema", r.sampler)):
        images = gc.metrics.generate(G, N_EVAL, seed=1)           # (N_EVAL, 1, 28, 28)
        scores[f"fid_{label}"] = gc.metrics.fid(images, clf)
    fig = gc.viz.show_images(gc.metrics.generate(r.G, 32, seed=2), nrow=16,
                             title=f"{optimiser} {row} seed {seed}: raw G, FID {scores['fid_raw']:.0f}")
    (fig.figure if hasattr(fig, "figure") else fig).savefig(HERE / f"samples_{optimiser}_{row}_s{seed}.png", dpi=60)
    hist = [(h["step"], round(h["d_loss"], 3), round(h["g_loss"], 3)) for h in r.history]
    shutil.rmtree(out, ignore_errors=True)
    result = {"row": row, "optimiser": optimiser, "seed": seed, **BUDGET, "n": N_EVAL, **scores,
              "seconds_train": seconds, "history": hist}
    record.append(ROWS, result)
    print({k: v for k, v in result.items() if k != "history"}, flush=True)
    return result


def table() -> str:
    data = record.rows(ROWS)
    out = ["| optimiser | row | seeds | FID raw G | FID EMA G |", "|---|---|---|---|---|"]
    for key in dict.fromkeys((r["optimiser"], r["row"]) for r in data):
        sel = [r for r in data if (r["optimiser"], r["row"]) == key]
        raw = " / ".join(f"{r['fid_raw']:.0f}" for r in sel)
        ema = " / ".join(f"{r['fid_ema']:.0f}" for r in sel)
        out.append(f"| {key[0]} | {key[1]} | {len(sel)} | {raw} | {ema} |")
    return "\n".join(out)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--row", choices=list(ROWS_D), default="baseline")
    p.add_argument("--optimiser", choices=list(OPTIMISERS), default="aggressive")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--table", action="store_true")
    a = p.parse_args()
    print(table()) if a.table else run(a.row, a.seed, a.optimiser)
