"""The README's picture: samples of the shipped class-conditional generator, one column per class.

    python tools/hero.py                 # writes docs/static/hero.png (commit it)
    python tools/hero.py --out x.png     # elsewhere

It reads only data/weights/cgan_fmnist.pt (the generator notebook 08 explains), draws 4 rows of
the 10 Fashion-MNIST classes with a fixed noise seed, and scales the grid up 2x without smoothing.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

import gan_course as gc

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "static" / "hero.png"


def hero(rows: int = 4, seed: int = 0, scale: int = 2) -> Image.Image:
    G = gc.pretrained.load_generator("cgan_fmnist")
    images = gc.sample(G, rows * G.num_classes, seed=seed)        # (40, 1, 28, 28); labels cycle 0..9
    grid = gc.viz.image_grid(images, nrow=G.num_classes)          # (rows, cols) in [0, 1]
    picture = Image.fromarray((grid * 255).round().astype(np.uint8), mode="L")
    return picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python tools/hero.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=OUT, help=f"where to write the PNG (default: {OUT.relative_to(ROOT)})")
    args = p.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    hero().save(args.out, optimize=True)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
