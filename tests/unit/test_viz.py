import matplotlib

matplotlib.use("Agg")

import numpy as np
import torch

from gan_course import viz


def test_image_grid_maps_minus_one_to_black_and_one_to_white():
    images = torch.stack([torch.full((1, 28, 28), -1.0), torch.full((1, 28, 28), 1.0)])
    grid = viz.image_grid(images, nrow=2, padding=2)
    assert grid.shape == (28 + 4, 2 * 28 + 6)
    np.testing.assert_allclose(grid[2:30, 2:30], 0.0)
    np.testing.assert_allclose(grid[2:30, 32:60], 1.0)


def test_image_grid_accepts_uint8_datasets():
    grid = viz.image_grid(torch.full((3, 28, 28), 255, dtype=torch.uint8), nrow=3, padding=0)
    np.testing.assert_allclose(grid, 1.0)


def test_plots_draw_what_they_are_given():
    history = [{"step": 5, "d_loss": 1.0, "g_loss": 2.0}, {"step": 10, "d_loss": 0.5, "g_loss": 1.5}]
    ax = viz.plot_losses(history)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 0.5])
    labels = torch.arange(10).repeat(3)
    fig = viz.show_by_class(torch.zeros(30, 28, 28, dtype=torch.uint8), labels, list("abcdefghij"), per_class=3)
    assert len(fig.axes) == 10


# ---- notebook 03's panel: the arrows are the unnormalised force on each fake, on one fixed scale
def test_panel_2d_arrows_are_the_force_on_each_point_at_a_fixed_scale():
    from gan_course import dynamics, losses, nets

    torch.manual_seed(0)
    G, D = nets.build("mlp2d", 2, 16)
    real = torch.randn(32, 2)
    g = losses.get("ns").g
    axes = viz.panel_2d(G, D, real, g, n_fake=40, n_arrows=10, seed=3, arrow_scale=0.5)
    (q,) = [c for c in axes[0].collections if hasattr(c, "U")]          # the quiver
    with torch.no_grad():
        pts = G(torch.randn(40, 2, generator=torch.Generator().manual_seed(3)))[:10]
    expected = dynamics.forces(D, g, pts)
    np.testing.assert_allclose(np.stack([q.U, q.V], 1), expected.numpy(), rtol=1e-5, atol=1e-7)
    assert q.scale == 2.0 and q.scale_units == "xy"                    # drawn length = 0.5·‖f‖ plot units
    assert (expected.norm(dim=1) < 0.5).all()             # these forces are short: unit arrows would not match


def test_show_images_maps_the_grid_onto_black_to_white_whatever_its_range():
    import matplotlib.pyplot as plt
    ax = viz.show_images(torch.zeros(4, 1, 28, 28))            # all mid-grey: autoscaling would stretch it
    assert ax.images[0].get_clim() == (0, 1)
    plt.close(ax.figure)
