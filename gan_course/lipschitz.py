"""A layer's Lipschitz constant, measured (09_stabilizing_training).

Spectral normalisation divides a convolution's kernel, reshaped to a matrix (out, in·k·k), by its
largest singular value. The convolution as a linear map on images is a different, much larger
matrix, and its largest singular value (its operator norm, the layer's Lipschitz constant in L2)
is not 1 in general: each input pixel is seen by several overlapping kernel positions.
`operator_norm` measures it by power iteration on the map itself; `unrolled` builds the full
matrix for small inputs, so the two can be checked against `torch.linalg.matrix_norm(·, 2)`.
"""
from __future__ import annotations

import torch
from torch import nn


def _linear_part(layer: nn.Module, shape: tuple[int, ...]):
    """x ↦ layer(x) − layer(0) for inputs of `shape` (C, H, W): the linear part of an affine layer,
    on the layer's device, in eval mode (spectral norm's stored estimate is used, not refined)."""
    p = next(layer.parameters())
    zero = torch.zeros(1, *shape, device=p.device, dtype=p.dtype)
    with torch.no_grad():
        offset = layer(zero)
    return lambda x: layer(x) - offset


def unrolled(layer: nn.Module, shape: tuple[int, ...]) -> torch.Tensor:
    """The layer's linear part as a matrix (outputs, inputs) for one input of `shape` (C, H, W),
    column j = the layer applied to the j-th unit image. Only for small shapes: it holds
    prod(shape) × outputs numbers. On the CPU."""
    was_training = layer.training
    layer.eval()
    try:
        f = _linear_part(layer, shape)
        n = torch.Size(shape).numel()
        p = next(layer.parameters())
        eye = torch.eye(n, device=p.device, dtype=p.dtype).reshape(n, *shape)
        with torch.no_grad():
            cols = torch.cat([f(chunk).flatten(1) for chunk in eye.split(256)])   # (inputs, outputs)
        return cols.T.cpu()
    finally:
        layer.train(was_training)


def operator_norm(layer: nn.Module, shape: tuple[int, ...], iters: int = 200, seed: int = 0) -> float:
    """Largest singular value of the layer's linear part on inputs of `shape` (C, H, W), by power
    iteration v ← AᵀA v / ‖AᵀA v‖, with AᵀA v the gradient of ½‖A v‖² (autograd supplies Aᵀ).
    Runs on the layer's device, in eval mode; the layer's parameters get no gradient."""
    was_training = layer.training
    needs_grad = [p.requires_grad for p in layer.parameters()]
    layer.eval().requires_grad_(False)
    try:
        f = _linear_part(layer, shape)
        p = next(layer.parameters())
        g = torch.Generator().manual_seed(seed)
        v = torch.randn(1, *shape, generator=g).to(p.device, p.dtype)
        v = v / v.norm()
        for _ in range(iters):
            v.requires_grad_(True)
            (grad,) = torch.autograd.grad(0.5 * f(v).square().sum(), v)        # AᵀA v
            v = (grad / grad.norm()).detach()
        with torch.no_grad():
            return f(v).norm().item()                                          # ‖A v‖ with ‖v‖ = 1
    finally:
        layer.train(was_training)
        for q, flag in zip(layer.parameters(), needs_grad):
            q.requires_grad_(flag)


def r1_gamma_heuristic(resolution: int, batch_size: int) -> float:
    """StyleGAN2-ADA's starting point for R1's weight, γ = 0.0002 · resolution² / batch size
    (Karras et al. 2020, stylegan2-ada-pytorch's `--cfg=auto`). The gradient penalty sums over
    pixels, so a good γ scales with their number: γ = 10 (Mescheder et al. 2018) was chosen for
    large images; for 28×28 at batch 128 the heuristic gives about 0.001."""
    return 0.0002 * resolution ** 2 / batch_size
