import math

import pytest
import torch

from gan_course import classifier, data, latent, nets, pretrained, train


@pytest.fixture(scope="module")
def G():
    return pretrained.load_generator("dcgan_fmnist")


def test_z_for_is_the_latent_of_gc_sample(G):
    torch.testing.assert_close(latent.images(G, latent.z_for(5, G.z_dim)[None]), train.sample(G, 1, seed=5))


def test_slerp_keeps_the_angle_formula_and_ends():
    z0, z1 = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])
    torch.testing.assert_close(latent.slerp(z0, z1, 0.0), z0)
    torch.testing.assert_close(latent.slerp(z0, z1, 1.0), z1)
    # Ω = π/2: at t = ½ both weights are sin(π/4)/sin(π/2) = √2/2
    torch.testing.assert_close(latent.slerp(z0, z1, 0.5), math.sqrt(0.5) * (z0 + z1))
    torch.testing.assert_close(latent.lerp(z0, z1, 0.25), torch.tensor([0.75, 0.5]))
    torch.testing.assert_close(latent.slerp(z0, 3 * z0, 0.5), 2 * z0)        # parallel: falls back to lerp


def test_slerp_keeps_gaussian_norms_and_lerp_shrinks_them():
    # for two independent N(0, I_100) vectors, ‖lerp(½)‖ ≈ ‖z‖/√2 while slerp stays near √100
    g = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(2000, 100, generator=g), torch.randn(2000, 100, generator=g)
    torch.testing.assert_close(latent.lerp(z0, z1, 0.5).norm(dim=1).mean().item(), 10 / math.sqrt(2), rtol=0.02, atol=0)
    torch.testing.assert_close(latent.slerp(z0, z1, 0.5).norm(dim=1).mean().item(), 10.0, rtol=0.02, atol=0)


def test_path_and_truncation():
    z0, z1 = torch.zeros(3), torch.ones(3)
    p = latent.path(z0, z1, 5, "lerp")
    torch.testing.assert_close(p[:, 0], torch.linspace(0, 1, 5))
    torch.testing.assert_close(latent.truncate(torch.ones(3) * 2, 0.5), torch.ones(3))
    with pytest.raises(ValueError, match="psi=1.5"):
        latent.truncate(z0, 1.5)


def test_pca_directions_are_unit_and_ordered_by_variance(G):
    u, var = latent.pca_directions(G, k=5, n=500)
    assert u.shape == (5, G.z_dim)
    torch.testing.assert_close(u.norm(dim=1), torch.ones(5))
    assert (var[:-1] >= var[1:]).all() and 0 < var.sum() <= 1


def test_describe_names_a_measured_change(G):
    u, _ = latent.pca_directions(G, k=2, n=500)
    text = latent.describe(G, u[0], classifier.load_classifier(), data.FASHION_CLASSES, n=32)
    assert "→" in text or text in {"brighter", "darker", "more ink", "less ink", "wider", "narrower", "taller", "shorter"}


def test_inversion_recovers_an_image_the_generator_made(G):
    target = latent.images(G, latent.z_for(7, G.z_dim)[None])
    z, curve = latent.invert(G, target, steps=150, restarts=4)
    assert curve[-1] < curve[0] / 5
    err = (latent.images(G, z[None]) - target).square().mean().item()
    torch.testing.assert_close(err, curve[-1], rtol=0.1, atol=1e-4)


def test_inversion_keeps_the_restart_best_after_the_last_step_and_reports_its_error(G):
    target = latent.images(G, latent.z_for(3, G.z_dim)[None])
    for prior in ("origin", "sphere"):                # large steps: the last one changes the error a lot
        z, curve = latent.invert(G, target, steps=3, lr=0.5, restarts=4, prior=prior)
        assert len(curve) == 4
        err = (latent.images(G, z[None]) - target).square().mean().item()
        torch.testing.assert_close(err, curve[-1], rtol=1e-4, atol=1e-7)


def test_images_and_inversion_leave_the_generator_as_they_found_it():
    G, _ = nets.build("dcgan", 8, 4)
    G.train()
    latent.images(G, torch.randn(2, 8))
    latent.invert(G, torch.zeros(1, 1, 28, 28), steps=2, restarts=2)
    assert G.training and all(p.requires_grad for p in G.parameters())


# ----------------------------------------------------------------------------- BigGAN's truncation (07 §4)
def test_resample_truncated_keeps_inside_coordinates_and_bounds_the_rest():
    z = torch.randn(500, 100, generator=torch.Generator().manual_seed(0))
    t = latent.resample_truncated(z, 1.0, seed=1)
    assert t.abs().max() <= 1.0
    inside = z.abs() <= 1.0
    torch.testing.assert_close(t[inside], z[inside])                             # only the outliers are redrawn
    assert (t[~inside] != z[~inside]).all()
    assert z.abs().max() > 1.0                                                    # the input was not modified


@pytest.mark.parametrize("a", [0.5, 1.0, 2.0])
def test_resample_truncated_is_the_truncated_normal(a):
    # standard normal truncated to [−a, a]: mean 0, variance 1 − 2aφ(a)/(2Φ(a) − 1),
    # and CDF (Φ(x) − Φ(−a))/(2Φ(a) − 1)
    z = latent.resample_truncated(torch.randn(4000, 50, generator=torch.Generator().manual_seed(2)), a, seed=3)
    phi, Phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + math.erf(a / math.sqrt(2)))
    variance = 1 - 2 * a * phi / (2 * Phi - 1)
    torch.testing.assert_close(z.var().item(), variance, rtol=0.01, atol=0)
    torch.testing.assert_close(z.mean().item(), 0.0, rtol=0, atol=0.005)
    x = torch.linspace(-a, a, 9)
    cdf = (torch.special.ndtr(x) - torch.special.ndtr(torch.tensor(-a))) / (2 * Phi - 1)
    empirical = (z.flatten()[:, None] <= x).float().mean(0)
    torch.testing.assert_close(empirical, cdf, rtol=0, atol=0.005)


def test_resample_truncated_refuses_a_threshold_it_cannot_reach():
    with pytest.raises(ValueError, match="threshold=0.001 must be at least 0.01"):
        latent.resample_truncated(torch.zeros(2, 3), 0.001)


# ----------------------------------------------------------------------------- SeFa vs GANSpace (07 §2)
def _known_map(d=6, m=20, seed=0):
    """A = V diag(σ) Uᵀ with orthonormal U (d, d), V (m, d) and σ = 6, 5, …, 1: AᵀA = U diag(σ²) Uᵀ."""
    g = torch.Generator().manual_seed(seed)
    u, _ = torch.linalg.qr(torch.randn(d, d, generator=g))
    v, _ = torch.linalg.qr(torch.randn(m, d, generator=g))
    sigma = torch.arange(d, 0, -1).float()
    return v @ torch.diag(sigma) @ u.T, u, sigma                                   # A (m, d)


def test_sefa_finds_the_right_singular_vectors_of_a_known_map():
    A, u, sigma = _known_map()
    directions, s = latent.sefa(A.T, k=3)                                        # weight = Aᵀ, one column per output
    torch.testing.assert_close(s, sigma[:3])
    torch.testing.assert_close((directions @ u[:, :3]).abs(), torch.eye(3), atol=1e-5, rtol=0)
    # each is an eigenvector of AᵀA with eigenvalue σ²: AᵀA n = σ² n
    torch.testing.assert_close(directions @ (A.T @ A), sigma[:3, None] ** 2 * directions, atol=1e-4, rtol=0)


def test_sefa_unit_columns_scales_every_output_unit_first():
    A, _, _ = _known_map()
    W = A.T * torch.arange(1, 21).float()                                         # rescale each output unit
    d1, _ = latent.sefa(W, 3, unit_columns=True)
    d2, _ = latent.sefa(A.T / A.T.norm(dim=0), 3)
    torch.testing.assert_close(d1.abs(), d2.abs())


def test_ganspace_on_a_linear_layer_is_sefa():
    # PCA of y = A z, then regressing z on the PCA coordinates, gives A's right singular vectors —
    # exactly when the sample of z is centred with covariance I (a random one is close: 4 000 of them ≈ 3e-3)
    A, u, _ = _known_map()
    z = torch.randn(4000, 6, generator=torch.Generator().manual_seed(1))
    z = torch.linalg.qr(z - z.mean(0)).Q * 4000 ** 0.5                          # centred, zᵀz/n = I
    pca, _ = latent.pca_latent_directions(z, z @ A.T, k=3)
    closed, _ = latent.sefa(A.T, k=3)
    torch.testing.assert_close((pca * closed).sum(1).abs(), torch.ones(3), atol=1e-4, rtol=0)


def test_sefa_directions_read_the_first_layer_of_G(G):
    directions, s = latent.sefa_directions(G, k=4)
    assert directions.shape == (4, G.z_dim)
    torch.testing.assert_close(directions.norm(dim=1), torch.ones(4))
    A = G.net[0].weight.detach().flatten(1).T                                     # (4w·49, z_dim)
    # σ_k = ‖A n_k‖, to float32 rounding: each norm sums 12 544 rows, and the shipped G's σ are 15–25, so
    # the default rtol (1.3e-6) is below that rounding (the re-shipped weights missed it by 1.9e-6)
    torch.testing.assert_close((A @ directions.T).norm(dim=0), s, rtol=1e-5, atol=1e-5)
    assert (s[:-1] >= s[1:]).all()


# ----------------------------------------------------------------------------- inversion priors (07 §6)
def test_prior_penalty_formulas():
    z = torch.tensor([[3.0, 4.0], [0.0, 0.0]])                                    # ‖z‖ = 5 and 0, d = 2
    torch.testing.assert_close(latent.prior_penalty(z, "origin"), torch.tensor([25 / 2, 0.0]))
    torch.testing.assert_close(latent.prior_penalty(z, "shell"), torch.tensor([(5 - 2 ** 0.5) ** 2, 2.0]))
    torch.testing.assert_close(latent.prior_penalty(z, "none"), torch.zeros(2))
    with pytest.raises(ValueError, match="prior='ring'"):
        latent.prior_penalty(z, "ring")


def test_shell_penalty_gradient_points_to_the_shell():
    # ∇(‖z‖ − √d)² = 2(‖z‖ − √d) z/‖z‖: outward inside the shell, inward outside, 0 on it
    for r, sign in ((2.0, -1), (10.0, 1)):
        z = torch.full((1, 4), r / 2, requires_grad=True)                           # ‖z‖ = r, √d = 2
        latent.prior_penalty(z, "shell").sum().backward()
        torch.testing.assert_close(z.grad, 2 * (r - 2) * z.detach() / r)
    z = torch.ones(1, 4, requires_grad=True)
    latent.prior_penalty(z, "shell").sum().backward()
    torch.testing.assert_close(z.grad, torch.zeros(1, 4))


def test_sphere_inversion_stays_on_the_sphere_and_the_percentile_is_the_chi_cdf(G):
    target = latent.images(G, latent.z_for(7, G.z_dim)[None])
    z, curve = latent.invert(G, target, steps=20, restarts=2, prior="sphere")
    torch.testing.assert_close(z.norm().item(), G.z_dim ** 0.5, rtol=1e-5, atol=0)
    # χ²_2 CDF is 1 − exp(−r²/2); the median length of N(0, I_d) is ≈ √(d − 2/3) for large d
    torch.testing.assert_close(latent.norm_percentile(torch.tensor([[1.0, 1.0]])), torch.tensor([1 - math.exp(-1)]))
    torch.testing.assert_close(latent.norm_percentile(torch.full((1, 100), (1 - 2 / 300) ** 0.5)),
                               torch.tensor([0.5]), atol=0.01, rtol=0)
    with pytest.raises(ValueError, match="prior='ring'"):
        latent.invert(G, target, steps=1, prior="ring")


def test_origin_penalty_is_the_gaussian_negative_log_density_scaled_by_two_over_d():
    # ‖z‖²/d = (2/d)·(−log N(z; 0, I_d)) − log 2π: with invert's weight w the scale is 2w/d (07 §6)
    z = torch.randn(5, 100, generator=torch.Generator().manual_seed(0))
    nll = -torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(-1)
    torch.testing.assert_close(latent.prior_penalty(z, "origin"), 2 / 100 * nll - math.log(2 * math.pi))


def test_pca_latent_directions_match_the_full_svd_pca():
    # the randomized truncated SVD must give the directions and variance shares of the exact PCA
    g = torch.Generator().manual_seed(0)
    z = torch.randn(600, 20, generator=g)
    y = torch.relu(z @ torch.randn(20, 300, generator=g) * torch.linspace(3, 0.1, 300)) + 0.01 * torch.randn(600, 300, generator=g)
    yc = y - y.mean(0)
    _, s, vt = torch.linalg.svd(yc, full_matrices=False)                      # the exact PCA, by hand
    u_ref = torch.linalg.lstsq(yc @ vt[:5].T, z).solution
    u_ref = u_ref / u_ref.norm(dim=1, keepdim=True)
    u, var = latent.pca_latent_directions(z, y, k=5)
    torch.testing.assert_close((u * u_ref).sum(1).abs(), torch.ones(5), atol=1e-3, rtol=0)
    torch.testing.assert_close(var, (s.square() / s.square().sum())[:5], atol=1e-4, rtol=0)


def test_linear_direction_finds_the_normal_of_a_known_boundary():
    # InterFaceGAN: labels set by a hyperplane in z; the fitted unit normal must be that plane's, pointing to True
    g = torch.Generator().manual_seed(0)
    n_true = torch.randn(30, generator=g)
    n_true = n_true / n_true.norm()
    z = torch.randn(4000, 30, generator=g)
    u, acc = latent.linear_direction(z, z @ n_true > 0.5)
    torch.testing.assert_close(u.norm().item(), 1.0)
    assert (u @ n_true).item() > 0.98 and acc > 0.97
    with pytest.raises(ValueError, match="both True and False"):
        latent.linear_direction(z, torch.ones(4000, dtype=torch.bool))
