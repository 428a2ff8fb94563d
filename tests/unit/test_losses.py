import math

import pytest
import torch

from gan_course import losses

LOG2 = math.log(2)
REAL = torch.tensor([1.0, -1.0, 4.0, 0.5])
FAKE = torch.tensor([-3.0, -0.5, 0.0, 2.0])
σ = torch.sigmoid


def bce_reference(real, fake):
    """The D loss written with probabilities, as in the paper (fine at moderate logits)."""
    return -(torch.log(σ(real)).mean() + torch.log(1 - σ(fake)).mean())


def test_d_loss_at_logit_zero_is_two_log_two():
    zero = torch.zeros(5)
    torch.testing.assert_close(losses.d_bce(zero, zero), torch.tensor(2 * LOG2))


def test_g_losses_at_logit_zero():
    zero = torch.zeros(3)
    torch.testing.assert_close(losses.g_nonsaturating(zero), torch.tensor(LOG2))    # -log(1/2)
    torch.testing.assert_close(losses.g_saturating(zero), torch.tensor(-LOG2))      # log(1 - 1/2)


def test_bce_losses_match_probability_form_at_hand_picked_logits():
    torch.testing.assert_close(losses.d_bce(REAL, FAKE), bce_reference(REAL, FAKE))
    torch.testing.assert_close(losses.g_nonsaturating(FAKE), -torch.log(σ(FAKE)).mean())
    torch.testing.assert_close(losses.g_saturating(FAKE), torch.log(1 - σ(FAKE)).mean())


def test_other_losses_at_hand_picked_scores():
    r, f = torch.tensor([2.0, 0.0]), torch.tensor([-2.0, 0.5])
    # LSGAN: ½·mean((r-1)²) + ½·mean(f²) = ½·(1+1)/2 + ½·(4+0.25)/2
    torch.testing.assert_close(losses.d_least_squares(r, f), torch.tensor(0.5 + 1.0625))
    torch.testing.assert_close(losses.g_least_squares(f), torch.tensor(0.5 * (9 + 0.25) / 2))
    # WGAN critic: mean(f) - mean(r) = -0.75 - 1
    torch.testing.assert_close(losses.d_wasserstein(r, f), torch.tensor(-1.75))
    torch.testing.assert_close(losses.g_wasserstein(f), torch.tensor(0.75))
    # hinge: mean(relu(1 - r)) = (0 + 1)/2; mean(relu(1 + f)) = (0 + 1.5)/2
    torch.testing.assert_close(losses.d_hinge(r, f), torch.tensor(0.5 + 0.75))


def test_extreme_logits_stay_finite_with_exact_values():
    big = torch.tensor([100.0, -100.0])
    # softplus(±100) = 100 or ≈ 0 (e^-100)
    torch.testing.assert_close(losses.d_bce(big, big), torch.tensor(100.0))
    torch.testing.assert_close(losses.g_nonsaturating(big), torch.tensor(50.0))
    torch.testing.assert_close(losses.g_saturating(big), torch.tensor(-50.0))
    assert not torch.isfinite(bce_reference(big, big))   # the naive form breaks here


# d loss / d logit, per element, times the batch size n (each loss is a mean)
CLOSED_FORM_GRADS = {
    "ns":         dict(g=lambda f: -(1 - σ(f)),  d_real=lambda r: -(1 - σ(r)), d_fake=σ),
    "saturating": dict(g=lambda f: -σ(f),        d_real=lambda r: -(1 - σ(r)), d_fake=σ),
    "lsgan":      dict(g=lambda f: f - 1,        d_real=lambda r: r - 1,       d_fake=lambda f: f),
    "hinge":      dict(g=lambda f: -torch.ones_like(f), d_real=lambda r: -(r < 1).float(),
                       d_fake=lambda f: (f > -1).float()),
    "wgan-gp":    dict(g=lambda f: -torch.ones_like(f), d_real=lambda r: -torch.ones_like(r),
                       d_fake=lambda f: torch.ones_like(f)),
}
CLOSED_FORM_GRADS["ns-r1"] = CLOSED_FORM_GRADS["ns"]


def test_every_registered_loss_has_closed_form_gradients_here():
    assert set(CLOSED_FORM_GRADS) == set(losses.LOSSES)


@pytest.mark.parametrize("name", sorted(CLOSED_FORM_GRADS))
def test_autograd_matches_closed_form_gradients(name):
    fake, real = FAKE.clone().requires_grad_(), REAL.clone().requires_grad_()
    rule, grads, n = losses.get(name), CLOSED_FORM_GRADS[name], len(FAKE)
    rule.g(fake).backward()
    torch.testing.assert_close(fake.grad, grads["g"](FAKE) / n)
    fake.grad = None
    rule.d(real, fake).backward()
    torch.testing.assert_close(real.grad, grads["d_real"](REAL) / n)
    torch.testing.assert_close(fake.grad, grads["d_fake"](FAKE) / n)


def test_saturating_gradient_vanishes_when_d_rejects_fakes_and_ns_does_not():
    fake = torch.tensor([-10.0], requires_grad=True)          # D(G(z)) = σ(-10) ≈ 4.5e-5
    losses.g_saturating(fake).backward()
    sat = fake.grad.abs().item()
    fake.grad = None
    losses.g_nonsaturating(fake).backward()
    torch.testing.assert_close(sat, σ(torch.tensor(-10.0)).item())          # |∂/∂l| = D
    torch.testing.assert_close(fake.grad.abs().item(), 1 - σ(torch.tensor(-10.0)).item())  # = 1 - D


# ---- penalties, checked on a linear critic f(x) = w·x + b, whose input gradient is w everywhere
def linear_critic(w):
    return lambda x: x.flatten(1) @ w + 0.3


@pytest.mark.parametrize("w", [torch.tensor([3.0, 4.0]), torch.tensor([0.6, 0.8]), torch.tensor([0.0, 0.5])])
def test_gradient_penalty_of_linear_critic_is_lambda_times_norm_minus_one_squared(w):
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    gp = losses.gradient_penalty(linear_critic(w), real, fake, weight=10.0)
    torch.testing.assert_close(gp, 10.0 * (w.norm() - 1) ** 2)             # λ(‖w‖ - 1)²


def test_r1_of_linear_critic_is_half_gamma_norm_squared():
    w = torch.tensor([3.0, 4.0])
    torch.testing.assert_close(losses.r1_penalty(linear_critic(w), torch.randn(8, 2), weight=2.0),
                               torch.tensor(25.0))                          # (γ/2)‖w‖²


def test_gradient_penalty_is_taken_at_interpolates_between_real_and_fake():
    # f(x) = ½‖x‖² has ∇f(x) = x, so the penalty reveals the points it was evaluated at.
    real, fake = torch.randn(32, 1, 2, 2), torch.randn(32, 1, 2, 2)
    critic = lambda x: 0.5 * x.flatten(1).pow(2).sum(1)
    gp = losses.gradient_penalty(critic, real, fake, weight=1.0, generator=torch.Generator().manual_seed(5))
    eps = torch.rand(32, 1, 1, 1, generator=torch.Generator().manual_seed(5))
    x_hat = eps * real + (1 - eps) * fake
    torch.testing.assert_close(gp, (x_hat.flatten(1).norm(dim=1) - 1).pow(2).mean())


def test_penalties_are_differentiable_for_the_critic():
    D = torch.nn.Linear(2, 1)
    critic = lambda x: D(x).squeeze(1)
    losses.gradient_penalty(critic, torch.randn(4, 2), torch.randn(4, 2)).backward()
    assert D.weight.grad is not None and D.weight.grad.abs().sum() > 0


def test_registry_names_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown loss 'wgan'.*'ns'"):
        losses.get("wgan")


def test_bce_on_probabilities_caps_the_loss_and_loses_the_gradient_where_d_is_confidently_wrong():
    # notebook 02 §1: nn.BCELoss clamps log at −100 (never inf/NaN) but its gradient w.r.t. the logit is
    # wrong or zero at confident logits; d_bce (softplus on logits) keeps the exact σ(l) − y.
    l = torch.tensor([-200.0, -30.0, 20.0], requires_grad=True)
    y = torch.tensor([1.0, 1.0, 0.0])                                          # two reals rejected, a fake accepted
    on_probs = torch.nn.BCELoss(reduction="none")(torch.sigmoid(l), y)
    torch.testing.assert_close(on_probs, torch.tensor([100.0, 30.0, 100.0]))   # capped at 100, finite
    (g_probs,) = torch.autograd.grad(on_probs.sum(), l)
    assert g_probs[0] == 0 and g_probs[2] == 0 and abs(g_probs[1]) < 0.2      # exact: −1, −1, +1
    (g_ours,) = torch.autograd.grad(losses.d_bce(l[:2], l[2:]) * 2, l)          # means over 2 reals, 1 fake
    torch.testing.assert_close(g_ours, torch.tensor([-1.0, -1.0, 2.0]))


def test_the_minimax_game_is_zero_sum_and_the_non_saturating_one_is_not():
    # L_D + L_G: with the minimax G loss the fakes cancel out (only E softplus(-l_real) is left); with the
    # non-saturating one each fake adds softplus(l) + softplus(-l) = 2·log(2·cosh(l/2)) >= 2·log 2 (equal at l = 0)
    real = torch.linspace(-3, 3, 7, dtype=torch.float64)
    fake = torch.linspace(-9, 5, 15, dtype=torch.float64)         # not symmetric about 0
    left = torch.nn.functional.softplus(-real).mean()
    torch.testing.assert_close(losses.d_bce(real, fake) + losses.g_saturating(fake), left)
    torch.testing.assert_close(losses.d_bce(real, fake) + losses.g_nonsaturating(fake),
                               left + (2 * torch.log(2 * torch.cosh(fake / 2))).mean())
