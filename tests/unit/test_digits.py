"""The digit classifier of notebook 04b and the figures it reads off a generator's samples."""
import math

import pytest
import torch

from gan_course import data, digits


@pytest.mark.parametrize("counts", [[100] * 10, [1000] + [0] * 9, [500, 500] + [0] * 8, [3, 1, 4, 1, 5, 9, 2, 6, 5, 3],
                                    [7, 0, 2]])
def test_uniformity_is_the_normalised_entropy(counts):
    total = sum(counts)                                   # −Σ p log p with 0·log 0 = 0, in plain Python
    expected = -sum(c / total * math.log(c / total) for c in counts if c) / math.log(len(counts))
    torch.testing.assert_close(digits.uniformity(torch.tensor(counts)), expected)


def test_uniformity_at_its_ends_and_the_exercise_value():
    assert digits.uniformity([400] * 10) == pytest.approx(1.0)
    assert digits.uniformity([0, 0, 1000] + [0] * 7) == 0.0
    assert math.copysign(1.0, digits.uniformity([0, 0, 1000] + [0] * 7)) == 1.0   # 0.0, not -0.0 (printed as -0.000)
    assert digits.uniformity([500, 500] + [0] * 8) == pytest.approx(math.log(2) / math.log(10))   # 04b exercise 3


def test_smallest_share_shows_the_missing_digit_that_uniformity_hides():
    nine = [100] * 9 + [0]                                # one digit of ten never drawn
    assert digits.uniformity(nine) > 0.95                 # log 9 / log 10: looks nearly perfect
    assert digits.smallest_share(nine) == (0.0, 9)
    assert digits.smallest_share([100, 12] + [111] * 8) == pytest.approx((12 / 1000, 1))
    assert digits.smallest_share([100] * 10) == pytest.approx((0.1, 0))
    with pytest.raises(ValueError, match="non-negative numbers"):
        digits.smallest_share([0] * 10)


@pytest.mark.parametrize("bad", [[0] * 10, [5], [1, -1, 3]])
def test_uniformity_refuses_counts_that_are_not_a_histogram(bad):
    with pytest.raises(ValueError, match="non-negative numbers with a positive sum"):
        digits.uniformity(bad)


def test_histogram_counts_each_digit_and_refuses_other_labels():
    assert digits.histogram(torch.tensor([0, 3, 3, 9])).tolist() == [1, 0, 0, 2, 0, 0, 0, 0, 0, 1]
    assert digits.histogram(torch.tensor([1, 1])).tolist() == [0, 2] + [0] * 8      # ten bins even when 9 is absent
    with pytest.raises(ValueError, match="digits 0..9"):
        digits.histogram(torch.tensor([2, 10]))


def test_the_classifier_trains_in_seconds_and_reads_held_out_digits():
    model, info = digits.train(epochs=2)
    assert info["test_accuracy"] > 0.9, info
    x, y = data.load_mnist5k("test")
    s = digits.spread(model, data.to_unit_range(x))
    assert (s["labels"] == y).float().mean().item() == pytest.approx(info["test_accuracy"])
    assert s["counts"].sum() == 1000 and s["uniformity"] > 0.99 and s["sure"] > 0.5
    one = digits.spread(model, data.to_unit_range(x[:1]).expand(50, -1, -1, -1))
    assert one["uniformity"] == 0.0 and one["counts"].max() == 50
    assert one["smallest_share"] == 0.0 and one["counts"][one["smallest_digit"]] == 0
    assert s["smallest_share"] == s["counts"].min().item() / 1000


def test_passes_needs_all_three_figures():
    real = {"sure": 0.5, "uniformity": 1.0, "smallest_share": 0.1}
    good = {"sure": 0.375, "uniformity": 0.95, "smallest_share": 0.02}        # each exactly at its bound (¾ · 0.5)
    assert digits.passes(good, real)
    assert digits.passes(real, real)
    assert not digits.passes({**good, "sure": 0.37}, real)                   # unclear images
    assert not digits.passes({**good, "uniformity": 0.94}, real)             # piled onto a few digits
    assert not digits.passes({**good, "smallest_share": 0.019}, real)        # one digit (almost) never drawn
    assert not digits.passes(good, {**real, "sure": 0.51})                   # judged against the real share
