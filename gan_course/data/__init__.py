"""Datasets: the embedded images (manifest-checked), 2-D mixtures, and batch samplers."""
from .images import (CLASSES, DATASETS, DIGIT_CLASSES, FASHION_CLASSES, load,
                     load_fashion_mnist, load_mnist5k)
from .manifest import DataFileError, check_all, verified_path
from .mixtures import MIXTURES, Mixture2D, MixtureBatches, grid, ring
from .sampler import DeviceBatches, to_unit_range

TRAINING_SETS = sorted([*DATASETS, *MIXTURES])


def batches(name: str, batch_size: int, device="cpu", seed: int = 0, rank: int = 0, world_size: int = 1,
            labels: bool = False):
    """The training batches of dataset `name`: images through DeviceBatches, 2-D mixtures
    through MixtureBatches. Either way, `.batch(step)` is a function of (seed, step) — and of
    the rank under DDP, so each process sees its own data. `labels`: keep the class labels too
    (`.labelled_batch(step)`), for conditional models."""
    if name in MIXTURES:
        if labels:
            raise ValueError(f"{name!r} is a 2-D mixture without class labels; a conditional model needs an image dataset.")
        return MixtureBatches(MIXTURES[name], batch_size, device, seed * world_size + rank)
    images, y = load(name, "train")
    return DeviceBatches(images, batch_size, device, seed=seed, rank=rank, world_size=world_size,
                         labels=y if labels else None)


__all__ = ["CLASSES", "DATASETS", "DIGIT_CLASSES", "FASHION_CLASSES", "MIXTURES", "TRAINING_SETS",
           "DataFileError", "DeviceBatches", "Mixture2D", "MixtureBatches", "batches", "check_all",
           "grid", "load", "load_fashion_mnist", "load_mnist5k", "ring", "to_unit_range",
           "verified_path"]
