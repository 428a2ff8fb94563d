"""Where generated 2-D points are pushed, and where one generator step actually moves them.

Introduced in 03_training_dynamics_2d. The force on a generated point x_i = G(z_i) is
f_i = −∂ℓ(D(x_i))/∂x_i, the gradient of that point's own generator loss ℓ (the batch loss is
the mean of ℓ, so f_i = −N·∂L_G/∂x_i). The generator cannot move points one by one: it changes
shared weights θ. One plain gradient step θ ← θ − η∇_θ L_G moves the points, to first order in η,
by Δx = −η J Jᵀ ∇ₓL_G, with J = ∂x/∂θ of shape (2N, P): every point's move mixes the forces on
all points through JJᵀ (the generator's neural tangent kernel). Adam rescales each weight's step
on top of that.
"""
from __future__ import annotations

import copy

import torch
from torch.func import functional_call, jacrev

from . import losses
from .models import nets


def float64_copies(run) -> tuple[torch.nn.Module, torch.nn.Module]:
    """Eager float64 copies of a run's G and D on the CPU, with the same weights, for measurements
    too small for float32. Rebuilt from the config, not deep-copied: a deepcopy stays on the run's
    device, and where accel.prepare compiled the run it keeps the replaced forward, a closure over
    the original float32 module (which would then compute every output and Jacobian)."""
    cfg = run.cfg
    G64, D64 = nets.build(cfg.arch, cfg.z_dim, cfg.width)
    G64.load_state_dict(run.G.state_dict())           # prepare compiles in place: the keys are unchanged
    D64.load_state_dict(run.D.state_dict())
    return G64.double(), D64.double()


def forces(D: torch.nn.Module, g_loss, points: torch.Tensor) -> torch.Tensor:
    """f_i = −∂ℓ(D(x_i))/∂x_i at each point, (N, 2): where lowering its own loss would take x_i."""
    pts = points.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(g_loss(D(pts)) * len(pts), pts)      # mean loss × N: per-point gradients
    return -grad


def sgd_moves(G: torch.nn.Module, D: torch.nn.Module, g_loss, z: torch.Tensor, lr: float
              ) -> tuple[torch.Tensor, torch.Tensor]:
    """(actual, predicted): how one SGD step of size lr on a copy of G, with the batch loss
    L_G = mean ℓ(D(G(z))), moves the points G(z) — measured, and the first-order prediction
    −lr·J Jᵀ ∇ₓL_G. Both (N, 2); G and D are left unchanged."""
    G1 = copy.deepcopy(G)
    params = {k: v.detach() for k, v in G1.named_parameters()}
    x0 = G1(z).detach()                                                  # (N, 2)
    x = x0.clone().requires_grad_(True)
    (grad_x,) = torch.autograd.grad(g_loss(D(x)), x)                     # ∇ₓL_G, (N, 2)
    jac = jacrev(lambda p: functional_call(G1, p, (z,)))(params)         # {name: (N, 2, *shape)}
    J = torch.cat([j.flatten(2) for j in jac.values()], dim=2).flatten(0, 1)   # (2N, P)
    predicted = -lr * (J @ (J.T @ grad_x.flatten())).view_as(x0)
    opt = torch.optim.SGD(G1.parameters(), lr=lr)
    D.requires_grad_(False)
    try:
        loss = g_loss(D(G1(z)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    finally:
        D.requires_grad_(True)
    with torch.no_grad():
        actual = G1(z) - x0
    return actual, predicted


# ----------------------------------------------------------------------------- the Dirac-GAN (09_stabilizing_training)
# Mescheder, Geiger & Nowozin 2018, "Which training methods for GANs do actually converge?", §2: data
# p_data = δ₀ (every real point is 0), a generator that puts all its mass at θ (G = δ_θ) and a linear
# discriminator with logit D(x) = ψ·x. The equilibrium is θ = ψ = 0. The losses are the course's own
# (losses.LOSSES, on logits); the default "saturating" is the paper's minimax game, whose continuous
# flow keeps θ² + ψ² constant (circles). "ns" has the same Jacobian at the equilibrium (σ(0) = ½ in
# both), but far from it its flow slowly contracts: d(θ²+ψ²)/dt = −2θψ·tanh(θψ/2).
# (The paper's D is sign-flipped, high on fakes: its ψ is our −ψ; the eigenvalues are the same.)

def dirac_losses(theta: torch.Tensor, psi: torch.Tensor, loss: str = "saturating", gamma: float = 0.0
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """(L_D, L_G) of the Dirac-GAN at (θ, ψ): real logit ψ·0, fake logit ψ·θ; with γ > 0, D's loss
    also carries R1, (γ/2)‖∇ₓD(x)‖² at the real point — ψ²·γ/2 — taken by losses.r1_from_logits."""
    rule = losses.get(loss)
    x = torch.zeros(1, 1, dtype=psi.dtype, requires_grad=True)     # one real point, (N=1, 1 coordinate)
    real_logits, fake_logits = (psi * x).flatten(), (psi * theta).reshape(1)   # (1,), (1,)
    d_loss = rule.d(real_logits, fake_logits)
    if gamma:
        d_loss = d_loss + losses.r1_from_logits(real_logits, x, gamma)
    return d_loss, rule.g(fake_logits)


def dirac_field(point: torch.Tensor, loss: str = "saturating", gamma: float = 0.0) -> torch.Tensor:
    """v(θ, ψ) = (−∂L_G/∂θ, −∂L_D/∂ψ): the direction gradient descent moves each player, (2,).
    Differentiable in `point`, so its Jacobian can be taken (dirac_jacobian)."""
    theta, psi = point[0], point[1]
    d_loss, g_loss = dirac_losses(theta, psi, loss, gamma)
    (g_theta,) = torch.autograd.grad(g_loss, theta, create_graph=True)
    (g_psi,) = torch.autograd.grad(d_loss, psi, create_graph=True)
    return -torch.stack([g_theta, g_psi])


def dirac_jacobian(loss: str = "saturating", gamma: float = 0.0, at=(0.0, 0.0)) -> torch.Tensor:
    """∂v/∂(θ, ψ) at `at` (default: the equilibrium), (2, 2), float64, by autograd through the losses."""
    point = torch.tensor(at, dtype=torch.float64)
    return torch.autograd.functional.jacobian(
        lambda p: dirac_field(p, loss, gamma), point, create_graph=False)


def dirac_eigenvalues(gamma: float = 0.0, f1: float = 0.5) -> torch.Tensor:
    """The paper's eigenvalues of the Jacobian at equilibrium, λ = −γ/2 ± √(γ²/4 − f′(0)²), complex (2,).
    f′(0) = ½ for the BCE losses (σ(0)). γ = 0: λ = ±i/2, purely imaginary — gradient descent circles
    (simultaneous steps spiral outwards); γ > 0: real part −γ/2 < 0 — it converges for small steps."""
    root = torch.sqrt(torch.tensor(gamma ** 2 / 4 - f1 ** 2, dtype=torch.complex128))
    return torch.stack([-gamma / 2 + root, -gamma / 2 - root])


def dirac_trajectory(start=(1.0, 1.0), steps: int = 200, lr: float = 0.1, loss: str = "saturating",
                     gamma: float = 0.0, alternating: bool = False) -> torch.Tensor:
    """Gradient descent on the Dirac-GAN from `start` = (θ₀, ψ₀): the points visited, (steps + 1, 2).
    Simultaneous steps by default (both players use the old point); `alternating`: D steps first,
    then G answers the new ψ — the order of the course's loop (d_step, then g_step)."""
    p = torch.tensor(start, dtype=torch.float64)
    path = [p.clone()]
    for _ in range(steps):
        q = p.clone().requires_grad_(True)
        v = dirac_field(q, loss, gamma).detach()
        if alternating:
            p = torch.stack([p[0], p[1] + lr * v[1]])                          # D first
            q = p.clone().requires_grad_(True)
            p = torch.stack([p[0] + lr * dirac_field(q, loss, gamma)[0].detach(), p[1]])   # then G
        else:
            p = p + lr * v
        path.append(p.clone())
    return torch.stack(path)


def dirac_update_matrix(lr: float, loss: str = "saturating", gamma: float = 0.0,
                        alternating: bool = False) -> torch.Tensor:
    """The linear map one step of gradient play applies to (θ, ψ) near the equilibrium, (2, 2), float64,
    built from dirac_jacobian J. Simultaneous: I + ηJ. Alternating (D first, as the course's loop):
    D's half-step A_D = I + η·e₂(row 2 of J), then G's A_G = I + η·e₁(row 1 of J); the step is A_G·A_D.
    Introduced in 03_training_dynamics_2d (§7)."""
    J = dirac_jacobian(loss, gamma)
    eye = torch.eye(2, dtype=torch.float64)
    if not alternating:
        return eye + lr * J
    a_d, a_g = eye.clone(), eye.clone()
    a_d[1] += lr * J[1]                                  # ψ ← ψ + η·v_ψ(θ, ψ)
    a_g[0] += lr * J[0]                                  # then θ ← θ + η·v_θ(θ, ψ_new)
    return a_g @ a_d


def dirac_step_eigenvalues(lr: float, gamma: float = 0.0, alternating: bool = False,
                           f1: float = 0.5) -> torch.Tensor:
    """Closed-form eigenvalues of dirac_update_matrix, complex (2,). With λ = −γ/2 ± √(γ²/4 − f′(0)²)
    (dirac_eigenvalues), simultaneous steps give 1 + ηλ: modulus √(1 − ηγ + η²f′(0)²) while complex, above 1
    for every η when γ = 0 and for η > 4γ when f′(0) = ½. Alternating steps have trace 2 − ηγ − η²f′(0)² and
    determinant 1 − ηγ: modulus exactly 1 when γ = 0 (for ηf′(0) < 2, the bilinear game's η < 2), √(1 − ηγ) < 1
    with R1. Introduced in 03_training_dynamics_2d (§7)."""
    if not alternating:
        return 1 + lr * dirac_eigenvalues(gamma, f1)
    trace, det = 2 - lr * gamma - (lr * f1) ** 2, 1 - lr * gamma
    root = torch.sqrt(torch.tensor(trace ** 2 / 4 - det, dtype=torch.complex128))
    return torch.stack([trace / 2 + root, trace / 2 - root])
