"""Named training configurations, shared by notebooks, tests and the CLI.

EMA half-life 10 000 images: stylegan2-ada's ema_kimg=10.
Each maps to TrainConfig keyword arguments plus a default length in epochs (None for the 2-D
mixtures, which have no epochs). `config(name, epochs=…, **overrides)` builds the config.
"""
from __future__ import annotations

from .. import data
from .config import TrainConfig

# The two DCGAN presets that have variants below
_DCGAN_MNIST_SHALLOW = dict(arch="dcgan", dataset="mnist5k", loss="ns", z_dim=64, width=32, batch_size=64,
                            lr_d=5e-4, lr_g=5e-4, ema_half_life=10_000, epochs=30, log_every=50, ckpt_every=500)
_DCGAN_FMNIST = dict(arch="dcgan", dataset="fashion_mnist", loss="ns", z_dim=100, width=64,
                     batch_size=128, lr_d=2e-4, lr_g=2e-4, ema_half_life=10_000, epochs=20, log_every=100,
                     ckpt_every=500, amp="auto", channels_last=True, adam="auto", compile="auto")

PRESETS: dict[str, dict] = {
    # 03: the 2-D ring of eight Gaussians
    "ring-2d": dict(arch="mlp2d", dataset="ring", loss="ns", z_dim=2, width=128, batch_size=256,
                    lr_d=1e-4, lr_g=1e-4, steps=3000, log_every=100),
    # 04: the articles' MLP GAN, done right (4 000 digits, 62 steps an epoch)
    "mlp-mnist": dict(arch="mlp", dataset="mnist5k", loss="ns", z_dim=64, width=256, batch_size=64,
                      lr_d=2e-4, lr_g=2e-4, epochs=100, log_every=100, ckpt_every=1000),
    # 04b's earlier DCGAN on the digits, kept for benchmarks/digits_sweep (it misses 04b's bar)
    "dcgan-mnist-shallow": _DCGAN_MNIST_SHALLOW,
    # 04b: the articles' conv GAN done right — one more 3×3 convolution per resolution
    "dcgan-mnist": {**_DCGAN_MNIST_SHALLOW, "arch": "dcgan-deep", "epochs": 50},
    # 05: DCGAN on Fashion-MNIST (60 000 images, 468 steps an epoch); the shipped dcgan_fmnist at 100 epochs
    "dcgan-fmnist": _DCGAN_FMNIST,
    # 08's first design: label embedding into z, projection D; collapses within each class (benchmarks/cgan_diagnosis)
    "cgan-fmnist": dict(arch="cdcgan", dataset="fashion_mnist", loss="ns", z_dim=100, width=64,
                        batch_size=128, lr_d=2e-4, lr_g=2e-4, ema_half_life=10_000, epochs=10, log_every=100,
                        ckpt_every=500, amp="auto", channels_last=True, adam="auto", compile="auto"),
    # 08: conditional-BatchNorm G + SN projection D, hinge, SAGAN's TTUR; its G does not learn (benchmarks/cgan_diagnosis §4)
    "cgan-cbn-fmnist": dict(arch="cdcgan-cbn", dataset="fashion_mnist", loss="hinge", z_dim=100, width=64,
                            batch_size=128, lr_d=4e-4, lr_g=1e-4, betas=(0.0, 0.9), ema_half_life=10_000,
                            epochs=10, log_every=100, ckpt_every=500, amp="auto", channels_last=True,
                            adam="auto", compile="auto"),
    # 08: conditional-BatchNorm G + BatchNorm D; the shipped cgan_fmnist (trained with --steps 31744)
    "cgan-cbn-bnd-fmnist": dict(arch="cdcgan-cbn-bnd", dataset="fashion_mnist", loss="ns", z_dim=100, width=64,
                                batch_size=128, lr_d=2e-4, lr_g=2e-4, ema_half_life=10_000, epochs=10,
                                log_every=100, ckpt_every=500, amp="auto", channels_last=True, adam="auto",
                                compile="auto"),
    # 08: conditional G + SN D with the hinge loss; learns but lacks variety (benchmarks/cgan_diagnosis §5)
    "cgan-snd-fmnist": dict(arch="cdcgan-snd", dataset="fashion_mnist", loss="hinge", z_dim=100, width=64,
                            batch_size=128, lr_d=2e-4, lr_g=2e-4, ema_half_life=10_000, epochs=10,
                            log_every=100, ckpt_every=500, amp="auto", channels_last=True, adam="auto",
                            compile="auto"),
    # dcgan-fmnist at twice the width (benchmarks/gpu_models)
    "dcgan-fmnist-128": {**_DCGAN_FMNIST, "width": 128},
    # tools/bench.py --quality-minutes: width 16 and lr 5e-4 for a 5-minute CPU budget (benchmarks/quality5)
    "dcgan-fmnist-5min": {**_DCGAN_FMNIST, "width": 16, "lr_d": 5e-4, "lr_g": 5e-4},
    # dcgan-mnist-shallow at width 64 (benchmarks/gpu_models)
    "dcgan-mnist-64": {**_DCGAN_MNIST_SHALLOW, "width": 64},
}


def steps_per_epoch(dataset: str, batch_size: int, world_size: int = 1) -> int:
    """Generator steps that see each training image once (the last partial batch is dropped)."""
    if dataset in data.MIXTURES:
        raise ValueError(f"{dataset!r} is a 2-D mixture sampled afresh each step: it has no epochs; set steps.")
    return len(data.load(dataset, "train")[1]) // (batch_size * world_size)


def config(name: str, epochs: float | None = None, world_size: int = 1, **overrides) -> TrainConfig:
    """The preset's TrainConfig. `epochs` (or the preset's default) sets `steps`, unless
    `steps` is given explicitly; under DDP an epoch is shared by `world_size` processes."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}.")
    kwargs = {**PRESETS[name], **overrides}
    default_epochs = kwargs.pop("epochs", None)
    epochs = default_epochs if epochs is None else epochs
    if epochs is not None and epochs <= 0:
        raise ValueError(f"epochs={epochs} must be positive.")
    if "steps" not in overrides and epochs is not None:
        kwargs["steps"] = max(1, round(epochs * steps_per_epoch(kwargs["dataset"], kwargs["batch_size"], world_size)))
    return TrainConfig(name=name, **kwargs)
