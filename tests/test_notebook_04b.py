"""Formulas notebook 04b prints that are PyTorch identities rather than package code: the Keras
slips' losses on logits, and two LeakyReLU layers in a row. (The conv arithmetic is in
test_shapes.py, the classifier's figures in test_digits.py.)"""
import torch
import torch.nn.functional as F
from torch import nn

from gan_course import losses

LOGITS = torch.linspace(-8, 8, 33, dtype=torch.float64)


def test_g_toward_the_fake_label_is_minus_the_minimax_loss_and_pushes_logits_down():
    l = LOGITS.clone().requires_grad_(True)
    toward_fake = F.binary_cross_entropy_with_logits(l, torch.zeros_like(l))
    torch.testing.assert_close(toward_fake, F.softplus(l).mean())                   # softplus(l)
    torch.testing.assert_close(toward_fake, -torch.log1p(-torch.sigmoid(l)).mean())  # −log(1 − D(G(z)))
    torch.testing.assert_close(toward_fake, -losses.g_saturating(l))                # minus the minimax G loss
    (grad,) = torch.autograd.grad(toward_fake * len(l), l)
    torch.testing.assert_close(grad, torch.sigmoid(l).detach())                     # σ(l) > 0: G lowers D's logit
    right = F.binary_cross_entropy_with_logits(l, torch.ones_like(l))
    torch.testing.assert_close(right, losses.g_nonsaturating(l))
    (grad,) = torch.autograd.grad(right * len(l), l)
    torch.testing.assert_close(grad, torch.sigmoid(l).detach() - 1)                 # σ(l) − 1 < 0: raises it


def test_d_on_reals_only_is_lowered_by_calling_everything_real():
    real, fake = LOGITS + 1.5, 0.5 * LOGITS - 1        # not symmetric about 0, so the two terms differ
    reals_only = F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
    torch.testing.assert_close(reals_only, F.softplus(-real).mean())
    shifted = F.binary_cross_entropy_with_logits(real + 5, torch.ones_like(real))
    assert shifted < reals_only                                                     # raise every logit: lower loss
    torch.testing.assert_close(losses.d_bce(real, fake) - F.softplus(fake).mean(), reals_only)   # d_bce minus its fake term


def test_two_leaky_relus_are_one_with_the_slope_squared():
    x = torch.linspace(-3, 3, 61)
    for a in (0.2, 0.01, 0.5):
        twice = nn.Sequential(nn.LeakyReLU(a), nn.LeakyReLU(a))(x)
        torch.testing.assert_close(twice, F.leaky_relu(x, a * a))
        torch.testing.assert_close(twice[x < 0] / x[x < 0], torch.full(((x < 0).sum().item(),), a * a))
