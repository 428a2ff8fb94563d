"""The convolution arithmetic of notebook 04b against PyTorch's own layers."""
import itertools

import pytest
import torch
from torch import nn

from gan_course import nets, shapes


GRID = list(itertools.product((1, 3, 7, 14, 28), (1, 3, 4, 7), (1, 2, 3), (0, 1, 2), (0, 1), (1, 2)))


def test_conv_out_is_what_conv2d_gives():
    checked = 0
    for size, kernel, stride, padding, _, dilation in GRID:
        if size + 2 * padding < dilation * (kernel - 1) + 1:
            continue                                          # the kernel does not fit: PyTorch refuses too
        layer = nn.Conv2d(1, 1, kernel, stride, padding, dilation)
        expected = layer(torch.zeros(1, 1, size, size)).shape[-1]
        assert shapes.conv_out(size, kernel, stride, padding, dilation) == expected, (size, kernel, stride, padding, dilation)
        checked += 1
    assert checked > 300


def test_conv_transpose_out_is_what_conv_transpose2d_gives():
    checked = 0
    for size, kernel, stride, padding, output_padding, dilation in GRID:
        got = shapes.conv_transpose_out(size, kernel, stride, padding, output_padding, dilation)
        if output_padding >= max(stride, dilation) or got < 1 or size > 14:
            continue                                          # combinations PyTorch refuses
        layer = nn.ConvTranspose2d(1, 1, kernel, stride, padding, output_padding, dilation=dilation)
        assert got == layer(torch.zeros(1, 1, size, size)).shape[-1], (size, kernel, stride, padding, output_padding, dilation)
        checked += 1
    assert checked > 250


def test_the_sides_notebook_04b_prints():
    assert [shapes.conv_out(n, 4, 2, 1) for n in (28, 14, 7)] == [14, 7, 3]        # not 4: the floor at 7
    assert [shapes.conv_transpose_out(n, 4, 2, 1) for n in (4, 8)] == [8, 16]       # the article's 16×16
    assert shapes.conv_transpose_out(1, 7, 1, 0) == 7                               # the DCGAN's projection
    G, D = nets.build("dcgan", 64, 8)
    assert [s for _, s in shapes.predicted(G.net, 1)] == [7, 14, 28]
    assert [s for _, s in shapes.predicted(D.net, 28)] == [14, 7, 1]


def test_traced_follows_a_forward_pass_and_stops_at_the_error():
    net = nn.Sequential(nn.Conv2d(1, 4, 4, 2, 1), nn.ReLU(), nn.Conv2d(4, 8, 4, 2, 1), nn.Conv2d(8, 8, 4, 2, 1),
                        nn.Flatten(), nn.Linear(8 * 4 * 4, 1))
    trace = shapes.traced(net, torch.zeros(2, 1, 28, 28))
    assert trace[:5] == [("Conv2d", (2, 4, 14, 14)), ("ReLU", (2, 4, 14, 14)), ("Conv2d", (2, 8, 7, 7)),
                         ("Conv2d", (2, 8, 3, 3)), ("Flatten", (2, 72))]
    assert trace[5][0] == "Linear" and trace[5][1].startswith("RuntimeError: ") and "72" in trace[5][1]
    assert [s for _, s in shapes.predicted(net, 28)] == [14, 7, 3]


def test_a_kernel_larger_than_the_padded_input_is_refused_by_name():
    with pytest.raises(ValueError, match="does not fit in a side of 2"):
        shapes.conv_out(2, 7)
