"""The site's live widgets in chromium (after `make site`): 07's and 08's explorer over the shipped
generators in ONNX (onnxruntime-web, wasm) and 03's playback of recorded runs — from disk, offline.

For the explorer: the first picture (seeds 0…7, nothing moved) and the picture after each drag (a direction,
ψ, a coordinate, the class, the walk's t) match torch's images of the same latents, computed here with
the package (gc.explorer.edit, gc.latent.lerp/slerp), within MAX_GREY grey levels of 255 (the page's
weights are float16: docs/onnx_export.py). For the playback: dragging the step slider redraws the
points at the step the recording holds. Every notebook page's weight (the files the browser loaded) is
written to build/site-weights.json; the runtime loads only on the pages with a live widget, and each
page's own data stays under PAGE_DATA_LIMIT. Screenshots of the three widgets: build/site-screenshots/live-*.png.
"""
import base64
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
import torch

import gan_course as gc
from test_site import SHOTS, SITE, browser, open_page, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.site

MAX_GREY = 2                    # |page − torch| in grey levels: float16 weights (≤ 1) plus rounding (≤ 1)
PAGE_DATA_LIMIT = 5_000_000     # bytes of a page's own models and data (the runtime is shared)
RUNTIME = "ort-runtime.js"
LIVE_PAGES = {"07_latent_space_explorer", "08_conditional_gans", "03_training_dynamics_2d"}


def page_data(name: str) -> dict:
    """The GC_LIVE entry a data script of _static/ defines (its last line: `window.GC_LIVE[...] = {...};`)."""
    line = (SITE / "_static" / name).read_text().rstrip().splitlines()[-1]
    return json.loads(line.split(" = ", 1)[1].rstrip(";"))


def floats(b64: str, *shape) -> torch.Tensor:
    return torch.from_numpy(np.frombuffer(base64.b64decode(b64), "<f4").copy()).view(*shape)


def grey(images: torch.Tensor) -> np.ndarray:
    """Images (N, 1, 28, 28) in [-1, 1] → uint8 (N, 28, 28), as the page rounds them."""
    return ((images.clamp(-1, 1) + 1) / 2 * 255).round().to(torch.uint8)[:, 0].numpy()


def canvas_images(page, widget, role: str, n: int) -> np.ndarray:
    """The n pictures of a widget's canvas (2 px of white around each, as image_grid), (n, 28, 28) uint8."""
    rgba = page.evaluate("""([w, role]) => { const c = document.querySelector(w + ' canvas[data-role=' + role + ']');
        return {w: c.width, h: c.height, px: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)}; }""",
                         [widget, role])
    a = np.array(rgba["px"], dtype=np.uint8).reshape(rgba["h"], rgba["w"], 4)[..., 0]
    return np.stack([a[2:30, 2 + 30 * k: 30 + 30 * k] for k in range(n)])


def wait_drawn(page, widget, key: str, after: int = 0) -> int:
    page.wait_for_function("([w, k, n]) => { const e = document.querySelector(w); return e.dataset.error || +(e.dataset[k] || 0) > n; }",
                           arg=[widget, key, after])
    error = page.evaluate("w => document.querySelector(w).dataset.error || ''", widget)
    assert error == "", f"{widget}: {error}"
    return int(page.evaluate("([w, k]) => document.querySelector(w).dataset[k]", [widget, key]))


def drag(page, slider, fraction: float) -> float:
    """Drag a range input's thumb with the mouse to `fraction` of its track; returns its new value."""
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    lo, hi, value = (float(slider.get_attribute(a)) for a in ("min", "max", "value"))
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 8 + (box["width"] - 16) * (value - lo) / (hi - lo), y)
    page.mouse.down()
    page.mouse.move(box["x"] + 8 + (box["width"] - 16) * fraction, y, steps=8)
    page.mouse.up()
    return float(slider.input_value())


def assert_close_grey(got: np.ndarray, want: np.ndarray, what: str):
    diff = np.abs(got.astype(int) - want.astype(int))
    assert diff.max() <= MAX_GREY, f"{what}: the page's pixels differ from torch's by up to {diff.max()} grey levels"


def shoot(page, widget: str, name: str):
    """A screenshot of the widget alone, below the page's sticky header, nothing focused."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.evaluate("""w => { document.activeElement && document.activeElement.blur();
                            document.querySelector(w).scrollIntoView(); window.scrollBy(0, -120); }""", widget)
    page.wait_for_timeout(200)
    page.screenshot(path=str(SHOTS / name), clip=page.locator(widget).bounding_box())


def test_07_explorer_matches_torch_and_moves(page):
    open_page(page, "notebooks/07_latent_space_explorer.html")
    w = ".gc-live[data-kind=explorer]"
    n = wait_drawn(page, w, "renders")
    wait_drawn(page, w, "walks")
    G = gc.pretrained.load_generator("dcgan_fmnist")
    data = page_data("explorer-dcgan_fmnist.js")
    first = canvas_images(page, w, "explorer", 8)
    assert_close_grey(first, grey(gc.latent.images(G, gc.explorer.edit(G, 0, 8))), "seeds 0…7")

    pcs = floats(data["directions"]["ganspace"]["u"], 10, G.z_dim)
    alpha = drag(page, page.locator(f"{w} input[name=dir0]"), 0.9)         # GANSpace PC 0
    n = wait_drawn(page, w, "renders", n)
    assert alpha != 0
    moved = canvas_images(page, w, "explorer", 8)
    assert np.abs(moved.astype(int) - first).max() > 50, "dragging PC 0 did not change the picture"
    assert_close_grey(moved, grey(gc.latent.images(G, gc.explorer.edit(G, 0, 8, alphas=[alpha], directions=pcs[:1]))),
                      f"PC 0 at {alpha}")

    page.select_option(f"{w} select[name=family]", label="SeFa")               # the same slider, now SeFa 0
    n = wait_drawn(page, w, "renders", n)
    sefa = floats(data["directions"]["sefa"]["u"], 10, G.z_dim)
    psi = drag(page, page.locator(f"{w} input[name=psi]"), 0.5)
    n = wait_drawn(page, w, "renders", n)
    shift = drag(page, page.locator(f"{w} input[name=z2]"), 0.2)
    n = wait_drawn(page, w, "renders", n)
    want = gc.explorer.edit(G, 0, 8, offsets={2: shift}, alphas=[alpha], directions=sefa[:1], psi=psi)
    assert_close_grey(canvas_images(page, w, "explorer", 8), grey(gc.latent.images(G, want)),
                      f"SeFa 0 at {alpha}, ψ {psi}, z[2] + {shift}")

    walks = wait_drawn(page, w, "walks")
    za, zb = gc.latent.z_for(0, G.z_dim), gc.latent.z_for(1, G.z_dim)
    t = drag(page, page.locator(f"{w} input[name=t]"), 0.8)
    walks = wait_drawn(page, w, "walks", walks)
    got = canvas_images(page, w, "walk", 3)
    assert_close_grey(got, grey(gc.latent.images(G, torch.stack([za, gc.latent.slerp(za, zb, t), zb]))), f"slerp at t = {t}")
    page.select_option(f"{w} select[name=mode]", label="lerp")
    wait_drawn(page, w, "walks", walks)
    assert_close_grey(canvas_images(page, w, "walk", 3)[1], grey(gc.latent.images(G, gc.latent.lerp(za, zb, t)[None]))[0],
                      f"lerp at t = {t}")
    shoot(page, w, "live-07.png")
    assert page.errors == [] and page.outside == []


def test_08_explorer_follows_the_class(page):
    open_page(page, "notebooks/08_conditional_gans.html")
    w = ".gc-live[data-kind=explorer]"
    n = wait_drawn(page, w, "renders")
    G = gc.pretrained.load_generator("cgan_fmnist")
    z = gc.explorer.edit(G, 0, 8)
    assert_close_grey(canvas_images(page, w, "explorer", 8), grey(gc.latent.images(G, z, torch.zeros(8, dtype=torch.long))),
                      "class 0, seeds 0…7")
    bag = gc.data.FASHION_CLASSES.index("Bag")
    page.select_option(f"{w} select[name=label]", label="Bag")
    n = wait_drawn(page, w, "renders", n)
    shift = drag(page, page.locator(f"{w} input[name=z0]"), 0.9)
    wait_drawn(page, w, "renders", n)
    want = gc.latent.images(G, gc.explorer.edit(G, 0, 8, offsets={0: shift}), torch.full((8,), bag))
    assert_close_grey(canvas_images(page, w, "explorer", 8), grey(want), f"class Bag, z[0] + {shift}")
    assert "Bag" in page.locator(f"{w} .gc-caption").first.inner_text()
    shoot(page, w, "live-08.png")
    assert page.errors == [] and page.outside == []


def test_03_playback_scrubs_the_recorded_run(page):
    open_page(page, "notebooks/03_training_dynamics_2d.html")
    w = ".gc-live[data-kind=playback]"
    n = wait_drawn(page, w, "renders")
    data = page_data("playback-ring.js")
    shot = lambda: page.evaluate(f"document.querySelector('{w} canvas[data-role=field]').toDataURL()")
    last = shot()
    assert page.evaluate(f"document.querySelector('{w}').dataset.step") == str(data["runs"]["ns"]["step"][-1])
    drag(page, page.locator(f"{w} input[name=step]"), 0.0)
    n = wait_drawn(page, w, "renders", n)
    assert page.evaluate(f"document.querySelector('{w}').dataset.step") == str(data["runs"]["ns"]["step"][0])
    assert shot() != last, "moving the step slider did not move the points"
    page.select_option(f"{w} select[name=loss]", label="wgan-gp")
    wait_drawn(page, w, "renders", n)
    assert "wgan-gp" in page.locator(f"{w} .gc-caption").inner_text()
    page.select_option(f"{w} select[name=loss]", label="ns")
    drag(page, page.locator(f"{w} input[name=step]"), 0.35)
    shoot(page, w, "live-03.png")
    assert page.errors == [] and page.outside == []


def test_page_weights_and_the_runtime_only_where_needed(browser):
    """Opens every notebook page in a fresh context (no cache), sums the files it requested, and writes
    build/site-weights.json."""
    weights = {}
    for html in sorted((SITE / "notebooks").glob("*.html")):
        context = browser.new_context()
        page = context.new_page()
        loaded = set()
        page.on("request", lambda r: r.url.startswith("file://") and loaded.add(Path(unquote(urlsplit(r.url).path))))
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        context.close()
        files = {f for f in loaded if f.is_file()}
        own = sum(f.stat().st_size for f in files if f.name.startswith(("explorer-", "playback-")))
        runtime = sum(f.stat().st_size for f in files if f.name == RUNTIME)
        weights[html.stem] = {"total_bytes": sum(f.stat().st_size for f in files), "runtime_bytes": runtime,
                              "own_data_bytes": own, "files": len(files)}
        assert own <= PAGE_DATA_LIMIT, f"{html.stem}: its own data is {own / 1e6:.1f} MB"
        assert (runtime > 0) == (html.stem in LIVE_PAGES - {"03_training_dynamics_2d"}), \
            f"{html.stem}: the ONNX runtime is {'loaded' if runtime else 'not loaded'}"
    (SITE.parent / "site-weights.json").write_text(json.dumps(weights, indent=1) + "\n")
    for name, w in weights.items():
        print(f"{name:32} {w['total_bytes'] / 1e6:6.2f} MB in {w['files']:3d} files "
              f"(runtime {w['runtime_bytes'] / 1e6:.1f} MB, own data {w['own_data_bytes'] / 1e6:.2f} MB)")
