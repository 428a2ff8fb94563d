"""Precision, recall, density and coverage of generated samples, and nearest neighbours, on
feature vectors (06_evaluating_gans).

Each real sample gets a ball reaching its k-th nearest real neighbour; the union of the balls
estimates the real manifold (likewise for the fakes).
  precision = share of fakes inside some real ball          (are samples realistic?)
  recall    = share of reals inside some fake ball          (is the data's variety covered?)
              — Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric…"
  density   = (1/k) · mean over fakes of the number of real balls containing it
  coverage  = share of reals whose ball contains at least one fake
              — Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics…" (the `prdc` package).
Written here in torch rather than imported: `prdc` pulls in scikit-learn and SciPy and builds
three dense N×N float32 matrices; this computes the same in row blocks, on the device of the
first argument (the second may come from any device); tensors come back on the CPU.
"""
from __future__ import annotations

import torch

from ..runtime import to_device_of


def _blocks(a: torch.Tensor, b: torch.Tensor, rows: int = 2048):
    """Yield (start, distances of a[start:start+rows] to all of b), float32 Euclidean."""
    for i in range(0, len(a), rows):
        yield i, torch.cdist(a[i:i + rows].float(), b.float())


def knn_radii(x: torch.Tensor, k: int) -> torch.Tensor:
    """Distance from each row of x to its k-th nearest other row of x: (N,) on the CPU."""
    if not 1 <= k < len(x):
        raise ValueError(f"k={k} needs 1 ≤ k < number of points ({len(x)}).")
    out = torch.empty(len(x))
    for i, d in _blocks(x, x):
        out[i:i + len(d)] = d.kthvalue(k + 1, dim=1).values                  # +1: the point itself, at 0
    return out


def prdc(real: torch.Tensor, fake: torch.Tensor, k: int = 5) -> dict:
    """Precision, recall, density, coverage of fake features (M, d) against real features (N, d)."""
    fake = to_device_of(real, fake)
    r_real, r_fake = (to_device_of(real, knn_radii(f, k)) for f in (real, fake))
    inside = torch.zeros(len(fake), device=real.device)          # per fake: how many real balls contain it
    fake_covers_real = torch.zeros(len(real), dtype=torch.bool, device=real.device)  # per real: in some fake ball
    nearest_fake = torch.empty(len(real), device=real.device)   # per real: distance to its nearest fake
    for i, d in _blocks(real, fake):                 # d: (rows of real, M)
        rows = slice(i, i + len(d))
        inside += (d < r_real[rows, None]).sum(0)
        fake_covers_real[rows] = (d < r_fake[None, :]).any(1)
        nearest_fake[rows] = d.min(1).values
    return {"precision": (inside > 0).float().mean().item(),
            "recall": fake_covers_real.float().mean().item(),
            "density": (inside / k).mean().item(),
            "coverage": (nearest_fake < r_real).float().mean().item()}


def balls_containing(real: torch.Tensor, fake: torch.Tensor, k: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    """Which real k-NN balls each fake falls in, as prdc counts them (strictly inside): per fake,
    the number of real balls containing it (precision = share with ≥ 1, density = mean / k) and the
    radius of the smallest such ball (inf when none). Says whether samples count as precise by
    landing in ordinary balls or only in the large balls of real outliers (06's blurred row)."""
    fake = to_device_of(real, fake)
    r_real = to_device_of(real, knn_radii(real, k))
    count = torch.zeros(len(fake), dtype=torch.long, device=real.device)
    smallest = torch.full((len(fake),), float("inf"), device=real.device)
    for i, d in _blocks(real, fake):                 # d: (rows of real, M)
        r = r_real[i:i + len(d), None].expand_as(d)
        inside = d < r
        count += inside.sum(0)
        smallest = torch.minimum(smallest, torch.where(inside, r, torch.inf).min(0).values)
    return count.cpu(), smallest.cpu()


def nearest(queries: torch.Tensor, refs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each query row, the distance to and index of its nearest row of refs (both flattened)."""
    q, r = queries.flatten(1).float(), to_device_of(queries, refs).flatten(1).float()
    dist, idx = torch.empty(len(q)), torch.empty(len(q), dtype=torch.long)
    for i, d in _blocks(q, r, rows=512):
        dist[i:i + len(d)], idx[i:i + len(d)] = d.min(1)
    return dist, idx
