"""Pictures: image grids and loss curves. Introduced in 00_start_here."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from torchvision.utils import make_grid


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 2) -> np.ndarray:
    """Images (N, 1, H, W) in [-1, 1] (or uint8 (N, H, W)) → one grey picture (rows, cols) in [0, 1]."""
    images = images.detach().cpu()
    if images.dtype == torch.uint8:
        images = images.unsqueeze(1).float() / 255.0
    else:
        images = (images.float().clamp(-1, 1) + 1) / 2
    return make_grid(images, nrow=nrow, padding=padding, pad_value=1.0)[0].numpy()


def show_images(images: torch.Tensor, nrow: int = 8, title: str | None = None, ax=None):
    """Draw an image grid on `ax` (a new figure if None); returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(nrow * 0.6, max(1, int(np.ceil(len(images) / nrow))) * 0.6 + 0.4))
    ax.imshow(image_grid(images, nrow), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def show_by_class(images: torch.Tensor, labels: torch.Tensor, classes, per_class: int = 8, title=None):
    """One row per class: the first `per_class` images of each, with the class name on the left."""
    fig, axes = plt.subplots(len(classes), 1, figsize=(per_class * 0.55 + 1.6, len(classes) * 0.6))
    for c, (name, ax) in enumerate(zip(classes, axes)):
        show_images(images[labels == c][:per_class], nrow=per_class, ax=ax)
        ax.text(-2, 14, name, ha="right", va="center", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def plot_losses(history: list[dict], ax=None, title: str = "losses"):
    """D and G losses from a run's history (one point per log step)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    steps = [h["step"] for h in history]
    ax.plot(steps, [h["d_loss"] for h in history], label="D loss")
    ax.plot(steps, [h["g_loss"] for h in history], label="G loss")
    ax.set_xlabel("generator step")
    ax.set_title(title)
    ax.legend()
    return ax
