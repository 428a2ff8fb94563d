"""Convolution arithmetic: the spatial size after each layer, by formula and by a forward pass.

The formulas are PyTorch's (the shape sections of nn.Conv2d and nn.ConvTranspose2d; Dumoulin &
Visin 2016, "A guide to convolution arithmetic"), for one spatial side:

    Conv2d:           out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1
    ConvTranspose2d:  out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1

so a 4×4 kernel with stride 2 and padding 1 halves a side (28 → 14 → 7 → 3: the floor bites at 7)
and its transpose doubles one (7 → 14 → 28). Introduced in 04b_the_articles_conv_gan.
"""
from __future__ import annotations

import torch
from torch import nn


def _pair(v) -> tuple[int, int]:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """One side of Conv2d's output: ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1."""
    out = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError(f"a {kernel}×{kernel} convolution (stride {stride}, padding {padding}) does not fit "
                         f"in a side of {size}: the output would have size {out}.")
    return out


def conv_transpose_out(size: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0,
                       dilation: int = 1) -> int:
    """One side of ConvTranspose2d's output: (size − 1)·stride − 2·padding + dilation·(kernel − 1)
    + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def predicted(layers, size: int) -> list[tuple[str, int]]:
    """The side length after each Conv2d / ConvTranspose2d of `layers` (other layers keep it),
    from the formulas alone: [(layer name, side), ...]."""
    sides = []
    for layer in layers:
        if isinstance(layer, nn.ConvTranspose2d):
            size = conv_transpose_out(size, layer.kernel_size[0], layer.stride[0], _pair(layer.padding)[0],
                                      layer.output_padding[0], layer.dilation[0])
        elif isinstance(layer, nn.Conv2d):
            size = conv_out(size, layer.kernel_size[0], layer.stride[0], _pair(layer.padding)[0], layer.dilation[0])
        else:
            continue
        sides.append((type(layer).__name__, size))
    return sides


@torch.no_grad()
def traced(net: nn.Module, x: torch.Tensor) -> list[tuple[str, tuple[int, ...]]]:
    """The output shape of each direct child of `net` (or of net.net when it wraps a Sequential) in
    one forward pass of `x`: [(layer name, shape), ...]. A layer that raises stops the trace with the
    error PyTorch gives, as the last entry (name, 'RuntimeError: ...')."""
    layers = net.net if isinstance(getattr(net, "net", None), nn.Sequential) else net
    out = []
    for layer in layers.children():
        try:
            x = layer(x)
        except (RuntimeError, ValueError, TypeError) as err:
            out.append((type(layer).__name__, f"{type(err).__name__}: {str(err).splitlines()[0]}"))
            break
        out.append((type(layer).__name__, tuple(x.shape)))
    return out
