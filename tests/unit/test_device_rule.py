"""The device rule of gan_course/__init__.py, checked without a GPU: models on a fake CUDA device
(tests/fake_cuda.py — PyTorch's own device checks, real values computed on the CPU), inputs from
the CPU, as in notebooks 06, 07, 08 and the CLI's `sample` and `evaluate`. Each test also checks
that the answer is the CPU's answer and that tensors come back on the CPU."""
import json

import numpy as np
import pytest
import torch
from fake_cuda import CUDA, OnCuda, fake_cuda

import gan_course as gc
from gan_course import cli, runtime

CLASSES = gc.data.FASHION_CLASSES


def models(device):
    """06/07/08's first cells: the shipped generators and the classifier, on `device`."""
    return (gc.pretrained.load_generator("dcgan_fmnist", device), gc.pretrained.load_generator("cgan_fmnist", device),
            gc.classifier.load_classifier(device=device))


def assert_same(got, expected):
    """Equal structures, numbers within float32 rounding."""
    if isinstance(expected, dict):
        assert got.keys() == expected.keys()
        for k in expected:
            assert_same(got[k], expected[k])
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert_same(a, b)
    elif isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-9, nan_ok=True)
    else:
        assert got == expected


def on_cpu(*tensors):
    for t in tensors:
        assert t.device.type == "cpu" and not isinstance(t, OnCuda), t.device


# ----------------------------------------------------------------------------- the harness itself
def test_fake_cuda_raises_what_a_gpu_raises_and_computes_what_the_cpu_computes():
    model = gc.classifier.load_classifier()
    x = gc.data.to_unit_range(gc.data.load_fashion_mnist("test")[0][:8])
    expected = model(x)
    with fake_cuda() as cuda:
        model.to(cuda)
        assert next(model.parameters()).device == CUDA
        with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
            model(x)                                                       # a CPU batch into a CUDA model
        y = model(x.to(cuda))
        assert y.device == CUDA
        torch.testing.assert_close(y.cpu(), expected)
        mask = torch.arange(8) % 2 == 0
        assert (y[mask] * torch.tensor(2.0)).device == CUDA                # CPU mask and 0-dim CPU scalar: allowed
        torch.testing.assert_close(y[mask].cpu(), expected[mask])
        with pytest.raises(RuntimeError, match="device"):
            y + torch.ones(10)                                            # a CPU vector is not
        with pytest.raises(TypeError, match="cuda"):
            np.asarray(y)


# ----------------------------------------------------------------------------- 07: latent space
def test_latent_functions_run_on_the_models_device():
    G, _, clf = models("cpu")
    directions, variance = gc.latent.pca_directions(G, k=2, n=200)
    expected = ([gc.latent.describe(G, u, clf, CLASSES, n=16) for u in directions],
                gc.latent.class_means(G, clf, n=200), gc.latent.images(G, directions))
    with fake_cuda() as cuda:
        G, _, clf = models(cuda)
        d_cuda, v_cuda = gc.latent.pca_directions(G, k=2, n=200)
        names = [gc.latent.describe(G, u, clf, CLASSES, n=16) for u in d_cuda]          # 07's PCA cell
        means = gc.latent.class_means(G, clf, n=200)                                     # 07's arithmetic cell
        pictures = gc.latent.images(G, d_cuda.to(cuda))                                  # inputs from any device
        # latent.invert is not here: backward passes cannot run on the fake device (see fake_cuda.py)
    on_cpu(d_cuda, v_cuda, means, pictures)
    assert names == expected[0]
    torch.testing.assert_close(means, expected[1], equal_nan=True)
    torch.testing.assert_close(pictures, expected[2])
    torch.testing.assert_close(d_cuda, directions)


def test_explorer_renders_a_generator_on_cuda():
    G, cG, _ = models("cpu")
    directions = torch.randn(2, G.z_dim)
    expected = [gc.explorer.render_explorer(G, 3, {0: 1.0}, [1.5, -1.0], directions, psi=0.7),
                gc.explorer.render_explorer(cG, 3, label=4), gc.explorer.render_interpolation(G, 0, 1, 0.3),
                gc.explorer.render_explorer(G, 0, base=torch.randn(3, G.z_dim, generator=torch.Generator().manual_seed(0)))]
    with fake_cuda() as cuda:
        G, cG, _ = models(cuda)
        base = torch.randn(3, G.z_dim, generator=torch.Generator().manual_seed(0)).to(cuda)   # e.g. inverted on the GPU
        got = [gc.explorer.render_explorer(G, 3, {0: 1.0}, [1.5, -1.0], directions.to(cuda), psi=0.7),
               gc.explorer.render_explorer(cG, 3, label=4), gc.explorer.render_interpolation(G, 0, 1, 0.3),
               gc.explorer.render_explorer(G, 0, base=base)]
    assert got == expected


# ----------------------------------------------------------------------------- 06 and 08: metrics
def test_metrics_run_on_the_classifiers_device():
    G, cG, clf = models("cpu")
    fake = gc.metrics.generate(G, 200, seed=1)
    expected = {"evaluate": gc.metrics.evaluate(fake, clf, seed=2), "features": gc.metrics.features(fake, clf),
                "is": gc.metrics.inception_score(fake, clf, splits=1), "acc": gc.classifier.accuracy(
                    clf, *(t[:300] for t in gc.data.load_fashion_mnist("test")))}
    with fake_cuda() as cuda:
        G, cG, clf = models(cuda)
        fake_cuda_G = gc.metrics.generate(G, 200, seed=1)                                 # 06's samples
        got = {"evaluate": gc.metrics.evaluate(fake_cuda_G, clf, seed=2),                 # 06, 07 (truncation), 08
               "features": gc.metrics.features(fake_cuda_G.to(cuda), clf),
               "is": gc.metrics.inception_score(fake_cuda_G, clf, splits=1),              # 06's IS cell
               "acc": gc.classifier.accuracy(clf, *(t[:300] for t in gc.data.load_fashion_mnist("test")))}
        sanity = gc.metrics.sanity_images(50, G)                                          # 06's sanity table
        scores = gc.manifold.prdc(got["features"][:100].to(cuda), got["features"][100:], k=3)
        dist, _ = gc.manifold.nearest(fake_cuda_G[:20].to(cuda), fake_cuda_G[20:60])     # 06's memorisation cell
    on_cpu(fake_cuda_G, got["features"], dist, *sanity.values())
    torch.testing.assert_close(fake_cuda_G, fake)
    f = expected.pop("features")
    torch.testing.assert_close(got.pop("features"), f)
    assert_same(got, expected)
    assert_same(scores, gc.manifold.prdc(f[:100], f[100:], k=3))


def test_per_class_runs_on_the_models_device():
    _, cG, clf = models("cpu")
    expected = gc.metrics.per_class(cG, 10, clf)
    with fake_cuda() as cuda:
        _, cG, clf = models(cuda)
        got = gc.metrics.per_class(cG, 10, clf)                                          # 08's per-class cell
        default = gc.metrics.per_class(cG, 10)                 # the CLI's call: the classifier goes to cG's device
    assert_same(got, expected)
    assert_same(default, expected)


# ----------------------------------------------------------------------------- the CLI, with --device cuda
def test_cli_sample_and_evaluate_on_cuda(tmp_path, monkeypatch, capsys):
    """The CLI's own handlers (a conditional G's per-class scores: test_per_class_… above)."""
    def run(*argv):
        assert cli.main(list(argv)) == 0
        return json.loads(capsys.readouterr().out)

    def both(*argv):
        """The command's output on the CPU and with --device cuda; for `sample`, also the arrays."""
        expected = run(*argv, "--device", "cpu")
        arrays = [np.load(expected["out"])] if argv[0] == "sample" else []
        with fake_cuda() as cuda:
            monkeypatch.setattr(runtime, "device", lambda name=None: cuda)      # "cuda" exists here
            got = run(*argv, "--device", "cuda")
        monkeypatch.undo()
        if arrays:
            np.testing.assert_array_equal(np.load(got["out"]), arrays[0])
        assert_same(got, expected)

    both("evaluate", "dcgan_fmnist", "--n", "100")
    both("sample", "dcgan_fmnist", "--n", "20", "--out", str(tmp_path / "dcgan.npy"))
    both("sample", "cgan_fmnist", "--n", "20", "--label", "3", "--out", str(tmp_path / "cgan.npy"))
