"""How much the BatchNorm-statistics step moves the shipped dcgan_fmnist's FID (benchmarks/shipped_bn_stats.md).

    python benchmarks/shipped_bn_stats.py      # one thread; about 5 minutes on a 2-core CPU

The shipped file holds G_ema with BatchNorm statistics that `train.recompute_batchnorm` computed on the GPU
that trained it (its z drawn there). This recomputes them on the CPU from the same EMA weights with
`batches` × 256 fresh z of seed `z_seed` (nothing else changes) and scores each version as
`python -m gan_course evaluate dcgan_fmnist` does (10 000 samples; FID on the classifier's features against
the 60 000 training images) with sample seeds 0 and 1.
"""
from __future__ import annotations

import torch

from gan_course import classifier, metrics, pretrained, train

SETTINGS = [(None, None), (8, 0), (8, 1), (8, 2), (64, 0), (64, 1)]   # (batches, z_seed); None: as shipped


def main() -> None:
    torch.set_num_threads(1)
    clf = classifier.load_classifier()
    print("batches z_seed  FID(sample seed 0) FID(sample seed 1)")
    for batches, z_seed in SETTINGS:
        G = pretrained.load_generator("dcgan_fmnist", torch.device("cpu"))
        if batches:
            train.recompute_batchnorm(G, batches=batches, seed=z_seed)
        fids = [metrics.fid(metrics.generate(G, 10_000, seed=s), clf) for s in (0, 1)]
        print(f"{batches or 'shipped':>7} {'' if z_seed is None else z_seed:>6}  {fids[0]:18.3f} {fids[1]:18.3f}", flush=True)


if __name__ == "__main__":
    main()
