"""03's 2-D training, recorded for the site's playback: one real run per loss, scrubbed in the page.

    python docs/playback.py build/site-live          # `make site` runs it; writes playback-ring.js

Each run is `gc.fit` on the `ring-2d` preset with FAST's 3 000 generator steps (03 §3), one per loss of
`gc.losses.LOSSES`, seed 0. At every log point (every 100 steps) the callback stores what 03's panel
draws (`gc.viz.panel_2d`): 512 generated points of a fixed z, σ(D(x)) on a GRID × GRID grid over the
panel, the two losses, and 03 §2's modes covered and sample quality. The page (docs/static/gc-live.js)
only draws these numbers: nothing is trained or computed in JavaScript. About 15 s a loss on 2 CPU
cores; a stamp of the code it ran skips the runs when nothing changed.
"""
from __future__ import annotations

import base64
import hashlib
import inspect
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import gan_course as gc  # noqa: E402

PRESET = "ring-2d"
STEPS = 3000         # 03's main run in FAST (STEPS = gc.pick(3000, 8000))
N_FAKE = 512         # generated points per frame, one fixed z (seed 0, as panel_2d)
N_REAL = 512         # real points, drawn once (seed 123, as the playground)
GRID = 48            # σ(D) cells per side
BOUND = 3.0          # the panel spans [-BOUND, BOUND]², as 03's ring panels
SCALE = 1000         # points are stored as int16 thousandths


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def _points(x: torch.Tensor) -> str:
    return _b64((x.clamp(-30, 30) * SCALE).round().numpy().astype("<i2"))


@torch.no_grad()
def _heat(D: torch.nn.Module) -> np.ndarray:
    """σ(D(x)) at the centres of the grid's cells, row 0 at the top (y = +BOUND), as uint8 0…255."""
    c = (torch.arange(GRID) + 0.5) / GRID * 2 * BOUND - BOUND
    yy, xx = torch.meshgrid(c.flip(0), c, indexing="ij")
    p = torch.sigmoid(D(torch.stack([xx.flatten(), yy.flatten()], 1))).view(GRID, GRID)
    return (p * 255).round().numpy().astype(np.uint8)


def record(loss: str, steps: int = STEPS) -> dict:
    """One run of the preset with `loss`: its frames at every log point."""
    mix = gc.data.MIXTURES["ring"]
    z = torch.randn(N_FAKE, 2, generator=torch.Generator().manual_seed(0))
    frames = {"step": [], "fake": [], "heat": [], "d_loss": [], "g_loss": [], "modes": [], "quality": []}

    def keep(run):
        run.G.eval()
        with torch.no_grad():
            fake = run.G(z)
        run.G.train()
        cov = gc.metrics.mode_coverage(gc.sample(run.G, 2000, seed=1), mix.modes, mix.std)   # 03 §2's metric
        last = run.history[-1]
        frames["step"].append(run.step)
        frames["fake"].append(fake)
        frames["heat"].append(_heat(run.D))
        frames["d_loss"].append(round(float(last["d_loss"]), 4))
        frames["g_loss"].append(round(float(last["g_loss"]), 4))
        frames["modes"].append(int(cov["modes"]))
        frames["quality"].append(round(float(cov["quality"]), 3))

    gc.fit(gc.presets.config(PRESET, loss=loss, steps=steps, seed=0, device="cpu"), callback=keep, progress=False)
    return {**frames, "fake": _points(torch.stack(frames.pop("fake"))), "heat": _b64(np.stack(frames.pop("heat")))}


def stamp() -> str:
    """What the recording depends on: this file, the training code, the presets and the data."""
    parts = [Path(__file__).read_text(), torch.__version__]
    from gan_course.training import config, loop, step
    parts += [inspect.getsource(m) for m in (step, loop, config, gc.losses, gc.presets, gc.nets, gc.data.mixtures)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def write(out: Path, losses=None) -> Path:
    target = out / "playback-ring.js"
    key = stamp()
    if target.is_file() and key in target.read_text()[:400]:
        print(f"  {target.name}: current (stamp {key[:12]})")
        return target
    out.mkdir(parents=True, exist_ok=True)
    mix = gc.data.MIXTURES["ring"]
    real = mix.sample(N_REAL, torch.Generator().manual_seed(123))
    runs = {}
    for loss in losses or sorted(gc.losses.LOSSES):
        runs[loss] = record(loss)
        print(f"  {PRESET}, {loss}: {len(runs[loss]['step'])} frames, modes covered at the end "
              f"{runs[loss]['modes'][-1]}/{len(mix.centers)}", flush=True)
    data = {"preset": PRESET, "steps": STEPS, "bound": BOUND, "grid": GRID, "scale": SCALE, "n_fake": N_FAKE,
            "n_real": N_REAL, "modes": len(mix.centers), "real": _points(real), "runs": runs}
    target.write_text(f"// written by docs/playback.py (make site); stamp {key}\n"
                      "window.GC_LIVE = window.GC_LIVE || {};\n"
                      f"window.GC_LIVE.playback = {json.dumps(data)};\n")
    return target


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "site-live"))
