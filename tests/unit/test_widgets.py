"""Drive every UI headlessly: nbmake cannot see exceptions raised inside widget callbacks."""
import matplotlib

matplotlib.use("Agg")

import pytest

import torch

from gan_course import theory, train, widgets


def test_render_game_reports_the_identity_and_the_optimum():
    png, text = widgets.render_game(0.0, 0.5, 0.5)           # p_g = p_data
    assert png.startswith(b"\x89PNG")
    assert "V(D*, G) = -1.3863" in text and "JSD = 0.0000" in text


def test_game_density_equals_p_data_at_the_default_point():
    x = theory.grid(-6, 6, 101)
    q = widgets.game_density(0.0, 0.5, 0.5)
    assert q.pdf(x).sub(widgets.P_DATA.pdf(x)).abs().max() == 0


@pytest.mark.parametrize("name, value", [("mean", 0.0), ("spread", 1.5), ("weight", 0.9)])
def test_game_ui_redraws_on_every_slider(name, value):
    ui = widgets.build_game_ui()
    before_png, before_text = ui.image.value, ui.text.value
    ui.controls[name].value = value
    assert ui.image.value != before_png and ui.text.value != before_text
    assert ui.errors.outputs == ()


def test_game_ui_shows_saturation_for_far_apart_densities():
    ui = widgets.build_game_ui()
    ui.controls["mean"].value = 4.0          # p_g = N(6, 0.1²): 8 data-σ away from p_data's mode at 2
    ui.controls["spread"].value = 0.1
    ui.controls["weight"].value = 0.0
    jsd = float(ui.text.value.split("JSD = ")[-1].split()[0])
    assert abs(jsd - theory.LOG2) < 1e-3


def test_playground_buttons_change_the_state_and_the_picture():
    ui = widgets.build_playground_ui()
    pg = ui.playground
    for name, check in [("step D", lambda: pg.d_steps == 1 and pg.run.step == 0),
                        ("step G", lambda: pg.run.step == 1),
                        ("train 100 steps", lambda: pg.run.step == 101 and len(pg.history) == 100)]:
        before = ui.image.value
        ui.buttons[name].click()
        assert check(), name
        assert ui.image.value != before, name
    ui.buttons["reset"].click()
    assert pg.run.step == 0 and pg.d_steps == 0 and pg.history == []
    assert ui.errors.outputs == ()


@pytest.mark.parametrize("name, value", [("dataset", "grid"), ("loss", "wgan-gp"), ("lr_d", 1e-3),
                                         ("lr_g", 1e-3), ("k_d", 3)])
def test_playground_settings_reset_the_run_with_the_new_value(name, value):
    ui = widgets.build_playground_ui()
    ui.buttons["step G"].click()
    before = ui.image.value
    ui.controls[name].value = value
    pg = ui.playground
    assert getattr(pg.run.cfg, name) == value and pg.run.step == 0
    assert ui.image.value != before
    ui.buttons["train 100 steps"].click()
    assert pg.run.step == 100 and ui.errors.outputs == ()


def test_k_d_discriminator_steps_per_generator_step():
    pg = widgets.Playground(k_d=3)
    pg.train(5)
    assert pg.d_steps == 15 and pg.run.step == 5
    adam_steps = {int(s["step"]) for s in pg.run.opt_d.state.values()}
    assert adam_steps == {15}                                 # D's optimiser really stepped 3 times per step


def test_playground_reports_how_far_the_last_g_step_moved_the_fakes():
    pg = widgets.Playground()
    before = train.sample(pg.run.G, 512, seed=7)
    pg.step_g()
    moved = (train.sample(pg.run.G, 512, seed=7) - before).norm(dim=1).mean()
    torch.testing.assert_close(torch.tensor(pg.last_move), moved)
    assert moved > 0
    _, status = widgets.render_playground(pg)
    assert f"moved the fakes by {pg.last_move:.2g}" in status
