"""The stabiliser comparison on the healthy DCGAN optimiser (benchmarks/stabilize_full.md, which 09 links):
one change per row, several seeds, one budget. 09 itself reads benchmarks/stabilizers_failing_baseline/.

Each method is a set of TrainConfig overrides on the same base run (the dcgan-fmnist preset: NS loss,
DCGAN with a BatchNorm D, Adam 2e-4, (0.5, 0.999)). Every row trains for the same number of generator
steps of the same batch size (so G sees the same number of images; WGAN-GP's critic sees 5× more) and is
scored with the metrics of 06 on its EMA generator; "EMA off" is the baseline's raw generator, from the
same runs. Rows differ from the baseline in one thing, except the rows built on the BatchNorm-free critic
(R1, WGAN-GP, SN without BatchNorm), which also differ from "no BatchNorm in D" — a row of its own, so
that their own effect can be read against it (REFERENCE). `significance` says which differences are
larger than the seed spread. The over-strong-D demonstration is in stabilize_probe.py.
"""
from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path

from .. import files, training
from ..evaluation import classifier, manifold, metrics
from ..runtime import device_of
from ..training import presets
from . import stats


# from around stylegan2-ada's heuristic 0.0002·28²/batch (≈ 0.0012 at 128; ≈ 0.0025 at batch 64) up to
# Mescheder et al.'s γ = 10; losses.R1_GAMMA (1) is the smallest that moved FID here
R1_GAMMAS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)

BASELINE, NO_BN = "NS baseline", "no BatchNorm in D"
METHODS: dict[str, dict] = {
    BASELINE: {},                                                          # Goodfellow et al. 2014, BatchNorm D
    "SN, BatchNorm kept": dict(arch="dcgan-sn-bn"),                        # Miyato et al. 2018, on the same D
    NO_BN: dict(arch="dcgan-nonorm"),                                      # what SN-without-BN and R1 also change
    "SN, no BatchNorm": dict(arch="dcgan-sn"),                             # Miyato et al.'s D: SN instead of BN
    **{f"R1 γ={g:g}": dict(arch="dcgan-nonorm", loss="ns-r1", r1_gamma=g)           # Mescheder et al. 2018, per-sample
       for g in R1_GAMMAS},                                                # penalty: a critic without BatchNorm
    "TTUR (SAGAN's lr_D 4e-4, lr_G 1e-4)": dict(lr_d=4e-4, lr_g=1e-4),     # Heusel et al. 2017: D faster than G
    "WGAN-GP (published recipe)": dict(arch="dcgan-nonorm", loss="wgan-gp", k_d=5,     # Gulrajani et al. 2017:
                                       lr_d=1e-4, lr_g=1e-4, betas=(0.0, 0.9)),        # n_critic 5, λ 10, Adam(0, 0.9)
}
# checks of one row, trained by benchmarks/stabilize_full.py, not by 09 (its table is METHODS)
BIASES = "no BatchNorm, biases in D"
CHECKS: dict[str, dict] = {
    BIASES: dict(arch="dcgan-nonorm-bias"),    # no-BN D with a bias in every conv: does a shift matter to it?
}
EMA_OFF = "EMA off (baseline's raw G)"
# each row's second reference besides the baseline: what it adds to
REFERENCE = {m: NO_BN for m, o in (METHODS | CHECKS).items()
             if o.get("arch") in ("dcgan-nonorm", "dcgan-sn", "dcgan-nonorm-bias") and m != NO_BN}
# rows that share, seed for seed, their reference's initial weights, batches and z (batches and z come from
# their own seeded generators; a learning rate or a loss does not touch the initial weights; "SN, BatchNorm
# kept" wraps spectral norm around D after it is built): their difference is read seed by seed (paired)
# (the biases start at zero and draw no random numbers: nets.DCGANDiscriminator)
PAIRED = {EMA_OFF: BASELINE, "SN, BatchNorm kept": BASELINE, "TTUR (SAGAN's lr_D 4e-4, lr_G 1e-4)": BASELINE,
          **{f"R1 γ={g:g}": NO_BN for g in R1_GAMMAS}, BIASES: NO_BN}


def config(method: str, steps: int, width: int = 64, batch_size: int = 128, device=None, seed: int = 0):
    """The TrainConfig of one method on the shared budget."""
    if method not in METHODS | CHECKS:
        raise ValueError(f"unknown method {method!r}; choose one of {list(METHODS | CHECKS)}.")
    cfg = presets.config("dcgan-fmnist", steps=steps, width=width, batch_size=batch_size, seed=seed,
                         device=device, log_every=max(1, steps // 20), ckpt_every=0, **(METHODS | CHECKS)[method])
    cfg.name = method
    return cfg


def folder(out: str | Path, method: str, seed: int) -> Path:
    """Where one method's run with one seed keeps its checkpoint and result."""
    slug = method.split(" (")[0].replace(" ", "_").replace("+", "plus").replace(",", "").replace("=", "")
    return Path(out) / slug / f"seed{seed}"


def run_method(method: str, steps: int, n_eval: int, out: str | Path, width: int = 64,
               batch_size: int = 128, device=None, seed: int = 0, progress: bool = True) -> list[dict]:
    """Train one method with one seed (or load its finished result from out/) and score it: a list of
    rows (two for the baseline: EMA on and off)."""
    where = folder(out, method, seed)
    done = where / "result.json"
    settings = {"steps": steps, "n": n_eval, "width": width, "batch_size": batch_size, "seed": seed}
    if done.is_file():
        rows = json.loads(done.read_text())
        if rows and all(rows[0].get(k) == v for k, v in settings.items()):
            return rows
    cfg = config(method, steps, width, batch_size, device, seed)
    t0 = time.perf_counter()
    run = training.fit(cfg, out=where, progress=progress)
    seconds = time.perf_counter() - t0
    rows = []
    clf = classifier.load_classifier(device=device_of(run.sampler))    # scored where it was trained
    for label, G in [(method, run.sampler)] + ([(EMA_OFF, run.G)] if method == BASELINE else []):
        images = metrics.generate(G, n_eval, seed=1)                        # (n_eval, 1, 28, 28)
        scores = {"fid": metrics.fid(images, clf),                            # 06's metrics, less KID (not in
                  **manifold.prdc(metrics.real_subset(n_eval, classifier=clf),  # the table; it doubled the
                                  metrics.features(images, clf))}             # scoring time)
        rows.append({"method": label, **scores, **settings, "seconds": seconds,
                     "final_d_loss": run.history[-1]["d_loss"], "final_g_loss": run.history[-1]["g_loss"]})
    files.atomic_write(done, lambda f: f.write(json.dumps(rows).encode()))
    return rows


def compare(steps: int, n_eval: int, out: str | Path, methods=None, seeds=(0,), **kwargs) -> list[dict]:
    """Rows for every method (default: all of METHODS) and seed, each trained on the same budget."""
    return [row for m in (methods or METHODS) for s in seeds
            for row in run_method(m, steps, n_eval, out, seed=s, **kwargs)]


# ----------------------------------------------------------------------------- what the seeds say
def spread(values: list[float]) -> float:
    """The seed spread used throughout: the sample standard deviation (n − 1); NaN for one value."""
    return statistics.stdev(values) if len(values) > 1 else math.nan


def significance(reference: list[float], values: list[float], paired: bool = False) -> dict:
    """How `values` (one method's score over seeds) differ from `reference` (another's):
    delta = mean(values) − mean(reference); beyond = |delta| > std(reference) + std(values), the rule 09
    uses ("larger than the seed spread"; None when either has one seed, so no spread); welch_t and
    welch_p from Welch's t-test (scipy.stats.ttest_ind, equal_var=False: gc.experiments.stats.welch).
    With n = 3 per side "beyond" is weaker than p < 0.05, so "beyond" is not "significant".
    paired=True (values[i] and reference[i] come from the same seed): also per_seed = values[i] −
    reference[i] and the paired t-test's paired_t, paired_p (scipy.stats.ttest_rel)."""
    delta = statistics.fmean(values) - statistics.fmean(reference)
    out = {"delta": delta, "spread": math.nan, "beyond": None, "welch_t": math.nan, "welch_p": math.nan}
    if paired:
        if len(values) != len(reference):
            raise ValueError(f"a paired comparison needs one value per seed on both sides, got "
                             f"{len(reference)} and {len(values)}.")
        test = stats.paired(values, reference)
        out |= {"per_seed": [v - r for r, v in zip(reference, values)], "paired_t": test["t"], "paired_p": test["p"]}
    s_ref, s_val = spread(reference), spread(values)
    if math.isnan(s_ref) or math.isnan(s_val):
        return out
    test = stats.welch(values, reference)
    return out | {"spread": s_ref + s_val, "beyond": abs(delta) > s_ref + s_val,
                  "welch_t": test["t"], "welch_p": test["p"]}


def summarize(rows: list[dict], key: str = "fid") -> list[dict]:
    """One line per method, in the order rows first name it: mean and spread of `key` over its seeds,
    the mean precision, recall and training time, and its significance against the baseline and (for
    rows on the BatchNorm-free critic) against "no BatchNorm in D"."""
    by_method: dict[str, list[dict]] = {}
    for r in rows:
        by_method.setdefault(r["method"], []).append(r)
    for rs in by_method.values():
        rs.sort(key=lambda r: r.get("seed", 0))         # seed order, so paired rows line up seed by seed
    values = {m: [r[key] for r in rs] for m, rs in by_method.items()}
    seeds = {m: [r.get("seed") for r in rs] for m, rs in by_method.items()}
    out = []
    for m, rs in by_method.items():
        line = {"method": m, "n": len(rs), "mean": statistics.fmean(values[m]), "std": spread(values[m]),
                "values": values[m], **{k: statistics.fmean(r[k] for r in rs) for k in ("precision", "recall", "seconds")}}
        for name, ref in (("vs_baseline", BASELINE), ("vs_no_bn", REFERENCE.get(m))):
            paired = ref in seeds and PAIRED.get(m) == ref and seeds[m] == seeds[ref]     # same seeds both sides
            line[name] = significance(values[ref], values[m], paired) if ref in values and ref != m else None
        out.append(line)
    return out


def _paired(s: dict) -> str:
    sig = s["vs_no_bn"] if s["vs_no_bn"] and "per_seed" in s["vs_no_bn"] else s["vs_baseline"]
    if not sig or "per_seed" not in sig:
        return ""
    t = "" if math.isnan(sig["paired_t"]) else f" t={sig['paired_t']:+.1f}"
    return " / ".join(f"{d:+.0f}" for d in sig["per_seed"]) + t


def _delta(sig: dict | None) -> str:
    if sig is None:
        return ""
    mark = {True: " *", False: "", None: " ?"}[sig["beyond"]]
    t = "" if math.isnan(sig["welch_t"]) else f" t={sig['welch_t']:+.1f}"
    return f"{sig['delta']:+.1f}{t}{mark}"


def table(rows: list[dict], key: str = "fid") -> str:
    """The comparison as fixed-width text, in METHODS order: `key` as mean ± std over seeds, its
    difference from the baseline and from "no BatchNorm in D" (Welch t; * = beyond both seed spreads,
    ? = one seed, no spread), mean precision, recall and training seconds, and for rows in PAIRED the
    difference from their paired reference seed by seed with the paired t."""
    head = (f"{'method':<36} {key.upper() + ' mean ± std':>17} {'n':>2} {'Δ vs baseline':>17} "
            f"{'Δ vs no-BN D':>17} {'prec':>5} {'recall':>6} {'time s':>7}  paired Δ per seed")
    lines = [head, "-" * len(head)]
    for s in summarize(rows, key):
        score = f"{s['mean']:.1f}" + ("" if math.isnan(s["std"]) else f" ± {s['std']:.1f}")
        lines.append(f"{s['method']:<36} {score:>17} {s['n']:>2} "
                     f"{_delta(s['vs_baseline']):>17} {_delta(s['vs_no_bn']):>17} {s['precision']:5.2f} "
                     f"{s['recall']:6.2f} {s['seconds']:7.0f}  {_paired(s)}".rstrip())
    lines.append("* |Δ| > the sum of both seed standard deviations (with 3 seeds: |Welch t| > 1.7–2.4, weaker "
                 "than p < 0.05); ? one seed, no spread; t: Welch's t, weak evidence with 3 seeds.")
    lines.append("paired Δ per seed: the row minus its reference (PAIRED) with the same seed; t: paired t, "
                 "n − 1 df (|t| > 4.3 for p < 0.05 at 3 seeds).")
    return "\n".join(lines)
