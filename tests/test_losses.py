import math

import pytest
import torch

from gan_course import losses

LOG2 = math.log(2)


def bce_reference(real, fake):
    """The D loss written with probabilities, as in the paper (fine at moderate logits)."""
    return -(torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean())


def test_d_loss_at_logit_zero_is_two_log_two():
    zero = torch.zeros(5)
    torch.testing.assert_close(losses.d_bce(zero, zero), torch.tensor(2 * LOG2))


def test_g_losses_at_logit_zero():
    zero = torch.zeros(3)
    torch.testing.assert_close(losses.g_nonsaturating(zero), torch.tensor(LOG2))    # -log(1/2)
    torch.testing.assert_close(losses.g_saturating(zero), torch.tensor(-LOG2))      # log(1 - 1/2)


def test_losses_match_probability_form_at_hand_picked_logits():
    real = torch.tensor([-2.0, 0.5, 3.0])
    fake = torch.tensor([-1.0, 0.0, 2.0])
    torch.testing.assert_close(losses.d_bce(real, fake), bce_reference(real, fake))
    torch.testing.assert_close(losses.g_nonsaturating(fake), -torch.log(torch.sigmoid(fake)).mean())
    torch.testing.assert_close(losses.g_saturating(fake), torch.log(1 - torch.sigmoid(fake)).mean())


def test_extreme_logits_stay_finite_with_exact_values():
    big = torch.tensor([100.0, -100.0])
    # softplus(100) = 100 (+ e^-100), softplus(-100) = e^-100 ≈ 0
    torch.testing.assert_close(losses.d_bce(big, big), torch.tensor((100.0 + 0.0) / 2 + (100.0 + 0.0) / 2))
    for loss in (losses.g_nonsaturating(big), losses.g_saturating(big)):
        assert torch.isfinite(loss)
    assert not torch.isfinite(bce_reference(big, big))   # the naive form breaks here


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_gradients_match_closed_form(name):
    fake = torch.tensor([-3.0, -0.5, 0.0, 2.0], requires_grad=True)
    real = torch.tensor([1.0, -1.0, 4.0, 0.0], requires_grad=True)
    loss = losses.get(name)
    loss.g(fake).backward()
    s = torch.sigmoid(fake.detach())
    n = len(fake)
    # d/dl of -log σ(l) is -(1 - σ(l)); d/dl of log(1 - σ(l)) is -σ(l)
    expected = -(1 - s) / n if name == "ns" else -s / n
    torch.testing.assert_close(fake.grad, expected)
    fake.grad = None
    loss.d(real, fake).backward()
    torch.testing.assert_close(real.grad, -(1 - torch.sigmoid(real.detach())) / n)
    torch.testing.assert_close(fake.grad, torch.sigmoid(fake.detach()) / n)


def test_registry_names_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown loss 'wgan'.*'ns'"):
        losses.get("wgan")
