"""Generators and discriminators for 28×28 images.

Contract: generators map z (N, z_dim) to images (N, 1, 28, 28) in [-1, 1] (Tanh);
discriminators return logits (N,) — no Sigmoid anywhere, the losses work on logits.
Introduced in 00_start_here (MLP) and 05_dcgan_full_training_run (DCGAN).
"""
from __future__ import annotations

import math
from functools import partial

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
    """Radford et al. (2016) for 28×28: project z to 7×7, then two stride-2 up-convolutions.
    `deep=True` adds one 3×3 convolution (BatchNorm, ReLU) at 7×7 and at 14×14: the `dcgan-deep` G, with which
    04b's digit DCGAN passed 04b's test in 3 of 3 seeds on one CPU (benchmarks/digits_sweep.md, round 2)."""

    def __init__(self, z_dim: int = 100, width: int = 64, deep: bool = False):
        super().__init__()
        self.z_dim = z_dim

        def refine(c: int) -> list[nn.Module]:                         # same size in and out
            return [nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(True)] if deep else []

        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 4 * width, 7, 1, 0, bias=False),   # (N, 4w, 7, 7)
            nn.BatchNorm2d(4 * width), nn.ReLU(True), *refine(4 * width),
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False),  # (N, 2w, 14, 14)
            nn.BatchNorm2d(2 * width), nn.ReLU(True), *refine(2 * width),
            nn.ConvTranspose2d(2 * width, 1, 4, 2, 1, bias=False),      # (N, 1, 28, 28)
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z[:, :, None, None])                        # (N, z_dim) → (N, z_dim, 1, 1)


class DCGANDiscriminator(nn.Module):
    """Two stride-2 convolutions with LeakyReLU, then a 7×7 conv to one logit.

    `norm` picks how D is kept in check (compared in 09_stabilizing_training):
    "batch"    BatchNorm after the second convolution (Radford et al. 2016);
    "spectral" every convolution divided by its largest singular value, no BatchNorm (Miyato et al. 2018);
    "none"     neither — the critic WGAN-GP wants, since its penalty is per sample (Gulrajani et al. 2017).
    `bias=True` gives every convolution a bias, which starts at zero without drawing random numbers, so the
    other initial weights are those of the bias-free D with the same seed (09's check of whether a shift
    matters: the bias-free "none" D has none anywhere, and BatchNorm's β sits only after the second conv).
    `deep=True` adds one 3×3 convolution at 14×14 and at 7×7 (the latter normed like the second conv).
    """

    def __init__(self, width: int = 64, norm: str = "batch", bias: bool = False, deep: bool = False):
        super().__init__()
        if norm not in ("batch", "spectral", "none"):
            raise ValueError(f"norm={norm!r}: choose 'batch', 'spectral' or 'none'.")
        sn = nn.utils.parametrizations.spectral_norm if norm == "spectral" else (lambda layer: layer)

        def conv(c_in: int, c_out: int, k: int, stride: int, pad: int) -> nn.Module:
            layer = nn.Conv2d(c_in, c_out, k, stride, pad, bias=False)
            if bias:
                layer.bias = nn.Parameter(torch.zeros(c_out))
            return sn(layer)

        def normed(c: int) -> list[nn.Module]:
            return [*([nn.BatchNorm2d(c)] if norm == "batch" else []), nn.LeakyReLU(0.2, True)]

        self.net = nn.Sequential(
            conv(1, width, 4, 2, 1),                                    # (N, w, 14, 14)
            nn.LeakyReLU(0.2, True),
            *([conv(width, width, 3, 1, 1), nn.LeakyReLU(0.2, True)] if deep else []),
            conv(width, 2 * width, 4, 2, 1),                            # (N, 2w, 7, 7)
            *normed(2 * width),
            *([conv(2 * width, 2 * width, 3, 1, 1), *normed(2 * width)] if deep else []),
            conv(2 * width, 1, 7, 1, 0),                                # (N, 1, 1, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten()                                # (N,)


# ----------------------------------------------------------------------------- class-conditional (08_conditional_gans)
class ConditionalDCGANGenerator(DCGANGenerator):
    """G(z, y): the DCGAN generator fed [z, e(y)], a learned embedding of the class label
    concatenated to the noise (Mirza & Osindero 2014, with an embedding instead of a one-hot)."""

    def __init__(self, z_dim: int = 100, width: int = 64, num_classes: int = 10, embed_dim: int = 32):
        super().__init__(z_dim + embed_dim, width)
        self.z_dim, self.num_classes = z_dim, num_classes
        self.embed = nn.Embedding(num_classes, embed_dim)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return super().forward(torch.cat([z, self.embed(y)], dim=1))       # (N, z_dim + embed_dim)


class ProjectionDiscriminator(DCGANDiscriminator):
    """D(x, y) = ψ(h(x)) + ⟨e(y), φ(x)⟩, φ(x) = Σ_ij h(x)_ij: h(x) (N, 2w, 7, 7) are the features
    before the last layer, ψ = net[-1] the bias-free 7×7 convolution on the unpooled h(x) (the
    unconditional DCGAN logit), and only the class term uses the sum-pooled φ(x) (N, 2w) — the
    class enters as a projection, not concatenated to the image. Miyato & Koyama 2018 apply ψ to
    φ(x); we keep DCGAN's head so that the unconditional part is the DCGAN critic unchanged."""

    def __init__(self, width: int = 64, num_classes: int = 10, norm: str = "batch"):
        super().__init__(width, norm)
        self.num_classes = num_classes
        self.embed = nn.Embedding(num_classes, 2 * width)
        nn.init.normal_(self.embed.weight, 0.0, 0.02)              # like the convolutions: start near the unconditional D
        if norm == "spectral":                                      # the class embedding too, as Miyato & Koyama's SNEmbedID
            self.embed = nn.utils.parametrizations.spectral_norm(self.embed)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.net[:-1](x)                                        # (N, 2w, 7, 7)
        phi = h.sum(dim=(2, 3))                                     # (N, 2w), sum-pooled
        return self.net[-1](h).flatten() + (self.embed(y) * phi).sum(dim=1)   # (N,)


class ConditionalBatchNorm2d(nn.Module):
    """γ_y · BN(x) + β_y: BatchNorm without its own scale and shift, then a scale and shift
    looked up for each sample's class (de Vries et al. 2017; Miyato & Koyama 2018; BigGAN). Unlike
    a label concatenated to z, the class acts at every layer after normalisation, so the shared
    statistics of a class-mixed batch do not wash it out."""

    def __init__(self, channels: int, num_classes: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gain = nn.Embedding(num_classes, channels)
        self.bias = nn.Embedding(num_classes, channels)
        nn.init.ones_(self.gain.weight)                             # start as plain BatchNorm
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.gain(y)[:, :, None, None] * self.bn(x) + self.bias(y)[:, :, None, None]   # (N, C, H, W)


class CBNGenerator(nn.Module):
    """G(z, y): the DCGAN generator with each BatchNorm made class-conditional (ConditionalBatchNorm2d);
    z alone enters the first layer."""

    def __init__(self, z_dim: int = 100, width: int = 64, num_classes: int = 10):
        super().__init__()
        self.z_dim, self.num_classes = z_dim, num_classes
        self.up1 = nn.ConvTranspose2d(z_dim, 4 * width, 7, 1, 0, bias=False)       # (N, 4w, 7, 7)
        self.bn1 = ConditionalBatchNorm2d(4 * width, num_classes)
        self.up2 = nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False)   # (N, 2w, 14, 14)
        self.bn2 = ConditionalBatchNorm2d(2 * width, num_classes)
        self.out = nn.ConvTranspose2d(2 * width, 1, 4, 2, 1, bias=False)           # (N, 1, 28, 28)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.bn1(self.up1(z[:, :, None, None]), y))
        h = torch.relu(self.bn2(self.up2(h), y))
        return torch.tanh(self.out(h))


def dcgan_init(module: nn.Module) -> None:
    """DCGAN paper init: conv weights ~ N(0, 0.02²); BatchNorm scale ~ N(1, 0.02²), shift 0.
    Use as `net.apply(dcgan_init)`."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        weight = (module.parametrizations.weight.original          # spectral norm: init the raw weight
                  if nn.utils.parametrize.is_parametrized(module, "weight") else module.weight)
        nn.init.normal_(weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def _mlp(z_dim: int, width: int):
    return MLPGenerator(z_dim, (width, 2 * width)), MLPDiscriminator((2 * width, width))


def _initialised(G: nn.Module, D: nn.Module) -> tuple[nn.Module, nn.Module]:
    """The pair with DCGAN's initialisation applied to both."""
    G.apply(dcgan_init)
    D.apply(dcgan_init)
    return G, D


def _dcgan(z_dim: int, width: int, norm: str = "batch", bias: bool = False, deep: bool = False):
    return _initialised(DCGANGenerator(z_dim, width, deep), DCGANDiscriminator(width, norm, bias, deep))


def _cdcgan(z_dim: int, width: int):
    return _initialised(ConditionalDCGANGenerator(z_dim, width), ProjectionDiscriminator(width))


def _cdcgan_cbn(z_dim: int, width: int):
    """The first candidate fix for the label-embedding cGAN's within-class collapse: conditional BatchNorm
    in G, a spectrally normalised projection D without BatchNorm. This pairing stalls (G stays at its
    initialisation, benchmarks/cgan_diagnosis.md §4); the shipped cgan_fmnist is `cdcgan-cbn-bnd`."""
    return _initialised(CBNGenerator(z_dim, width), ProjectionDiscriminator(width, norm="spectral"))


def _cdcgan_cbn_bnd(z_dim: int, width: int):
    """Conditional BatchNorm in G with the BatchNorm projection D of `cdcgan` (benchmarks/cgan_diagnosis.md
    §4: in a 200-step probe this CBN G learns with the BatchNorm D, where it stalls with the SN one)."""
    return _initialised(CBNGenerator(z_dim, width), ProjectionDiscriminator(width))


def _cdcgan_snd(z_dim: int, width: int):
    """The label-embedding G of `cdcgan` with a spectrally normalised projection D (no BatchNorm), for the
    hinge loss (benchmarks/cgan_diagnosis.md §4: this pairing learns in the 200-step probe)."""
    return _initialised(ConditionalDCGANGenerator(z_dim, width), ProjectionDiscriminator(width, norm="spectral"))


def _dcgan_sn_bn(z_dim: int, width: int):
    """DCGAN whose D keeps its BatchNorm and has spectral norm on every convolution as well (09: SN's own
    effect, one change against the BatchNorm baseline)."""
    G, D = _dcgan(z_dim, width)
    for i, layer in enumerate(D.net):
        if isinstance(layer, nn.Conv2d):
            D.net[i] = nn.utils.parametrizations.spectral_norm(layer)
    return G, D


def _mlp_bn(z_dim: int, width: int):
    """The MLP with BatchNorm in G, as many articles write it (notebook 04's last bug)."""
    return MLPGenerator(z_dim, (width, 2 * width), batchnorm=True), MLPDiscriminator((2 * width, width))


def _mlp2d(z_dim: int, width: int):
    """For 2-D points (notebook 03): no Tanh, the mixtures reach beyond [-1, 1]."""
    return (MLPGenerator(z_dim, (width, width, width), out_shape=(2,), tanh=False),
            MLPDiscriminator((width, width, width), in_features=2))


# name -> builder(z_dim, width) -> (G, D). `width`: MLP hidden units / DCGAN base channels.
ARCHS = {"mlp": _mlp, "mlp-bn": _mlp_bn, "dcgan": _dcgan, "mlp2d": _mlp2d,
         "dcgan-deep": partial(_dcgan, deep=True),          # 04b: one more 3×3 conv per resolution in G and D
         "dcgan-sn": partial(_dcgan, norm="spectral"),     # 09: spectral norm in D
         "dcgan-sn-bn": _dcgan_sn_bn,                       # 09: spectral norm in D, its BatchNorm kept
         "dcgan-nonorm": partial(_dcgan, norm="none"),      # 09: the WGAN-GP critic
         "dcgan-nonorm-bias": partial(_dcgan, norm="none", bias=True),   # 09: that critic with biases
         "cdcgan": _cdcgan,                                 # 08: G(z, y) and a projection D(x, y), 10 classes
         "cdcgan-cbn": _cdcgan_cbn,                         # 08: conditional BatchNorm in G, SN projection D
         "cdcgan-cbn-bnd": _cdcgan_cbn_bnd,                 # 08: conditional BatchNorm in G, BatchNorm projection D
         "cdcgan-snd": _cdcgan_snd}                         # 08: label-embedding G, SN projection D


def build(arch: str, z_dim: int, width: int) -> tuple[nn.Module, nn.Module]:
    """A generator and discriminator pair by architecture name (one of ARCHS)."""
    if arch not in ARCHS:
        raise ValueError(f"unknown architecture {arch!r}; choose one of {sorted(ARCHS)}.")
    return ARCHS[arch](z_dim, width)


def has_batchnorm(module: nn.Module) -> bool:
    """Whether any layer of the network is a BatchNorm (it mixes the samples of a batch)."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules())


def critic_has_batchnorm(arch: str) -> bool:
    """Whether the discriminator of `arch` has BatchNorm: built on the meta device (no memory, no
    random numbers drawn) just to look at its layers."""
    with torch.device("meta"):
        return has_batchnorm(build(arch, 2, 2)[1])


def is_conditional(module: nn.Module) -> bool:
    """Whether a network takes class labels: forward(z_or_x, y)."""
    return getattr(module, "num_classes", 0) > 0


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
