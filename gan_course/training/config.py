"""The one configuration of a training run: a dataclass with a comment per field, checked when made.

`gc.presets.config(name, ...)` builds one from a named preset; every other part of training reads it.
Introduced in 00_start_here ("hello GAN").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import data, losses
from ..models import nets
from . import accel


@dataclass
class TrainConfig:
    name: str = ""                # a label for the run (the CLI stores the preset's name here)
    arch: str = "mlp"             # key into nets.ARCHS: "mlp", "dcgan", or "mlp2d" for 2-D points
    dataset: str = "mnist5k"      # "mnist5k", "fashion_mnist", or a 2-D mixture: "ring", "grid"
    loss: str = "ns"              # key into losses.LOSSES
    z_dim: int = 64               # length of the noise vector z
    width: int = 128              # MLP hidden units / DCGAN base channels
    batch_size: int = 64          # images per D step and per G step (per process under DDP)
    steps: int = 2000             # generator steps in the whole run (resume continues up to it)
    k_d: int = 1                  # discriminator steps per generator step
    lr_d: float = 2e-4            # discriminator learning rate (TTUR: D may learn faster than G)
    lr_g: float = 2e-4            # generator learning rate
    betas: tuple[float, float] = (0.5, 0.999)  # Adam; beta1=0.5 is the DCGAN setting, 0.9 tends to oscillate
    ema_half_life: float = 0.0    # EMA copy of G used for sampling: its half-life in training images (stylegan2-ada's
                                  # ema_kimg), so a batch-size change keeps it (ema_beta); 0 disables the copy
    seed: int = 0                 # seeds weights, batch order and noise: same seed, same run
    log_every: int = 50           # read losses back (a GPU sync) every N steps, not every step
    ckpt_every: int = 0           # also checkpoint every N steps; 0: only by time, at the end and on interrupt
    ckpt_minutes: float = 5.0     # also checkpoint when this much wall time has passed since the last one; 0: never
    max_minutes: float = 0.0      # stop (and checkpoint) after this much wall time; 0: no limit
    device: str | None = None     # "cpu", "cuda", …; None picks CUDA when available
    amp: str = "off"              # "bf16", "fp16" (with a GradScaler), "off" (float32), or "auto" (accel.auto)
    channels_last: bool = False   # NHWC memory layout for the convolutions (GPU tensor cores, oneDNN on CPU)
    compile: str = "auto"         # torch.compile G and D: "on", "off", or "auto" (eager; accel.auto says why)
    adam: str = "auto"            # "fused", "foreach", "plain", "default" (PyTorch's), or "auto" (fused on CUDA, else foreach)
    r1_gamma: float | None = None  # γ of the R1 penalty for a loss that has one ("ns-r1"); None: the loss's own
                                  # (losses.R1_GAMMA = 1, the smallest γ that moved FID in 09's sweep)
    grad_clip: float = 0.0        # clip each network's gradient norm to this value; 0 disables
    tensorboard: str | None = None  # folder for TensorBoard event files; None disables

    def __post_init__(self):
        self.betas = tuple(self.betas)
        for name in ("z_dim", "width", "batch_size", "k_d", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be at least 1.")
        for name in ("lr_d", "lr_g", "betas", "ema_half_life", "ckpt_minutes", "max_minutes", "grad_clip"):
            values = self.betas if name == "betas" else (getattr(self, name),)
            if not all(math.isfinite(v) for v in values):
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be a finite number, not NaN or inf.")
        for name in ("steps", "ema_half_life", "ckpt_every", "ckpt_minutes", "max_minutes", "grad_clip"):
            if getattr(self, name) < 0:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must not be negative.")
        rule = losses.get(self.loss)  # raises, naming the choices, for an unknown loss
        if self.r1_gamma is not None and not (rule.r1 and math.isfinite(self.r1_gamma) and self.r1_gamma > 0):
            raise ValueError(f"TrainConfig.r1_gamma={self.r1_gamma} needs a loss with an R1 penalty (e.g. loss='ns-r1') "
                             f"and a positive finite γ; loss {self.loss!r} has " + ("one." if rule.r1 else "none."))
        if self.arch not in nets.ARCHS:
            raise ValueError(f"unknown arch {self.arch!r}; choose one of {sorted(nets.ARCHS)}.")
        if rule.input_gradient and nets.critic_has_batchnorm(self.arch):
            raise ValueError(f"loss {self.loss!r} penalises D's gradient per sample, but arch {self.arch!r} has a "
                             "BatchNorm discriminator, which mixes the samples of a batch: choose a critic without "
                             "BatchNorm, e.g. arch='dcgan-nonorm' or 'dcgan-sn'.")
        if self.dataset not in data.TRAINING_SETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of {data.TRAINING_SETS}.")
        accel.validate(self.amp, self.compile, self.adam)
