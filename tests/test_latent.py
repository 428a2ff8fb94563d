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


def test_images_and_inversion_leave_the_generator_as_they_found_it():
    G, _ = nets.build("dcgan", 8, 4)
    G.train()
    latent.images(G, torch.randn(2, 8))
    latent.invert(G, torch.zeros(1, 1, 28, 28), steps=2, restarts=2)
    assert G.training and all(p.requires_grad for p in G.parameters())
