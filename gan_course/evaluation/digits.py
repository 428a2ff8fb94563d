"""A small digit classifier, trained in seconds on the 4 000 training digits of mnist5k, and what it
says about a digit GAN's samples: which digit each one looks like, how evenly the samples spread
over the ten digits, and how sure the classifier is.

A GAN that works on digits draws all ten of them about equally often (the training set has 400 of
each) and draws them clearly enough that a classifier is sure; a collapsed one piles onto a few.
Introduced in 04b_the_articles_conv_gan.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .. import data
from .classifier import fit_supervised, predict
from ..runtime import to_device_of
from ..runtime import seed_everything

NUM_CLASSES = 10

# 04b's test of a digit generator, read off spread() of its samples and of held-out real digits
SURE_OF_REAL = 0.75      # sure on at least ¾ of the share the real digits get
MIN_UNIFORMITY = 0.95    # the samples spread over the ten digits nearly as evenly as the training set
MIN_SHARE = 0.02         # and every digit is drawn: at least 2 % of the samples (10 % expected)


class DigitClassifier(nn.Module):
    """(N, 1, 28, 28) in [-1, 1] → 10 digit logits. Two 3×3 conv + max-pool stages, one linear layer."""

    def __init__(self, channels: int = 16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),                 # (N, c, 14, 14)
            nn.Conv2d(channels, 2 * channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # (N, 2c, 7, 7)
            nn.Flatten(), nn.Linear(2 * channels * 7 * 7, NUM_CLASSES),                       # (N, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def train(epochs: int = 4, batch_size: int = 64, lr: float = 2e-3, seed: int = 0,
          device="cpu") -> tuple[DigitClassifier, dict]:
    """Adam on the 4 000 training digits; returns the model (eval mode, on `device`) and
    {test_accuracy (on the 1 000 held-out digits), seconds, epochs, ...}."""
    if epochs < 1:
        raise ValueError(f"epochs={epochs} must be at least 1.")
    seed_everything(seed)
    x, y = data.load_mnist5k("train")
    batches = data.DeviceBatches(x, batch_size, device, seed=seed, labels=y)
    model = DigitClassifier().to(device)
    seconds = fit_supervised(model, batches, epochs, lr)
    xt, yt = data.load_mnist5k("test")
    info = {"test_accuracy": (predict(model, xt) == yt).float().mean().item(), "seconds": seconds,
            "epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed}
    return model.eval(), info


def histogram(labels: torch.Tensor) -> torch.Tensor:
    """How many of `labels` fall on each digit 0..9: int64 counts (10,)."""
    labels = torch.as_tensor(labels).cpu()
    if labels.numel() and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(f"labels must be digits 0..{NUM_CLASSES - 1}; got values from "
                         f"{labels.min().item()} to {labels.max().item()}.")
    return torch.bincount(labels.long(), minlength=NUM_CLASSES)


def uniformity(counts: torch.Tensor) -> float:
    """H(p) / log K for the shares p = counts / Σ counts over K classes (0·log 0 = 0):
    1 when every class is equally frequent, 0 when all samples fall in one class."""
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.dim() != 1 or len(counts) < 2 or (counts < 0).any() or counts.sum() <= 0:
        raise ValueError(f"counts must be K ≥ 2 non-negative numbers with a positive sum; got {counts.tolist()}.")
    p = counts / counts.sum()
    entropy = -torch.special.xlogy(p, p).sum().item() + 0.0      # + 0.0: one class gives 0.0, not -0.0
    return entropy / math.log(len(counts))


def smallest_share(counts: torch.Tensor) -> tuple[float, int]:
    """(share, digit) of the least frequent class: what uniformity hides, since a histogram with one
    of ten classes missing still has uniformity log 9 / log 10 ≈ 0.954."""
    counts = torch.as_tensor(counts, dtype=torch.float64)
    uniformity(counts)                                               # same checks on the input
    digit = int(counts.argmin())
    return (counts[digit] / counts.sum()).item(), digit


@torch.no_grad()
def spread(model: nn.Module, images: torch.Tensor, sure: float = 0.9, batch: int = 1000) -> dict:
    """What the classifier sees in `images` ((N, 1, 28, 28) in [-1, 1], any device), run on the
    model's device: the predicted digits (N,), their histogram (10,), its uniformity, the share
    and digit of its least frequent class, and the share of images it classifies with probability
    ≥ `sure`."""
    model.eval()
    probs = torch.cat([F.softmax(model(to_device_of(model, chunk).float()), dim=1).cpu()
                       for chunk in images.split(batch)])                       # (N, 10)
    confidence, labels = probs.max(dim=1)
    counts = histogram(labels)
    least, least_digit = smallest_share(counts)
    return {"labels": labels, "counts": counts, "uniformity": uniformity(counts),
            "smallest_share": least, "smallest_digit": least_digit, "sure": (confidence >= sure).float().mean().item()}


def passes(samples: dict, real: dict) -> bool:
    """04b's test on two spread() results: does the generator whose samples gave `samples` draw
    digits, judged against `real` (held-out real digits read by the same classifier)? Sure at
    least SURE_OF_REAL of the real share, uniformity ≥ MIN_UNIFORMITY, smallest share ≥ MIN_SHARE."""
    return (samples["sure"] >= SURE_OF_REAL * real["sure"] and samples["uniformity"] >= MIN_UNIFORMITY
            and samples["smallest_share"] >= MIN_SHARE)
