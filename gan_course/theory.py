"""Exact quantities of the GAN game on 1-D densities, by quadrature on a grid.

All in float64 on a fine grid, so identities such as V(D*, G) = −log 4 + 2·JSD hold to
~1e-9 and can be tested. Introduced in 01_the_gan_game; the f-divergence table and the
bilinear game are used in 02 and 03.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

Tensor = torch.Tensor
LOG2, LOG4 = math.log(2.0), math.log(4.0)


@dataclass(frozen=True)
class Mixture1D:
    """A 1-D Gaussian mixture: Σ_k w_k N(mean_k, std_k²)."""
    means: tuple[float, ...]
    stds: tuple[float, ...]
    weights: tuple[float, ...] | None = None     # None: equal weights

    def __post_init__(self):
        k = len(self.means)
        if len(self.stds) != k or (self.weights is not None and len(self.weights) != k):
            raise ValueError("means, stds (and weights) must have one entry per component.")
        if min(self.stds) <= 0:
            raise ValueError(f"stds must be positive; got {self.stds}.")
        if self.weights is not None and (min(self.weights) < 0 or not math.isclose(sum(self.weights), 1.0)):
            raise ValueError(f"weights must be non-negative and sum to 1; got {self.weights}.")

    @property
    def w(self) -> Tensor:
        k = len(self.means)
        return torch.tensor(self.weights or [1.0 / k] * k, dtype=torch.float64)

    def pdf(self, x: Tensor) -> Tensor:
        x = x.double()[..., None]                                         # (..., 1)
        mu = torch.tensor(self.means, dtype=torch.float64)
        sd = torch.tensor(self.stds, dtype=torch.float64)
        comp = torch.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))  # (..., K)
        return comp @ self.w

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        k = torch.multinomial(self.w, n, replacement=True, generator=generator)
        mu = torch.tensor(self.means, dtype=torch.float64)[k]
        sd = torch.tensor(self.stds, dtype=torch.float64)[k]
        return (mu + sd * torch.randn(n, generator=generator, dtype=torch.float64)).float()


def grid(lo: float = -12.0, hi: float = 12.0, n: int = 24001) -> Tensor:
    """The quadrature grid: n evenly spaced points (float64)."""
    return torch.linspace(lo, hi, n, dtype=torch.float64)


def integrate(values: Tensor, x: Tensor) -> float:
    """∫ values dx by the trapezoidal rule on the grid x."""
    return torch.trapezoid(values, x).item()


def optimal_d(p_data: Tensor, p_g: Tensor) -> Tensor:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)); ½ where neither has mass (any value is optimal there)."""
    total = p_data + p_g
    return torch.where(total > 0, p_data / total.clamp_min(1e-300), torch.full_like(total, 0.5))


def value(d: Tensor, p_data: Tensor, p_g: Tensor, x: Tensor) -> float:
    """V(D, G) = E_{x~p_data}[log D(x)] + E_{x~p_g}[log(1 − D(x))], with 0·log 0 = 0."""
    # D* rounds to exactly 0 or 1 where one density is ~1e16 times the other; keeping D inside
    # (0, 1) by one float step changes V by < 1e-14 there instead of making it −inf.
    d = d.clamp(1e-300, 1 - 2.0 ** -53)
    return integrate(torch.xlogy(p_data, d) + torch.xlogy(p_g, 1 - d), x)


def kl(p: Tensor, q: Tensor, x: Tensor) -> float:
    """KL(p ‖ q) = ∫ p log(p / q)."""
    # Densities below 1e-280 count as 0: deep in a Gaussian's tail they turn subnormal, and
    # (p + q)/2 can round to 0 while p does not, giving log 0. Their share of the integral is nil.
    p = torch.where(p < 1e-280, torch.zeros_like(p), p)
    return integrate(torch.xlogy(p, p) - torch.xlogy(p, q), x)


def jsd(p: Tensor, q: Tensor, x: Tensor) -> float:
    """JSD(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q) / 2. Between 0 and log 2."""
    m = (p + q) / 2
    return 0.5 * kl(p, m, x) + 0.5 * kl(q, m, x)


def wasserstein1(p: Tensor, q: Tensor, x: Tensor) -> float:
    """W₁(p, q) in 1-D = ∫ |F_p(x) − F_q(x)| dx, with F the cumulative distribution functions."""
    cdf = lambda d: torch.cat([d.new_zeros(1), torch.cumulative_trapezoid(d, x)])
    return integrate((cdf(p) - cdf(q)).abs(), x)


def game(p_data: Mixture1D, p_g: Mixture1D, x: Tensor | None = None) -> dict:
    """Everything notebook 01 shows for one (p_data, p_g): densities, D*, V(D*, G), JSD, KLs."""
    x = grid() if x is None else x
    pd, pg = p_data.pdf(x), p_g.pdf(x)
    d_star = optimal_d(pd, pg)
    return {"x": x, "p_data": pd, "p_g": pg, "d_star": d_star, "V": value(d_star, pd, pg, x),
            "JSD": jsd(pd, pg, x), "KL(p_data||p_g)": kl(pd, pg, x), "KL(p_g||p_data)": kl(pg, pd, x)}


# ----------------------------------------------------------------------------- f-divergences
@dataclass(frozen=True)
class FDivergence:
    """D_f(P ‖ Q) = ∫ q(x) f(p(x)/q(x)) dx, and the f-GAN pieces (Nowozin et al. 2016, tables 1–2)."""
    name: str
    f: Callable[[Tensor], Tensor]              # generator of the divergence, convex; f(1) = 0 except GAN's (−log 4)
    f_text: str
    conjugate: Callable[[Tensor], Tensor]      # f*(t) = sup_u (u·t − f(u))
    conjugate_text: str
    activation: Callable[[Tensor], Tensor]     # g_f: maps the critic's raw output v into dom f*
    activation_text: str


def _u_log_u(u):
    return torch.xlogy(u, u)


F_DIVERGENCES = {
    "KL": FDivergence("Kullback–Leibler KL(P‖Q)", _u_log_u, "u log u",
                      lambda t: torch.exp(t - 1), "exp(t − 1)", lambda v: v, "v"),
    "reverse KL": FDivergence("reverse KL(Q‖P)", lambda u: -torch.log(u), "−log u",
                              lambda t: -1 - torch.log(-t), "−1 − log(−t)", lambda v: -torch.exp(-v), "−exp(−v)"),
    "Pearson chi2": FDivergence("Pearson χ²", lambda u: (u - 1) ** 2, "(u − 1)²",
                                lambda t: t ** 2 / 4 + t, "t²/4 + t", lambda v: v, "v"),
    # Nowozin et al.'s row, as printed: this f integrates to 2·JSD (their table's JS is ½ of that).
    "JS": FDivergence("Jensen–Shannon (Nowozin et al.: ∫ q f(p/q) = 2·JSD)",
                      lambda u: _u_log_u(u) - torch.xlogy(u + 1, (u + 1) / 2),
                      "u log u − (u + 1) log((u + 1)/2)",
                      lambda t: -torch.log(2 - torch.exp(t)), "−log(2 − exp(t))",
                      lambda v: LOG2 - torch.nn.functional.softplus(-v), "log 2 − log(1 + exp(−v))"),
    "GAN": FDivergence("GAN (2·JSD − log 4)", lambda u: _u_log_u(u) - torch.xlogy(u + 1, u + 1),
                       "u log u − (u + 1) log(u + 1)", lambda t: -torch.log(1 - torch.exp(t)),
                       "−log(1 − exp(t))", lambda v: -torch.nn.functional.softplus(-v), "−log(1 + exp(−v))"),
}


def f_divergence(f: Callable[[Tensor], Tensor], p: Tensor, q: Tensor, x: Tensor) -> float:
    """∫ q f(p / q) dx where q > 0 (the densities in this course never vanish on the grid)."""
    mask = q > 0
    return integrate(torch.where(mask, q * f(p / q.clamp_min(1e-300)), torch.zeros_like(q)), x)


def optimal_critic(div: FDivergence, p: Tensor, q: Tensor) -> Tensor:
    """T*(x) = f′(p(x)/q(x)), the critic at which the f-GAN bound E_P[T] − E_Q[f*(T)] equals D_f(P ‖ Q)
    (Nguyen et al. 2010; Nowozin et al. 2016, eq. 5). f′ by autograd through div.f. For the GAN row
    T* = log(p/(p + q)) = log D*. Introduced in 02b_the_loss_zoo (§5)."""
    u = (p / q.clamp_min(1e-300)).detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(div.f(u).sum(), u)
    return grad


def variational_bound(div: FDivergence, t: Tensor, p: Tensor, q: Tensor, x: Tensor) -> float:
    """E_P[T] − E_Q[f*(T)] for a critic T given by its values t on the grid x: ≤ D_f(P ‖ Q) for every T,
    with equality at T* = optimal_critic (Fenchel–Young). Introduced in 02b_the_loss_zoo (§5)."""
    return integrate(p * t, x) - integrate(q * div.conjugate(t), x)


# ----------------------------------------------------------------------------- weight clipping (02b §2)
def clipped_gain(c: float, width: int) -> float:
    """c·√(width/2): the factor by which one ReLU layer of `width` units, every weight at ±c (where weight
    clipping drives a critic's weights, Gulrajani et al. 2017, fig. 1c), scales the norm of a gradient passing
    back through it — ±c weights give ‖Wᵀv‖² ≈ width·c²·‖v‖², and the ReLU lets about half of it through.
    Below 1 the gradient vanishes geometrically with depth, above 1 it explodes (their fig. 1b)."""
    return c * math.sqrt(width / 2)


def clipped_critic_gradients(c: float, width: int = 512, depth: int = 12, seed: int = 0,
                             batch: int = 64) -> Tensor:
    """‖∂f/∂h_l‖ for each hidden layer l = 1…depth (1 is next to the input), averaged over a batch of 2-D
    inputs, of a ReLU critic f whose weights all sit at ±c with random signs (biases 0). Float64, (depth,).
    Compare with clipped_gain: each layer towards the input multiplies the norm by about that factor."""
    gen = torch.Generator().manual_seed(seed)
    sign = lambda *shape: torch.randint(0, 2, shape, generator=gen, dtype=torch.float64) * 2 - 1
    layers = [sign(width, 2) * c] + [sign(width, width) * c for _ in range(depth - 1)]
    out = sign(1, width) * c
    h, hidden = torch.randn(batch, 2, generator=gen, dtype=torch.float64).requires_grad_(True), []
    for W in layers:
        h = torch.relu(h @ W.T)                                       # (batch, width)
        h.retain_grad()
        hidden.append(h)
    (h @ out.T).sum().backward()
    return torch.stack([v.grad.norm(dim=1).mean() for v in hidden])


# ----------------------------------------------------------------------------- what G follows at D*
def optimal_logit(p_data: Tensor, p_g: Tensor) -> Tensor:
    """l*(x) = log p_data(x) − log p_g(x), the logit of D* (σ(l*) = D*). Densities floored at 1e-300."""
    return torch.log(p_data.clamp_min(1e-300)) - torch.log(p_g.clamp_min(1e-300))


def smoothed_optimal_d(p_data: Tensor, p_g: Tensor, real_label: float = 1.0, fake_label: float = 0.0) -> Tensor:
    """The D that maximises E_data[r log D + (1 − r) log(1 − D)] + E_g[f log D + (1 − f) log(1 − D)], i.e. BCE
    with target r = real_label on data and f = fake_label on fakes: D*(x) = (r·p_data + f·p_g)/(p_data + p_g).
    One-sided smoothing (r = 1 − α, f = 0) only scales D* by 1 − α; f > 0 lifts D* where only p_g has mass
    (Goodfellow's NIPS 2016 tutorial, §4.2). Introduced in 02_deriving_the_losses (§2)."""
    total = p_data + p_g
    mixed = real_label * p_data + fake_label * p_g
    half = torch.full_like(total, (real_label + fake_label) / 2)
    return torch.where(total > 0, mixed / total.clamp_min(1e-300), half)


def instance_noise(p: Mixture1D, sigma: float) -> Mixture1D:
    """The law of x + ε, x ~ p, ε ~ N(0, σ²): each component's variance grows by σ² (a Gaussian convolved
    with a Gaussian). Applied to both p_data and p_g it gives them overlapping supports (Sønderby et al.
    2016; Arjovsky & Bottou 2017, §3). Introduced in 01_the_gan_game (§7)."""
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0; got {sigma}.")
    return Mixture1D(p.means, tuple(math.sqrt(s ** 2 + sigma ** 2) for s in p.stds), p.weights)


# The three generator costs of Goodfellow's NIPS 2016 tutorial, as functions of D's logit l on a fake.
GENERATOR_COSTS = {
    "minimax": lambda l: -torch.nn.functional.softplus(l),           # log(1 − σ(l)): the game's own cost
    "non-saturating": lambda l: torch.nn.functional.softplus(-l),    # −log σ(l)
    "maximum likelihood": lambda l: -0.5 * torch.exp(l),             # −½ σ(l)/(1 − σ(l)) = −½ e^l
}


def frozen_d_slope(cost: Callable[[Tensor], Tensor], p_data: Mixture1D, family: Callable[[float], Mixture1D],
                   theta: float, x: Tensor, h: float = 1e-4) -> float:
    """d/dθ E_{x ~ p_θ}[cost(l*(x))] at θ, with l* = optimal_logit(p_data, p_θ) frozen at θ: the gradient a
    generator p_θ = family(θ) gets from `cost` when D sits at D* and G's step does not move it.
    By a central difference. Introduced in 01_the_gan_game (§6)."""
    l_star = optimal_logit(p_data.pdf(x), family(theta).pdf(x))
    c = torch.nan_to_num(cost(l_star))
    return (integrate(family(theta + h).pdf(x) * c, x) - integrate(family(theta - h).pdf(x) * c, x)) / (2 * h)


def ns_target(p_data: Tensor, p_g: Tensor, x: Tensor) -> float:
    """KL(p_g ‖ p_data) − 2·JSD(p_data ‖ p_g): at D*, the non-saturating cost's gradient is this one's
    (Arjovsky & Bottou 2017, Theorem 2.5). Introduced in 01_the_gan_game (§6)."""
    return kl(p_g, p_data, x) - 2 * jsd(p_data, p_g, x)


def best_gaussian(p: Tensor, x: Tensor, direction: str, means: Tensor, stds: Tensor) -> tuple[float, float, float]:
    """The N(μ, s²) over the grid means × stds that minimises KL(p ‖ q) ("forward": mode covering, what
    maximum likelihood fits) or KL(q ‖ p) ("reverse": mode seeking). Returns (μ, s, the KL)."""
    if direction not in ("forward", "reverse"):
        raise ValueError(f"direction must be 'forward' or 'reverse'; got {direction!r}.")
    mu, sd = torch.meshgrid(means.double(), stds.double(), indexing="ij")
    mu, sd = mu.reshape(-1, 1), sd.reshape(-1, 1)                       # (M·S, 1)
    q = torch.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))  # (M·S, N)
    p = torch.where(p < 1e-280, torch.zeros_like(p), p).expand_as(q)
    q = torch.where(q < 1e-280, torch.zeros_like(q), q)
    first, second = (p, q) if direction == "forward" else (q, p)
    div = torch.trapezoid(torch.xlogy(first, first) - torch.xlogy(first, second), x, dim=-1)  # KL, as kl()
    i = int(div.argmin())
    return mu[i].item(), sd[i].item(), div[i].item()


# ----------------------------------------------------------------------------- the bilinear game
def bilinear_game(x0: float, y0: float, lr: float, steps: int, simultaneous: bool,
                  first: str = "d") -> Tensor:
    """Gradient play on min_x max_y x·y from (x0, y0); returns the iterates, shape (steps + 1, 2).
    x is the generator's parameter (it minimises), y the discriminator's (it maximises).

    simultaneous:            x ← x − η·y,      y ← y + η·x       (both use the old values)
    alternating, first="d":  y ← y + η·x,      x ← x − η·y_new   (gc.fit: d_step, then g_step)
                             conserves x² + y² + η·x·y  (bilinear_invariant)
    alternating, first="g":  x ← x − η·y,      y ← y + η·x_new   (G moves first)
                             conserves x² + y² − η·x·y
    """
    if first not in ("d", "g"):
        raise ValueError(f"first={first!r}: use 'd' (the discriminator moves first, as gc.fit does) or 'g'.")
    x, y = torch.tensor(x0, dtype=torch.float64), torch.tensor(y0, dtype=torch.float64)
    path = [(x0, y0)]
    for _ in range(steps):
        if simultaneous:
            x, y = x - lr * y, y + lr * x
        elif first == "d":
            y = y + lr * x
            x = x - lr * y
        else:
            x = x - lr * y
            y = y + lr * x
        path.append((x.item(), y.item()))
    return torch.tensor(path, dtype=torch.float64)


def bilinear_invariant(path: Tensor, lr: float, first: str = "d") -> Tensor:
    """x² + y² ± η·x·y at each iterate of an alternating bilinear_game (+ when D moves first, − when G
    does): the quadratic form the alternating map preserves exactly (derived in notebook 03 §7)."""
    sign = 1.0 if first == "d" else -1.0
    x, y = path[:, 0], path[:, 1]
    return x ** 2 + y ** 2 + sign * lr * x * y


# ----------------------------------------------------------------------------- D* from samples
def fit_discriminator(p_data: Mixture1D, p_g: Mixture1D, steps: int = 2000, batch: int = 512,
                      width: int = 64, lr: float = 2e-3, seed: int = 0) -> torch.nn.Module:
    """Train a small MLP discriminator (1 → width → width → 1 logit) on fresh samples of the two
    densities with the BCE-on-logits loss. Its σ(D(x)) should approach D*(x) where there is mass."""
    from .losses import d_bce

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    D = torch.nn.Sequential(torch.nn.Linear(1, width), torch.nn.LeakyReLU(0.2),
                            torch.nn.Linear(width, width), torch.nn.LeakyReLU(0.2),
                            torch.nn.Linear(width, 1), torch.nn.Flatten(0))
    opt = torch.optim.Adam(D.parameters(), lr=lr)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)          # a net this small runs fastest on one thread (several: sync overhead)
    try:
        for _ in range(steps):
            real = p_data.sample(batch, gen)[:, None]                     # (B, 1)
            fake = p_g.sample(batch, gen)[:, None]
            loss = d_bce(D(real), D(fake))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    finally:
        torch.set_num_threads(threads)
    return D


@torch.no_grad()
def d_probability(D: torch.nn.Module, x: Tensor) -> Tensor:
    """σ(D(x)) on a 1-D grid, as float64."""
    return torch.sigmoid(D(x.float()[:, None])).double()
