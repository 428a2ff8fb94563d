"""One plain GAN training loop: d_step, g_step, EMA, logging, checkpoints, resume.

Read it top to bottom: config → building the run → the two steps → the loop.
Introduced in 00_start_here ("hello GAN"); taken apart in 04 and 05.
"""
from __future__ import annotations

import copy
import json
import math
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch
from torch import nn
from tqdm.auto import tqdm

from . import checkpoint, data, losses, nets
from .runtime import device as pick_device
from .runtime import seed_everything


# ----------------------------------------------------------------------------- config
@dataclass
class TrainConfig:
    arch: str = "mlp"             # key into nets.ARCHS: "mlp", "dcgan", or "mlp2d" for 2-D points
    dataset: str = "mnist5k"      # "mnist5k", "fashion_mnist", or a 2-D mixture: "ring", "grid"
    loss: str = "ns"              # key into losses.LOSSES
    z_dim: int = 64               # length of the noise vector z
    width: int = 128              # MLP hidden units / DCGAN base channels
    batch_size: int = 64          # images per D step and per G step
    steps: int = 2000             # generator steps in the whole run (resume continues up to it)
    k_d: int = 1                  # discriminator steps per generator step
    lr_d: float = 2e-4            # discriminator learning rate (TTUR: D may learn faster than G)
    lr_g: float = 2e-4            # generator learning rate
    betas: tuple[float, float] = (0.5, 0.999)  # Adam; beta1=0.5 is the DCGAN setting, 0.9 tends to oscillate
    ema: float = 0.0              # decay of an EMA copy of G used for sampling; 0 disables it
    seed: int = 0                 # seeds weights, batch order and noise: same seed, same run
    log_every: int = 50           # read losses back (a GPU sync) every N steps, not every step
    ckpt_every: int = 0           # also checkpoint every N steps; 0: only at the end and on interrupt
    device: str | None = None     # "cpu", "cuda", …; None picks CUDA when available

    def __post_init__(self):
        self.betas = tuple(self.betas)
        for name in ("z_dim", "width", "batch_size", "k_d", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be at least 1.")
        if self.steps < 0 or self.ckpt_every < 0:
            raise ValueError("TrainConfig.steps and ckpt_every must not be negative.")
        if not 0.0 <= self.ema < 1.0:
            raise ValueError(f"TrainConfig.ema={self.ema} must be in [0, 1): 0 disables the EMA copy.")
        losses.get(self.loss)  # raises, naming the choices, for an unknown loss
        if self.arch not in nets.ARCHS:
            raise ValueError(f"unknown arch {self.arch!r}; choose one of {sorted(nets.ARCHS)}.")
        if self.dataset not in data.TRAINING_SETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of {data.TRAINING_SETS}.")


# Fields that must match to resume a run from a checkpoint (the rest may change, e.g. steps).
ARCH_FIELDS = ("arch", "z_dim", "width", "dataset", "loss", "ema")


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint was kept."""


# ----------------------------------------------------------------------------- the run
@dataclass
class Run:
    """Everything a training run owns. `step` counts generator steps done."""
    cfg: TrainConfig
    G: nn.Module
    D: nn.Module
    G_ema: nn.Module | None
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    batches: data.DeviceBatches | data.MixtureBatches
    noise: torch.Generator        # draws every z, so its state is part of the checkpoint
    device: torch.device
    step: int = 0
    history: list = field(default_factory=list)   # one dict per log point

    @property
    def sampler(self) -> nn.Module:
        """The generator to draw samples from: the EMA copy when there is one."""
        return self.G_ema if self.G_ema is not None else self.G

    def z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.z_dim, generator=self.noise, device=self.device)


def build_run(cfg: TrainConfig) -> Run:
    dev = pick_device(cfg.device)
    seed_everything(cfg.seed)
    G, D = nets.build(cfg.arch, cfg.z_dim, cfg.width)
    G, D = G.to(dev), D.to(dev)
    return Run(
        cfg=cfg, G=G, D=D,
        G_ema=copy.deepcopy(G).requires_grad_(False) if cfg.ema else None,
        opt_g=torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=cfg.betas),
        opt_d=torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=cfg.betas),
        batches=data.batches(cfg.dataset, cfg.batch_size, dev, seed=cfg.seed),
        noise=torch.Generator(device=dev).manual_seed(cfg.seed),
        device=dev,
    )


# ----------------------------------------------------------------------------- the two steps
def d_step(run: Run, real: torch.Tensor) -> torch.Tensor:
    """One discriminator update: push D(x) up on real images and down on fresh fakes."""
    with torch.no_grad():
        fake = run.G(run.z(len(real)))                     # like real, (B, ...); no graph into G
    rule = losses.get(run.cfg.loss)
    loss = rule.d(run.D(real), run.D(fake))
    if rule.penalty is not None:                            # WGAN-GP, R1: a term on D's input gradient
        loss = loss + rule.penalty(run.D, real, fake)
    run.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    run.opt_d.step()
    return loss.detach()


def g_step(run: Run) -> torch.Tensor:
    """One generator update: change G so that D calls its fakes real."""
    fake = run.G(run.z(run.cfg.batch_size))                # (B, ...); graph flows through D into G
    loss = losses.get(run.cfg.loss).g(run.D(fake))
    run.opt_g.zero_grad(set_to_none=True)
    loss.backward()                                        # D's grads are cleared in its own step
    run.opt_g.step()
    return loss.detach()


@torch.no_grad()
def ema_update(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """θ_ema ← decay·θ_ema + (1 − decay)·θ; buffers (BatchNorm statistics) are copied."""
    for p_ema, p in zip(ema.parameters(), model.parameters()):
        p_ema.lerp_(p, 1.0 - decay)
    for b_ema, b in zip(ema.buffers(), model.buffers()):
        b_ema.copy_(b)


# ----------------------------------------------------------------------------- checkpoints
def state_dict(run: Run) -> dict:
    return {
        "format": 1, "config": asdict(run.cfg), "step": run.step,
        "G": run.G.state_dict(), "D": run.D.state_dict(),
        "G_ema": run.G_ema.state_dict() if run.G_ema is not None else None,
        "opt_g": run.opt_g.state_dict(), "opt_d": run.opt_d.state_dict(),
        "noise_rng": run.noise.get_state(), "history": run.history,
    }


def save_run(run: Run, out: Path) -> Path:
    path = checkpoint.save(state_dict(run), out / "checkpoint.pt")
    lines = "".join(json.dumps(rec) + "\n" for rec in run.history)
    checkpoint.atomic_write(out / "metrics.jsonl", lambda f: f.write(lines.encode()))
    return path


def resume(run: Run, path: Path) -> None:
    """Load a checkpoint into `run`, after checking it was made with the same architecture."""
    ckpt = checkpoint.load(path, map_location=run.device)
    saved = ckpt.get("config", {})
    differ = {k: (saved.get(k), getattr(run.cfg, k)) for k in ARCH_FIELDS if saved.get(k) != getattr(run.cfg, k)}
    if differ:
        shown = ", ".join(f"{k}: checkpoint {a!r} vs now {b!r}" for k, (a, b) in differ.items())
        raise checkpoint.CheckpointError(
            f"{path} was trained with another configuration ({shown}). Resume with the same "
            "settings, or choose a new output folder to start a fresh run.")
    checkpoint.load_state(run.G, ckpt["G"], "generator", path)
    checkpoint.load_state(run.D, ckpt["D"], "discriminator", path)
    if run.G_ema is not None:
        checkpoint.load_state(run.G_ema, ckpt["G_ema"], "EMA generator", path)
    run.opt_g.load_state_dict(ckpt["opt_g"])
    run.opt_d.load_state_dict(ckpt["opt_d"])
    try:
        run.noise.set_state(ckpt["noise_rng"].cpu())
    except RuntimeError:  # saved on another device type: its RNG state has another format
        warnings.warn("the noise generator's state was saved on another device type; "
                      "reseeding it, so this resumed run will not match an uninterrupted one exactly.")
        run.noise.manual_seed(run.cfg.seed + ckpt["step"])
    run.step, run.history = ckpt["step"], ckpt["history"]


# ----------------------------------------------------------------------------- the loop
def fit(cfg: TrainConfig, out: str | Path | None = None,
        callback: Callable[[Run], None] | None = None, progress: bool = True) -> Run:
    """Train for cfg.steps generator steps. With `out`, resume from out/checkpoint.pt if it
    exists, checkpoint there (every cfg.ckpt_every steps, at the end, and on Ctrl-C / the
    notebook's stop button) and write out/metrics.jsonl. `callback(run)` runs at every log point."""
    run = build_run(cfg)
    out = Path(out) if out is not None else None
    if out is not None and (out / "checkpoint.pt").exists():
        resume(run, out / "checkpoint.pt")
    bar = tqdm(total=cfg.steps * cfg.batch_size, initial=min(run.step, cfg.steps) * cfg.batch_size,
               unit="img", unit_scale=True, disable=not progress, desc="training")
    d_sum = g_sum = torch.zeros((), device=run.device)    # summed on device: no sync per step
    n, t0 = 0, time.perf_counter()
    try:
        while run.step < cfg.steps:
            for k in range(cfg.k_d):
                d_sum = d_sum + d_step(run, run.batches.batch(run.step * cfg.k_d + k))
            g_sum = g_sum + g_step(run)
            if run.G_ema is not None:
                ema_update(run.G_ema, run.G, cfg.ema)
            run.step, n = run.step + 1, n + 1
            bar.update(cfg.batch_size)

            if run.step % cfg.log_every == 0 or run.step == cfg.steps:
                seconds = time.perf_counter() - t0
                record = {"step": run.step, "d_loss": d_sum.item() / (n * cfg.k_d),
                          "g_loss": g_sum.item() / n, "img_per_s": n * cfg.batch_size / seconds}
                if not (math.isfinite(record["d_loss"]) and math.isfinite(record["g_loss"])):
                    raise TrainingDiverged(
                        f"the losses became NaN/inf between step {run.step - n} and step "
                        f"{run.step} (d_loss={record['d_loss']}, g_loss={record['g_loss']}). "
                        + ("The last good checkpoint in " + str(out) + " was kept. " if out else "")
                        + "Try a lower learning rate (lr_d, lr_g), the 'ns' loss on logits, "
                        "or another seed.")
                run.history.append(record)
                bar.set_postfix(d=f"{record['d_loss']:.3f}", g=f"{record['g_loss']:.3f}")
                d_sum = g_sum = torch.zeros((), device=run.device)
                n, t0 = 0, time.perf_counter()
                if callback is not None:
                    callback(run)
            if out is not None and cfg.ckpt_every and run.step % cfg.ckpt_every == 0:
                save_run(run, out)
    except KeyboardInterrupt:
        if out is not None:
            save_run(run, out)
            print(f"Interrupted at step {run.step}; checkpoint saved to {out / 'checkpoint.pt'}. "
                  "Run the same call again to resume.")
        raise
    finally:
        bar.close()
    if out is not None:
        save_run(run, out)
    return run


@torch.no_grad()
def sample(G: nn.Module, n: int, seed: int = 0, device=None) -> torch.Tensor:
    """n images (n, 1, 28, 28) in [-1, 1] from G in eval mode (BatchNorm uses its running
    statistics), with a fixed noise seed so the same call shows the same z."""
    dev = device or next(G.parameters()).device
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed)).to(dev)
    was_training = G.training
    G.eval()
    try:
        return G(z)
    finally:
        G.train(was_training)
