"""The stabilisation methods of 09_stabilizing_training, compared on one budget.

Each method is a set of TrainConfig overrides on the same base run (the dcgan-fmnist preset:
same generator, seed, batch order, number of generator steps). Every row is scored with the
metrics of 06 on the EMA generator; "EMA off" is the baseline's raw generator, from the same run.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from . import checkpoint, classifier, metrics, nets, presets, train

METHODS: dict[str, dict] = {
    "NS baseline": {},                                                       # Goodfellow et al. 2014, BatchNorm D
    "NS + spectral norm": dict(arch="dcgan-sn"),                             # Miyato et al. 2018
    "hinge + spectral norm": dict(arch="dcgan-sn", loss="hinge"),            # SN-GAN / BigGAN's pairing
    "WGAN-GP (n_critic 5, λ 10)": dict(arch="dcgan-nonorm", loss="wgan-gp", k_d=5,    # Gulrajani et al. 2017:
                                       lr_d=1e-4, lr_g=1e-4, betas=(0.0, 0.9)),       # their Adam setting
    "NS + R1 (γ 0.001)": dict(arch="dcgan-nonorm", loss="ns-r1"),           # Mescheder et al. 2018; γ: losses.R1_GAMMA,
                                                                             # a critic without BatchNorm (per-sample penalty)
    "TTUR (lr_D 4e-4, lr_G 1e-4)": dict(lr_d=4e-4, lr_g=1e-4),               # Heusel et al. 2017
}
EMA_OFF = "EMA off (baseline's raw G)"


def config(method: str, steps: int, width: int = 64, batch_size: int = 128, device=None, seed: int = 0):
    """The TrainConfig of one method on the shared budget."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {list(METHODS)}.")
    cfg = presets.config("dcgan-fmnist", steps=steps, width=width, batch_size=batch_size, seed=seed,
                         device=device, log_every=max(1, steps // 20), ckpt_every=0, **METHODS[method])
    cfg.name = method
    return cfg


def run_method(method: str, steps: int, n_eval: int, out: str | Path, width: int = 64,
               batch_size: int = 128, device=None, progress: bool = True) -> list[dict]:
    """Train one method (or load its finished result from out/) and score it: a list of rows
    (two for the baseline: EMA on and off)."""
    folder = Path(out) / method.split(" (")[0].replace(" ", "_").replace("+", "plus")
    done = folder / "result.json"
    if done.is_file():
        rows = json.loads(done.read_text())
        if rows and rows[0]["steps"] == steps and rows[0]["n"] == n_eval:
            return rows
    cfg = config(method, steps, width, batch_size, device)
    t0 = time.perf_counter()
    run = train.fit(cfg, out=folder, progress=progress)
    seconds = time.perf_counter() - t0
    rows = []
    clf = classifier.load_classifier(device=nets.device_of(run.sampler))    # scored where it was trained
    for label, G in [(method, run.sampler)] + ([(EMA_OFF, run.G)] if method == "NS baseline" else []):
        scores = metrics.evaluate(metrics.generate(G, n_eval, seed=1), clf)
        rows.append({"method": label, **scores, "seconds": seconds, "steps": steps,
                     "final_d_loss": run.history[-1]["d_loss"], "final_g_loss": run.history[-1]["g_loss"]})
    checkpoint.atomic_write(done, lambda f: f.write(json.dumps(rows).encode()))
    return rows


def compare(steps: int, n_eval: int, out: str | Path, methods=None, **kwargs) -> list[dict]:
    """Rows for every method (default: all of METHODS), each trained on the same budget."""
    return [row for m in (methods or METHODS) for row in run_method(m, steps, n_eval, out, **kwargs)]


def table(rows: list[dict]) -> str:
    """The comparison as fixed-width text, best FID first."""
    head = f"{'method':<30} {'FID':>7} {'KID':>8} {'prec':>5} {'recall':>6} {'dens':>5} {'cover':>5} {'time s':>7}"
    lines = [head, "-" * len(head)]
    for r in sorted(rows, key=lambda r: r["fid"]):
        lines.append(f"{r['method']:<30} {r['fid']:7.2f} {r['kid']:8.3f} {r['precision']:5.2f} {r['recall']:6.2f} "
                     f"{r['density']:5.2f} {r['coverage']:5.2f} {r['seconds']:7.0f}")
    return "\n".join(lines)
