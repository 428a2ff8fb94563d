from gan_course.experiments import speed
import pytest

from gan_course.experiments import speed as bench
from gan_course.training import TrainConfig

TINY = dict(arch="mlp", dataset="mnist5k", z_dim=8, batch_size=4, device="cpu")


def mlp_step_macs(z: int, w: int, b: int, k_d: int = 1) -> int:
    """One step of the MLP GAN by hand. G: z→w→2w→784; D: 784→2w→w→1. A linear layer's forward costs
    b·in·out multiply-adds, its weight gradient as much again, its input gradient as much again
    (skipped where the input needs no gradient: reals, detached fakes, z)."""
    g_layers = [z * w, w * 2 * w, 2 * w * 784]
    d_layers = [784 * 2 * w, 2 * w * w, w * 1]
    G, D, G0, D0 = sum(g_layers), sum(d_layers), g_layers[0], d_layers[0]
    per_d_step = 2 * D + 2 * (2 * D - D0)     # forward on reals and fakes; weight + input grads, not at the input
    g_step = D + D + (G + G - G0)            # D forward on the fakes; input grads through D; G's weight + input grads
    return b * (G + k_d * per_d_step + g_step)   # one G forward: its fakes serve the last D step and the G step


@pytest.mark.parametrize("w, b, k_d", [(4, 4, 1), (8, 4, 1), (4, 6, 2)])
def test_a_steps_flops_are_the_hand_counted_multiply_adds_of_its_passes(w, b, k_d):
    cfg = TrainConfig(**{**TINY, "width": w, "batch_size": b, "k_d": k_d})
    extra_g_forwards = (k_d - 1) * b * (8 * w + w * 2 * w + 2 * w * 784)   # d_step draws its own fakes for extra D steps
    assert speed.step_flops(cfg) == 2 * (mlp_step_macs(8, w, b, k_d) + extra_g_forwards)


def test_the_dcgan_step_is_not_w_squared_and_not_the_forward_ratio_exactly():
    cfg = lambda w: TrainConfig(arch="dcgan", dataset="fashion_mnist", z_dim=100, width=w, batch_size=2, device="cpu")
    ratio = speed.step_flops(cfg(64)) / speed.step_flops(cfg(16))
    assert 13 < ratio < 16                                   # the inner layers' w² is diluted by the linear ones
    assert ratio != pytest.approx(speed.forward_flops(64) / speed.forward_flops(16), abs=1e-3)
