import math

import pytest
import torch

from gan_course import data, metrics

RING = data.MIXTURES["ring"]


def coverage(samples):
    return metrics.mode_coverage(samples, RING.modes, RING.std)


def test_samples_from_all_modes_cover_all_eight():
    m = coverage(RING.sample(4000, torch.Generator().manual_seed(0)))
    assert m["modes"] == 8
    torch.testing.assert_close(m["quality"], 1 - math.exp(-4.5), rtol=0, atol=0.005)  # P(‖N(0, I₂)‖ ≤ 3)


def test_samples_from_one_mode_cover_one():
    one = RING.modes[3] + RING.std * torch.randn(1000, 2, generator=torch.Generator().manual_seed(0))
    m = coverage(one)
    assert m["modes"] == 1 and m["counts"][3] > 980


def test_uniform_noise_has_low_quality():
    noise = torch.rand(4000, 2, generator=torch.Generator().manual_seed(0)) * 6 - 3
    m = coverage(noise)
    # 8 discs of radius 3σ = 0.15 in a 6×6 square: area share 8·π·0.15²/36 ≈ 1.6 %
    torch.testing.assert_close(m["quality"], 8 * torch.pi * 0.15 ** 2 / 36, rtol=0.3, atol=0)
    assert m["modes"] == 0


def test_a_mode_needs_a_quarter_of_its_fair_share():
    # 800 samples, fair share 100: a mode with 25 samples counts, one with 24 does not
    counts = [25, 24, 751, 0, 0, 0, 0, 0]
    pts = torch.cat([RING.modes[k].expand(c, 2) for k, c in enumerate(counts)])
    m = coverage(pts)
    assert m["counts"] == counts and m["modes"] == 2


# ---- FID, KID, IS on the classifier's features: the formulas of 06 against torchmetrics
def frechet_by_eigvals(mu1, s1, mu2, s2):
    """An independent route: tr (Σ1 Σ2)^{1/2} from the (real, non-negative) eigenvalues of Σ1Σ2."""
    root_trace = torch.linalg.eigvals(s1 @ s2).sqrt().real.sum()
    return (((mu1 - mu2) ** 2).sum() + torch.trace(s1) + torch.trace(s2) - 2 * root_trace).item()


def test_frechet_distance_of_two_gaussians_in_closed_form():
    # 1-D: (μ1−μ2)² + σ1² + σ2² − 2σ1σ2 = (μ1−μ2)² + (σ1−σ2)²
    d = metrics.frechet_distance(torch.tensor([1.0]), torch.tensor([[4.0]]), torch.tensor([-2.0]), torch.tensor([[9.0]]))
    torch.testing.assert_close(d, 9.0 + 1.0)
    # commuting (diagonal) covariances: Σ (√a − √b)²
    a, b = torch.tensor([1.0, 4.0, 9.0]), torch.tensor([4.0, 4.0, 1.0])
    d = metrics.frechet_distance(torch.zeros(3), torch.diag(a), torch.zeros(3), torch.diag(b))
    torch.testing.assert_close(d, ((a.sqrt() - b.sqrt()) ** 2).sum().item())


def test_torchmetrics_fid_equals_the_frechet_formula_on_our_features():
    real = metrics.real_features(split="train")
    fake_images = data.to_unit_range(data.load_fashion_mnist("test")[0][:2000]).flip(-1)   # mirrored test images
    fake = metrics.features(fake_images)
    ours = metrics.frechet_distance(*metrics.gaussian_fit(real), *metrics.gaussian_fit(fake))
    torch.testing.assert_close(metrics.fid(fake_images), ours, rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(ours, frechet_by_eigvals(*metrics.gaussian_fit(real), *metrics.gaussian_fit(fake)),
                               rtol=1e-6, atol=1e-6)


def test_torchmetrics_kid_equals_the_unbiased_mmd_formula():
    from torchmetrics.image.kid import KernelInceptionDistance

    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(300, 16, generator=g).double(), (torch.randn(300, 16, generator=g) + 0.3).double()
    metric = KernelInceptionDistance(feature=torch.nn.Identity(), subsets=1, subset_size=300)
    metric.update(x, real=True)
    metric.update(y, real=False)
    torch.testing.assert_close(metric.compute()[0].item(), metrics.mmd2_unbiased(x, y), rtol=1e-9, atol=1e-12)


def test_unbiased_mmd_averages_to_zero_for_one_distribution():
    # unbiased: for two samples of the same distribution the estimates centre on 0 at any m
    g = torch.Generator().manual_seed(1)
    vals = torch.tensor([metrics.mmd2_unbiased(torch.randn(50, 4, generator=g), torch.randn(50, 4, generator=g))
                         for _ in range(200)])
    spread = vals.std() / len(vals) ** 0.5
    torch.testing.assert_close(vals.mean().item(), 0.0, rtol=0, atol=3 * spread.item())


@pytest.mark.filterwarnings("ignore:std():UserWarning")   # one split: torchmetrics' std is undefined
def test_inception_score_formula_matches_torchmetrics_and_its_bounds():
    from torchmetrics.image.inception import InceptionScore

    logits = torch.randn(500, 10, generator=torch.Generator().manual_seed(0)) * 3
    metric = InceptionScore(feature=torch.nn.Identity(), splits=1)
    metric.update(logits)
    torch.testing.assert_close(metric.compute()[0].item(), metrics.inception_score_of(logits), rtol=1e-5, atol=0)
    # confident and balanced over 10 classes: IS = 10; one class only: IS = 1
    confident = torch.eye(10).repeat(50, 1) * 100
    torch.testing.assert_close(metrics.inception_score_of(confident), 10.0)
    torch.testing.assert_close(metrics.inception_score_of(confident[::10]), 1.0)


def test_inception_score_is_the_marginal_entropy_minus_the_mean_conditional_entropy():
    """04b's identity: IS = exp(H(p(y)) - E_x H(p(y|x))); with confident predictions the first term is the
    uniformity of the predicted labels times log 10 (the ruler's uniformity is IS's first term on hard labels)."""
    from gan_course import digits

    def entropy(q):
        return -torch.special.xlogy(q, q).sum(-1)

    logits = torch.randn(400, 10, generator=torch.Generator().manual_seed(3)) * 2
    p = logits.double().softmax(1)
    torch.testing.assert_close(metrics.inception_score_of(logits),
                               math.exp(entropy(p.mean(0)).item() - entropy(p).mean().item()), rtol=1e-9, atol=0)
    sharp = (logits * 1e4).double().softmax(1)                      # one-hot: E H(p(y|x)) = 0
    counts = digits.histogram(sharp.argmax(1))
    torch.testing.assert_close(math.log(metrics.inception_score_of(logits * 1e4)),
                               digits.uniformity(counts) * math.log(10), rtol=1e-6, atol=1e-9)


def test_fid_kid_and_precision_order_real_below_blurred_below_noise():
    test = data.to_unit_range(data.load_fashion_mnist("test")[0][:2000])
    blurred = torch.nn.functional.avg_pool2d(test, 3, 1, 1)
    noise = torch.rand_like(test) * 2 - 1
    r, b, n = (metrics.evaluate(x) for x in (test, blurred, noise))
    assert r["fid"] < b["fid"] < n["fid"]
    assert r["kid"] < b["kid"] < n["kid"]
    assert r["precision"] > b["precision"] > n["precision"]
    assert set(r) == {"fid", "kid", "kid_std", "precision", "recall", "density", "coverage", "n"} and r["n"] == 2000


def test_real_subset_is_a_fixed_draw_without_replacement():
    a, b = metrics.real_subset(500, seed=3), metrics.real_subset(500, seed=3)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert len(torch.unique(a, dim=0)) == 500


class RealImagesByClass(torch.nn.Module):
    """A 'conditional generator' that returns real test images of the asked class (known answers)."""
    z_dim, num_classes = 4, 10

    def __init__(self):
        super().__init__()
        x, y = data.load_fashion_mnist("test")
        self.images = torch.nn.Parameter(data.to_unit_range(x), requires_grad=False)
        self.by_class = [torch.nonzero(y == c).flatten() for c in range(10)]

    def forward(self, z, y):
        picks = [self.by_class[c][i % len(self.by_class[c])] for i, c in enumerate(y.tolist())]
        return self.images[torch.stack(picks)]


class LabelAsImage(torch.nn.Module):
    """A 'conditional generator' whose image is its class label, every pixel y / 10 (known answers)."""
    z_dim, num_classes = 2, 10

    def forward(self, z, y):
        return (y.float() / 10)[:, None, None, None].expand(len(y), 1, 28, 28)


def classes_of(images):
    return (images[:, 0, 0, 0] * 10).round().long()


@pytest.mark.parametrize("n, batch", [(70, 7), (100, 1000), (25, 6)])
def test_generate_cycles_the_classes_across_batches_so_samples_are_class_balanced(n, batch):
    y = classes_of(metrics.generate(LabelAsImage(), n, batch=batch))
    torch.testing.assert_close(y, torch.arange(n) % 10)          # sample i has class i mod 10, whatever the batch
    counts = torch.bincount(y, minlength=10)
    assert counts.max() - counts.min() <= 1
    assert (classes_of(metrics.generate(LabelAsImage(), n, batch=batch, labels=3)) == 3).all()


def test_per_class_accuracy_equals_the_classifier_on_real_images_of_that_class():
    from gan_course import classifier

    G = RealImagesByClass()
    rows = metrics.per_class(G, n_per_class=300)
    model = classifier.load_classifier()
    for r in rows:
        x = G.images[G.by_class[r["label"]][:300]]
        expected = (model(x).argmax(1) == r["label"]).float().mean().item()
        torch.testing.assert_close(r["accuracy"], expected)
        assert r["class"] == data.FASHION_CLASSES[r["label"]]
    trouser_fid = rows[1]["fid"]
    assert trouser_fid < 10, trouser_fid           # real trousers vs real trousers: near the floor


class Shifted(RealImagesByClass):
    """Real images of class (y + 1) mod 10 for label y: right garments, wrong labels."""
    def forward(self, z, y):
        return super().forward(z, (y + 1) % 10)


class OneImagePerClass(RealImagesByClass):
    """The first real image of class y, whatever z: obeys the label, no variety within a class."""
    def forward(self, z, y):
        return self.images[torch.stack([self.by_class[c][0] for c in y.tolist()])]


def test_generate_takes_one_label_per_sample():
    labels = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5])
    torch.testing.assert_close(classes_of(metrics.generate(LabelAsImage(), 9, batch=4, labels=labels)), labels)
    with pytest.raises(ValueError, match="one per sample"):
        metrics.generate(LabelAsImage(), 10, labels=labels)


def test_per_class_recall_and_coverage_see_variety_within_a_class():
    varied = metrics.per_class(RealImagesByClass(), n_per_class=200)
    collapsed = metrics.per_class(OneImagePerClass(), n_per_class=200)
    for v, c in zip(varied, collapsed):
        assert c["accuracy"] in (0.0, 1.0) and c["recall"] == 0.0            # one point's k-NN ball has radius 0
        assert c["coverage"] < 0.1 < 0.5 < v["recall"] and v["coverage"] > 0.5, (v, c)
    assert "recall" not in metrics.per_class(RealImagesByClass(), n_per_class=5)[0]   # k = 5 needs 6 points


def test_intra_fid_is_the_mean_per_class_fid_and_sees_wrong_labels_that_fid_misses():
    rows = metrics.per_class(Shifted(), n_per_class=100)
    assert metrics.intra_fid(rows) == pytest.approx(sum(r["fid"] for r in rows) / 10)
    assert all(r["accuracy"] < 0.5 for r in rows)
    overall = metrics.fid(metrics.generate(Shifted(), 1000))                  # the right mix of garments overall
    assert overall < 10 < 5 * overall < metrics.intra_fid(rows), (overall, metrics.intra_fid(rows))
    with pytest.raises(ValueError, match="per_class"):
        metrics.intra_fid([])


def test_the_memoriser_row_is_made_of_training_images():
    sets = metrics.sanity_images(50)
    train = data.to_unit_range(data.load_fashion_mnist("train")[0]).flatten(1)
    test = data.to_unit_range(data.load_fashion_mnist("test")[0]).flatten(1)
    for name, source in [("train images (a memoriser)", train), ("real test (floor)", test)]:
        d = torch.cdist(sets[name].flatten(1), source).min(1).values
        torch.testing.assert_close(d, torch.zeros(50), atol=0.1, rtol=0, msg=name)   # cdist rounds to ~0.02


def test_fid_is_the_squared_2_wasserstein_distance():
    # 06: in 1-D the optimal coupling pairs sorted samples, W₂² = E[(x₍ᵢ₎ − y₍ᵢ₎)²]; the closed form
    # (μ₁−μ₂)² + (σ₁−σ₂)² = 9 + 4 = 13 equals it — not its square root, 3.6
    g = torch.Generator().manual_seed(0)
    x = 1.0 + 2.0 * torch.randn(400_000, generator=g, dtype=torch.float64)
    y = -2.0 + 4.0 * torch.randn(400_000, generator=g, dtype=torch.float64)
    w2_squared = (x.sort().values - y.sort().values).square().mean()
    closed = metrics.frechet_distance(torch.tensor([1.0]), torch.tensor([[4.0]]), torch.tensor([-2.0]), torch.tensor([[16.0]]))
    torch.testing.assert_close(torch.tensor(closed, dtype=torch.float64), w2_squared, rtol=0.02, atol=0)


def test_fid_infinity_recovers_the_intercept_and_slope_in_one_over_n():
    fid_inf, c = metrics.fid_infinity([500, 1000, 2000, 5000], [5 + 3000 / n for n in (500, 1000, 2000, 5000)])
    torch.testing.assert_close((fid_inf, c), (5.0, 3000.0))
    with pytest.raises(ValueError, match="two or more different N"):
        metrics.fid_infinity([1000, 1000], [3.0, 3.1])


def test_fid_infinity_of_two_samples_of_one_gaussian_is_near_zero():
    # the plug-in FID between samples of one distribution is all bias (~ c/N); extrapolating to 1/N = 0 removes it
    g = torch.Generator().manual_seed(0)
    real = torch.randn(50000, 16, generator=g)
    mu_r, cov_r = metrics.gaussian_fit(real)
    ns = [250, 500, 1000, 2000]
    fids = [sum(metrics.frechet_distance(mu_r, cov_r, *metrics.gaussian_fit(torch.randn(n, 16, generator=g)))
                for _ in range(10)) / 10 for n in ns]
    fid_inf, c = metrics.fid_infinity(ns, fids)
    assert fids[0] > 0.2 and abs(fid_inf) < 0.1 * fids[0] and c > 0
