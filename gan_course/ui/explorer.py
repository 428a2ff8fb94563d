"""Slider UIs over a trained generator: 07_latent_space_explorer and 08_conditional_gans.

As in widgets.py: pure render functions (settings in, PNG bytes out) plus build_*_ui() that
wire core ipywidgets to them, so pytest drives every control. Pictures are encoded with Pillow
straight from the image grid (no matplotlib figure per update): one update is a forward pass of
G on a few latents plus a small PNG — benchmarks/bench_render.py measures it.
"""
from __future__ import annotations

import io

import ipywidgets as W
import torch
from PIL import Image

from .. import data, latent
from ..models import nets
from . import viz


def png(images: torch.Tensor, nrow: int = 8, scale: int = 3) -> bytes:
    """Images (N, 1, 28, 28) in [-1, 1] → PNG bytes of their grid, enlarged `scale`× (nearest)."""
    grid = (viz.image_grid(images, nrow) * 255).round().astype("uint8")
    picture = Image.fromarray(grid, mode="L")
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    buf = io.BytesIO()
    picture.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


# ----------------------------------------------------------------------------- 07/08: the explorer
def edit(G, seed: int, n: int = 8, offsets: dict[int, float] | None = None, alphas=(), directions=None,
         psi: float = 1.0, base: torch.Tensor | None = None) -> torch.Tensor:
    """The latents of seeds seed … seed+n−1 (or the given `base` latents (n, z_dim)), truncated
    by ψ, with offsets added to single coordinates ({index: amount}) and α_k times each
    direction u_k added: (n, z_dim) on the CPU (`base` and `directions` may come from any device)."""
    z = base.cpu().clone() if base is not None else torch.stack([latent.z_for(s, G.z_dim) for s in range(seed, seed + n)])
    z = latent.truncate(z, psi)
    for i, amount in (offsets or {}).items():
        z[:, i] += amount
    for a, u in zip(alphas, directions.cpu() if directions is not None else []):
        z = z + a * u
    return z


def render_explorer(G, seed: int, offsets=None, alphas=(), directions=None, psi: float = 1.0,
                    label: int | None = None, n: int = 8, base: torch.Tensor | None = None) -> bytes:
    """One row of n samples (seeds seed…seed+n−1, or `base`) with the same edit applied to each."""
    n = len(base) if base is not None else n
    z = edit(G, seed, n, offsets, alphas, directions, psi, base)
    labels = torch.full((n,), label) if nets.is_conditional(G) else None
    return png(latent.images(G, z, labels), nrow=n, scale=3)


def build_explorer_ui(G, directions=None, names=None, coords: int = 5, n: int = 8,
                      base: torch.Tensor | None = None) -> W.VBox:
    """Sliders: seed (unless `base` latents are given, e.g. an inverted image), ψ, offsets for
    z[0..coords−1], one per direction (named by `names`), and a class slider when G is
    conditional. Every slider redraws on release (continuous_update=False)."""
    directions = directions if directions is not None else torch.empty(0, G.z_dim)
    names = names or [f"PC {k}" for k in range(len(directions))]
    n = len(base) if base is not None else n
    style, layout = {"description_width": "120px"}, W.Layout(width="360px")
    ctl = {} if base is not None else {
        "seed": W.IntSlider(value=0, min=0, max=999, description="seed", style=style, layout=layout)}
    ctl["psi"] = W.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05, description="truncation ψ",
                               style=style, layout=layout)
    ctl.update({f"z{i}": W.FloatSlider(value=0.0, min=-4, max=4, step=0.25, description=f"z[{i}] +",
                                       style=style, layout=layout) for i in range(coords)})
    ctl.update({f"pc{k}": W.FloatSlider(value=0.0, min=-6, max=6, step=0.5, description=f"{k}: {names[k]}",
                                        style=style, layout=layout) for k in range(len(directions))})
    if nets.is_conditional(G):
        ctl["label"] = W.IntSlider(value=0, min=0, max=G.num_classes - 1, description="class",
                                   style=style, layout=layout)
    for c in ctl.values():
        c.continuous_update = False
    image, caption, errors = W.Image(format="png"), W.HTML(), W.Output()

    def redraw(_=None):
        with errors:
            v = {k: c.value for k, c in ctl.items()}
            image.value = render_explorer(
                G, v.get("seed", 0), {i: v[f"z{i}"] for i in range(coords)},
                [v[f"pc{k}"] for k in range(len(directions))], directions, v["psi"], v.get("label"), n, base)
            caption.value = ("<code>" + (f"seeds {v['seed']}…{v['seed'] + n - 1}" if "seed" in v else "your latents")
                             + (f" · class {data.FASHION_CLASSES[v['label']]}" if "label" in v else "") + "</code>")

    for c in ctl.values():
        c.observe(redraw, names="value")
    redraw()
    sliders = list(ctl.values())
    half = (len(sliders) + 1) // 2
    box = W.VBox([image, caption, W.HBox([W.VBox(sliders[:half]), W.VBox(sliders[half:])]), errors])
    box.controls, box.image, box.caption, box.errors = ctl, image, caption, errors
    return box


# ----------------------------------------------------------------------------- 07: interpolation
def render_interpolation(G, seed_a: int, seed_b: int, t: float, steps: int = 9, label: int = 0) -> bytes:
    """Three rows: the lerp strip, the slerp strip (seed_a → seed_b in `steps` frames), and the
    two images at position t (lerp left, slerp right). `label`: the class, for a conditional G."""
    za, zb = latent.z_for(seed_a, G.z_dim), latent.z_for(seed_b, G.z_dim)
    z = torch.cat([latent.path(za, zb, steps, "lerp"), latent.path(za, zb, steps, "slerp"),
                   torch.stack([latent.lerp(za, zb, t), latent.slerp(za, zb, t)])])
    labels = torch.full((len(z),), label) if nets.is_conditional(G) else None
    blank = torch.ones(steps - 2, 1, 28, 28)                     # white cells finish the third row
    return png(torch.cat([latent.images(G, z, labels), blank]), nrow=steps, scale=2)


def build_interpolation_ui(G, steps: int = 9) -> W.VBox:
    """Seeds A and B and a position slider t ∈ [0, 1]."""
    ctl = {"seed_a": W.IntSlider(value=0, min=0, max=999, description="seed A"),
           "seed_b": W.IntSlider(value=1, min=0, max=999, description="seed B"),
           "t": W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="position t")}
    for c in ctl.values():
        c.continuous_update = False
    image, errors = W.Image(format="png"), W.Output()

    def redraw(_=None):
        with errors:
            image.value = render_interpolation(G, **{k: c.value for k, c in ctl.items()}, steps=steps)

    for c in ctl.values():
        c.observe(redraw, names="value")
    redraw()
    box = W.VBox([W.HBox(list(ctl.values())),
                  W.HTML("<code>row 1: lerp · row 2: slerp · row 3: at t, lerp then slerp</code>"), image, errors])
    box.controls, box.image, box.errors = ctl, image, errors
    return box
