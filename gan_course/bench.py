"""`python -m gan_course bench`: the course trainer against the reference recipe, same run.

The reference is the pytorch/examples DCGAN recipe rewritten for 28×28 Fashion-MNIST: a
DataLoader with 2 workers and per-sample transforms (PIL image → ToTensor → Normalize), a
Sigmoid at the end of D with nn.BCELoss on probabilities, label tensors, and `.item()` on
every step for logging. Both train the same DCGAN architecture (nets.DCGANGenerator /
DCGANDiscriminator, width 64), with the same batch size, Adam settings and device.
Printed, never asserted: a ratio measured here says nothing about another machine.
"""
from __future__ import annotations

import json
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from . import data, metrics, nets, presets, runtime, train


# ----------------------------------------------------------------------------- the reference recipe
class ReferenceFashionMNIST(Dataset):
    """What torchvision.datasets.FashionMNIST does per item: uint8 array → PIL image → transform."""

    def __init__(self, images_uint8: torch.Tensor):
        from PIL import Image
        from torchvision import transforms

        self.images, self.to_pil = images_uint8.numpy(), Image.fromarray
        self.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.transform(self.to_pil(self.images[i], mode="L")), 0


def reference_train(seconds: float, batch_size: int, device: torch.device, seed: int = 0):
    """The pytorch/examples loop, run for `seconds` of wall time. Returns (G, images seen, seconds)."""
    torch.manual_seed(seed)
    netG, D = nets.build("dcgan", 100, 64)
    netG, netD = netG.to(device), nn.Sequential(D, nn.Sigmoid()).to(device)
    criterion = nn.BCELoss()
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(ReferenceFashionMNIST(data.load_fashion_mnist("train")[0]), batch_size=batch_size,
                        shuffle=True, num_workers=2, drop_last=True)
    log, seen, t0 = [], 0, time.perf_counter()
    while True:
        for real, _ in loader:
            real = real.to(device)
            b = real.size(0)
            netD.zero_grad()
            label = torch.full((b,), 1.0, device=device)
            errD_real = criterion(netD(real).view(-1), label)
            errD_real.backward()
            noise = torch.randn(b, 100, device=device)
            fake = netG(noise)
            label.fill_(0.0)
            errD_fake = criterion(netD(fake.detach()).view(-1), label)
            errD_fake.backward()
            optD.step()
            netG.zero_grad()
            label.fill_(1.0)
            errG = criterion(netD(fake).view(-1), label)
            errG.backward()
            optG.step()
            log.append(((errD_real + errD_fake).item(), errG.item()))   # a host sync every step
            seen += b
            if time.perf_counter() - t0 >= seconds:
                return netG, seen, time.perf_counter() - t0


def course_train(seconds: float, batch_size: int, device: torch.device, seed: int = 0):
    """gc.fit on the dcgan-fmnist preset with a wall-time limit. Returns (the run, images, seconds)."""
    cfg = presets.config("dcgan-fmnist", batch_size=batch_size, steps=10**9, max_minutes=seconds / 60,
                         seed=seed, device=str(device), log_every=20, ckpt_every=0)
    t0 = time.perf_counter()
    run = train.fit(cfg, progress=False)
    return run, run.step * batch_size, time.perf_counter() - t0


# ----------------------------------------------------------------------------- measurements
def throughput(seconds: float, batch_size: int, device: torch.device) -> dict:
    # a short untimed run of each first, so one-off start-up costs (threads, allocator) are paid
    reference_train(2, batch_size, device), course_train(2, batch_size, device)
    _, ref_imgs, ref_s = reference_train(seconds, batch_size, device)
    _, our_imgs, our_s = course_train(seconds, batch_size, device)
    ref, ours = ref_imgs / ref_s, our_imgs / our_s
    return {"reference_img_per_s": round(ref, 1), "course_img_per_s": round(ours, 1), "ratio": round(ours / ref, 2)}


def time_to_quality(minutes: float, batch_size: int, device: torch.device, n: int = 10000) -> dict:
    """Each trainer gets the same wall-clock budget; then FID on n samples (eval mode). The course
    is scored with its EMA generator (what it samples from) and, for reference, its raw G."""
    score = lambda G: round(metrics.fid(metrics.generate(G, n)), 3)
    G_ref, ref_imgs, _ = reference_train(60 * minutes, batch_size, device)
    run, our_imgs, _ = course_train(60 * minutes, batch_size, device)
    results = {"reference_fid": score(G_ref), "reference_images_seen": ref_imgs,
               "course_fid": score(run.sampler), "course_raw_G_fid": score(run.G), "course_images_seen": our_imgs}
    results["fid_ratio_course_over_reference"] = round(results["course_fid"] / results["reference_fid"], 3)
    return results


def main(args) -> int:
    device = runtime.device(args.device)
    report = {"device": str(device), "batch_size": args.batch_size, "seconds_each": args.seconds,
              "cpu_threads": torch.get_num_threads()}
    report.update(throughput(args.seconds, args.batch_size, device))
    print(f"reference (DataLoader + BCELoss + .item()): {report['reference_img_per_s']:9.1f} img/s")
    print(f"course trainer (gc.fit):                     {report['course_img_per_s']:9.1f} img/s")
    print(f"ratio: {report['ratio']:.2f}x")
    if args.quality_minutes:
        report.update(time_to_quality(args.quality_minutes, args.batch_size, device))
        print(f"FID after {args.quality_minutes} min each, 10 000 samples: reference {report['reference_fid']:.2f}, "
              f"course {report['course_fid']:.2f} with EMA, {report['course_raw_G_fid']:.2f} raw G "
              f"(ratio {report['fid_ratio_course_over_reference']:.2f})")
    print(json.dumps(report))
    return 0
