import math

import pytest
import torch

from gan_course import theory as T

LOG2, LOG4 = math.log(2), math.log(4)
P = T.Mixture1D((-1.0, 2.0), (0.5, 1.0), (0.3, 0.7))
Q = T.Mixture1D((0.0,), (1.5,))
X = T.grid()


def close(a, b, tol=1e-6):
    torch.testing.assert_close(torch.tensor(float(a), dtype=torch.float64),
                               torch.tensor(float(b), dtype=torch.float64), rtol=0, atol=tol)


def test_densities_integrate_to_one():
    close(T.integrate(P.pdf(X), X), 1.0, 1e-9)
    close(T.integrate(Q.pdf(X), X), 1.0, 1e-9)


def test_samples_follow_the_mixture():
    s = P.sample(200_000, torch.Generator().manual_seed(0)).double()
    close(s.mean(), 0.3 * -1 + 0.7 * 2, 0.02)


def test_optimal_d_is_the_density_ratio_and_maximises_v_pointwise():
    pd, pg = P.pdf(X), Q.pdf(X)
    d_star = T.optimal_d(pd, pg)
    torch.testing.assert_close(d_star, pd / (pd + pg))
    # maximising a·log y + b·log(1 − y) over y: any other D gives a smaller V
    v_star = T.value(d_star, pd, pg, X)
    for other in (torch.full_like(pd, 0.5), (d_star + 0.05).clamp(0, 1), d_star ** 2):
        assert T.value(other, pd, pg, X) < v_star


def test_jsd_of_a_density_with_itself_is_zero():
    close(T.jsd(P.pdf(X), P.pdf(X), X), 0.0)


def test_jsd_of_disjoint_supports_is_log_two():
    x = T.grid(-40, 40, 80001)
    left, right = T.Mixture1D((-20.0,), (1.0,)), T.Mixture1D((20.0,), (1.0,))
    close(T.jsd(left.pdf(x), right.pdf(x), x), LOG2)


def test_value_at_optimum_is_minus_log_four_when_pg_equals_pdata():
    g = T.game(P, P)
    close(g["V"], -LOG4)
    torch.testing.assert_close(g["d_star"], torch.full_like(X, 0.5))


@pytest.mark.parametrize("q", [Q, T.Mixture1D((3.0, 5.0), (0.3, 0.3)), T.Mixture1D((-1.0, 2.0), (0.5, 1.0), (0.7, 0.3))])
def test_value_at_optimum_is_minus_log_four_plus_two_jsd(q):
    g = T.game(P, q)
    close(g["V"], -LOG4 + 2 * g["JSD"])
    assert 0 < g["JSD"] < LOG2


def test_jsd_is_the_mean_of_kls_to_the_midpoint_and_symmetric():
    pd, pg = P.pdf(X), Q.pdf(X)
    m = (pd + pg) / 2
    close(T.jsd(pd, pg, X), 0.5 * T.kl(pd, m, X) + 0.5 * T.kl(pg, m, X), 1e-12)
    close(T.jsd(pd, pg, X), T.jsd(pg, pd, X), 1e-12)


def test_kl_of_two_gaussians_matches_closed_form():
    a, b = T.Mixture1D((0.0,), (1.0,)), T.Mixture1D((1.0,), (2.0,))
    # KL(N(μ1,σ1²) ‖ N(μ2,σ2²)) = log(σ2/σ1) + (σ1² + (μ1−μ2)²)/(2σ2²) − ½
    close(T.kl(a.pdf(X), b.pdf(X), X), math.log(2) + (1 + 1) / 8 - 0.5)


# ---- the f-divergence table of notebook 02
def test_f_divergence_table_reproduces_kl_reverse_kl_jsd_and_the_gan_objective():
    pd, pg = P.pdf(X), Q.pdf(X)
    fd = {k: T.f_divergence(v.f, pd, pg, X) for k, v in T.F_DIVERGENCES.items()}
    jsd = T.jsd(pd, pg, X)
    close(fd["KL"], T.kl(pd, pg, X))
    close(fd["reverse KL"], T.kl(pg, pd, X))
    close(fd["JS"], 2 * jsd)                       # Nowozin et al.'s row: its f integrates to 2·JSD
    close(fd["GAN"], 2 * jsd - LOG4)
    close(fd["Pearson chi2"], T.integrate((pd - pg) ** 2 / pg, X))


@pytest.mark.parametrize("name", sorted(T.F_DIVERGENCES))
def test_f_generators_at_one(name):
    # f(1) = 0 makes D_f(P‖P) = 0; the GAN objective's f is shifted: D_f = 2·JSD − log 4
    expected = -LOG4 if name == "GAN" else 0.0
    close(T.F_DIVERGENCES[name].f(torch.tensor(1.0, dtype=torch.float64)), expected, 1e-12)


@pytest.mark.parametrize("name", sorted(T.F_DIVERGENCES))
def test_conjugates_match_a_numerical_supremum(name):
    div = T.F_DIVERGENCES[name]
    u = torch.linspace(1e-6, 60, 600_001, dtype=torch.float64)
    fu = div.f(u)
    v = torch.tensor([-1.5, -0.3, 0.2, 1.0], dtype=torch.float64)
    t = div.activation(v)                          # g_f(v) lands inside the conjugate's domain
    sup = torch.stack([(u * ti - fu).max() for ti in t])
    torch.testing.assert_close(div.conjugate(t), sup, rtol=1e-5, atol=1e-5)


# ---- the tight f-GAN bound of notebook 02b (its appendix)
_DERIVATIVES = {"KL": lambda u: 1 + torch.log(u), "reverse KL": lambda u: -1 / u, "Pearson chi2": lambda u: 2 * (u - 1),
                "JS": lambda u: torch.log(2 * u / (u + 1)), "GAN": lambda u: torch.log(u / (u + 1))}


@pytest.mark.parametrize("name", sorted(T.F_DIVERGENCES))
def test_the_f_gan_bound_is_tight_at_t_star_f_prime_of_p_over_q(name):
    div, pd, pg = T.F_DIVERGENCES[name], P.pdf(X), Q.pdf(X)
    t_star = T.optimal_critic(div, pd, pg)
    torch.testing.assert_close(t_star, _DERIVATIVES[name](pd / pg))            # f′(p/q), by hand
    close(T.variational_bound(div, t_star, pd, pg, X), T.f_divergence(div.f, pd, pg, X))   # equality at T*
    for worse in (t_star - 0.2, 0.8 * t_star):                                  # any other T gives less
        assert T.variational_bound(div, worse, pd, pg, X) < T.f_divergence(div.f, pd, pg, X) - 1e-4


def test_the_gan_row_at_t_star_is_log_d_star_and_the_bound_is_v():
    # T = g_f(v) = log σ(v) = log D, so E_P[T] − E_Q[f*(T)] = E_P log D + E_Q log(1 − D) = V(D, G); T* = log D*
    div, pd, pg = T.F_DIVERGENCES["GAN"], P.pdf(X), Q.pdf(X)
    d_star = T.optimal_d(pd, pg)
    torch.testing.assert_close(torch.exp(T.optimal_critic(div, pd, pg)), d_star)
    v = torch.tensor([-2.0, 0.0, 1.5], dtype=torch.float64)
    torch.testing.assert_close(div.activation(v), torch.log(torch.sigmoid(v)))
    d = torch.sigmoid(0.5 * X)                                                  # any D
    close(T.variational_bound(div, torch.log(d), pd, pg, X), T.value(d, pd, pg, X))
    close(T.variational_bound(div, torch.log(d_star), pd, pg, X), T.value(d_star, pd, pg, X))


# ---- weight clipping, notebook 02b §2
@pytest.mark.parametrize("c, width", [(0.01, 512), (0.1, 512), (0.1, 64)])
def test_clipped_critic_gradients_shrink_or_grow_by_c_root_half_width_per_layer(c, width):
    norms = T.clipped_critic_gradients(c, width=width, depth=10)
    per_layer = (norms[:-1] / norms[1:]).log().mean().exp()                     # geometric mean, towards the input
    torch.testing.assert_close(per_layer.item(), T.clipped_gain(c, width), rtol=0.05, atol=0)
    assert (norms[0] < norms[-1]) == (T.clipped_gain(c, width) < 1)             # vanishes below 1, explodes above


# ---- D* learned from samples
def test_a_trained_discriminator_approaches_d_star_where_there_is_mass():
    D = T.fit_discriminator(P, Q, steps=600)
    x = T.grid(-5, 5, 1001)
    pd, pg = P.pdf(x), Q.pdf(x)
    err = (T.d_probability(D, x) - T.optimal_d(pd, pg)).abs()[(pd + pg) > 0.02]
    torch.testing.assert_close(err.max().item(), 0.0, rtol=0, atol=0.1)


# ---- the bilinear game min_x max_y x·y of notebook 03
def test_simultaneous_steps_spiral_out_at_the_closed_form_rate():
    path = T.bilinear_game(1.0, 0.5, lr=0.1, steps=50, simultaneous=True)
    r0 = math.hypot(1.0, 0.5)
    # each step multiplies the radius by sqrt(1 + η²)
    torch.testing.assert_close(path.norm(dim=1), r0 * (1 + 0.01) ** (torch.arange(51, dtype=torch.float64) / 2))


@pytest.mark.parametrize("first, sign", [("d", +1.0), ("g", -1.0)])
def test_alternating_steps_orbit_conserving_x2_plus_y2_plus_or_minus_eta_xy(first, sign):
    # D first (gc.fit's order): x² + y² + ηxy; G first: x² + y² − ηxy (notebook 03 §7)
    eta = 0.1
    path = T.bilinear_game(1.0, 0.5, lr=eta, steps=500, simultaneous=False, first=first)
    x, y = path[:, 0], path[:, 1]
    q = x ** 2 + y ** 2 + sign * eta * x * y
    torch.testing.assert_close(q, torch.full_like(q, q[0].item()))
    torch.testing.assert_close(T.bilinear_invariant(path, eta, first), q)


def test_alternating_steps_conserve_q_plus_but_diverge_for_eta_above_two():
    # x² + y² + ηxy is a positive-definite form (closed orbits) only for η < 2; at η = 2.5 it is still
    # conserved but its level sets are hyperbolas, and the iterates run off along them
    path = T.bilinear_game(1.0, 0.5, lr=2.5, steps=20, simultaneous=False)
    q = T.bilinear_invariant(path, 2.5)
    torch.testing.assert_close(q, torch.full_like(q, q[0].item()), rtol=1e-9, atol=1e-9 * path.norm(dim=1).max().item() ** 2)
    assert path[-1].norm() > 1e6 * path[0].norm()


def test_alternating_d_first_is_d_step_then_g_step_by_hand():
    # one step from (x, y) = (1, 0.5) with η = 0.1: y ← 0.5 + 0.1·1 = 0.6, then x ← 1 − 0.1·0.6 = 0.94
    path = T.bilinear_game(1.0, 0.5, lr=0.1, steps=1, simultaneous=False)
    torch.testing.assert_close(path[1], torch.tensor([0.94, 0.6], dtype=torch.float64))
    # the notebook's matrix [[1 − η², −η], [η, 1]] (D first) applied to (x, y)
    eta, p0 = 0.3, torch.tensor([0.7, -1.2], dtype=torch.float64)
    M = torch.tensor([[1 - eta ** 2, -eta], [eta, 1.0]], dtype=torch.float64)
    path = T.bilinear_game(0.7, -1.2, lr=eta, steps=5, simultaneous=False)
    torch.testing.assert_close(path[-1], torch.linalg.matrix_power(M, 5) @ p0)
    torch.testing.assert_close(torch.linalg.det(M), torch.tensor(1.0, dtype=torch.float64))


def test_bilinear_game_names_the_orders_it_knows():
    with pytest.raises(ValueError, match="'d'"):
        T.bilinear_game(1.0, 0.0, 0.1, 3, simultaneous=False, first="D")


@pytest.mark.parametrize("a, b", [(0.2, 0.8), (1.0, 1.0), (3.0, 0.5)])
def test_a_log_y_plus_b_log_one_minus_y_peaks_at_a_over_a_plus_b(a, b):
    y = torch.linspace(1e-6, 1 - 1e-6, 1_000_001, dtype=torch.float64)
    peak = y[(a * torch.log(y) + b * torch.log1p(-y)).argmax()]
    close(peak, T.optimal_d(torch.tensor(a), torch.tensor(b)), 1e-5)


@pytest.mark.parametrize("shift", [0.0, 0.5, 3.0, 8.0])
def test_wasserstein_of_shifted_gaussians_is_the_shift_while_jsd_saturates(shift):
    a, b = T.Mixture1D((0.0,), (1.0,)), T.Mixture1D((shift,), (1.0,))
    x = T.grid(-15, 25, 40001)
    close(T.wasserstein1(a.pdf(x), b.pdf(x), x), shift, 1e-6)
    if shift >= 8:
        close(T.jsd(a.pdf(x), b.pdf(x), x), LOG2, 1e-3)


def test_jsd_is_finite_when_tails_underflow():
    # N(0, 0.5²) and N(0.2, 0.5²) on [-12, 20]: at x = 20 both densities are subnormal or 0
    x = T.grid(-12, 20, 12801)
    a, b = T.Mixture1D((0.0,), (0.5,)), T.Mixture1D((0.2,), (0.5,))
    j = T.jsd(a.pdf(x), b.pdf(x), x)
    # for equal-variance Gaussians and a small shift δ, JSD ≈ δ²/(8σ²)
    torch.testing.assert_close(j, 0.2 ** 2 / (8 * 0.25), rtol=0.02, atol=0)


# ---- notebook 01: G's best response to a fixed D, what each generator cost follows at D*, the direction of KL
def test_against_a_fixed_d_a_point_mass_at_argmax_d_beats_every_pg():
    # E_{p_g}[log(1 − D)] ≥ log(1 − max D): G's best response to a frozen D is all mass at argmax D
    d = T.optimal_d(P.pdf(X), Q.pdf(X))
    point = math.log(1 - d.max().item())
    for pg in (P, Q, T.Mixture1D((4.0,), (0.2,))):
        assert T.integrate(pg.pdf(X) * torch.log1p(-d), X) > point
    close(T.integrate(T.Mixture1D((X[d.argmax()].item(),), (1e-3,)).pdf(X) * torch.log1p(-d), X), point, 1e-4)


def test_optimal_logit_is_the_logit_of_d_star():
    pd, pg = P.pdf(X), Q.pdf(X)
    torch.testing.assert_close(torch.sigmoid(T.optimal_logit(pd, pg)), T.optimal_d(pd, pg))


def test_generator_costs_are_the_tutorials_functions_of_d():
    l = torch.linspace(-6, 6, 25, dtype=torch.float64)
    d = torch.sigmoid(l)
    torch.testing.assert_close(T.GENERATOR_COSTS["minimax"](l), torch.log(1 - d))
    torch.testing.assert_close(T.GENERATOR_COSTS["non-saturating"](l), -torch.log(d))
    torch.testing.assert_close(T.GENERATOR_COSTS["maximum likelihood"](l), -0.5 * d / (1 - d))


XS = T.grid(-8, 16, 24001)
BASE = T.Mixture1D((0.0,), (0.5,))


def _shifted(m):
    return T.Mixture1D((m,), (0.5,))


def _slope(fn, m, h=1e-4):
    return (fn(m + h) - fn(m - h)) / (2 * h)


@pytest.mark.parametrize("shift", [0.5, 1.0, 3.0, 6.0])
def test_at_d_star_each_generator_cost_follows_its_divergence(shift):
    # minimax → 2·JSD (Goodfellow 2014); non-saturating → KL(p_g‖p_data) − 2·JSD (Arjovsky & Bottou 2017,
    # Thm 2.5); maximum likelihood → ½·KL(p_data‖p_g) (Goodfellow 2014b). Gradients w.r.t. the shift of p_g.
    slope = lambda name: T.frozen_d_slope(T.GENERATOR_COSTS[name], BASE, _shifted, shift, XS)
    pd = BASE.pdf(XS)
    close(slope("minimax"), _slope(lambda m: 2 * T.jsd(pd, _shifted(m).pdf(XS), XS), shift), 1e-5)
    close(slope("non-saturating"), _slope(lambda m: T.ns_target(pd, _shifted(m).pdf(XS), XS), shift), 1e-5)
    close(slope("maximum likelihood"), _slope(lambda m: 0.5 * T.kl(pd, _shifted(m).pdf(XS), XS), shift), 1e-4)


def test_ns_target_of_shifted_gaussians_is_the_closed_form_kl_minus_two_jsd():
    # KL(N(s, σ²) ‖ N(0, σ²)) = s²/(2σ²): the NS quantity grows without bound while JSD saturates at log 2
    pd, pg = BASE.pdf(XS), _shifted(6.0).pdf(XS)
    close(T.ns_target(pd, pg, XS), 6.0 ** 2 / (2 * 0.25) - 2 * T.jsd(pd, pg, XS), 1e-6)
    close(T.jsd(pd, pg, XS), LOG2, 1e-6)


def test_forward_kl_covers_the_modes_and_reverse_kl_seeks_one():
    x = T.grid(-10, 10, 2001)
    p = T.Mixture1D((-2.0, 2.0), (0.5, 0.5)).pdf(x)
    means, stds = torch.linspace(-3, 3, 25), torch.linspace(0.25, 3, 56)
    mu, s, _ = T.best_gaussian(p, x, "forward", means, stds)
    # the best Gaussian in KL(p‖q) matches p's mean and variance: μ = 0, s² = 0.5² + 2²
    close(mu, 0.0, 1e-6)
    close(s, math.sqrt(0.25 + 4), 0.026)                     # half a step of the stds grid
    mu, s, div = T.best_gaussian(p, x, "reverse", means, stds)
    close(abs(mu), 2.0, 1e-6)                                # on one mode, with that mode's spread
    close(s, 0.5, 1e-6)
    close(div, LOG2, 1e-3)                                   # KL(q‖p) = log 2: q misses half of p
    with pytest.raises(ValueError, match="forward"):
        T.best_gaussian(p, x, "sideways", means, stds)


def test_the_js_row_is_nowozin_et_al_as_printed():
    # Table 2 of Nowozin et al. (2016): f* = −log(2 − eᵗ), g_f(v) = log 2 − log(1 + e^{−v})
    js, v = T.F_DIVERGENCES["JS"], torch.tensor([-3.0, -0.5, 0.0, 2.0], dtype=torch.float64)
    t = js.activation(v)
    torch.testing.assert_close(t, math.log(2) - torch.log1p(torch.exp(-v)))
    torch.testing.assert_close(js.conjugate(t), -torch.log(2 - torch.exp(t)))


def test_generator_cost_gradients_are_the_table_of_notebook_02():
    # ∂J/∂l: minimax −D, non-saturating −(1 − D), maximum likelihood −½ e^l = −½ D/(1 − D)
    l = torch.linspace(-8, 8, 41, dtype=torch.float64, requires_grad=True)
    d = torch.sigmoid(l).detach()
    for name, expected in (("minimax", -d), ("non-saturating", -(1 - d)), ("maximum likelihood", -0.5 * d / (1 - d))):
        (grad,) = torch.autograd.grad(T.GENERATOR_COSTS[name](l).sum(), l)
        torch.testing.assert_close(grad, expected)


@pytest.mark.parametrize("r, f", [(0.9, 0.0), (0.8, 0.1), (1.0, 0.0)])
def test_smoothed_optimal_d_is_r_pdata_plus_f_pg_over_the_sum(r, f):
    # per point, BCE with targets r (data) and f (fakes) is maximised at (r·a + f·b)/(a + b)
    y = torch.linspace(1e-6, 1 - 1e-6, 200_001, dtype=torch.float64)
    for a, b in [(0.2, 0.8), (1.0, 1.0), (3.0, 0.5)]:
        objective = a * (r * torch.log(y) + (1 - r) * torch.log1p(-y)) + b * (f * torch.log(y) + (1 - f) * torch.log1p(-y))
        got = T.smoothed_optimal_d(torch.tensor([a]), torch.tensor([b]), r, f).item()
        close(y[objective.argmax()], got, 1e-5)


def test_one_sided_smoothing_scales_d_star_by_one_minus_alpha():
    pd, pg = P.pdf(X), Q.pdf(X)
    torch.testing.assert_close(T.smoothed_optimal_d(pd, pg, 0.9, 0.0), 0.9 * T.optimal_d(pd, pg))


def test_the_smoothed_loss_of_gan_course_is_minimised_at_the_smoothed_d_star():
    from gan_course.losses import d_bce_smoothed
    alpha = 0.1
    l = torch.linspace(-10, 10, 200_001, dtype=torch.float64)
    zero = torch.zeros(1, dtype=torch.float64)
    on_real = torch.stack([d_bce_smoothed(v[None], zero, alpha) for v in l[::100]]) - math.log(2)   # the real term
    on_fake = torch.stack([d_bce_smoothed(zero, v[None], alpha) for v in l[::100]]) - (on_real[len(on_real) // 2])
    for a, b in [(0.2, 0.8), (3.0, 0.5)]:
        best = torch.sigmoid(l[::100][(a * on_real + b * on_fake).argmin()]).item()
        want = T.smoothed_optimal_d(torch.tensor([a]), torch.tensor([b]), 1 - alpha, 0.0).item()
        close(best, want, 5e-3)


def test_instance_noise_is_the_convolution_with_a_gaussian():
    sigma = 0.7
    x = T.grid(-15, 15, 6001)
    gauss = lambda u: torch.exp(-0.5 * (u / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    by_convolution = torch.tensor([T.integrate(P.pdf(x) * gauss(t - x), x) for t in x[::50]], dtype=torch.float64)
    torch.testing.assert_close(T.instance_noise(P, sigma).pdf(x[::50]), by_convolution, rtol=0, atol=1e-8)


def test_instance_noise_gives_point_like_distributions_overlap_and_a_gradient():
    # two near-point masses 1 apart: JSD ≈ log 2 and flat; blurred by σ = 0.5 both drop clearly
    x = T.grid(-10, 11, 42001)
    base = T.Mixture1D((0.0,), (0.01,))
    jsd = lambda s, sig: T.jsd(T.instance_noise(base, sig).pdf(x), T.instance_noise(T.Mixture1D((s,), (0.01,)), sig).pdf(x), x)
    close(jsd(1.0, 0.0), LOG2, 1e-6)
    assert jsd(1.0, 0.5) < 0.5 * LOG2
    assert abs(jsd(1.1, 0.5) - jsd(0.9, 0.5)) > 1e-2 > abs(jsd(1.1, 0.0) - jsd(0.9, 0.0))
