"""GAN losses as pure functions of discriminator logits.

Each returns a scalar to *minimise*. With D(x) = σ(l) the probability that x is real:
  -log σ(l)     = softplus(-l)     (never log of a sigmoid: it overflows for large |l|)
  -log(1 - σ(l)) = softplus(l)
No loss calls an optimizer; the training loop does. Derived in 02_deriving_the_losses.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


def d_bce(real: Tensor, fake: Tensor) -> Tensor:
    """Discriminator: maximise V = E[log D(x)] + E[log(1 - D(G(z)))], i.e. minimise -V."""
    return (F.softplus(-real).mean()      # -E[log D(x)]
            + F.softplus(fake).mean())    # -E[log(1 - D(G(z)))]


def g_saturating(fake: Tensor) -> Tensor:
    """Generator, as in the minimax game: minimise E[log(1 - D(G(z)))]."""
    return -F.softplus(fake).mean()       # E[log(1 - D(G(z)))]


def g_nonsaturating(fake: Tensor) -> Tensor:
    """Generator, the practical choice: minimise -E[log D(G(z))] (strong gradients early on)."""
    return F.softplus(-fake).mean()       # -E[log D(G(z))]


class GANLoss(NamedTuple):
    d: Callable[[Tensor, Tensor], Tensor]   # (real logits, fake logits) -> D loss
    g: Callable[[Tensor], Tensor]           # fake logits -> G loss


LOSSES: dict[str, GANLoss] = {
    "ns": GANLoss(d_bce, g_nonsaturating),          # Goodfellow et al. 2014, non-saturating
    "saturating": GANLoss(d_bce, g_saturating),     # the minimax game taken literally
}


def get(name: str) -> GANLoss:
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(LOSSES)}.")
    return LOSSES[name]
