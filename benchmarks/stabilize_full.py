"""09's FULL comparison, one process per seed, and its table (benchmarks/stabilize_full.md).

    python benchmarks/stabilize_full.py --seed 0 ...   # trains (or loads) every method with seed 0
    python benchmarks/stabilize_full.py --table ...    # the table over every seed found in --out
    python benchmarks/stabilize_full.py --probe ...    # 09's over-strong-D probes (section 3b); with
                                                       # --methods, those rows of the table at its settings

Everything goes through gc.stabilize / gc.stabilize_probe, with the settings given here; with
--out runs/09_stabilizing-full the notebook's FULL profile then loads these runs instead of retraining
(when its cell's settings are the same).
"""
from __future__ import annotations

import argparse
import json

from gan_course import stabilize, stabilize_probe


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/09_stabilizing-full")
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--width", type=int, required=True)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--n", type=int, required=True, help="samples scored per run")
    ap.add_argument("--seed", type=int, action="append", help="train these seeds (repeatable; --probe: the first)")
    ap.add_argument("--methods", nargs="*", help="names from stabilize.METHODS or stabilize.CHECKS (default: all of METHODS)")
    ap.add_argument("--table", action="store_true", help="print the table of seeds 0, 1, 2 instead")
    ap.add_argument("--device", default="cpu", help="where to train and score, e.g. cuda (default: cpu)")
    ap.add_argument("--probe", type=int, metavar="EVERY", help="run the over-strong-D probes, logging every EVERY steps")
    args = ap.parse_args()
    if args.probe:
        variants = {m: stabilize.METHODS[m] for m in args.methods} if args.methods else None   # the table's rows
        traces = stabilize_probe.strong_d(args.steps, width=args.width, batch_size=args.batch, every=args.probe,
                                          variants=variants, device="cpu", seed=(args.seed or [0])[0])
        print(stabilize_probe.table(traces))
        print(json.dumps(traces))
        return
    seeds = (0, 1, 2) if args.table else tuple(args.seed or (0,))
    kwargs = dict(width=args.width, batch_size=args.batch, device=args.device, progress=False)
    if args.table:      # only what finished: run_method would train what is missing
        rows = []
        for m in args.methods or stabilize.METHODS:
            for s in seeds:
                done = stabilize.folder(args.out, m, s) / "result.json"
                if done.is_file():
                    rows += stabilize.run_method(m, args.steps, args.n, args.out, seed=s, **kwargs)
        print(stabilize.table(rows))
        return
    for m in args.methods or stabilize.METHODS:
        for s in seeds:
            rows = stabilize.run_method(m, args.steps, args.n, args.out, seed=s, **kwargs)
            print(json.dumps(rows), flush=True)


if __name__ == "__main__":
    main()
