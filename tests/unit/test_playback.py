"""docs/playback.py: what 03's playback stores — frames at every log point of a real gc.fit run, σ(D) on
a grid with row 0 at the top, points as int16 thousandths. The page drawing them is tested in chromium
(tests/test_site_live.py)."""
import base64

import numpy as np
import torch

from docs import playback


def test_heat_map_rows_run_from_the_top_and_columns_from_the_left():
    D = lambda x: 20 * (x[:, 1] + 0.01 * x[:, 0])          # σ ≈ 1 above y = 0, ≈ 0 below
    heat = playback._heat(D)
    assert heat.shape == (playback.GRID, playback.GRID) and heat.dtype == np.uint8
    assert heat[0].min() > 250 and heat[-1].max() < 5       # the top row is y = +BOUND
    assert heat[playback.GRID // 2 - 1, -1] > heat[playback.GRID // 2 - 1, 0]   # x grows to the right


def test_points_are_stored_as_thousandths():
    x = torch.tensor([[1.2345, -2.0], [0.0, 2.9996]])
    back = np.frombuffer(base64.b64decode(playback._points(x)), "<i2").reshape(2, 2) / playback.SCALE
    np.testing.assert_allclose(back, x.numpy(), atol=0.5 / playback.SCALE)


def test_a_recorded_run_has_a_frame_at_every_log_point():
    run = playback.record("ns", steps=200)                  # ring-2d logs every 100 steps
    assert run["step"] == [100, 200]
    fake = np.frombuffer(base64.b64decode(run["fake"]), "<i2").reshape(2, playback.N_FAKE, 2)
    assert (fake[0] != fake[1]).any(), "the generator did not move between log points"
    heat = np.frombuffer(base64.b64decode(run["heat"]), np.uint8)
    assert heat.size == 2 * playback.GRID ** 2
    assert len(run["d_loss"]) == len(run["g_loss"]) == len(run["modes"]) == len(run["quality"]) == 2
