"""Quality metrics. For 2-D mixtures: modes covered and the share of high-quality samples.

Introduced in 03_training_dynamics_2d (mode coverage).
"""
from __future__ import annotations

import hashlib

import torch

from . import classifier as clf
from . import data, runtime
from .checkpoint import atomic_write
from .train import sample


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


# ----------------------------------------------------------------------------- FID on classifier features
def generate(G: torch.nn.Module, n: int, seed: int = 0, batch: int = 1000) -> torch.Tensor:
    """n samples from G in eval mode, in batches, on G's device: (n, 1, 28, 28)."""
    return torch.cat([sample(G, min(batch, n - i), seed=seed + i) for i in range(0, n, batch)])


def _features(classifier, images: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    dev = next(classifier.parameters()).device
    with torch.no_grad():
        return torch.cat([classifier.features(images[i:i + batch].to(dev)).double().cpu()
                          for i in range(0, len(images), batch)])


def real_statistics(classifier=None, split: str = "train", cache: bool = True) -> dict:
    """Sum, second-moment sum and count of the classifier features of every real Fashion-MNIST
    image of `split` — what torchmetrics accumulates — cached in runs/cache/ by classifier digest."""
    classifier = classifier or clf.load_classifier()
    digest = _digest(classifier)
    path = runtime.runs_dir() / "cache" / f"fid_real_{split}_{digest}.pt"
    if cache and path.is_file():
        return torch.load(path, weights_only=True)
    images, _ = data.load_fashion_mnist(split)
    f = _features(classifier, data.to_unit_range(images))
    stats = {"sum": f.sum(0), "cov_sum": f.T @ f, "n": len(f)}
    if cache:
        atomic_write(path, lambda fh: torch.save(stats, fh))
    return stats


def _digest(module: torch.nn.Module) -> str:
    h = hashlib.sha256()
    for k, v in module.state_dict().items():
        h.update(k.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def fid_metric(classifier=None, split: str = "train"):
    """torchmetrics' FrechetInceptionDistance with our classifier as the feature network and the
    real statistics of Fashion-MNIST `split` already loaded (kept across reset())."""
    from torchmetrics.image.fid import FrechetInceptionDistance   # imported on first use: it is slow to import

    classifier = classifier or clf.load_classifier()
    metric = FrechetInceptionDistance(feature=clf.Features(classifier), reset_real_features=False)
    stats = real_statistics(classifier, split)
    metric.real_features_sum = stats["sum"].to(metric.real_features_sum)
    metric.real_features_cov_sum = stats["cov_sum"].to(metric.real_features_cov_sum)
    metric.real_features_num_samples = torch.tensor(stats["n"], device=metric.real_features_num_samples.device)
    return metric


def fid(fake_images: torch.Tensor, classifier=None, split: str = "train", batch: int = 1000) -> float:
    """FID between images (N, 1, 28, 28) in [-1, 1] and real Fashion-MNIST `split`, on the
    classifier's 128-d penultimate features."""
    metric = fid_metric(classifier, split)
    for i in range(0, len(fake_images), batch):
        metric.update(fake_images[i:i + batch].cpu(), real=False)
    return metric.compute().item()
