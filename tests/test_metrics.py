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


# ---- FID on the classifier's features
def frechet(mu1, s1, mu2, s2):
    """‖μ1 − μ2‖² + tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^{1/2}), the trace of the root from the eigenvalues of Σ1Σ2."""
    root_trace = torch.linalg.eigvals(s1 @ s2).sqrt().real.sum()
    return ((mu1 - mu2) ** 2).sum() + torch.trace(s1) + torch.trace(s2) - 2 * root_trace


def moments(f):
    mu = f.mean(0)
    return mu, (f - mu).T @ (f - mu) / (len(f) - 1)


def test_torchmetrics_fid_equals_the_frechet_formula_on_our_features():
    from gan_course import classifier, data

    model = classifier.load_classifier()
    real = data.to_unit_range(data.load_fashion_mnist("train")[0])
    fake = data.to_unit_range(data.load_fashion_mnist("test")[0][:2000]).flip(-1)   # mirrored test images
    ours = frechet(*moments(metrics._features(model, real)), *moments(metrics._features(model, fake)))
    torch.testing.assert_close(metrics.fid(fake), ours.item(), rtol=1e-3, atol=1e-3)


def test_fid_orders_real_below_blurred_below_noise():
    from gan_course import data

    test = data.to_unit_range(data.load_fashion_mnist("test")[0][:2000])
    blurred = torch.nn.functional.avg_pool2d(test, 3, 1, 1)
    noise = torch.rand_like(test) * 2 - 1
    f_real, f_blur, f_noise = (metrics.fid(x) for x in (test, blurred, noise))
    assert f_real < f_blur < f_noise
