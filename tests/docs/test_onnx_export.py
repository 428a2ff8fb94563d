"""docs/onnx_export.py: the shipped generators exported to ONNX give torch's images for the same z.

onnxruntime (Python, CPU) against torch in eval mode, EMA weights: float32 weights within 1e-4 (max
|difference| of pixels in [-1, 1]); the float16-weight model the site ships within 1e-2, about one grey
level of 255. Marked `site` (needs the [docs] extra: onnx, onnxscript, onnxruntime): `make site-test`
runs it, `make test` does not.
"""
import base64

import numpy as np
import pytest
import torch

import gan_course as gc

pytestmark = pytest.mark.site
MODELS = ("dcgan_fmnist", "cgan_fmnist")          # docs/onnx_export.py's MODELS (checked below)


@pytest.fixture(scope="module")
def ox():
    """docs/onnx_export.py, imported only when a test runs: `make unit` collects this file without [docs]."""
    pytest.importorskip("onnxruntime", reason="the [docs] extra is not installed (make site installs it)")
    from docs import onnx_export
    assert onnx_export.MODELS == MODELS
    return onnx_export


@pytest.fixture(scope="module", params=MODELS)
def exported(request, ox):
    G = gc.pretrained.load_generator(request.param)
    return G, ox.export(G)


def _latents(G, n=16):
    z = torch.stack([gc.latent.z_for(s, G.z_dim) for s in range(n)])
    z[0] = 0                                          # G(0): ψ = 0
    z[1] *= 3                                         # far outside the shell ‖z‖ ≈ √d
    y = torch.arange(n) % G.num_classes if gc.nets.is_conditional(G) else None
    return z, y


def test_onnx_matches_torch_for_the_same_z(exported, ox):
    G, model = exported
    z, y = _latents(G)
    got = ox.run_onnx(model, z, y)
    want = gc.latent.images(G, z, y).numpy()
    assert got.shape == want.shape == (16, 1, 28, 28)
    np.testing.assert_allclose(got, want, rtol=0, atol=ox.PARITY)


def test_batch_size_is_free(exported, ox):
    G, model = exported
    z, y = _latents(G, 3)
    one = ox.run_onnx(model, z[:1], None if y is None else y[:1])
    three = ox.run_onnx(model, z, y)
    np.testing.assert_allclose(one[0], three[0], rtol=0, atol=1e-5)


def test_half_weights_halve_the_file_and_stay_within_a_grey_level(exported, ox):
    G, model = exported
    small = ox.half_weights(model)
    assert len(small.SerializeToString()) < 0.55 * len(model.SerializeToString())
    z, y = _latents(G)
    got = ox.run_onnx(small, z, y)
    np.testing.assert_allclose(got, gc.latent.images(G, z, y).numpy(), rtol=0, atol=ox.HALF_PARITY)


def test_page_data_holds_the_latents_of_z_for_and_07s_directions(ox):
    data, parity = ox.page_data("dcgan_fmnist")
    z = np.frombuffer(base64.b64decode(data["z"]), "<f4").reshape(data["seeds"], data["z_dim"])
    np.testing.assert_array_equal(z[7], gc.latent.z_for(7, 100).numpy())
    G = gc.pretrained.load_generator("dcgan_fmnist")
    pcs, _ = gc.latent.pca_directions(G, k=ox.K, n=ox.PCA_N)
    u = np.frombuffer(base64.b64decode(data["directions"]["ganspace"]["u"]), "<f4").reshape(ox.K, 100)
    np.testing.assert_allclose(u, pcs.numpy(), atol=1e-6)
    sefa = np.frombuffer(base64.b64decode(data["directions"]["sefa"]["u"]), "<f4").reshape(ox.K, 100)
    assert (np.sum(sefa[:3] * u[:3], 1) > 0).all()                 # SeFa's free sign follows GANSpace's
    assert parity["fp32"] <= ox.PARITY
