"""An exponential moving average of the generator's weights, the copy a run samples from.

θ_ema ← β·θ_ema + (1 − β)·θ after every G step. β comes from a half-life in training images
(stylegan2-ada's ema_kimg), so a batch-size change keeps the average's memory, and a warm-up keeps
the random initial weights from lingering. The average's BatchNorm statistics are not averaged:
they are recomputed for the averaged weights before it is used (recompute_batchnorm).
Introduced in 05_dcgan_full_training_run (EMA).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ..models.nets import has_batchnorm, is_conditional
from ..runtime import device_of


def beta(step: int, images_per_step: int, half_life: float) -> float:
    """The EMA decay after `step` updates of `images_per_step` images: β = 0.5 ** (images_per_step /
    half_life), so that after half_life images the old weights weigh ½ whatever the batch size,
    capped by the warm-up of decay()."""
    return decay(step, 0.5 ** (images_per_step / half_life))


def decay(step: int, target: float) -> float:
    """The decay used after `step` updates: min(target, (1 + step) / (10 + step)). Early on the
    average forgets quickly, so the random initial weights do not linger (with a fixed 0.999
    they would still weigh 0.999^1600 ≈ 20 % after 1 600 steps)."""
    return min(target, (1 + step) / (10 + step))


def warmup_steps(images_per_step: int, half_life: float) -> int:
    """The first step whose decay is the target β = 0.5 ** (images_per_step / half_life): the warm-up
    (1 + t) / (10 + t) reaches β at t = ⌈(10β − 1) / (1 − β)⌉. For a half-life of many batches that is
    after about 9·half_life / ln 2 ≈ 13 half-lives of images, whatever the batch size."""
    target = 0.5 ** (images_per_step / half_life)
    t = max(0, math.ceil((10 * target - 1) / (1 - target)))
    while t > 0 and decay(t - 1, target) >= target:        # float rounding of the closed form
        t -= 1
    while decay(t, target) < target:
        t += 1
    return t


def half_life_at(step: int, images_per_step: int, half_life: float) -> float:
    """The half-life in images of the decay used at `step`, images_per_step · ln ½ / ln β_t: during the
    warm-up about ln 2 / 9 ≈ 7.7 % of the images seen so far (it grows with them), then half_life."""
    return images_per_step * math.log(0.5) / math.log(beta(step, images_per_step, half_life))


@torch.no_grad()
def average(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """θ_ema ← decay·θ_ema + (1 − decay)·θ on the weights only. The BatchNorm statistics are not
    copied: raw G's statistics belong to raw G's weights, not to the average (recompute_batchnorm)."""
    for p_ema, p in zip(ema.parameters(), model.parameters()):
        p_ema.lerp_(p, 1.0 - decay)


class _Labelled(nn.Module):
    """G(z, y) called as G([z, y]), the one-input form torch.optim.swa_utils.update_bn feeds."""

    def __init__(self, G: nn.Module):
        super().__init__()
        self.G = G

    def forward(self, zy: torch.Tensor) -> torch.Tensor:
        return self.G(zy[:, :-1], zy[:, -1].long())


BN_BATCHES, BN_BATCH_SIZE = 8, 256   # recompute_batchnorm's default: 2 048 draws of z, a few ms of G


@torch.no_grad()
def recompute_batchnorm(G: nn.Module, batches: int = BN_BATCHES, batch_size: int = BN_BATCH_SIZE,
                        seed: int = 0) -> nn.Module:
    """Set G's BatchNorm running statistics to those of G's own weights: reset them, then average
    the batch statistics of `batches` batches of fresh z (torch.optim.swa_utils.update_bn, the
    same step SWA needs after averaging weights). Classes of a conditional G cycle uniformly.
    The z come from their own seeded generator, so the result depends only on G's weights."""
    if not has_batchnorm(G):
        return G
    dev = device_of(G)
    noise = torch.Generator(device=dev).manual_seed(seed)
    zs = [torch.randn(batch_size, G.z_dim, generator=noise, device=dev) for _ in range(batches)]
    if is_conditional(G):
        y = (torch.arange(batch_size, device=dev) % G.num_classes).float()[:, None]
        torch.optim.swa_utils.update_bn([torch.cat([z, y], dim=1) for z in zs], _Labelled(G))
    else:
        torch.optim.swa_utils.update_bn(zs, G)
    return G
