"""GAN losses as pure functions of discriminator outputs ("logits" l = D(x), unbounded).

Each returns a scalar to *minimise*. With D(x) = σ(l) the probability that x is real:
  -log σ(l)      = softplus(-l)    (never the log of a sigmoid: it overflows for large |l|)
  -log(1 - σ(l)) = softplus(l)
For LSGAN, WGAN and hinge, l is a raw score (a "critic"), not a log-odds.
Penalties take the critic and samples. No loss calls an optimizer; the loop does.
Derived in 02_deriving_the_losses.
"""
from __future__ import annotations

from functools import partial
from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


# ----------------------------------------------------------------------------- Goodfellow et al. 2014
def d_bce(real: Tensor, fake: Tensor) -> Tensor:
    """Discriminator: maximise V = E[log D(x)] + E[log(1 - D(G(z)))], i.e. minimise -V."""
    return (F.softplus(-real).mean()      # -E[log D(x)]
            + F.softplus(fake).mean())    # -E[log(1 - D(G(z)))]


def g_saturating(fake: Tensor) -> Tensor:
    """Generator, as in the minimax game: minimise E[log(1 - D(G(z)))]."""
    return -F.softplus(fake).mean()       # E[log(1 - D(G(z)))]


def g_nonsaturating(fake: Tensor) -> Tensor:
    """Generator, the practical choice: minimise -E[log D(G(z))] (strong gradients early on)."""
    return F.softplus(-fake).mean()       # -E[log D(G(z))]


def d_bce_smoothed(real: Tensor, fake: Tensor, alpha: float = 0.1) -> Tensor:
    """d_bce with one-sided label smoothing (Salimans et al. 2016): real targets 1 − α, fake targets 0.
    Its optimum is D* = (1 − α)·p_data/(p_data + p_g) (theory.smoothed_optimal_d). Introduced in 02."""
    if not 0 <= alpha < 1:
        raise ValueError(f"alpha must be in [0, 1); got {alpha}.")
    return ((1 - alpha) * F.softplus(-real).mean()   # -(1 − α) E[log D(x)]
            + alpha * F.softplus(real).mean()         # -α E[log(1 − D(x))]
            + F.softplus(fake).mean())                # -E[log(1 - D(G(z)))]


# ----------------------------------------------------------------------------- LSGAN (Mao et al. 2017)
def d_least_squares(real: Tensor, fake: Tensor) -> Tensor:
    return (0.5 * (real - 1).pow(2).mean()   # ½ E[(D(x) - 1)²]
            + 0.5 * fake.pow(2).mean())      # ½ E[D(G(z))²]


def g_least_squares(fake: Tensor) -> Tensor:
    return 0.5 * (fake - 1).pow(2).mean()    # ½ E[(D(G(z)) - 1)²]


# ----------------------------------------------------------------------------- WGAN (Arjovsky et al. 2017)
def d_wasserstein(real: Tensor, fake: Tensor) -> Tensor:
    """Critic: maximise E[f(x)] - E[f(G(z))], the Kantorovich–Rubinstein dual for 1-Lipschitz f."""
    return fake.mean() - real.mean()         # E[f(G(z))] - E[f(x)]


def g_wasserstein(fake: Tensor) -> Tensor:
    return -fake.mean()                      # -E[f(G(z))]


# ----------------------------------------------------------------------------- hinge (Lim & Ye 2017; Miyato et al. 2018)
def d_hinge(real: Tensor, fake: Tensor) -> Tensor:
    return (F.relu(1 - real).mean()          # E[max(0, 1 - D(x))]
            + F.relu(1 + fake).mean())       # E[max(0, 1 + D(G(z)))]


def g_hinge(fake: Tensor) -> Tensor:
    return -fake.mean()                      # -E[D(G(z))], as for WGAN


# ----------------------------------------------------------------------------- penalties
def _input_gradient(critic: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)   # ∇_x f(x), (B, ...)
    return grad.flatten(1)


def gradient_penalty(critic, real: Tensor, fake: Tensor, weight: float = 10.0,
                     generator: torch.Generator | None = None) -> Tensor:
    """WGAN-GP (Gulrajani et al. 2017): λ E[(‖∇f(x̂)‖ - 1)²] at x̂ = ε x + (1 - ε) G(z), ε ~ U[0, 1]
    per sample — on lines between real and fake points, not at the real or fake points."""
    eps = torch.rand(len(real), *[1] * (real.dim() - 1), device=real.device, generator=generator)
    x_hat = eps * real.detach() + (1 - eps) * fake.detach()
    return weight * (_input_gradient(critic, x_hat).norm(dim=1) - 1).pow(2).mean()


def r1_penalty(critic, real: Tensor, fake: Tensor | None = None, weight: float = 10.0) -> Tensor:
    """R1 (Mescheder et al. 2018): (γ/2) E[‖∇D(x)‖²] on real data only. This form runs the critic
    itself; the training loop takes the same term from its own forward pass (r1_from_logits)."""
    x = real.detach().requires_grad_(True)
    return r1_from_logits(critic(x), x, weight)


def r1_from_logits(real_logits: Tensor, real: Tensor, weight: float) -> Tensor:
    """R1 from logits already computed on `real` (which must require grad): no second forward
    pass of D, as stylegan2-ada's training/loss.py does. d_step uses this."""
    (grad,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)   # ∇_x D(x), (B, ...)
    return weight / 2 * grad.flatten(1).pow(2).sum(dim=1).mean()              # (γ/2) E[‖∇D(x)‖²]


# ----------------------------------------------------------------------------- registry
# γ of R1: 1, the smallest γ that moved FID for this course's BatchNorm-free critic (benchmarks/stabilize_full.md:
# γ ≤ 0.1 did nothing beyond the seed noise, γ = 1 was lower on all three seeds; Mescheder et al. 2018 used 10).
# stylegan2-ada's heuristic 0.0002·res²/batch (≈ 0.001 at 28×28, batch 128) was made for StyleGAN2's critics.
# A run sets its own with TrainConfig.r1_gamma.
R1_GAMMA = 1.0


class GANLoss(NamedTuple):
    d: Callable[[Tensor, Tensor], Tensor]          # (real logits, fake logits) -> D loss
    g: Callable[[Tensor], Tensor]                  # fake logits -> G loss
    penalty: Callable | None = None                # (D, real, fake) -> added to the D loss (WGAN-GP: at interpolates)
    r1: float = 0.0                                # γ of R1, taken from the real logits' own forward pass; 0: none

    @property
    def input_gradient(self) -> bool:
        """Whether the D loss differentiates D with respect to its input (a double backward)."""
        return self.penalty is not None or self.r1 > 0

    def d_loss(self, real_logits: Tensor, fake_logits: Tensor, real: Tensor | None = None,
               fake: Tensor | None = None, critic: Callable | None = None, r1_gamma: float | None = None) -> Tensor:
        """D's whole loss: the game's term on the logits, plus its penalty, if the loss has one.
        R1 differentiates these very real logits with respect to `real` (which must then require grad):
        no second forward pass of D. WGAN-GP runs `critic` once more, at interpolates of real and fake."""
        loss = self.d(real_logits, fake_logits)
        if self.r1:                                          # + (γ/2) E‖∇_x D(x)‖²
            loss = loss + r1_from_logits(real_logits, real, self.r1 if r1_gamma is None else r1_gamma)
        if self.penalty is not None:                         # + λ E(‖∇f(x̂)‖ − 1)²
            loss = loss + self.penalty(critic, real, fake)
        return loss


LOSSES: dict[str, GANLoss] = {
    "ns": GANLoss(d_bce, g_nonsaturating),                    # Goodfellow et al. 2014, non-saturating
    "saturating": GANLoss(d_bce, g_saturating),               # the minimax game taken literally
    "lsgan": GANLoss(d_least_squares, g_least_squares),       # Mao et al. 2017
    "hinge": GANLoss(d_hinge, g_hinge),                       # Miyato et al. 2018
    "wgan-gp": GANLoss(d_wasserstein, g_wasserstein, partial(gradient_penalty, weight=10.0)),
    "ns-r1": GANLoss(d_bce, g_nonsaturating, r1=R1_GAMMA),                # Mescheder et al. 2018; γ: R1_GAMMA
}


def get(name: str) -> GANLoss:
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(LOSSES)}.")
    return LOSSES[name]
