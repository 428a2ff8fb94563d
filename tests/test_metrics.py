import math

import torch

from gan_course import data, metrics

RING = data.MIXTURES["ring"]


def coverage(samples):
    return metrics.mode_coverage(samples, RING.modes, RING.std)


def test_samples_from_all_modes_cover_all_eight():
    m = coverage(RING.sample(4000, torch.Generator().manual_seed(0)))
    assert m["modes"] == 8
    torch.testing.assert_close(m["quality"], 1 - math.exp(-4.5), rtol=0, atol=0.005)  # P(‖N(0, I₂)‖ ≤ 3)


def test_samples_from_one_mode_cover_one():
    one = RING.modes[3] + RING.std * torch.randn(1000, 2, generator=torch.Generator().manual_seed(0))
    m = coverage(one)
    assert m["modes"] == 1 and m["counts"][3] > 980


def test_uniform_noise_has_low_quality():
    noise = torch.rand(4000, 2, generator=torch.Generator().manual_seed(0)) * 6 - 3
    m = coverage(noise)
    # 8 discs of radius 3σ = 0.15 in a 6×6 square: area share 8·π·0.15²/36 ≈ 1.6 %
    torch.testing.assert_close(m["quality"], 8 * torch.pi * 0.15 ** 2 / 36, rtol=0.3, atol=0)
    assert m["modes"] == 0


def test_a_mode_needs_a_quarter_of_its_fair_share():
    # 800 samples, fair share 100: a mode with 25 samples counts, one with 24 does not
    counts = [25, 24, 751, 0, 0, 0, 0, 0]
    pts = torch.cat([RING.modes[k].expand(c, 2) for k, c in enumerate(counts)])
    m = coverage(pts)
    assert m["counts"] == counts and m["modes"] == 2
