"""`python tools/bench.py`: img/s of the course trainer against the reference DataLoader recipe,
on the same device and batch size, and optionally FID after the same wall time
(gan_course/experiments/speed.py does the work; notebook 05 explains it)."""
from __future__ import annotations

import argparse
import sys


def parser() -> argparse.ArgumentParser:
    b = argparse.ArgumentParser(prog="python tools/bench.py", description=__doc__)
    b.add_argument("--seconds", type=float, default=20.0, help="timed seconds per trainer (throughput)")
    b.add_argument("--batch-size", type=int, default=128)
    b.add_argument("--quality-minutes", type=float, default=0.0,
                   help="also train each for this many minutes and compare FID on 10 000 samples "
                        "(the course trains its short-budget preset, dcgan-fmnist-5min)")
    b.add_argument("--seed", type=int, default=0,
                   help="seed of both trainers in the FID comparison (vary it to let a median span seeds)")
    b.add_argument("--device", default=None)
    return b


if __name__ == "__main__":
    args = parser().parse_args()
    from gan_course.experiments import speed

    sys.exit(speed.main(args))
