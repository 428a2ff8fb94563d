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
import datetime
import json
import platform
import socket
import statistics
import subprocess
import time
from pathlib import Path

import torch

import gan_course as gc

HERE = Path(__file__).parent
ROWS = HERE / "rows.jsonl"
NS = (1000, 5000, 10000)


def stamp() -> dict:
    """The fields gc.experiments.record.append will add (a local stand-in until main has it)."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True).stdout.strip()
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain")),
            "torch": torch.__version__, "device": "cpu", "host": socket.gethostname(),
            "python": platform.python_version(), "time": datetime.datetime.now(datetime.timezone.utc).isoformat()}


def append(path: Path, row: dict) -> None:
    with open(path, "a") as f:
        f.write(json.dumps({**row, "stamp": stamp()}) + "\n")


def rows(path: Path = ROWS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def measure(seeds: list[int], ns=NS, name: str = "dcgan_fmnist") -> None:
    G = gc.pretrained.load_generator(name)
    clf = gc.classifier.load_classifier()
    for seed in seeds:
        t0 = time.perf_counter()
        images = gc.metrics.generate(G, max(ns), seed=seed)      # (max N, 1, 28, 28)
        for n in ns:
            t1 = time.perf_counter()
            value = gc.metrics.fid(images[:n], clf)
            append(ROWS, {"generator": name, "sample_seed": seed, "n": n, "fid": value,
                          "seconds_fid": time.perf_counter() - t1})
            print(f"seed {seed} N={n}: FID {value:.3f}", flush=True)
        print(f"  seed {seed}: {time.perf_counter() - t0:.1f} s", flush=True)


def table() -> str:
    out = ["| N | seeds | mean FID | sd | min – max | 2 sd (smallest difference that means something) |",
           "|---|---|---|---|---|---|"]
    data = rows()
    for n in sorted({r["n"] for r in data}):
        v = [r["fid"] for r in data if r["n"] == n]
        sd = statistics.stdev(v)
        out.append(f"| {n} | {len(v)} | {statistics.mean(v):.2f} | {sd:.3f} | {min(v):.2f} – {max(v):.2f} | {2 * sd:.2f} |")
    return "\n".join(out)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="100-109", help="sample seeds, a range a-b (inclusive) or a comma list")
    p.add_argument("--table", action="store_true", help="print the summary table of rows.jsonl and stop")
    a = p.parse_args()
    if a.table:
        print(table())
    else:
        s = a.seeds
        seeds = list(range(int(s.split("-")[0]), int(s.split("-")[1]) + 1)) if "-" in s else [int(x) for x in s.split(",")]
        measure(seeds)
