"""Slider UIs. Pure render functions (arguments in, PNG bytes out) plus build_*_ui() that wire
ipywidgets to them — so pytest can drive every control, since an exception inside a widget
callback never fails a notebook run. Core ipywidgets only (no ipympl).

Introduced in 01_the_gan_game (the game UI) and 03_training_dynamics_2d (the playground).
"""
from __future__ import annotations

import io

import ipywidgets as W
import matplotlib.pyplot as plt
import torch

from .. import data, losses, theory, training
from ..evaluation import metrics
from ..models.sampling import sample
from . import viz


def figure_png(fig, dpi: int = 80) -> bytes:
    """Render a matplotlib figure to PNG bytes and close it (figures never pile up)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


# ----------------------------------------------------------------------------- 01: the game
P_DATA = theory.Mixture1D((-2.0, 2.0), (0.5, 0.5))       # the fixed data density of notebook 01


def game_density(mean: float, spread: float, weight: float) -> theory.Mixture1D:
    """p_g = weight·N(mean − 2, spread²) + (1 − weight)·N(mean + 2, spread²); equals P_DATA at (0, 0.5, 0.5)."""
    return theory.Mixture1D((mean - 2.0, mean + 2.0), (spread, spread), (weight, 1.0 - weight))


def render_game(mean: float, spread: float, weight: float) -> tuple[bytes, str]:
    """The picture (p_data, p_g, D*) and the numbers (V(D*, G), JSD) for one setting of p_g."""
    g = theory.game(P_DATA, game_density(mean, spread, weight), theory.grid(-12, 12, 4801))
    fig, ax = plt.subplots(figsize=(6.5, 3))
    viz.plot_game(g, ax=ax)
    text = (f"V(D*, G) = {g['V']:+.4f}    −log 4 + 2·JSD = {-theory.LOG4 + 2 * g['JSD']:+.4f}    "
            f"JSD = {g['JSD']:.4f} (max log 2 = {theory.LOG2:.4f})")
    return figure_png(fig), text


def build_game_ui() -> W.VBox:
    """Sliders for p_g's mean, spread and mixture weight; redraws D* and prints V and JSD."""
    ctl = {"mean": W.FloatSlider(value=1.5, min=-4, max=4, step=0.1, description="p_g mean"),
           "spread": W.FloatSlider(value=0.8, min=0.1, max=2.0, step=0.05, description="p_g spread"),
           "weight": W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="weight")}
    image, text, errors = W.Image(format="png"), W.HTML(), W.Output()

    def redraw(_=None):
        with errors:
            png, msg = render_game(**{k: c.value for k, c in ctl.items()})
            image.value, text.value = png, f"<code>{msg}</code>"

    for c in ctl.values():
        c.observe(redraw, names="value")
    redraw()
    box = W.VBox([W.HBox(list(ctl.values())), image, text, errors])
    box.controls, box.image, box.text, box.errors = ctl, image, text, errors
    return box


# ----------------------------------------------------------------------------- 03: the playground
class Playground:
    """A 2-D GAN you can step by hand: the state behind the notebook-03 controls."""

    def __init__(self, dataset: str = "ring", loss: str = "ns", lr_d: float = 1e-4,
                 lr_g: float = 1e-4, k_d: int = 1, seed: int = 0):
        self.settings = dict(dataset=dataset, loss=loss, lr_d=lr_d, lr_g=lr_g, k_d=k_d, seed=seed)
        self.reset()

    def reset(self, **changes) -> None:
        """Fresh networks with the current (or changed) settings."""
        self.settings.update(changes)
        cfg = training.TrainConfig(arch="mlp2d", z_dim=2, width=128, batch_size=256, log_every=1,
                                device="cpu", steps=0, **self.settings)
        self.run = training.build_run(cfg)
        self.d_steps = 0
        self.history: list[dict] = []
        self.last_move = None          # mean distance the last G step moved 512 fixed fakes

    def _fakes(self) -> torch.Tensor:
        return sample(self.run.G, 512, seed=7)

    def step_d(self) -> float:
        loss = training.d_step(self.run, self.run.batches.batch(self.d_steps))
        self.d_steps += 1
        return loss.item()

    def step_g(self) -> float:
        before = self._fakes()
        loss = training.g_step(self.run).item()
        self.run.step += 1
        self.last_move = (self._fakes() - before).norm(dim=1).mean().item()
        return loss

    def train(self, n: int = 100) -> None:
        """n whole steps of training.train_step — k_D discriminator updates, then one generator
        update — the very step gc.fit runs."""
        for i in range(n):
            before = self._fakes() if i == n - 1 else None
            d, g = training.train_step(self.run)
            self.d_steps += self.run.cfg.k_d
            self.history.append({"step": self.run.step, "d_loss": d.item(), "g_loss": g.item()})
        if n:
            self.last_move = (self._fakes() - before).norm(dim=1).mean().item()

    @property
    def bound(self) -> float:
        return 3.0 if self.settings["dataset"] == "ring" else 5.5


def render_playground(pg: Playground) -> tuple[bytes, str]:
    """The GAN-Lab-style panel and a status line (steps, modes covered, quality)."""
    mix = data.MIXTURES[pg.settings["dataset"]]
    real = mix.sample(512, torch.Generator().manual_seed(123))
    axes = viz.panel_2d(pg.run.G, pg.run.D, real, losses.get(pg.settings["loss"]).g,
                        pg.history, bound=pg.bound)
    cov = metrics.mode_coverage(sample(pg.run.G, 2000, seed=1), mix.modes, mix.std)
    status = (f"D steps {pg.d_steps} · G steps {pg.run.step} · modes covered "
              f"{cov['modes']}/{len(mix.centers)} · high-quality samples {cov['quality']:.0%}")
    if pg.last_move is not None:
        status += f" · the last G step moved the fakes by {pg.last_move:.2g} on average"
    return figure_png(axes[0].figure), status


def build_playground_ui(**settings) -> W.VBox:
    """Controls: dataset, loss, lr_D, lr_G, k_D (changing one resets), and the buttons
    "step D", "step G", "train 100 steps", "reset"."""
    pg = Playground(**settings)
    s = pg.settings
    ctl = {"dataset": W.Dropdown(options=["ring", "grid"], value=s["dataset"], description="dataset"),
           "loss": W.Dropdown(options=sorted(losses.LOSSES), value=s["loss"], description="loss"),
           "lr_d": W.FloatLogSlider(value=s["lr_d"], base=10, min=-5, max=-2, description="lr_D"),
           "lr_g": W.FloatLogSlider(value=s["lr_g"], base=10, min=-5, max=-2, description="lr_G"),
           "k_d": W.IntSlider(value=s["k_d"], min=1, max=10, description="k_D")}
    for c in ctl.values():
        c.continuous_update = False
    buttons = {name: W.Button(description=name) for name in ("step D", "step G", "train 100 steps", "reset")}
    image, status, errors = W.Image(format="png"), W.HTML(), W.Output()

    def redraw():
        png, msg = render_playground(pg)
        image.value, status.value = png, f"<code>{msg}</code>"

    def on_setting(_=None):
        with errors:
            pg.reset(**{k: c.value for k, c in ctl.items()})
            redraw()

    actions = {"step D": pg.step_d, "step G": pg.step_g,
               "train 100 steps": lambda: pg.train(100), "reset": lambda: pg.reset()}

    def on_click(button):
        with errors:
            actions[button.description]()
            redraw()

    for c in ctl.values():
        c.observe(on_setting, names="value")
    for b in buttons.values():
        b.on_click(on_click)
    redraw()
    box = W.VBox([W.HBox(list(ctl.values())[:3]), W.HBox(list(ctl.values())[3:]),
                  W.HBox(list(buttons.values())), image, status, errors])
    box.playground, box.controls, box.buttons, box.image, box.status, box.errors = (
        pg, ctl, buttons, image, status, errors)
    return box
