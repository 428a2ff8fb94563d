"""2-D Gaussian mixtures — the ring of 8 and the 5×5 grid — where we can see everything.

Introduced in 03_training_dynamics_2d. Points are float32 (N, 2).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Mixture2D:
    """Equal-weight isotropic Gaussians N(center_k, std²·I)."""
    name: str
    centers: tuple[tuple[float, float], ...]
    std: float

    @property
    def modes(self) -> torch.Tensor:
        return torch.tensor(self.centers, dtype=torch.float32)              # (K, 2)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        k = torch.randint(len(self.centers), (n,), generator=generator)
        return self.modes[k] + self.std * torch.randn(n, 2, generator=generator)


def ring(modes: int = 8, radius: float = 2.0, std: float = 0.05) -> Mixture2D:
    """`modes` Gaussians evenly spaced on a circle (Metz et al. 2017 use 8, radius 2)."""
    angles = [2 * math.pi * k / modes for k in range(modes)]
    return Mixture2D(f"ring{modes}", tuple((radius * math.cos(a), radius * math.sin(a)) for a in angles), std)


def grid(size: int = 5, spacing: float = 2.0, std: float = 0.1) -> Mixture2D:
    """size × size Gaussians on a square lattice centred at the origin."""
    coords = [spacing * (i - (size - 1) / 2) for i in range(size)]
    return Mixture2D(f"grid{size}x{size}", tuple((x, y) for x in coords for y in coords), std)


MIXTURES = {"ring": ring(), "grid": grid()}


class MixtureBatches:
    """Batch number `step`: fresh samples drawn with a generator seeded by (seed, step), so the
    data a run sees is a function of the step, exactly as for DeviceBatches."""

    def __init__(self, mixture: Mixture2D, batch_size: int, device="cpu", seed: int = 0):
        self.mixture, self.batch_size, self.device, self.seed = mixture, batch_size, device, seed

    def batch(self, step: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + step)
        return self.mixture.sample(self.batch_size, g).to(self.device)      # (B, 2)
