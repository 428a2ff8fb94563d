"""Drive the latent-space UIs headlessly: set every slider, assert the picture changed and no
exception was captured (nbmake cannot see exceptions inside widget callbacks)."""
import pytest
import torch

from gan_course import explorer, latent, nets, pretrained


@pytest.fixture(scope="module")
def G():
    return pretrained.load_generator("dcgan_fmnist")


@pytest.fixture(scope="module")
def cG():
    G, _ = nets.build("cdcgan", 16, 8)                       # untrained is enough to drive the class slider
    return G.eval()


def test_png_is_the_grid_enlarged():
    import io

    from PIL import Image

    picture = Image.open(io.BytesIO(explorer.png(torch.zeros(8, 1, 28, 28), nrow=8, scale=3)))
    assert picture.size == ((8 * 30 + 2) * 3, 32 * 3)       # torchvision's grid: 2-px padding


def test_edit_applies_offsets_directions_and_truncation(G):
    u = torch.zeros(2, G.z_dim)
    u[0, 5] = 1.0
    base = explorer.edit(G, 3, n=2)
    z = explorer.edit(G, 3, n=2, offsets={1: 2.0}, alphas=[0.5, 9.0], directions=u, psi=0.5)
    expected = 0.5 * base
    expected[:, 1] += 2.0
    expected[:, 5] += 0.5
    torch.testing.assert_close(z, expected)


def test_explorer_every_slider_changes_the_picture(G):
    u, _ = latent.pca_directions(G, k=3, n=300)
    ui = explorer.build_explorer_ui(G, u, ["a", "b", "c"], coords=2)
    values = {"seed": 17, "psi": 0.4, "z0": 3.0, "z1": -3.0, "pc0": 5.0, "pc1": -5.0, "pc2": 5.0}
    assert set(ui.controls) == set(values)
    for name, value in values.items():
        before = ui.image.value
        ui.controls[name].value = value
        assert ui.image.value != before, name
    assert all(not c.continuous_update for c in ui.controls.values())
    assert ui.errors.outputs == ()


def test_explorer_class_slider_for_a_conditional_generator(cG):
    ui = explorer.build_explorer_ui(cG, coords=1)
    before = ui.image.value
    ui.controls["label"].value = 7
    assert ui.image.value != before and "Sneaker" in ui.caption.value
    assert ui.errors.outputs == ()


@pytest.mark.parametrize("name, value", [("seed_a", 5), ("seed_b", 9), ("t", 0.2)])
def test_interpolation_ui_redraws(G, name, value):
    ui = explorer.build_interpolation_ui(G)
    before = ui.image.value
    ui.controls[name].value = value
    assert ui.image.value != before and ui.errors.outputs == ()


def test_explorer_on_given_latents_has_no_seed_slider(G):
    base = torch.randn(2, G.z_dim, generator=torch.Generator().manual_seed(0))
    ui = explorer.build_explorer_ui(G, coords=1, base=base)
    assert "seed" not in ui.controls and "your latents" in ui.caption.value
    before = ui.image.value
    ui.controls["z0"].value = 2.0
    assert ui.image.value != before and ui.errors.outputs == ()
