"""The evaluation classifier: a small Fashion-MNIST CNN whose penultimate layer gives the
features for FID/KID and precision/recall (offline, 28×28 grayscale — no Inception download).

Trained by `python -m gan_course train-classifier`; weights in data/weights/ (manifested).
Introduced in 05_dcgan_full_training_run; explained in 06_evaluating_gans.
"""
from __future__ import annotations

import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .. import data, files
from ..runtime import to_device_of
from ..runtime import data_root, seed_everything

WEIGHTS = "weights/fmnist_classifier.pt"     # relative to data/


class FashionClassifier(nn.Module):
    """(N, 1, 28, 28) in [-1, 1] → 10 class logits; `features()` → the 128-d penultimate layer."""
    num_features = 128     # torchmetrics reads this instead of probing the network

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # (N, 32, 14, 14)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # (N, 64, 7, 7)
            nn.Flatten(), nn.Linear(64 * 7 * 7, self.num_features), nn.ReLU(),  # (N, 128)
        )
        self.head = nn.Linear(self.num_features, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


class Features(nn.Module):
    """The classifier's feature map as a module, the form torchmetrics' `feature=` expects.
    Images from any device; features on the classifier's (the metric must live there too)."""

    def __init__(self, classifier: FashionClassifier):
        super().__init__()
        self.classifier = classifier.eval().requires_grad_(False)
        self.num_features = classifier.num_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier.features(to_device_of(self.classifier, x).float())


class Logits(nn.Module):
    """The classifier's class logits as a module, for torchmetrics' InceptionScore `feature=`."""

    def __init__(self, classifier: FashionClassifier):
        super().__init__()
        self.classifier = classifier.eval().requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(to_device_of(self.classifier, x).float())


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """The class the model sees in each image — floats in [-1, 1], (N, 1, 28, 28), or the datasets'
    uint8, (N, 28, 28) — from any device, run on the model's device in batches: labels (N,) on the CPU."""
    model.eval()
    out = []
    for chunk in images.split(batch):
        x = to_device_of(model, chunk)
        out.append(model(data.to_unit_range(x) if x.dtype == torch.uint8 else x.float()).argmax(1).cpu())
    return torch.cat(out) if out else torch.empty(0, dtype=torch.long)


def accuracy(model: nn.Module, images_uint8: torch.Tensor, labels: torch.Tensor, batch: int = 1000) -> float:
    return (predict(model, images_uint8, batch) == labels.cpu()).sum().item() / len(images_uint8)


def fit_supervised(model: nn.Module, batches: "data.DeviceBatches", epochs: int, lr: float,
                   progress=None) -> float:
    """Adam on cross-entropy over `epochs` passes of labelled `batches` (the Fashion-MNIST evaluation
    classifier and notebook 04b's digit classifier both train this way); the seconds it took."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    t0 = time.perf_counter()
    model.train()
    for step in range(epochs * batches.steps_per_epoch):
        images, labels = batches.labelled_batch(step)
        loss = F.cross_entropy(model(images), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if progress and (step + 1) % batches.steps_per_epoch == 0:
            progress(f"epoch {(step + 1) // batches.steps_per_epoch}/{epochs}: loss {loss.item():.3f}")
    return time.perf_counter() - t0


def train_classifier(epochs: int = 3, batch_size: int = 128, lr: float = 1e-3, seed: int = 0,
                     device="cpu", progress=print) -> tuple[FashionClassifier, dict]:
    """Adam on the 60 000 training images; returns the model and {test_accuracy, seconds, ...}."""
    seed_everything(seed)
    x, y = data.load_fashion_mnist("train")
    batches = data.DeviceBatches(x, batch_size, device, seed=seed, labels=y)
    model = FashionClassifier().to(device)
    seconds = fit_supervised(model, batches, epochs, lr, progress)
    xt, yt = data.load_fashion_mnist("test")
    info = {"test_accuracy": accuracy(model, xt, yt), "seconds": seconds,
            "epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed}
    return model.cpu(), info


def save_classifier(model: FashionClassifier, info: dict, path: str | Path) -> Path:
    return files.save({"format": 1, "model": model.state_dict(), "info": info}, path)


def load_classifier(path: str | Path | None = None, *, device="cpu") -> FashionClassifier:
    """The shipped classifier (manifest-checked) or one saved by save_classifier at `path`, in eval
    mode on `device` (keyword-only: `load_classifier(device=device)`). It then runs where it is put."""
    if _looks_like_device(path):
        raise TypeError(f"load_classifier's first argument is a file path, not a device ({path!r}): "
                        f"pass the device by keyword, load_classifier(device={str(path)!r}).")
    path = Path(path) if path is not None else data.verified_path(WEIGHTS, data_root())
    model = FashionClassifier()
    files.load_state(model, files.load(path)["model"], "classifier", path)
    return model.to(device).eval()


def _looks_like_device(path) -> bool:
    """A torch.device, or a string naming one ("cuda", "cuda:0", "mps", …) that is not an existing file."""
    if isinstance(path, torch.device):
        return True
    if not isinstance(path, str) or Path(path).exists():
        return False
    try:
        torch.device(path)
    except (RuntimeError, ValueError):
        return False
    return True
