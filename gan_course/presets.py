"""Named training configurations, shared by notebooks, tests and the CLI.

EMA half-life 10 000 images: stylegan2-ada's ema_kimg=10 (benchmarks/ema_seeds.md measures it).
Each maps to TrainConfig keyword arguments plus a default length in epochs (None for the 2-D
mixtures, which have no epochs). `config(name, epochs=…, **overrides)` builds the config.
"""
from __future__ import annotations

from . import data
from .train import TrainConfig

# The two DCGAN presets that have a variant below (see their comments in PRESETS)
_DCGAN_MNIST_SHALLOW = dict(arch="dcgan", dataset="mnist5k", loss="ns", z_dim=64, width=32, batch_size=64,
                            lr_d=5e-4, lr_g=5e-4, ema_half_life=10_000, epochs=30, log_every=50, ckpt_every=500)
_DCGAN_FMNIST = dict(arch="dcgan", dataset="fashion_mnist", loss="ns", z_dim=100, width=64,
                     batch_size=128, lr_d=2e-4, lr_g=2e-4, ema_half_life=10_000, epochs=20, log_every=100,
                     ckpt_every=500, amp="auto", channels_last=True, adam="auto", compile="auto")

PRESETS: dict[str, dict] = {
    # 03_training_dynamics_2d: covers 8/8 ring modes with seed 0 in 3000 steps (~10 s on 2 CPU cores)
    "ring-2d": dict(arch="mlp2d", dataset="ring", loss="ns", z_dim=2, width=128, batch_size=256,
                    lr_d=1e-4, lr_g=1e-4, steps=3000, log_every=100),
    # 04_first_gan_on_digits: the articles' MLP GAN, done right (4 000 digits, 62 steps an epoch)
    "mlp-mnist": dict(arch="mlp", dataset="mnist5k", loss="ns", z_dim=64, width=256, batch_size=64,
                      lr_d=2e-4, lr_g=2e-4, epochs=100, log_every=100, ckpt_every=1000),
    # Named dcgan-mnist until 2026-11-23 (04b's DCGAN until then): the DCGAN of 05 on the 4 000 training
    # digits of mnist5k (62 steps an epoch), narrower (width 32) so that it trains on a CPU. lr 5e-4, not
    # DCGAN's 2e-4: seed 0, digits.train(epochs=5) reading 1 000 samples of the EMA G, sure 6 % / 24 % at
    # steps 155 / 310 against 0 % / 12 % with 2e-4 (raw G 9 % / 28 % against 1 % / 14 %: the EMA lags raw G a
    # little early on, it is not what is slow; at step 869 of this lr, EMA 42 % against raw 38 %). The whole
    # preset (1 860 steps) still fails 04b's test on sure alone: EMA G sure 49 %, uniformity 0.969, smallest
    # share 5.1 % (real digits: sure 90 %); D is not overfitting the 4 000 digits (D(train) 0.63, D(held-out) 0.61).
    # Longer on a GPU (benchmarks/gpu_models.md, seed 0): sure 59.8 % at 120 epochs; width 64 (dcgan-mnist-64)
    # 64.9 % at 240 epochs — still below the 67.5 % the test needs. On a CPU (benchmarks/digits_sweep.md), one
    # change at a time (hinge, batch 32/128, lr 1e-3, z 100, k_d 2, D at 2× G's lr): 48.3–53.4 % at 1 860 steps,
    # against 49.1–52.8 % for this preset's seeds 0–2; none passes. Replaced by the deeper dcgan-mnist below.
    "dcgan-mnist-shallow": _DCGAN_MNIST_SHALLOW,
    # 04b_the_articles_conv_gan: the articles' conv GAN done right — dcgan-mnist-shallow with one more 3×3
    # convolution per resolution in G and D (nets "dcgan-deep"), run 50 epochs instead of 30. On a CPU
    # (benchmarks/digits_sweep.md, round 2; own EMA G, bar 67.6 %): sure 71.9 / 66.3 / 69.3 % at 1 860 steps and
    # 74.0 / 74.2 / 74.5 % at 3 100 (seeds 0-2), against 52.0 % for dcgan-mnist-shallow on the same machine;
    # the extra convolution in G only 54.0 %, in D only 55.7 %, width 48 53.0 % (1 860 steps, seed 0)
    "dcgan-mnist": {**_DCGAN_MNIST_SHALLOW, "arch": "dcgan-deep", "epochs": 50},
    # 05_dcgan_full_training_run: DCGAN on Fashion-MNIST (60 000 images, 468 steps an epoch)
    "dcgan-fmnist": _DCGAN_FMNIST,
    # 08_conditional_gans, the first design: the same DCGAN, G(z, y) with a label embedding concatenated to z,
    # and a projection D(x, y). It collapses within each class (benchmarks/cgan_diagnosis.md): 10 epochs (the
    # weights shipped until 2026-11-23) FID 76.9, recall 0.008; on a GPU 20 epochs recall 0.088, 40 epochs
    # FID 11.96, recall 0.184 (§5). The shipped cgan_fmnist is now cgan-cbn-bnd-fmnist's.
    "cgan-fmnist": dict(arch="cdcgan", dataset="fashion_mnist", loss="ns", z_dim=100, width=64,
                        batch_size=128, lr_d=2e-4, lr_g=2e-4, ema_half_life=10_000, epochs=10, log_every=100,
                        ckpt_every=500, amp="auto", channels_last=True, adam="auto", compile="auto"),
    # 08_conditional_gans, the first fix tried for cgan-fmnist's within-class collapse (benchmarks/cgan_diagnosis.md):
    # conditional BatchNorm G + spectrally normalised projection D with the hinge loss, trained as SAGAN
    # (Zhang et al. 2019) trains that same pairing with one D step per G step: TTUR lr_g 1e-4, lr_d 4e-4,
    # Adam(0, 0.9) — the faster D makes up for the slow learning of a regularised (SN) D without k_d > 1.
    # NOT a working recipe: its G stays at its initialisation (738 steps measured; a 200-step probe stalls with
    # any of three optimisers and with the NS loss: it is this CBN G + SN projection D pairing,
    # benchmarks/cgan_diagnosis.md §4). Not trained further: the CBN G learns with the BatchNorm D (§5).
    "cgan-cbn-fmnist": dict(arch="cdcgan-cbn", dataset="fashion_mnist", loss="hinge", z_dim=100, width=64,
                            batch_size=128, lr_d=4e-4, lr_g=1e-4, betas=(0.0, 0.9), ema_half_life=10_000,
                            epochs=10, log_every=100, ckpt_every=500, amp="auto", channels_last=True,
                            adam="auto", compile="auto"),
    # Candidates measured on a GPU (benchmarks/gpu_models.md): the two pairings that learn in the 200-step
    # probe of benchmarks/cgan_diagnosis.md §4, each with the optimiser it learned with there.
    # cgan-cbn-bnd-fmnist is the shipped cgan_fmnist, trained with --steps 31744 rather than its default 10 epochs
    # (FID 3.11, recall 0.801, class accuracy 91.1 % mean, 75.3 % worst; data/README.md).
    # cgan-snd-fmnist does not get variety (40 epochs: recall 0.071; benchmarks/cgan_diagnosis.md §5).
    "cgan-cbn-bnd-fmnist": dict(arch="cdcgan-cbn-bnd", dataset="fashion_mnist", loss="ns", z_dim=100, width=64,
                                batch_size=128, lr_d=2e-4, lr_g=2e-4, ema_half_life=10_000, epochs=10,
                                log_every=100, ckpt_every=500, amp="auto", channels_last=True, adam="auto",
                                compile="auto"),
    "cgan-snd-fmnist": dict(arch="cdcgan-snd", dataset="fashion_mnist", loss="hinge", z_dim=100, width=64,
                            batch_size=128, lr_d=2e-4, lr_g=2e-4, ema_half_life=10_000, epochs=10,
                            log_every=100, ckpt_every=500, amp="auto", channels_last=True, adam="auto",
                            compile="auto"),
    # dcgan-fmnist at twice the width (4x the FLOPs; on a GPU this small network is launch-bound, so the wall
    # time grows far less than 4x). benchmarks/gpu_models.md: FID 9.12 / 7.40 at 40 / 60 epochs (width 64: 11.37 /
    # 9.62), 6.73 at 72 epochs; not shipped (a G of 4.6 M parameters, 18 MB: 2.6x the shipped file)
    "dcgan-fmnist-128": {**_DCGAN_FMNIST, "width": 128},
    # `bench --quality-minutes 5`'s course recipe: dcgan-fmnist at width 16 with Adam's lr 5e-4 for both players,
    # for a 5-minute budget on a 2-core CPU, where the narrow network's cheaper steps let it see several times
    # the images of width 64 in the same time, and the larger steps use them faster. Chosen by
    # benchmarks/quality5.md (3 seeds per arm against the preset itself; one seed of width 32, 32 + lr 5e-4 and 8).
    # The shipped dcgan_fmnist keeps width 64 (FID 7.68 at 100 epochs); this preset was not trained that long
    "dcgan-fmnist-5min": {**_DCGAN_FMNIST, "width": 16, "lr_d": 5e-4, "lr_g": 5e-4},
    # dcgan-mnist-shallow at width 64 (benchmarks/gpu_models.md: sure 51.7 / 57.0 / 60.3 / 64.9 % at 30 / 60 / 120 / 240 epochs)
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
