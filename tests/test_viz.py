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
