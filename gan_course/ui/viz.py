"""Pictures: image grids and loss curves. Introduced in 00_start_here."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from torchvision.utils import make_grid

from .. import dynamics


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


def plot_game(g: dict, ax=None, title: str | None = None):
    """Notebook 01: p_data, p_g and D* on one axis, from theory.game()."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    x = g["x"].numpy()
    ax.fill_between(x, g["p_data"].numpy(), alpha=0.35, label="p_data")
    ax.fill_between(x, g["p_g"].numpy(), alpha=0.35, label="p_g")
    ax.plot(x, g["d_star"].numpy(), "k", lw=1.5, label="D*(x)")
    ax.axhline(0.5, color="k", ls=":", lw=0.8)
    ax.set_xlim(-6, 6)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("x")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or f"V(D*, G) = {g['V']:.4f}   JSD = {g['JSD']:.4f}")
    return ax


def panel_2d(G, D, real: torch.Tensor, g_loss, history=(), n_fake: int = 512, n_arrows: int = 64,
             bound: float = 3.0, seed: int = 0, axes=None, arrow_scale: float = 0.25):
    """Notebook 03, GAN-Lab style: σ(D) as a heat map, real (black) and generated (orange) points,
    and at generated points the force on each, f = −∂ℓ/∂x of its own generator loss
    (dynamics.forces), drawn to one fixed scale: an arrow is arrow_scale·‖f‖ long in plot units,
    so lengths compare between panels and losses (the key shows ‖f‖ = 1). The arrows are pushes,
    not moves: G moves its points through shared weights (dynamics.sgd_moves)."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 4), gridspec_kw={"width_ratios": [1.1, 1]})
    ax, ax_loss = axes
    dev = next(D.parameters()).device
    lin = torch.linspace(-bound, bound, 120)
    xx, yy = torch.meshgrid(lin, lin, indexing="xy")
    with torch.no_grad():
        prob = torch.sigmoid(D(torch.stack([xx.flatten(), yy.flatten()], 1).to(dev))).view(120, 120).cpu()
        z = torch.randn(n_fake, G.z_dim, generator=torch.Generator().manual_seed(seed)).to(dev)
        fake = G(z)
    pts = fake[:n_arrows]
    arrows = dynamics.forces(D, g_loss, pts)                            # (n_arrows, 2), unnormalised
    im = ax.imshow(prob.numpy(), extent=(-bound, bound, -bound, bound), origin="lower",
                   cmap="RdBu", vmin=0, vmax=1, alpha=0.6)
    real, fake, pts = real.cpu(), fake.cpu(), pts.detach().cpu()
    ax.scatter(real[:, 0], real[:, 1], s=4, c="k", label="real")
    ax.scatter(fake[:, 0], fake[:, 1], s=4, c="tab:orange", label="generated")
    q = ax.quiver(pts[:, 0], pts[:, 1], arrows[:, 0].cpu(), arrows[:, 1].cpu(), color="tab:orange",
                  angles="xy", scale_units="xy", scale=1 / arrow_scale, width=0.004)
    ax.quiverkey(q, 0.2, 0.04, 1.0, "‖f‖ = 1", labelpos="E", fontproperties={"size": 7})
    ax.set_xlim(-bound, bound)
    ax.set_ylim(-bound, bound)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7)
    ax.set_title("σ(D(x)) (blue = 'real'), samples, force on each fake", fontsize=9)
    plt.colorbar(im, ax=ax, fraction=0.046)
    if history:
        plot_losses(list(history), ax=ax_loss)
    else:
        ax_loss.set_axis_off()
    return axes
