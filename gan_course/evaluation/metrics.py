"""Quality metrics. For 2-D mixtures: modes covered and the share of high-quality samples
(03_training_dynamics_2d). For images: FID, KID and Inception Score on the evaluation
classifier's features, computed by torchmetrics, next to the formulas they implement (06_evaluating_gans).

Where the classifier runs: the one you pass runs on its own device. Left out, it is loaded on G's
device by per_class (given G), and on the CPU by features, real_features, fid, kid, inception_score
and evaluate (given images only, which the device rule returns on the CPU): to score on a GPU, pass
`classifier=clf.load_classifier(device=device)`.
"""
from __future__ import annotations

import hashlib
import warnings

import torch

from . import classifier as clf
from .. import data, runtime
from ..files import atomic_write
from ..models import nets
from ..models.sampling import sample
from ..runtime import device_of, to_device_of
from . import manifold


def mode_coverage(samples: torch.Tensor, modes: torch.Tensor, std: float,
                  within: float = 3.0, min_share: float = 0.25) -> dict:
    """Samples (N, 2) against mixture centres (K, 2) of standard deviation `std`.

    A sample is high quality when it lies within `within`·std of some mode. A mode is
    covered when it receives at least `min_share` of its fair share N/K of samples within
    `within`·std. Returns {"modes": covered count, "quality": share of high-quality samples,
    "counts": samples per mode}.
    """
    dist = torch.cdist(samples.float().cpu(), modes.float().cpu())          # (N, K)
    nearest, k = dist.min(dim=1)
    good = nearest <= within * std
    counts = torch.bincount(k[good], minlength=len(modes))
    fair = len(samples) / len(modes)
    return {"modes": int((counts >= min_share * fair).sum()), "quality": good.float().mean().item(),
            "counts": counts.tolist()}


# ----------------------------------------------------------------------------- features of the evaluation classifier
def generate(G: torch.nn.Module, n: int, seed: int = 0, batch: int = 1000, labels=None) -> torch.Tensor:
    """n samples from G in eval mode, drawn in batches on G's device, returned on the CPU:
    (n, 1, 28, 28). A conditional G draws class `labels` (an int for all, or n ints: sample i has class
    labels[i]), or by default cycles through the classes across the whole draw — sample i has class
    i mod num_classes, whatever `batch` is — so n samples are class-balanced (each class n // num_classes
    or one more)."""
    if labels is not None and torch.as_tensor(labels).ndim == 1 and len(labels) != n:
        raise ValueError(f"labels: {len(labels)} given for n={n} samples; give one per sample, or one int for all.")

    def classes(i: int, b: int):
        if labels is not None and torch.as_tensor(labels).ndim == 1:
            return torch.as_tensor(labels)[i:i + b]
        if labels is not None or not nets.is_conditional(G):
            return labels
        return torch.arange(i, i + b) % G.num_classes
    return torch.cat([sample(G, min(batch, n - i), seed=seed + i, labels=classes(i, min(batch, n - i)))
                      for i in range(0, n, batch)])


def features(images: torch.Tensor, classifier=None, batch: int = 1000) -> torch.Tensor:
    """The classifier's 128-d penultimate features of images in [-1, 1] (from any device), computed
    on the classifier's device: (N, 128) float32 on the CPU."""
    classifier = classifier or clf.load_classifier()
    with torch.no_grad():
        return torch.cat([classifier.features(to_device_of(classifier, images[i:i + batch]).float()).float().cpu()
                          for i in range(0, len(images), batch)])


def real_features(classifier=None, split: str = "train", cache: bool = True) -> torch.Tensor:
    """Features of every real Fashion-MNIST image of `split`, cached in runs/cache/ by classifier digest."""
    classifier = classifier or clf.load_classifier()
    path = runtime.runs_dir() / "cache" / f"features_{split}_{_digest(classifier)}.pt"
    if cache and path.is_file():
        cached, why = _read_cache(path, split)
        if cached is not None:
            return cached
        warnings.warn(f"the feature cache {path} is unusable ({why}); recomputing it.", stacklevel=2)
    images, _ = data.load_fashion_mnist(split)
    f = features(data.to_unit_range(images), classifier)
    if cache:
        atomic_write(path, lambda fh: torch.save(f, fh))
    return f


SPLIT_SIZES = {"train": 60000, "test": 10000}    # Fashion-MNIST's splits: a cache must hold one row per image


def _read_cache(path, split: str) -> tuple[torch.Tensor | None, str]:
    """The cached features, or None and why they cannot be used (truncated, wrong shape, NaN, all zeros)."""
    try:
        f = torch.load(path, weights_only=True)
    except Exception as err:          # truncated or not a torch file
        return None, f"{type(err).__name__}: {str(err)[:80]}"
    if not isinstance(f, torch.Tensor) or f.dtype != torch.float32 or f.ndim != 2 or len(f) != SPLIT_SIZES.get(split):
        return None, f"expected float32 ({SPLIT_SIZES.get(split)}, d), found {getattr(f, 'shape', type(f).__name__)}"
    if not torch.isfinite(f).all():
        return None, "it holds NaN or inf"
    if not (f.std(0) > 0).any():
        return None, "every row is the same (e.g. zero-filled)"
    return f, ""


def real_subset(n: int, split: str = "train", seed: int = 0, classifier=None) -> torch.Tensor:
    """Features of n real images of `split` drawn without replacement (a fixed draw per seed)."""
    f = real_features(classifier, split)
    if n > len(f):
        raise ValueError(f"n={n}: the {split} split has only {len(f)} images.")
    return f[torch.randperm(len(f), generator=torch.Generator().manual_seed(seed))[:n]]


def _digest(module: torch.nn.Module) -> str:
    h = hashlib.sha256()
    for k, v in module.state_dict().items():
        h.update(k.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------- the formulas of 06, for reading
def frechet_distance(mu1, cov1, mu2, cov2) -> float:
    """‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½), in float64. Tr (Σ₁Σ₂)^½ is the sum of the square
    roots of the eigenvalues of Σ₁^½ Σ₂ Σ₁^½ (symmetric, so `eigvalsh` applies)."""
    mu1, cov1, mu2, cov2 = (t.double() for t in (mu1, cov1, mu2, cov2))
    w, v = torch.linalg.eigh(cov1)
    root1 = v @ torch.diag(w.clamp(min=0).sqrt()) @ v.T                       # Σ₁^½
    cross = torch.linalg.eigvalsh(root1 @ cov2 @ root1).clamp(min=0).sqrt().sum()
    return ((mu1 - mu2).square().sum() + cov1.trace() + cov2.trace() - 2 * cross).item()


def gaussian_fit(f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and (unbiased) covariance of features (N, d), in float64."""
    f = f.double()
    return f.mean(0), torch.cov(f.T)


def fid_infinity(ns, fids) -> tuple[float, float]:
    """FID∞ (Chong & Forsyth 2020): FID measured at several sample sizes N is, to first order,
    FID_N = FID∞ + c/N (the bias of the plug-in covariance falls like 1/N); fit that line in 1/N by
    least squares and return (FID∞, the intercept: the FID an infinite sample would give; c, the slope)."""
    x = torch.tensor([1.0 / n for n in ns], dtype=torch.float64)
    y = torch.tensor(list(fids), dtype=torch.float64)
    if len(x) < 2 or len(set(x.tolist())) < 2:
        raise ValueError(f"fid_infinity needs FIDs at two or more different N, got N = {list(ns)}.")
    A = torch.stack([torch.ones_like(x), x], 1)                                   # FID_N = a·1 + c·(1/N)
    a, c = torch.linalg.lstsq(A, y[:, None]).solution[:, 0].tolist()
    return a, c


def mmd2_unbiased(x: torch.Tensor, y: torch.Tensor, degree: int = 3) -> float:
    """KID's estimator: unbiased MMD² with k(a, b) = (a·b / d + 1)^degree, x and y of equal size m:
    1/(m(m−1)) Σ_{i≠j} [k(xᵢ,xⱼ) + k(yᵢ,yⱼ)] − 2/m² Σ_{i,j} k(xᵢ,yⱼ)."""
    x, y = x.double(), y.double()
    m, d = len(x), x.shape[1]
    k = lambda a, b: (a @ b.T / d + 1) ** degree
    kxx, kyy = k(x, x), k(y, y)
    within = (kxx.sum() - kxx.diagonal().sum() + kyy.sum() - kyy.diagonal().sum()) / (m * (m - 1))
    return (within - 2 * k(x, y).sum() / m**2).item()


def inception_score_of(logits: torch.Tensor) -> float:
    """IS = exp( E_x KL( p(y|x) ‖ p(y) ) ), p(y) the mean of p(y|x) over the samples (one split)."""
    logp = logits.double().log_softmax(1)
    logp_mean = logp.exp().mean(0).log()
    return (logp.exp() * (logp - logp_mean)).sum(1).mean().exp().item()


# ----------------------------------------------------------------------------- the metrics, computed by torchmetrics
def fid_metric(classifier=None, split: str = "train", real: torch.Tensor | None = None):
    """torchmetrics' FrechetInceptionDistance with our classifier as the feature network and the
    real statistics of Fashion-MNIST `split` (or of the given `real` features) already loaded
    (kept across reset()). It lives on the classifier's device; update() takes images from any device."""
    # imported on first use: it is slow to import
    from torchmetrics.image.fid import FrechetInceptionDistance

    classifier = classifier or clf.load_classifier()
    metric = FrechetInceptionDistance(feature=clf.Features(classifier), reset_real_features=False)
    metric = metric.to(device_of(classifier))
    f = (real if real is not None else real_features(classifier, split)).double()
    metric.real_features_sum = f.sum(0).to(metric.real_features_sum)
    metric.real_features_cov_sum = (f.T @ f).to(metric.real_features_cov_sum)
    metric.real_features_num_samples = torch.tensor(len(f), device=metric.real_features_num_samples.device)
    return metric


def fid(fake_images: torch.Tensor, classifier=None, split: str = "train", batch: int = 1000) -> float:
    """FID between images (N, 1, 28, 28) in [-1, 1] and all of real Fashion-MNIST `split`, on the
    classifier's 128-d penultimate features."""
    metric = fid_metric(classifier, split)
    for i in range(0, len(fake_images), batch):
        metric.update(fake_images[i:i + batch], real=False)
    return metric.compute().item()


def kid(fake_images: torch.Tensor, classifier=None, split: str = "train", subsets: int = 100,
        subset_size: int = 1000, seed: int = 0, batch: int = 1000) -> tuple[float, float]:
    """KID (mean, std over `subsets` random subsets of `subset_size`) between images in [-1, 1] and
    as many real images of `split`, by torchmetrics' KernelInceptionDistance on our features."""
    from torchmetrics.image.kid import KernelInceptionDistance

    classifier = classifier or clf.load_classifier()
    n = len(fake_images)
    subset_size = min(subset_size, n)
    with warnings.catch_warnings():       # it warns that it keeps every feature: that is n × 128 floats here
        warnings.filterwarnings("ignore", message=".*will save all extracted features.*")
        metric = KernelInceptionDistance(feature=clf.Features(classifier), subsets=subsets, subset_size=subset_size)
    metric = metric.to(device_of(classifier))
    metric.real_features.append(to_device_of(classifier, real_subset(n, split, seed, classifier)))
    for i in range(0, n, batch):
        metric.update(fake_images[i:i + batch], real=False)
    with torch.random.fork_rng():                 # its subsets come from the global RNG: fix them
        torch.manual_seed(seed)
        mean, std = metric.compute()
    return mean.item(), std.item()


def inception_score(images: torch.Tensor, classifier=None, splits: int = 10, seed: int = 0) -> tuple[float, float]:
    """Inception Score (mean, std over splits) with the evaluation classifier's class logits, by
    torchmetrics' InceptionScore. 06_evaluating_gans shows why it misleads."""
    from torchmetrics.image.inception import InceptionScore

    classifier = (classifier or clf.load_classifier()).eval().requires_grad_(False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*will save all extracted features.*")
        metric = InceptionScore(feature=clf.Logits(classifier), splits=splits)
    metric = metric.to(device_of(classifier))
    for i in range(0, len(images), 1000):
        metric.update(images[i:i + 1000])
    with torch.random.fork_rng(), warnings.catch_warnings():
        torch.manual_seed(seed)
        warnings.filterwarnings("ignore", message=".*degrees of freedom.*")     # splits=1: std is undefined
        mean, std = metric.compute()
    return mean.item(), std.item()


def evaluate(images: torch.Tensor, classifier=None, split: str = "train", k: int = 5, seed: int = 0) -> dict:
    """Every metric of the course for images (N, 1, 28, 28) in [-1, 1] against real `split`:
    fid (all of split), kid (subsets of ≤ 1000), precision/recall/density/coverage (k-NN manifolds
    of N real images against the N samples), n."""
    classifier = classifier or clf.load_classifier()
    kid_mean, kid_std = kid(images, classifier, split, seed=seed)
    pr = manifold.prdc(real_subset(len(images), split, seed, classifier), features(images, classifier), k=k)
    return {"fid": fid(images, classifier, split), "kid": kid_mean, "kid_std": kid_std, **pr, "n": len(images)}


def sanity_images(n: int, G: torch.nn.Module | None = None, seed: int = 0) -> dict[str, torch.Tensor]:
    """The reference sets of 06's sanity table, n images each in [-1, 1]: real test images (the
    floor), training images (what a generator that memorised its training set returns), the test
    images blurred, one class only (mode dropping), uniform noise (for scale: not
    FID's maximum, one class only can score worse), and
    G's samples when G is given."""
    test, _ = data.load_fashion_mnist("test")
    train_x, train_y = data.load_fashion_mnist("train")
    g = torch.Generator().manual_seed(seed)
    real = data.to_unit_range(test[torch.randperm(len(test), generator=g)[:n]])
    one = train_x[train_y == 1]                                     # "Trouser", 6 000 images
    sets = {"real test (floor)": real,
            "train images (a memoriser)": data.to_unit_range(train_x[torch.randperm(len(train_x), generator=g)[:n]]),
            "real test, 3×3 blur": torch.nn.functional.avg_pool2d(real, 3, 1, 1),
            "one class only (Trouser)": data.to_unit_range(one[torch.randperm(len(one), generator=g)[:n]]),
            "uniform noise (for scale)": torch.rand(n, 1, 28, 28, generator=g) * 2 - 1}
    if G is not None:
        sets["generator"] = generate(G, n, seed=seed)
    if min(len(x) for x in sets.values()) < n:
        raise ValueError(f"n={n}: the single-class set has only {len(one)} images; use n ≤ {len(one)}.")
    return sets


def per_class(G: torch.nn.Module, n_per_class: int = 1000, classifier=None, seed: int = 0, k: int = 5) -> list[dict]:
    """For a conditional G, per class c (08_conditional_gans): `accuracy`, the share of G(z, c) the
    evaluation classifier assigns to c; `fid` of those samples against the real training images of
    class c (its mean over the classes is `intra_fid`); and, when n_per_class > k, the variety within
    the class — `precision`, `recall`, `density`, `coverage` of the samples against n_per_class real
    training images of class c (a fixed draw per seed), as `manifold.prdc` with k neighbours.
    The default classifier is loaded on G's device."""
    classifier = classifier or clf.load_classifier(device=device_of(G))
    f_real = real_features(classifier, "train")
    _, labels = data.load_fashion_mnist("train")
    rows = []
    for c in range(G.num_classes):
        x = generate(G, n_per_class, seed=seed, labels=c)
        predicted = clf.predict(classifier, x)
        f_c = f_real[labels == c]
        metric = fid_metric(classifier, real=f_c)
        for chunk in x.split(1000):
            metric.update(chunk, real=False)
        row = {"label": c, "class": data.FASHION_CLASSES[c], "accuracy": (predicted == c).float().mean().item(),
               "fid": metric.compute().item()}
        if n_per_class > k:
            pick = torch.randperm(len(f_c), generator=torch.Generator().manual_seed(seed))[:n_per_class]
            row.update(manifold.prdc(f_c[pick], features(x, classifier), k=k))
        rows.append(row)
    return rows


def intra_fid(rows: list[dict]) -> float:
    """Intra-FID (Miyato & Koyama 2018): the mean over the classes of the FID between one class's
    samples and the real images of that class — `per_class`'s `fid` column, averaged. Unlike the FID
    of all samples, it is large for a G that draws the right garments under the wrong labels."""
    if not rows:
        raise ValueError("intra_fid needs per_class's rows (one per class); got none.")
    return sum(r["fid"] for r in rows) / len(rows)
