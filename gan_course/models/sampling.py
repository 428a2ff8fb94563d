"""Drawing images from a generator: `sample` (eval mode, a fixed noise seed, on the CPU) and
`conditioned` (a conditional network with its labels bound, so it is called like an unconditional one).

Introduced in 00_start_here (sampling) and 08_conditional_gans (labels).
"""
from __future__ import annotations

from functools import partial

import torch
from torch import nn

from ..runtime import device_of
from .nets import is_conditional


def conditioned(net, y: torch.Tensor | None):
    """The network itself, or — for a conditional one — the network with its labels bound."""
    return net if y is None else partial(net, y=y)


@torch.no_grad()
def sample(G: nn.Module, n: int, seed: int = 0, *, labels=None) -> torch.Tensor:
    """n images (n, 1, 28, 28) in [-1, 1] from G in eval mode (BatchNorm uses its running
    statistics), drawn on G's device and returned on the CPU, with a fixed noise seed so the same
    call shows the same z. A conditional G takes `labels` (an int for all n, or n ints); by default
    it cycles through the classes. G runs where it is: move it with `.to(device)` to sample elsewhere.
    G's own mode (train or eval) is restored afterwards."""
    dev = device_of(G)
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed)).to(dev)   # (n, z_dim)
    if is_conditional(G):
        labels = torch.arange(n) % G.num_classes if labels is None else torch.as_tensor(labels).expand(n)
        if not ((labels >= 0) & (labels < G.num_classes)).all():
            raise ValueError(f"labels must be classes 0..{G.num_classes - 1}; got {sorted(set(labels.tolist()))}.")
    elif labels is not None:
        raise ValueError("this generator is unconditional: it takes no labels (train the cgan-fmnist preset "
                         "of 08_conditional_gans for one that does).")
    was_training = G.training
    G.eval()
    try:
        return conditioned(G, None if labels is None else labels.to(dev))(z).float().cpu()
    finally:
        G.train(was_training)
