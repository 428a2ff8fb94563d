"""FID's noise floor: the spread of the course's FID over sample seeds, for one fixed generator.

For each sample seed, draw N_MAX samples of the shipped `dcgan_fmnist` generator and score the first
N of them (N in NS) with gc.metrics.fid (torchmetrics' FID on the course classifier's 128-d features,
against all 60 000 real training images). One row per (seed, N) in rows.jsonl; `--table` prints the
summary table of the README.

    OMP_NUM_THREADS=1 python benchmarks/fid_noise_floor/run.py --seeds 100-109
    python benchmarks/fid_noise_floor/run.py --table
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

import gan_course as gc
from gan_course.experiments import record

HERE = Path(__file__).parent
ROWS = HERE / "rows.jsonl"
NS = (1000, 5000, 10000)


def measure(seeds: list[int], ns=NS, name: str = "dcgan_fmnist") -> None:
    G = gc.pretrained.load_generator(name)
    clf = gc.classifier.load_classifier()
    for seed in seeds:
        t0 = time.perf_counter()
        images = gc.metrics.generate(G, max(ns), seed=seed)      # (max N, 1, 28, 28)
        for n in ns:
            t1 = time.perf_counter()
            value = gc.metrics.fid(images[:n], clf)
            record.append(ROWS, {"generator": name, "sample_seed": seed, "n": n, "fid": value,
                          "seconds_fid": time.perf_counter() - t1})
            print(f"seed {seed} N={n}: FID {value:.3f}", flush=True)
        print(f"  seed {seed}: {time.perf_counter() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="100-109", help="sample seeds, a range a-b (inclusive) or a comma list")
    p.add_argument("--table", action="store_true", help="print the summary table of rows.jsonl and stop")
    a = p.parse_args()
    if a.table:
        import tables
        print(tables.table())
    else:
        s = a.seeds
        seeds = list(range(int(s.split("-")[0]), int(s.split("-")[1]) + 1)) if "-" in s else [int(x) for x in s.split(",")]
        measure(seeds)
