"""How fast the course trains (notebook 05, `python tools/bench.py`): the course trainer against the reference recipe, same run.

The reference is the pytorch/examples DCGAN recipe rewritten for 28×28 Fashion-MNIST: a
DataLoader with 2 workers and per-sample transforms (PIL image → ToTensor → Normalize), `cudnn.benchmark = True`, a
Sigmoid at the end of D with nn.BCELoss on probabilities, label tensors, and `.item()` on
every step for logging. For throughput both train the same DCGAN architecture (nets.DCGANGenerator /
DCGANDiscriminator, width 64), with the same batch size, Adam settings and device. For quality at
equal wall time (`--quality-minutes`) the course trains its short-budget preset (QUALITY_PRESET: the
same DCGAN, narrower, so that it sees more images in the time; benchmarks/quality5.md measured the
choice) against the reference recipe unchanged.
Printed, never asserted: a ratio measured here says nothing about another machine.
"""
from __future__ import annotations

import dataclasses
import json
import statistics
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torch.utils.flop_counter import FlopCounterMode

from .. import data, runtime, training
from ..evaluation import metrics
from ..models import nets
from ..training import accel, presets


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


REFERENCE_WIDTH = 64   # pytorch/examples' ngf = ndf = 64


def reference_recipe(batch_size: int, device: torch.device, seed: int = 0):
    """The pytorch/examples loop, one step per call. Returns (G, step); step() trains on one batch."""
    torch.manual_seed(seed)
    netG, D = nets.build("dcgan", 100, REFERENCE_WIDTH)
    netG, netD = netG.to(device), nn.Sequential(D, nn.Sigmoid()).to(device)
    criterion = nn.BCELoss()
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(ReferenceFashionMNIST(data.load_fashion_mnist("train")[0]), batch_size=batch_size,
                        shuffle=True, num_workers=2, drop_last=True)
    epochs = (real for _ in iter(int, 1) for real, _ in loader)      # epoch after epoch
    log = []

    def step() -> None:
        before, torch.backends.cudnn.benchmark = torch.backends.cudnn.benchmark, True   # as pytorch/examples
        try:                                  # dcgan sets it (a no-op off CUDA); restored for the other rows
            _step()
        finally:
            torch.backends.cudnn.benchmark = before

    def _step() -> None:
        real = next(epochs).to(device)
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

    return netG, step


def reference_train(seconds: float | None, batch_size: int, device: torch.device, seed: int = 0,
                    images: int | None = None):
    """The reference recipe for `seconds` of wall time, or until it has seen `images` images.
    Returns (G, images seen, seconds)."""
    netG, step = reference_recipe(batch_size, device, seed)
    seen, t0 = 0, time.perf_counter()
    while (seconds is None or time.perf_counter() - t0 < seconds) and (images is None or seen < images):
        step()
        seen += batch_size
    sync(device)
    return netG, seen, time.perf_counter() - t0


def course_train(seconds: float, batch_size: int, device: torch.device, seed: int = 0,
                 preset: str = "dcgan-fmnist"):
    """gc.fit on a preset (default dcgan-fmnist) with a wall-time limit. Returns (the run, images, seconds)."""
    cfg = presets.config(preset, batch_size=batch_size, steps=10**9, max_minutes=seconds / 60,
                         seed=seed, device=str(device), log_every=20, ckpt_every=0)
    t0 = time.perf_counter()
    run = training.fit(cfg, progress=False)
    return run, run.step * batch_size, time.perf_counter() - t0


def stepper(cfg: training.TrainConfig):
    """A fresh run of `cfg` and a step() that calls training.train_step once, reading the losses
    back every cfg.log_every steps as gc.fit's log point does (a host sync), and nothing else of
    fit's bookkeeping. Returns (run, step). What the ladder, throughput and step_flops time."""
    run = training.build_run(cfg)

    def step() -> None:
        d_loss, g_loss = training.train_step(run)
        if run.step % cfg.log_every == 0:
            d_loss.item(), g_loss.item()

    return run, step


# ----------------------------------------------------------------------------- honest timing
WARMUP_STEPS = 10   # untimed steps before every measurement: CUDA context, cuDNN, compilation, workers


def sync(device: torch.device) -> None:
    """Wait for the device's queued work, so that a clock read afterwards includes it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def measure(step, images_per_step: int, device: torch.device, seconds: float,
            warmup: int = WARMUP_STEPS, repeats: int = 3, steps: int | None = None) -> dict:
    """img/s of calling `step()`: `warmup` untimed steps (start-up costs, identical for every row),
    then `repeats` windows of the same number of steps, sized to fill `seconds` together (or of
    exactly `steps` steps each, which bounds the cost: what FAST and CI use), each timed between two
    synchronizations. Returns the median rate and every window's."""
    for _ in range(warmup):
        step()
    sync(device)
    if steps is None:
        t0 = time.perf_counter()
        for _ in range(2):                                  # size the windows from two timed steps
            step()
        sync(device)
        per_step = (time.perf_counter() - t0) / 2
    n = steps if steps is not None else max(1, round(seconds / repeats / per_step))
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        sync(device)
        rates.append(n * images_per_step / (time.perf_counter() - t0))
    return {"img_per_s": statistics.median(rates), "windows": [round(r, 1) for r in rates], "steps_each": n}


# The 05 ladder: each row changes exactly one option of the row above (cumulative), starting from
# PyTorch's defaults: float32, NCHW, eager, torch.optim.Adam's own implementation choice, and the
# losses read back every step as a naive loop does. The reference row differs from "course, plain"
# in more than one way (data path, losses on logits, D's gradients in the G step, EMA,
# cudnn.benchmark: notebook 05 lists them), so its ratio is not the sampler's alone.
PLAIN = dict(log_every=1, adam="default", channels_last=False, amp="off", compile="off")
LADDER = (("+ losses read every 100 steps", dict(log_every=100)),
          ("+ foreach/fused Adam", dict(adam="auto")),
          ("+ channels_last", dict(channels_last=True)),
          ("+ bf16 autocast", dict(amp="bf16")),
          ("+ torch.compile", dict(compile="on")))      # compiled nets drop channels_last (accel.layout)


def _skip(change: dict, hw: accel.Hardware) -> str | None:
    """Why a ladder row is not run on this hardware (None: it is run)."""
    auto = accel.auto(hw)
    if "amp" in change and auto.amp is None and hw.kind != "cpu":
        return "no native bf16 and no float16 tensor cores on this device"
    if "compile" in change and (hw.kind != "cuda" or accel.compile_blockers(hw)):   # timed where "on" compiles
        return "not compiled here: " + ("; ".join(accel.compile_blockers(hw)) or
                                        "a CPU or Apple GPU (the course does not time compilation there)")
    return None


def precision_row(hw: accel.Hardware) -> tuple[str, dict]:
    """The ladder's mixed-precision row for this hardware: fp16 with a GradScaler where float16 is what
    its tensor cores compute (CUDA 7.x: T4, V100), else bf16 (marked emulated where it is not native)."""
    native = accel.auto(hw).amp
    if native is torch.float16:
        return "+ fp16 autocast + GradScaler", dict(amp="fp16")
    return "+ bf16 autocast" + (" (emulated: no native bf16)" if native is None else ""), dict(amp="bf16")


def _row(label: str, change: str, make_step, batch_size: int, device: torch.device, seconds: float,
         warmup: int, steps: int | None) -> dict:
    """One timed ladder row. Whatever raises while it is built or stepped becomes a row whose change says
    "failed: …" (img/s None) instead of ending the ladder: torch.compile compiles the backward lazily, at the
    first loss.backward() inside the warm-up, which accel.prepare's forward guard does not cover
    (benchmarks/gpu_compile.md: compile + channels_last crashed there on an H100)."""
    try:
        return {"row": label, "change": change,
                **measure(make_step(), batch_size, device, seconds, warmup, steps=steps)}
    except Exception as err:                  # not KeyboardInterrupt: a learner's stop still stops
        first = (str(err).strip().splitlines() or [""])[0][:200]
        if device.type == "cuda":
            torch.cuda.empty_cache()
        return {"row": label, "change": f"failed: {type(err).__name__}: {first} (tried {change})", "img_per_s": None}


def ladder(device: torch.device, seconds: float, batch_size: int = 128, warmup: int = WARMUP_STEPS,
           steps: int | None = None, deadline: float | None = None) -> list[dict]:
    """img/s of the reference recipe, of the course's loop with every option plain, then with one
    more option changed per row (cumulative). `seconds`: timed seconds per row, after `warmup` steps;
    `steps`: instead, exactly this many steps per window (three windows). A row that raises (in
    its forward or backward passes) is a row "failed: …", and its change is left out of the rows
    below. `deadline` (a time.monotonic() value): rows not started by then say "not run: budget"."""
    hw = accel.hardware(device)
    late = lambda: deadline is not None and time.monotonic() >= deadline
    rows = [_row("reference (DataLoader, BCELoss, .item())", "the pytorch/examples recipe",
                 lambda: reference_recipe(batch_size, device)[1], batch_size, device, seconds, warmup, steps)]
    options = dict(PLAIN)
    for label, change in (("course, plain", {}),) + LADDER:
        why = _skip(change, hw)
        if why or late():
            rows.append({"row": label, "change": f"skipped: {why}" if why else "not run: budget", "img_per_s": None})
            continue
        if "amp" in change:
            label, change = precision_row(hw)
        tried = {**options, **change}
        cfg = presets.config("dcgan-fmnist", device=str(device), batch_size=batch_size, steps=10**9, **tried)
        row = _row(label, ", ".join(f"{k}={v!r}" for k, v in (change or PLAIN).items()),
                   lambda: stepper(cfg)[1], batch_size, device, seconds, warmup, steps)
        if row["img_per_s"] is not None:
            options = tried                   # cumulative: a failed change is not carried into the rows below
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- measurements
def step_flops(cfg: training.TrainConfig) -> int:
    """FLOPs (2 per multiply-add) of one whole training step of `cfg` (training.train_step: G's
    forward pass, D's forward and backward passes on the reals and the fakes, k_d times, and the G
    step's forward and backward through D into G), counted by torch's FlopCounterMode on one step of
    a fresh run on the CPU in float32, eager. It counts matrix products and convolutions — nearly all
    the arithmetic — and leaves out elementwise work (activations, BatchNorm, losses, Adam)."""
    cfg = dataclasses.replace(cfg, device="cpu", amp="off", compile="off", channels_last=False,
                              tensorboard=None, steps=1, log_every=1)
    _, step = stepper(cfg)
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def forward_flops(width: int, z_dim: int = 100) -> int:
    """FLOPs (2 per multiply-add) of one image through the DCGAN's G then D at this width, counted
    by torch's FlopCounterMode. What notebook 05 predicts the width sweep's time ratios from."""
    G, D = nets.build("dcgan", z_dim, width)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        D(G(torch.randn(1, z_dim)))
    return counter.get_total_flops()


def throughput(seconds: float, batch_size: int, device: torch.device) -> dict:
    """Reference recipe vs the dcgan-fmnist preset, each after the same untimed warm-up, median of 3."""
    _, ref_step = reference_recipe(batch_size, device)
    ref = measure(ref_step, batch_size, device, seconds)
    cfg = presets.config("dcgan-fmnist", batch_size=batch_size, steps=10**9, device=str(device))
    _, our_step = stepper(cfg)
    ours = measure(our_step, batch_size, device, seconds)
    return {"reference_img_per_s": round(ref["img_per_s"], 1), "course_img_per_s": round(ours["img_per_s"], 1),
            "ratio": round(ours["img_per_s"] / ref["img_per_s"], 2), "timing": "median of 3 windows after "
            f"{WARMUP_STEPS} untimed steps; reference windows {ref['windows']}, course {ours['windows']}"}


# The course's recipe for a short budget (presets.py; the sweep that chose it: benchmarks/quality5.md).
QUALITY_PRESET = "dcgan-fmnist-5min"


def time_to_quality(minutes: float, batch_size: int, device: torch.device, n: int = 10000,
                    preset: str = QUALITY_PRESET, seed: int = 0) -> dict:
    """Each trainer gets the same wall-clock budget: the reference recipe (width 64) and the course's
    short-budget preset, both from `seed`; then FID on n samples (eval mode). The course is scored with
    its EMA generator (what it samples from) and, for reference, its raw G."""
    score = lambda G: round(metrics.fid(metrics.generate(G, n)), 3)
    G_ref, ref_imgs, _ = reference_train(60 * minutes, batch_size, device, seed=seed)
    run, our_imgs, _ = course_train(60 * minutes, batch_size, device, seed=seed, preset=preset)
    results = {"seed": seed, "course_preset": preset, "course_width": run.cfg.width, "reference_width": REFERENCE_WIDTH,
               "reference_fid": score(G_ref), "reference_images_seen": ref_imgs,
               "course_fid": score(run.sampler), "course_raw_G_fid": score(run.G), "course_images_seen": our_imgs}
    results["fid_ratio_course_over_reference"] = round(results["course_fid"] / results["reference_fid"], 3)
    return results


def main(args) -> int:
    device = runtime.device(args.device)
    report = {"device": str(device), "batch_size": args.batch_size, "seconds_each": args.seconds,
              "cpu_threads": torch.get_num_threads()}
    report.update(throughput(args.seconds, args.batch_size, device))
    print(f"reference (DataLoader + BCELoss + .item()): {report['reference_img_per_s']:9.1f} img/s")
    print(f"course trainer (the preset, gc.fit's step): {report['course_img_per_s']:9.1f} img/s")
    print(f"ratio: {report['ratio']:.2f}x")
    if args.quality_minutes:
        report.update(time_to_quality(args.quality_minutes, args.batch_size, device, seed=getattr(args, "seed", 0)))
        print(f"FID after {args.quality_minutes} min each, 10 000 samples: reference {report['reference_fid']:.2f}, "
              f"course ({report['course_preset']}) {report['course_fid']:.2f} with EMA, {report['course_raw_G_fid']:.2f} raw G "
              f"(ratio {report['fid_ratio_course_over_reference']:.2f})")
    print(json.dumps(report))
    return 0
