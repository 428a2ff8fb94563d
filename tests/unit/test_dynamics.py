import math

import pytest
import torch

from gan_course import dynamics, losses, nets


def _nets(seed=0):
    torch.manual_seed(seed)
    return nets.build("mlp2d", 2, 32)


def test_forces_are_minus_each_points_own_loss_gradient():
    # ns loss, ℓ(l) = softplus(−l): f_i = −ℓ'(l_i)·∇ₓl_i = σ(−l_i)·∇ₓl_i, computed point by point
    _, D = _nets()
    pts = torch.randn(6, 2)
    got = dynamics.forces(D, losses.get("ns").g, pts)
    for i in range(6):
        x = pts[i:i + 1].clone().requires_grad_(True)
        l = D(x)
        (grad_l,) = torch.autograd.grad(l.sum(), x)
        torch.testing.assert_close(got[i], (torch.sigmoid(-l.detach()) * grad_l)[0])


def test_one_sgd_step_moves_points_by_minus_eta_j_jt_grad_to_first_order():
    G, D = (net.double() for net in _nets(1))                      # float64: the moves are ~1e-5
    z = torch.randn(16, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    before = [p.detach().clone() for p in G.parameters()]
    actual, predicted = dynamics.sgd_moves(G, D, losses.get("ns").g, z, lr=1e-3)
    # first order: the difference is O(η²), far below the move itself
    torch.testing.assert_close(actual, predicted, rtol=1e-2, atol=1e-3 * predicted.abs().max().item())
    assert all(torch.equal(p, b) for p, b in zip(G.parameters(), before))     # G left unchanged
    # and the move is not along the force: JJᵀ mixes the points' forces
    f = dynamics.forces(D, losses.get("ns").g, G(z).detach())
    cos = torch.nn.functional.cosine_similarity(actual, f, dim=1)
    assert cos.min() < 0.99


def test_float64_copies_reproduce_a_compiled_run_in_eager_float64(monkeypatch):
    # a run prepared as on a GPU with compile: accel.prepare replaces forward by a closure over the
    # float32 module (torch.compile stood in for by the identity, so the test runs on a CPU)
    from gan_course import accel, presets, train
    monkeypatch.setattr(accel, "_compile", lambda fn: fn)
    run = train.build_run(presets.config("ring-2d", width=16, device="cpu"))
    run.G, run.D = (accel.prepare(net, False, True) for net in (run.G, run.D))
    train.g_step(run, train.generate(run, 32, grad=True))              # weights away from their init
    G64, D64 = dynamics.float64_copies(run)
    z = torch.randn(8, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    x64 = G64(z)
    assert x64.dtype == torch.float64 and D64(x64).dtype == torch.float64
    assert all(p.dtype == torch.float64 and p.device.type == "cpu" for p in [*G64.parameters(), *D64.parameters()])
    with torch.no_grad():
        torch.testing.assert_close(x64, run.G(z.float()).double(), rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(D64(x64), run.D(x64.float()).double(), rtol=1e-5, atol=1e-5)
    assert "forward" not in vars(G64) and "forward" not in vars(D64)    # their own eager forward


def test_dirac_gan_jacobian_has_the_papers_eigenvalues_with_and_without_r1():
    # Mescheder et al. 2018: J = [[0, f'(0)], [−f'(0), −γ]] at θ = ψ = 0 (our ψ is the paper's −ψ),
    # λ = −γ/2 ± √(γ²/4 − f'(0)²), f'(0) = σ(0) = ½ for the BCE losses
    for loss in ("saturating", "ns"):
        for gamma in (0.0, 0.3, 2.0):
            J = dynamics.dirac_jacobian(loss, gamma)
            torch.testing.assert_close(J, torch.tensor([[0.0, 0.5], [-0.5, -gamma]], dtype=torch.float64))
            got = sorted(torch.linalg.eigvals(J).tolist(), key=lambda c: (c.real, c.imag))
            want = sorted(dynamics.dirac_eigenvalues(gamma).tolist(), key=lambda c: (c.real, c.imag))
            torch.testing.assert_close(torch.tensor(got), torch.tensor(want))
    assert dynamics.dirac_eigenvalues(0.0).real.abs().max() == 0          # purely imaginary without R1


def test_dirac_gan_r1_term_is_gamma_half_psi_squared():
    theta, psi = torch.tensor(0.7, dtype=torch.float64), torch.tensor(-1.3, dtype=torch.float64)
    plain, _ = dynamics.dirac_losses(theta, psi, "ns", 0.0)
    with_r1, _ = dynamics.dirac_losses(theta, psi, "ns", 0.2)
    torch.testing.assert_close(with_r1 - plain, 0.2 / 2 * psi ** 2)


def test_dirac_gan_diverges_circles_or_converges_as_the_paper_says():
    radius = lambda **kw: dynamics.dirac_trajectory((1.0, 1.0), steps=300, lr=0.1, **kw).norm(dim=1)
    simultaneous, alternating, r1 = radius(), radius(alternating=True), radius(gamma=0.3)
    assert simultaneous[-1] > 1.3 * simultaneous[0]                       # spirals outwards
    assert 0.9 < alternating[-1] / alternating[0] < 1.1                   # circles
    assert r1[-1] < 0.05 * r1[0]                                          # converges to the equilibrium


def test_dirac_update_matrix_is_one_step_of_dirac_trajectory_linearised():
    eps = 1e-6
    for alternating in (False, True):
        for gamma in (0.0, 0.3):
            M = dynamics.dirac_update_matrix(0.5, gamma=gamma, alternating=alternating)
            step = [dynamics.dirac_trajectory(tuple((eps * torch.eye(2)[i]).tolist()), 1, 0.5, gamma=gamma,
                                              alternating=alternating)[1] / eps for i in range(2)]
            torch.testing.assert_close(torch.stack(step, 1), M, rtol=0, atol=1e-7)


def test_dirac_step_eigenvalues_closed_form_spiral_out_orbit_or_converge():
    key = lambda c: (c.real, c.imag)
    for lr in (0.1, 0.5, 1.0):
        for alternating in (False, True):
            for gamma in (0.0, 0.1, 0.3):
                got = sorted(torch.linalg.eigvals(dynamics.dirac_update_matrix(lr, gamma=gamma, alternating=alternating)).tolist(), key=key)
                want = sorted(dynamics.dirac_step_eigenvalues(lr, gamma, alternating).tolist(), key=key)
                torch.testing.assert_close(torch.tensor(got), torch.tensor(want))
    radius = lambda lr, gamma, alt: dynamics.dirac_step_eigenvalues(lr, gamma, alt).abs().max().item()
    torch.testing.assert_close(radius(0.5, 0.0, False), (1 + 0.25 ** 2) ** 0.5)   # √(1 + η²/4): spirals out
    torch.testing.assert_close(radius(0.5, 0.0, True), 1.0)                       # orbits
    torch.testing.assert_close(radius(0.5, 0.1, True), (1 - 0.05) ** 0.5)        # √(1 − ηγ): converges
    assert radius(0.5, 0.1, False) > 1 > radius(0.3, 0.1, False)                  # simultaneous + R1: only for η < 4γ

def test_dirac_gan_ns_flow_contracts_as_09_says():
    # 09: with the non-saturating G loss, d/dt (θ² + ψ²) = 2 (θ, ψ)·v = −2 θψ tanh(θψ/2)
    for theta, psi in [(1.0, 1.0), (0.7, -1.3), (-2.0, 0.4), (3.0, 2.5)]:
        point = torch.tensor([theta, psi], dtype=torch.float64)
        v = dynamics.dirac_field(point.clone().requires_grad_(True), "ns").detach()
        rate = 2 * (point * v).sum()
        torch.testing.assert_close(rate, torch.tensor(-2 * theta * psi * math.tanh(theta * psi / 2), dtype=torch.float64))


def test_a_simultaneous_step_near_the_equilibrium_scales_the_distance_by_one_plus_eta_lambda():
    # 09: without R1 each simultaneous step multiplies the distance by |1 + ηλ| = √(1 + η²/4) (λ = ±i/2)
    for lr in (0.1, 0.5):
        path = dynamics.dirac_trajectory((1e-5, 0.0), steps=1, lr=lr)
        ratio = (path[1].norm() / path[0].norm()).item()
        lam = dynamics.dirac_eigenvalues(0.0)[0]
        assert ratio == pytest.approx(abs(1 + lr * lam), rel=1e-6)
        assert abs(1 + lr * lam) == pytest.approx(math.sqrt(1 + lr ** 2 / 4), rel=1e-12)
