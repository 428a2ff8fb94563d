"""Two claims notebook 05 prints: the noise bar for two single FIDs, and Adam's indifference to a
constant gradient scale (why a binding clip does not "lower the learning rate" under Adam)."""
import numpy as np
import pytest
import torch

from gan_course import accel
from gan_course.experiments import stats


def test_noise_bar_is_crossed_by_chance_about_one_time_in_twenty():
    rng = np.random.default_rng(0)
    bar = stats.noise_bar(rng.normal(7.6, 0.2, size=100_000))        # a known spread, s = 0.2
    assert bar == pytest.approx(2 * np.sqrt(2) * 0.2, rel=0.01)
    a, b = rng.normal(7.6, 0.2, size=(2, 200_000))                     # pairs of single measurements
    assert np.mean(np.abs(a - b) > bar) == pytest.approx(0.0455, abs=0.004)   # P(|N(0,1)| > 2)


def test_noise_bar_needs_repeats():
    with pytest.raises(ValueError, match="at least two"):
        stats.noise_bar([7.6])


@pytest.mark.parametrize("impl", ["auto", "foreach", "plain", "default"])
def test_the_course_adam_ignores_a_constant_gradient_scale(impl):
    g = [torch.randn(50, generator=torch.Generator().manual_seed(s)) for s in range(5)]
    ends = []
    for scale in (1.0, 1000.0):
        p = torch.nn.Parameter(torch.zeros(50))
        opt = accel.adam([p], 1e-3, (0.5, 0.999), torch.device("cpu"), impl)
        for gi in g:
            p.grad = scale * gi
            opt.step()
        ends.append(p.detach().clone())
    torch.testing.assert_close(ends[0], ends[1], rtol=1e-4, atol=1e-7)    # equal up to Adam's ε
    assert ends[0].abs().max() > 1e-3                                      # and it did move
