"""Walking a trained generator's latent space (07_latent_space_explorer): interpolation,
truncation, GANSpace-style directions, class arithmetic and inversion. Pure functions of
tensors and a generator; the sliders live in widgets.py.
"""
from __future__ import annotations

import torch
from torch import nn

from .evaluation.classifier import predict
from .models.sampling import conditioned
from .runtime import device_of, to_device_of


def z_for(seed: int, z_dim: int) -> torch.Tensor:
    """The latent vector of a seed, (z_dim,) — the same z as `gc.sample(G, 1, seed=seed)`."""
    return torch.randn(1, z_dim, generator=torch.Generator().manual_seed(seed))[0]


def lerp(z0: torch.Tensor, z1: torch.Tensor, t: float) -> torch.Tensor:
    """(1 − t)·z0 + t·z1."""
    return torch.lerp(z0, z1, t)


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation: sin((1−t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1, Ω the angle between
    z0 and z1 (Shoemake 1985; White 2016 for GANs). Falls back to lerp when Ω ≈ 0."""
    omega = torch.arccos(torch.clamp(nn.functional.cosine_similarity(z0, z1, dim=-1), -1.0, 1.0))
    if omega.abs().max() < 1e-6:
        return lerp(z0, z1, t)
    s = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / s).unsqueeze(-1) * z0 + (torch.sin(t * omega) / s).unsqueeze(-1) * z1


def path(z0: torch.Tensor, z1: torch.Tensor, steps: int, mode: str = "slerp") -> torch.Tensor:
    """`steps` latents from z0 to z1 inclusive, (steps, z_dim), by "lerp" or "slerp"."""
    walk = {"lerp": lerp, "slerp": slerp}[mode]
    return torch.stack([walk(z0, z1, t) for t in torch.linspace(0, 1, steps).tolist()])


def truncate(z: torch.Tensor, psi: float) -> torch.Tensor:
    """Scale z by ψ ∈ [0, 1], i.e. sample N(0, ψ²I) — a lower temperature, not either published
    truncation trick (BigGAN's truncated normal: `resample_truncated`; StyleGAN's pull toward the
    mean w); ψ = 1: unchanged; ψ = 0: every sample is G(0)."""
    if not 0.0 <= psi <= 1.0:
        raise ValueError(f"psi={psi} must be in [0, 1].")
    return psi * z


def resample_truncated(z: torch.Tensor, threshold: float, seed: int = 0) -> torch.Tensor:
    """BigGAN's truncation trick (Brock et al. 2019, §3.1): every coordinate with |z_i| > threshold
    is redrawn from N(0, 1) until it falls inside, so each coordinate follows the standard normal
    truncated to [−threshold, threshold]. Coordinates already inside are kept; z is not modified.
    Redraws use their own generator (`seed`), on the CPU; the result is on z's device."""
    if not threshold >= 0.01:
        raise ValueError(f"threshold={threshold} must be at least 0.01 (smaller ones make almost every "
                         f"coordinate 0 and take very many redraws: use truncate(z, 0) for G(0)).")
    g, device = torch.Generator().manual_seed(seed), z.device
    z = z.detach().cpu().clone()
    outside = z.abs() > threshold
    while outside.any():                                       # each round keeps P(|N(0,1)| ≤ threshold) of the redraws
        z[outside] = torch.randn(int(outside.sum()), generator=g)
        outside = z.abs() > threshold
    return z.to(device)


@torch.no_grad()
def images(G: nn.Module, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
    """G(z) (or G(z, labels)) in eval mode on G's device, z and labels from any device, returned on
    the CPU: (N, 1, 28, 28). G's train/eval mode is left as it was."""
    was_training = G.training
    G.eval()
    try:
        return conditioned(G, to_device_of(G, labels))(to_device_of(G, z)).float().cpu()
    finally:
        G.train(was_training)


# ----------------------------------------------------------------------------- GANSpace directions
def _first_block(G: nn.Module) -> nn.Module:
    """G's first layer with its normalisation and activation (DCGAN: ConvT → BN → ReLU, (N, 4w, 7, 7))."""
    return G.net[:3]


def pca_latent_directions(z: torch.Tensor, y: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """GANSpace's two steps on latents z (n, d) and the activations they gave, y (n, m): PCA of y,
    then the latent direction of each of the top k components by least squares — u_k such that
    z ≈ Σ_k x_k u_k, x the PCA coordinates. Returns (directions (k, d), each of unit length;
    explained variance ratio (k,)). For a linear layer y = A z they are the top right singular
    vectors of A, i.e. SeFa's directions (tests/unit/test_latent.py checks it).
    Only the top k components are needed, so a randomized truncated SVD (Halko et al. 2011,
    `torch.svd_lowrank`, k + 20 columns, 4 power iterations, its own fixed seed) replaces the full
    SVD: on 07's 2 000 × 12 544 activations it agrees with the full one and is ~40× faster."""
    y = y - y.mean(0)
    q = min(k + 20, *y.shape)
    with torch.random.fork_rng(devices=[]):                                       # deterministic; global RNG untouched
        torch.manual_seed(0)
        _, s, v = torch.svd_lowrank(y, q=q, niter=4)                              # y ≈ U S Vᵀ, top q
    x = y @ v[:, :k]                                                              # (n, k) PCA coordinates
    u = torch.linalg.lstsq(x, z).solution                                         # (k, d): z ≈ x u
    variance = s[:k].square() / y.square().sum()                                  # share of the total variance
    return u / u.norm(dim=1, keepdim=True), variance


@torch.no_grad()
def pca_directions(G: nn.Module, k: int = 10, n: int = 5000, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """GANSpace (Härkönen et al. 2020) for a generator without a mapping network: PCA of the
    activations y = G₁(z) after G's first block for n random z, then each component's latent
    direction by least squares (`pca_latent_directions`).
    Returns (directions (k, z_dim), each of unit length; explained variance ratio (k,))."""
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))
    was_training = G.training
    G.eval()
    try:
        y = _first_block(G)(to_device_of(G, z)[:, :, None, None]).flatten(1).float().cpu()   # (n, 4w·49)
    finally:
        G.train(was_training)
    return pca_latent_directions(z, y, k)


def sefa(weight: torch.Tensor, k: int, unit_columns: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """SeFa, closed-form factorisation (Shen & Zhou 2021): for a first layer y = A z, the unit
    directions n maximising ‖A n‖² are the top eigenvectors of AᵀA — the top right singular vectors
    of A. `weight` is Aᵀ, (d, m): one column per output unit. `unit_columns` first scales each
    column to unit length, as the authors' code does (genforce/sefa, utils.factorize_weight).
    Returns (directions (k, d), their singular values σ_k = ‖A n_k‖ (k,)); each direction's sign
    is arbitrary."""
    weight = weight.detach().float().cpu()
    if unit_columns:
        weight = weight / weight.norm(dim=0, keepdim=True)
    u, s, _ = torch.linalg.svd(weight, full_matrices=False)                      # Aᵀ = U S Vᵀ, so AᵀA = U S² Uᵀ
    return u[:, :k].T, s[:k]


def sefa_directions(G: nn.Module, k: int = 10, unit_columns: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """SeFa on a DCGAN generator's first layer, the 7×7 transposed convolution from z:
    its weight (z_dim, 4w, 7, 7) is Aᵀ with one column per output unit (channel, row, column)."""
    return sefa(G.net[0].weight.flatten(1), k, unit_columns)                     # (z_dim, 4w·49)


@torch.no_grad()
def describe(G: nn.Module, direction: torch.Tensor, classifier: nn.Module, classes, n: int = 64,
             amount: float = 3.0, seed: int = 0) -> str:
    """A heuristic label for what moving along `direction` does, from n seeds at −amount and +amount:
    the class flip the evaluation classifier sees most often (if more than a third of the seeds flip),
    or else the largest of four changes put in hand-scaled units so that they can compete —
    brightness (mean grey level in [0, 1]) × 10, ink area (pixels above mid-grey) / 28, width and
    height of the inked box in pixels. The scales are a choice, not a measurement of meaning.
    G and the classifier each run on their own device; `direction` may be on any device."""
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))
    direction = direction.cpu()                                                  # beside z
    lo, hi = images(G, z - amount * direction), images(G, z + amount * direction)   # on the CPU
    c_lo, c_hi = predict(classifier, lo), predict(classifier, hi)
    flips = [(int(a), int(b)) for a, b in zip(c_lo, c_hi) if a != b]
    if len(flips) > n // 3:
        a, b = max(set(flips), key=flips.count)
        return f"{classes[a]} → {classes[b]}"

    def stats(x):
        ink = x > 0                                                               # pixels brighter than mid-grey
        return {"brighter": (x.mean((1, 2, 3)) + 1) / 2 * 10,                     # scaled to compete with px counts
                "more ink": ink.float().sum((1, 2, 3)) / 28,
                "wider": ink.any(2).float().sum((1, 2)),
                "taller": ink.any(3).float().sum((1, 2))}
    s_lo, s_hi = stats(lo), stats(hi)
    change = {k: (s_hi[k] - s_lo[k]).mean().item() for k in s_lo}
    name = max(change, key=lambda k: abs(change[k]))
    opposite = {"brighter": "darker", "more ink": "less ink", "wider": "narrower", "taller": "shorter"}
    return name if change[name] > 0 else opposite[name]


# ----------------------------------------------------------------------------- arithmetic and inversion
@torch.no_grad()
def class_means(G: nn.Module, classifier: nn.Module, n: int = 5000, seed: int = 0) -> torch.Tensor:
    """Mean latent vector of the samples the classifier puts in each class, (10, z_dim)
    (a class with no sample gets NaN)."""
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))
    label = torch.cat([predict(classifier, images(G, chunk)) for chunk in z.split(1000)])
    return torch.stack([z[label == c].mean(0) for c in range(10)])


def linear_direction(z: torch.Tensor, positive: torch.Tensor, steps: int = 200, l2: float = 1e-3) -> tuple[torch.Tensor, float]:
    """InterFaceGAN's supervised direction (Shen et al. 2020): fit a linear classifier
    sigmoid(z·w + b) to a binary attribute of the images G made from latents z (N, d) — `positive`
    (N,) bool — and return the unit normal of its boundary, w/‖w‖ (d,), pointing toward the positive
    side, with the classifier's accuracy on the latents it was fitted to. Logistic regression with
    an L2 penalty l2·‖w‖², by L-BFGS on the CPU (the paper uses a linear SVM: same boundary idea)."""
    z, y = z.detach().float().cpu(), positive.detach().float().cpu()
    if not 0 < y.sum() < len(y):
        raise ValueError("positive must hold both True and False labels: pick an attribute some latents have and some lack.")
    w = torch.zeros(z.shape[1] + 1, requires_grad=True)                           # (d + 1,): weights, then bias
    opt = torch.optim.LBFGS([w], max_iter=steps, line_search_fn="strong_wolfe")

    def loss():
        opt.zero_grad()
        out = nn.functional.binary_cross_entropy_with_logits(z @ w[:-1] + w[-1], y) + l2 * w[:-1].square().sum()
        out.backward()
        return out
    opt.step(loss)
    w = w.detach()
    accuracy = ((z @ w[:-1] + w[-1] > 0).float() == y).float().mean().item()
    return w[:-1] / w[:-1].norm(), accuracy


def prior_penalty(z: torch.Tensor, prior: str) -> torch.Tensor:
    """The prior term of `invert` for latents z (N, d), per latent (N,):
    "origin"  ‖z‖²/d = (2/d)·(−log N(z; 0, I_d)) − log 2π — the Gaussian's negative log-density
              scaled by 2/d, shifted by a constant (`invert` multiplies it by w, so the scale is 2w/d);
              pulls z toward 0, the mode;
    "shell"   (‖z‖ − √d)² — pulls ‖z‖ toward √d, where N(0, I_d) puts its mass (07 §3);
    "none" and "sphere" (a projection after each step, not a penalty) add 0."""
    if prior == "origin":
        return z.square().mean(-1)
    if prior == "shell":
        return (z.norm(dim=-1) - z.shape[-1] ** 0.5).square()
    if prior in ("none", "sphere"):
        return z.new_zeros(z.shape[:-1])
    raise ValueError(f"prior={prior!r}: choose 'origin', 'shell', 'sphere' or 'none'.")


def invert(G: nn.Module, target: torch.Tensor, steps: int = 300, lr: float = 0.05, restarts: int = 8,
           prior: str = "origin", weight: float = 1e-3, seed: int = 0) -> tuple[torch.Tensor, list[float]]:
    """Find z with G(z) ≈ target (1, 1, 28, 28): Adam on mean squared error + weight·prior_penalty(z)
    — or, with prior="sphere", z projected back onto the sphere ‖z‖ = √d after every step —
    from `restarts` random starts at once, keeping the best, on G's device (target from any device).
    Returns (z (z_dim,) on the CPU, best pixel MSE before each step and after the last: steps + 1
    values, the last one that of the returned z)."""
    prior_penalty(torch.zeros(1, 1), prior)           # an unknown prior fails here, before any work
    dev = device_of(G)
    was_training, needs_grad = G.training, [p.requires_grad for p in G.parameters()]
    G.eval().requires_grad_(False)                    # only z is optimised; G is left as it was
    z = torch.randn(restarts, G.z_dim, generator=torch.Generator().manual_seed(seed)).to(dev)
    radius = G.z_dim ** 0.5
    if prior == "sphere":
        z = z * radius / z.norm(dim=1, keepdim=True)
    z.requires_grad_(True)
    opt = torch.optim.Adam([z], lr=lr)
    target = target.to(dev).expand(restarts, -1, -1, -1)
    curve = []
    try:
        for _ in range(steps):
            err = (G(z) - target).square().mean((1, 2, 3))                      # (restarts,)
            loss = err + weight * prior_penalty(z, prior)
            opt.zero_grad(set_to_none=True)
            loss.sum().backward()
            opt.step()
            if prior == "sphere":
                with torch.no_grad():
                    z.mul_(radius / z.norm(dim=1, keepdim=True))             # back onto ‖z‖ = √d
            curve.append(err.min().item())
        with torch.no_grad():                          # the error of the code returned, after the last step
            err = (G(z) - target).square().mean((1, 2, 3))
        curve.append(err.min().item())
    finally:
        G.train(was_training)
        for p, flag in zip(G.parameters(), needs_grad):
            p.requires_grad_(flag)
    return z.detach()[err.argmin()].cpu(), curve


def norm_percentile(z: torch.Tensor) -> torch.Tensor:
    """How typical the length of each latent (N, d) is for N(0, I_d): P(‖Z‖ ≤ ‖z‖), the χ²_d CDF at
    ‖z‖², i.e. the regularised incomplete gamma P(d/2, ‖z‖²/2). Typical codes sit near 0.5;
    near 0 or 1 means G almost never saw a code that short or that long."""
    d = z.shape[-1]
    return torch.special.gammainc(torch.tensor(d / 2, dtype=torch.float64), z.double().square().sum(-1) / 2).float()
