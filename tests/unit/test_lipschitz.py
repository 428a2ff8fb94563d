import pytest
import torch
from torch import nn

from gan_course import lipschitz, nets


def _conv(kernel: torch.Tensor, stride: int, padding: int = 0) -> nn.Conv2d:
    layer = nn.Conv2d(1, 1, kernel.shape[-1], stride, padding, bias=True)
    with torch.no_grad():
        layer.weight.copy_(kernel.reshape(1, 1, *kernel.shape))
        layer.bias.fill_(3.0)                                    # the bias is not part of the linear map
    return layer


def test_overlapping_kernel_has_operator_norm_above_its_reshaped_norm():
    # a 2×2 kernel of 0.5: as a matrix (1, 4) its norm is 1, the value spectral norm enforces;
    # at stride 1 a constant image is multiplied by the kernel's sum, 2 (less at the borders)
    layer = _conv(torch.full((2, 2), 0.5), stride=1)
    assert torch.linalg.matrix_norm(layer.weight.flatten(1), 2).item() == pytest.approx(1.0)
    exact = torch.linalg.matrix_norm(lipschitz.unrolled(layer, (1, 12, 12)), 2).item()
    assert 1.9 < exact < 2.0
    assert lipschitz.operator_norm(layer, (1, 12, 12), iters=300) == pytest.approx(exact, rel=1e-3)


def test_non_overlapping_stride_keeps_the_reshaped_norm():
    # stride 2 with a 2×2 kernel: every pixel is seen once, the map is block-diagonal, norm exactly 1
    layer = _conv(torch.full((2, 2), 0.5), stride=2)
    torch.testing.assert_close(torch.linalg.matrix_norm(lipschitz.unrolled(layer, (1, 8, 8)), 2), torch.tensor(1.0))
    assert lipschitz.operator_norm(layer, (1, 8, 8)) == pytest.approx(1.0, rel=1e-4)


def test_power_iteration_matches_the_unrolled_matrix_on_a_spectral_norm_conv():
    torch.manual_seed(0)
    _, D = nets.build("dcgan-sn", 100, 8)
    first = D.net[0]                                             # SN Conv2d(1, 8, 4, 2, 1)
    for _ in range(10):
        D(torch.randn(4, 1, 28, 28))                             # refine the σ estimate
    A = lipschitz.unrolled(first, (1, 14, 14))
    assert A.shape == (8 * 7 * 7, 196)
    exact = torch.linalg.matrix_norm(A, 2)
    torch.testing.assert_close(torch.tensor(lipschitz.operator_norm(first, (1, 14, 14), iters=150)), exact, rtol=1e-3, atol=0)
    assert first.training and all(p.requires_grad for p in first.parameters())   # left as it was
    # 09's bound: each input pixel is covered by c = (4/2)² kernel positions, so ‖A‖ ≤ √c · σ(W) = 2 σ(W)
    sigma = torch.linalg.matrix_norm(first.weight.detach().flatten(1), 2)
    assert sigma < exact <= 2 * sigma


def test_linear_layer_norm_is_its_largest_singular_value():
    layer = nn.Linear(5, 3)
    A = lipschitz.unrolled(layer, (5,))
    torch.testing.assert_close(A, layer.weight.detach())
    torch.testing.assert_close(torch.tensor(lipschitz.operator_norm(layer, (5,))),
                               torch.linalg.matrix_norm(layer.weight.detach(), 2), rtol=1e-4, atol=0)


def test_r1_gamma_heuristic():
    # stylegan2-ada-pytorch's cfg=auto: 0.0002 · res² / minibatch; FFHQ 1024² at batch 32 → 6.5536
    assert lipschitz.r1_gamma_heuristic(1024, 32) == pytest.approx(6.5536)
    assert lipschitz.r1_gamma_heuristic(28, 128) == pytest.approx(0.001225)
