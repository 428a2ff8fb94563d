"""Batches per second: the device-resident uint8 sampler vs a DataLoader with per-sample transforms.

Usage: python benchmarks/bench_sampler.py [--batch-size 128] [--batches 300] [--workers 2]
Prints both rates and their ratio; both produce float (B, 1, 28, 28) batches in [-1, 1] on the
training device.
"""
import argparse
import time

import torch
from torch.utils.data import DataLoader, Dataset

import gan_course as gc


class PerSampleDataset(Dataset):
    """The usual recipe: index one image, convert it to float, normalise it, one at a time."""

    def __init__(self, images):
        self.images = images

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i].unsqueeze(0).float().div(127.5).sub(1.0)   # (1, 28, 28)


def rate(batches, n, device):
    it = iter(batches)
    next(it)                                  # start-up (worker launch) is not counted
    t0 = time.perf_counter()
    for _ in range(n):
        x = next(it).to(device, non_blocking=True)
    if device.type == "cuda":
        torch.cuda.synchronize()
    assert x.shape[1:] == (1, 28, 28)
    return n / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--batches", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    device = gc.device()
    images, _ = gc.data.load_fashion_mnist("train")

    loader = DataLoader(PerSampleDataset(images), batch_size=args.batch_size, shuffle=True,
                        drop_last=True, num_workers=args.workers, persistent_workers=args.workers > 0)
    sampler = gc.data.DeviceBatches(images, args.batch_size, device)
    reference = rate(_cycle(loader), args.batches, device)
    ours = rate((sampler.batch(s) for s in range(10**9)), args.batches, device)
    print(f"device {device}, batch {args.batch_size}, {args.batches} batches")
    print(f"DataLoader ({args.workers} workers, per-sample transforms): {reference:10.1f} batches/s")
    print(f"gc.data.DeviceBatches (uint8 on device):            {ours:10.1f} batches/s")
    print(f"ratio: {ours / reference:.1f}x")


def _cycle(loader):
    while True:
        yield from loader


if __name__ == "__main__":
    main()
