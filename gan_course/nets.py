"""Generators and discriminators for 28×28 images.

Contract: generators map z (N, z_dim) to images (N, 1, 28, 28) in [-1, 1] (Tanh);
discriminators return logits (N,) — no Sigmoid anywhere, the losses work on logits.
Introduced in 00_start_here (MLP) and 05_dcgan_full_training_run (DCGAN).
"""
from __future__ import annotations

import math

import torch
from torch import nn

IMAGE_SHAPE = (1, 28, 28)
IMAGE_SIZE = 28 * 28


class MLPGenerator(nn.Module):
    """z → [Linear (→ BatchNorm) → LeakyReLU] × len(hidden) → Linear (→ Tanh for images) → (N, *out_shape)."""

    def __init__(self, z_dim: int = 64, hidden: tuple[int, ...] = (256, 512),
                 out_shape: tuple[int, ...] = IMAGE_SHAPE, tanh: bool = True, batchnorm: bool = False):
        super().__init__()
        self.z_dim, self.out_shape = z_dim, out_shape
        layers, width = [], z_dim
        for h in hidden:
            layers += [nn.Linear(width, h)] + ([nn.BatchNorm1d(h)] if batchnorm else []) + [nn.LeakyReLU(0.2)]
            width = h
        layers += [nn.Linear(width, math.prod(out_shape))] + ([nn.Tanh()] if tanh else [])
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, *self.out_shape)               # (N, 784) → (N, 1, 28, 28)


class MLPDiscriminator(nn.Module):
    """(N, 1, 28, 28) → flatten → Linear/LeakyReLU × len(hidden) → Linear → logits (N,)."""

    def __init__(self, hidden: tuple[int, ...] = (512, 256), in_features: int = IMAGE_SIZE):
        super().__init__()
        layers, width = [nn.Flatten()], in_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.LeakyReLU(0.2)]
            width = h
        layers += [nn.Linear(width, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)                               # (N, 1) → (N,)


class DCGANGenerator(nn.Module):
    """Radford et al. (2016) for 28×28: project z to 7×7, then two stride-2 up-convolutions."""

    def __init__(self, z_dim: int = 100, width: int = 64):
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 4 * width, 7, 1, 0, bias=False),   # (N, 4w, 7, 7)
            nn.BatchNorm2d(4 * width), nn.ReLU(True),
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False),  # (N, 2w, 14, 14)
            nn.BatchNorm2d(2 * width), nn.ReLU(True),
            nn.ConvTranspose2d(2 * width, 1, 4, 2, 1, bias=False),      # (N, 1, 28, 28)
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z[:, :, None, None])                        # (N, z_dim) → (N, z_dim, 1, 1)


class DCGANDiscriminator(nn.Module):
    """Two stride-2 convolutions with LeakyReLU (BatchNorm after the first), then a 7×7 conv to one logit."""

    def __init__(self, width: int = 64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, 2, 1, bias=False),                   # (N, w, 14, 14)
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),           # (N, 2w, 7, 7)
            nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * width, 1, 7, 1, 0, bias=False),               # (N, 1, 1, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten()                                # (N,)


def dcgan_init(module: nn.Module) -> None:
    """DCGAN paper init: conv weights ~ N(0, 0.02²); BatchNorm scale ~ N(1, 0.02²), shift 0.
    Use as `net.apply(dcgan_init)`."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _mlp(z_dim: int, width: int):
    return MLPGenerator(z_dim, (width, 2 * width)), MLPDiscriminator((2 * width, width))


def _dcgan(z_dim: int, width: int):
    G, D = DCGANGenerator(z_dim, width), DCGANDiscriminator(width)
    G.apply(dcgan_init)
    D.apply(dcgan_init)
    return G, D


def _mlp_bn(z_dim: int, width: int):
    """The MLP with BatchNorm in G, as many articles write it (notebook 04's last bug)."""
    return MLPGenerator(z_dim, (width, 2 * width), batchnorm=True), MLPDiscriminator((2 * width, width))


def _mlp2d(z_dim: int, width: int):
    """For 2-D points (notebook 03): no Tanh, the mixtures reach beyond [-1, 1]."""
    return (MLPGenerator(z_dim, (width, width, width), out_shape=(2,), tanh=False),
            MLPDiscriminator((width, width, width), in_features=2))


# name -> builder(z_dim, width) -> (G, D). `width`: MLP hidden units / DCGAN base channels.
ARCHS = {"mlp": _mlp, "mlp-bn": _mlp_bn, "dcgan": _dcgan, "mlp2d": _mlp2d}


def build(arch: str, z_dim: int, width: int) -> tuple[nn.Module, nn.Module]:
    """A generator and discriminator pair by architecture name (one of ARCHS)."""
    if arch not in ARCHS:
        raise ValueError(f"unknown architecture {arch!r}; choose one of {sorted(ARCHS)}.")
    return ARCHS[arch](z_dim, width)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
