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

from . import nets


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
