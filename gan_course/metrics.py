"""Quality metrics. For 2-D mixtures: modes covered and the share of high-quality samples.

Introduced in 03_training_dynamics_2d (mode coverage).
"""
from __future__ import annotations

import torch


def mode_coverage(samples: torch.Tensor, modes: torch.Tensor, std: float,
                  within: float = 3.0, min_share: float = 0.25) -> dict:
    """Samples (N, 2) against mixture centres (K, 2) of standard deviation `std`.

    A sample is high quality when it lies within `within`·std of some mode. A mode is
    covered when it receives at least `min_share` of its fair share N/K of samples within
    `within`·std. Returns {"modes": covered count, "quality": share of high-quality samples,
    "counts": samples per mode}.
    """
    dist = torch.cdist(samples.float().cpu(), modes.float().cpu())          # (N, K)
    nearest, k = dist.min(dim=1)
    good = nearest <= within * std
    counts = torch.bincount(k[good], minlength=len(modes))
    fair = len(samples) / len(modes)
    return {"modes": int((counts >= min_share * fair).sum()), "quality": good.float().mean().item(),
            "counts": counts.tolist()}
