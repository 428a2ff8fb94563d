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
