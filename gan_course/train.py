"""One plain GAN training loop: d_step, g_step, EMA, logging, checkpoints, resume.

Read it top to bottom: config → building the run → the two steps → checkpoints → the loop.
Introduced in 00_start_here ("hello GAN"); taken apart in 04 and 05.
"""
from __future__ import annotations

import contextlib
import copy
import math
import signal
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

import torch
from torch import nn
from tqdm.auto import tqdm

from . import accel, data, distributed, losses, nets, runguard
from .runstate import (ARCH_FIELDS, Checkpoints, TrainingDiverged, check_compatible,  # noqa: F401 (re-exported)
                       resume, save_run, state_dict)
from .runtime import device as pick_device
from .runtime import seed_everything


# ----------------------------------------------------------------------------- config
@dataclass
class TrainConfig:
    name: str = ""                # a label for the run (the CLI stores the preset's name here)
    arch: str = "mlp"             # key into nets.ARCHS: "mlp", "dcgan", or "mlp2d" for 2-D points
    dataset: str = "mnist5k"      # "mnist5k", "fashion_mnist", or a 2-D mixture: "ring", "grid"
    loss: str = "ns"              # key into losses.LOSSES
    z_dim: int = 64               # length of the noise vector z
    width: int = 128              # MLP hidden units / DCGAN base channels
    batch_size: int = 64          # images per D step and per G step (per process under DDP)
    steps: int = 2000             # generator steps in the whole run (resume continues up to it)
    k_d: int = 1                  # discriminator steps per generator step
    lr_d: float = 2e-4            # discriminator learning rate (TTUR: D may learn faster than G)
    lr_g: float = 2e-4            # generator learning rate
    betas: tuple[float, float] = (0.5, 0.999)  # Adam; beta1=0.5 is the DCGAN setting, 0.9 tends to oscillate
    ema_half_life: float = 0.0    # EMA copy of G used for sampling: its half-life in training images (stylegan2-ada's
                                  # ema_kimg), so a batch-size change keeps it (ema_beta); 0 disables the copy
    seed: int = 0                 # seeds weights, batch order and noise: same seed, same run
    log_every: int = 50           # read losses back (a GPU sync) every N steps, not every step
    ckpt_every: int = 0           # also checkpoint every N steps; 0: only by time, at the end and on interrupt
    ckpt_minutes: float = 5.0     # also checkpoint when this much wall time has passed since the last one; 0: never
    max_minutes: float = 0.0      # stop (and checkpoint) after this much wall time; 0: no limit
    device: str | None = None     # "cpu", "cuda", …; None picks CUDA when available
    amp: str = "off"              # "bf16" autocast, "off" (float32), or "auto": bf16 where the hardware has it natively
    channels_last: bool = False   # NHWC memory layout for the convolutions (GPU tensor cores, oneDNN on CPU)
    compile: str = "auto"         # torch.compile G and D: "on", "off", or "auto" (eager; accel.auto says why)
    adam: str = "auto"            # "fused", "foreach", "plain", "default" (PyTorch's), or "auto" (fused on CUDA, else foreach)
    r1_gamma: float | None = None  # γ of the R1 penalty for a loss that has one ("ns-r1"); None: the loss's own
                                  # (losses.R1_GAMMA ≈ stylegan2-ada's 0.0002·res²/batch at 28×28); 09 sweeps it
    grad_clip: float = 0.0        # clip each network's gradient norm to this value; 0 disables
    tensorboard: str | None = None  # folder for TensorBoard event files; None disables

    def __post_init__(self):
        self.betas = tuple(self.betas)
        for name in ("z_dim", "width", "batch_size", "k_d", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be at least 1.")
        for name in ("lr_d", "lr_g", "betas", "ema_half_life", "ckpt_minutes", "max_minutes", "grad_clip"):
            values = self.betas if name == "betas" else (getattr(self, name),)
            if not all(math.isfinite(v) for v in values):
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be a finite number, not NaN or inf.")
        for name in ("steps", "ema_half_life", "ckpt_every", "ckpt_minutes", "max_minutes", "grad_clip"):
            if getattr(self, name) < 0:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must not be negative.")
        rule = losses.get(self.loss)  # raises, naming the choices, for an unknown loss
        if self.r1_gamma is not None and not (rule.r1 and math.isfinite(self.r1_gamma) and self.r1_gamma > 0):
            raise ValueError(f"TrainConfig.r1_gamma={self.r1_gamma} needs a loss with an R1 penalty (e.g. loss='ns-r1') "
                             f"and a positive finite γ; loss {self.loss!r} has " + ("one." if rule.r1 else "none."))
        if self.arch not in nets.ARCHS:
            raise ValueError(f"unknown arch {self.arch!r}; choose one of {sorted(nets.ARCHS)}.")
        if rule.input_gradient and nets.critic_has_batchnorm(self.arch):
            raise ValueError(f"loss {self.loss!r} penalises D's gradient per sample, but arch {self.arch!r} has a "
                             "BatchNorm discriminator, which mixes the samples of a batch: choose a critic without "
                             "BatchNorm, e.g. arch='dcgan-nonorm' or 'dcgan-sn'.")
        if self.dataset not in data.TRAINING_SETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of {data.TRAINING_SETS}.")
        accel.validate(self.amp, self.compile, self.adam)


# ----------------------------------------------------------------------------- the run
@dataclass
class Run:
    """Everything a training run owns. `step` counts generator steps done."""
    cfg: TrainConfig
    G: nn.Module                  # the networks themselves (their state_dicts go in checkpoints)
    D: nn.Module
    G_ema: nn.Module | None
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    batches: data.DeviceBatches | data.MixtureBatches
    noise: torch.Generator        # draws every z, so its state is part of the checkpoint
    device: torch.device
    amp: torch.dtype | None = None          # autocast dtype for forward passes, or None
    ctx: distributed.Context = field(default_factory=distributed.Context)
    g_net: nn.Module | None = None          # what the steps call: G itself, or G wrapped in DDP
    d_net: nn.Module | None = None
    step: int = 0
    history: list = field(default_factory=list)   # one dict per log point
    ema_stale: bool = False       # G_ema's weights moved since its BatchNorm statistics were recomputed
    d_logits: tuple | None = None # the last D step's (real, fake) logits, detached: what gc.monitor reads
    channels_last: bool = False   # the layout in use: cfg.channels_last, unless compiled (accel.layout)

    def __post_init__(self):
        self.g_net = self.g_net or self.G
        self.d_net = self.d_net or self.D

    @property
    def sampler(self) -> nn.Module:
        """The generator to draw samples from: the EMA copy when there is one, its BatchNorm
        statistics first recomputed for its own weights if they moved (refresh_ema)."""
        if self.G_ema is None:
            return self.G
        self.refresh_ema()
        return self.G_ema

    def refresh_ema(self) -> None:
        """Give G_ema the BatchNorm statistics of its own (averaged) weights, if they moved."""
        if self.G_ema is not None and self.ema_stale:
            recompute_batchnorm(self.G_ema)
            self.ema_stale = False

    def z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.z_dim, generator=self.noise, device=self.device)

    @property
    def conditional(self) -> bool:
        return nets.is_conditional(self.G)

    def labels(self, n: int) -> torch.Tensor | None:
        """Class labels for n fakes of a conditional run, uniform over the classes; None otherwise."""
        if not self.conditional:
            return None
        return torch.randint(0, self.G.num_classes, (n,), generator=self.noise, device=self.device)

    def real(self, i: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Real batch i and, for a conditional run, its labels."""
        return self.batches.labelled_batch(i) if self.conditional else (self.batches.batch(i), None)


def build_run(cfg: TrainConfig, ctx: distributed.Context | None = None) -> Run:
    ctx = ctx or distributed.Context()
    dev = distributed.device_for(ctx, pick_device(cfg.device))
    seed_everything(cfg.seed)                     # same initial weights on every rank
    G, D = nets.build(cfg.arch, cfg.z_dim, cfg.width)
    G_ema = copy.deepcopy(G).to(dev).requires_grad_(False) if cfg.ema_half_life else None
    compile = accel.should_compile(dev, cfg.compile, cfg.loss)   # no compile for penalty losses
    nhwc = accel.layout(cfg.channels_last, compile)              # channels_last only when eager
    G = accel.prepare(G.to(dev), nhwc, compile)
    D = accel.prepare(D.to(dev), nhwc, compile)
    return Run(
        cfg=cfg, G=G, D=D, G_ema=G_ema,
        opt_g=accel.adam(G.parameters(), cfg.lr_g, cfg.betas, dev, cfg.adam),
        opt_d=accel.adam(D.parameters(), cfg.lr_d, cfg.betas, dev, cfg.adam),
        batches=data.batches(cfg.dataset, cfg.batch_size, dev, seed=cfg.seed, rank=ctx.rank,
                             world_size=ctx.world_size, labels=nets.is_conditional(G)),
        noise=torch.Generator(device=dev).manual_seed(cfg.seed + ctx.rank),
        device=dev, amp=accel.amp_dtype(dev, cfg.amp), ctx=ctx, channels_last=nhwc,
        g_net=distributed.wrap(G, ctx, dev), d_net=distributed.wrap(D, ctx, dev),
    )


# ----------------------------------------------------------------------------- the two steps
def _update(opt: torch.optim.Optimizer, net: nn.Module, loss: torch.Tensor, clip: float) -> None:
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if clip:
        nn.utils.clip_grad_norm_(net.parameters(), clip)
    opt.step()


def conditioned(net, y: torch.Tensor | None):
    """The network itself, or — for a conditional one — the network with its labels bound."""
    return net if y is None else partial(net, y=y)


def generate(run: Run, n: int, grad: bool, labels: torch.Tensor | None = None) -> torch.Tensor:
    """n fresh fakes G(z) (or G(z, labels)), (n, ...); with `grad`, they keep their graph into G."""
    with torch.set_grad_enabled(grad), accel.autocast(run.device, run.amp):
        return conditioned(run.g_net, labels)(run.z(n))


def d_step(run: Run, real: torch.Tensor, fake: torch.Tensor | None = None,
           y_real: torch.Tensor | None = None, y_fake: torch.Tensor | None = None) -> torch.Tensor:
    """One discriminator update: push D(x) up on real images and down on fakes.
    `fake`: generated images without a graph into G; drawn here when not given.
    `y_real`, `y_fake`: class labels, for conditional runs only."""
    rule = losses.get(run.cfg.loss)
    real = accel.to_layout(real, run.channels_last)
    if rule.r1:                                  # R1 differentiates these very logits with respect to the reals
        real = real.detach().requires_grad_(True)
    if fake is None:
        y_fake = run.labels(len(real))
        fake = generate(run, len(real), grad=False, labels=y_fake)     # like real, (B, ...)
    with accel.autocast(run.device, run.amp):
        real_logits = conditioned(run.d_net, y_real)(real)                   # (B,)
        fake_logits = conditioned(run.d_net, y_fake)(fake)                   # (B,)
    loss = rule.d(real_logits.float(), fake_logits.float())  # losses in float32, on logits
    run.d_logits = (real_logits.detach(), fake_logits.detach())
    if rule.r1:                                  # (γ/2) E‖∇_x D(x)‖², from the same forward pass
        gamma = rule.r1 if run.cfg.r1_gamma is None else run.cfg.r1_gamma
        loss = loss + losses.r1_from_logits(real_logits.float(), real, gamma)
    if rule.penalty is not None:                 # WGAN-GP: a term on D's input gradient at interpolates
        loss = loss + rule.penalty(conditioned(run.D, y_real), real, fake.float())
    _update(run.opt_d, run.D, loss, run.cfg.grad_clip)
    return loss.detach()


def g_step(run: Run, fake: torch.Tensor | None = None, y_fake: torch.Tensor | None = None) -> torch.Tensor:
    """One generator update: change G so that D calls its fakes real.
    `fake`: generated images *with* their graph into G (and their labels `y_fake` for a
    conditional run); drawn here when not given."""
    if fake is None:
        y_fake = run.labels(run.cfg.batch_size)
        fake = generate(run, run.cfg.batch_size, grad=True, labels=y_fake)
    run.D.requires_grad_(False)     # D is not updated here: backprop through it, skip its weight grads
    try:                            # (the plain D, not its DDP wrapper: there is nothing of D's to sync)
        with accel.autocast(run.device, run.amp):
            fake_logits = conditioned(run.D, y_fake)(fake)       # graph flows through D into G
        loss = losses.get(run.cfg.loss).g(fake_logits.float())
        _update(run.opt_g, run.G, loss, run.cfg.grad_clip)
    finally:
        run.D.requires_grad_(True)
    return loss.detach()


def ema_beta(step: int, images_per_step: int, half_life: float) -> float:
    """The EMA decay after `step` updates of `images_per_step` images: β = 0.5 ** (images_per_step /
    half_life), so that after half_life images the old weights weigh ½ whatever the batch size
    (stylegan2-ada's ema_kimg), capped by the warm-up of ema_decay."""
    return ema_decay(step, 0.5 ** (images_per_step / half_life))


def ema_decay(step: int, target: float) -> float:
    """The decay used after `step` updates: min(target, (1 + step) / (10 + step)). Early on the
    average forgets quickly, so the random initial weights do not linger (with a fixed 0.999
    they would still weigh 0.999^1600 ≈ 20 % after 1 600 steps)."""
    return min(target, (1 + step) / (10 + step))


def ema_warmup_steps(images_per_step: int, half_life: float) -> int:
    """The first step whose decay is the target β = 0.5 ** (images_per_step / half_life): the warm-up
    (1 + t) / (10 + t) reaches β at t = ⌈(10β − 1) / (1 − β)⌉. For a half-life of many batches that is
    after about 9·half_life / ln 2 ≈ 13 half-lives of images, whatever the batch size."""
    target = 0.5 ** (images_per_step / half_life)
    t = max(0, math.ceil((10 * target - 1) / (1 - target)))
    while t > 0 and ema_decay(t - 1, target) >= target:        # float rounding of the closed form
        t -= 1
    while ema_decay(t, target) < target:
        t += 1
    return t


def ema_half_life_at(step: int, images_per_step: int, half_life: float) -> float:
    """The half-life in images of the decay used at `step`, images_per_step · ln ½ / ln β_t: during the
    warm-up about ln 2 / 9 ≈ 7.7 % of the images seen so far (it grows with them), then half_life."""
    return images_per_step * math.log(0.5) / math.log(ema_beta(step, images_per_step, half_life))


@torch.no_grad()
def ema_update(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """θ_ema ← decay·θ_ema + (1 − decay)·θ on the weights only. The BatchNorm statistics are not
    copied: raw G's statistics belong to raw G's weights, not to the average (recompute_batchnorm)."""
    for p_ema, p in zip(ema.parameters(), model.parameters()):
        p_ema.lerp_(p, 1.0 - decay)


def update_ema(run: Run) -> None:
    """One EMA step of the loop: average the weights, mark the BatchNorm statistics stale."""
    images = run.cfg.batch_size * run.ctx.world_size
    ema_update(run.G_ema, run.G, ema_beta(run.step, images, run.cfg.ema_half_life))
    run.ema_stale = True


class _Labelled(nn.Module):
    """G(z, y) called as G([z, y]), the one-input form torch.optim.swa_utils.update_bn feeds."""

    def __init__(self, G: nn.Module):
        super().__init__()
        self.G = G

    def forward(self, zy: torch.Tensor) -> torch.Tensor:
        return self.G(zy[:, :-1], zy[:, -1].long())


BN_BATCHES, BN_BATCH_SIZE = 8, 256   # recompute_batchnorm's default: 2 048 draws of z, a few ms of G


@torch.no_grad()
def recompute_batchnorm(G: nn.Module, batches: int = BN_BATCHES, batch_size: int = BN_BATCH_SIZE,
                        seed: int = 0) -> nn.Module:
    """Set G's BatchNorm running statistics to those of G's own weights: reset them, then average
    the batch statistics of `batches` batches of fresh z (torch.optim.swa_utils.update_bn, the
    same step SWA needs after averaging weights). Classes of a conditional G cycle uniformly.
    The z come from their own seeded generator, so the result depends only on G's weights.
    Introduced in 05_dcgan_full_training_run (EMA)."""
    if not nets.has_batchnorm(G):
        return G
    dev = nets.device_of(G)
    noise = torch.Generator(device=dev).manual_seed(seed)
    zs = [torch.randn(batch_size, G.z_dim, generator=noise, device=dev) for _ in range(batches)]
    if nets.is_conditional(G):
        y = (torch.arange(batch_size, device=dev) % G.num_classes).float()[:, None]
        torch.optim.swa_utils.update_bn([torch.cat([z, y], dim=1) for z in zs], _Labelled(G))
    else:
        torch.optim.swa_utils.update_bn(zs, G)
    return G


# ----------------------------------------------------------------------------- the loop
def fit(cfg: TrainConfig, out: str | Path | None = None,
        callback: Callable[[Run], None] | None = None, progress: bool = True, monitor=None) -> Run:
    """Train for cfg.steps generator steps. With `out`, resume from out/checkpoint.pt if it
    exists, checkpoint there (every cfg.ckpt_every steps and cfg.ckpt_minutes minutes, at the end,
    on a time limit, and on SIGTERM, Ctrl-C or the notebook's stop button) and write
    out/metrics.jsonl. A checkpoint is written only after a whole step and only when losses and
    weights are finite. `callback(run)` runs at every log point (its time is not in img/s).
    `monitor` (a gc.monitor.Monitor) adds D(x), D(G(z)), gradient norms, memory and a small FID
    to each log point; it changes nothing of the training.
    Under torchrun, trains with DDP; only rank 0 writes."""
    ctx = distributed.init()
    out = Path(out) if out is not None else None
    writes = out is not None and ctx.main
    with runguard.RunFolder(out) if writes else contextlib.nullcontext(), \
            runguard.StopSignals() as stop:     # writable + locked folder; SIGTERM/SIGINT only set a flag
        run = build_run(cfg, ctx)
        ckpts = Checkpoints(run, out, writes)
        if out is not None and (out / "checkpoint.pt").exists():
            resume(run, out / "checkpoint.pt")
            ckpts.saved = ckpts.checked = ckpts.weights_ok = run.step
        if monitor is not None:
            monitor.start(run)          # FID grid from run.step; CUDA peak memory counted from here
        _loop(run, ckpts, stop, callback, progress, monitor)
    distributed.finish(ctx)
    return run


def _loop(run: Run, ckpts: Checkpoints, stop: runguard.StopSignals, callback, progress: bool, monitor) -> None:
    cfg, ctx = run.cfg, run.ctx
    writer = _tensorboard(cfg.tensorboard) if ctx.main else None
    bar = tqdm(total=cfg.steps * cfg.batch_size, initial=min(run.step, cfg.steps) * cfg.batch_size,
               unit="img", unit_scale=True, disable=not (progress and ctx.main), desc="training")
    d_sum = g_sum = torch.zeros((), device=run.device)    # summed on device: no sync per step
    n, t0 = 0, _clock(run.device)
    deadline = time.monotonic() + 60 * cfg.max_minutes if cfg.max_minutes else math.inf
    in_step = False
    try:
        while run.step < cfg.steps:
            in_step = True
            for k in range(cfg.k_d - 1):
                real, y_real = run.real(run.step * cfg.k_d + k)
                d_sum = d_sum + d_step(run, real, y_real=y_real)
            # one forward pass of G serves the last D step (detached) and the G step (with its graph)
            y_fake = run.labels(cfg.batch_size)                 # None unless the run is conditional
            fake = generate(run, cfg.batch_size, grad=True, labels=y_fake)
            real, y_real = run.real(run.step * cfg.k_d + cfg.k_d - 1)
            d_sum = d_sum + d_step(run, real, fake.detach(), y_real, y_fake)
            g_sum = g_sum + g_step(run, fake, y_fake)
            if run.G_ema is not None:
                update_ema(run)
            run.step, n = run.step + 1, n + 1
            in_step = False                                     # a whole step: safe to save from here
            if monitor is not None:
                monitor.after_step(run)                         # on-device sums, no sync
            bar.update(cfg.batch_size)
            out_of_time = time.monotonic() > deadline
            stopping = stop.requested is not None and run.step < cfg.steps
            save_due = ckpts.due(run.step)
            if ctx.active:          # under DDP every rank must stop and save at the same step
                out_of_time = bool(cfg.max_minutes) and distributed.any_rank(out_of_time, ctx, run.device)
                agree = run.step % 10 == 0                      # signals and wall-time saves: every 10 steps
                stopping = agree and distributed.any_rank(stopping, ctx, run.device)
                save_due = ckpts.out is not None and (
                    (bool(cfg.ckpt_every) and run.step % cfg.ckpt_every == 0)
                    or (agree and distributed.any_rank(save_due, ctx, run.device)))

            if run.step % cfg.log_every == 0 or run.step == cfg.steps or out_of_time:
                seconds = _clock(run.device) - t0               # GPU work finished before the clock is read
                record = {"step": run.step, "d_loss": d_sum.item() / (n * cfg.k_d),
                          "g_loss": g_sum.item() / n, "img_per_s": n * cfg.batch_size * ctx.world_size / seconds}
                ckpts.check_losses(record["d_loss"], record["g_loss"])
                if monitor is not None:
                    record.update(monitor.record(run))          # its FID is not in img/s either
                run.history.append(record)
                bar.set_postfix(d=f"{record['d_loss']:.3f}", g=f"{record['g_loss']:.3f}")
                if writer is not None:
                    for key, value in record.items():
                        if key != "step" and isinstance(value, float):
                            writer.add_scalar(key, value, run.step)
                d_sum = g_sum = torch.zeros((), device=run.device)
                n = 0
                if callback is not None:
                    callback(run)
                t0 = _clock(run.device)                         # restarted after the callback: not in img/s
            if save_due or stopping:
                paused = _clock(run.device)
                ckpts.save(n, d_sum, g_sum)
                t0 += _clock(run.device) - paused               # saving is not training time either
            if stopping:
                signum = stop.requested or signal.SIGTERM       # under DDP, another rank may have had it
                raise runguard.Interrupted(ckpts.stopped_message(signum), signum)
            if out_of_time:
                if ctx.main and progress:
                    print(f"Stopped at step {run.step} of {cfg.steps}: the {cfg.max_minutes} min limit was "
                          "reached. Run the same command again to continue.")
                break
    except KeyboardInterrupt as err:
        if isinstance(err, runguard.Interrupted):
            raise
        # a bare Ctrl-C (no handler: not the main thread, a second Ctrl-C) or one raised by the callback
        if not in_step:
            ckpts.save(n, d_sum, g_sum)
        raise runguard.Interrupted(ckpts.stopped_message(signal.SIGINT, half_step=in_step), signal.SIGINT) from None
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    ckpts.save(n, d_sum, g_sum)


def _clock(device: torch.device) -> float:
    """time.perf_counter(), once the GPU has finished the work queued so far (kernels run
    asynchronously: without the sync, a clock would time their launch, not their work)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


def _tensorboard(logdir: str | None):
    if logdir is None:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        raise ValueError(f"tensorboard={logdir!r} needs the tensorboard package: "
                         "`pip install tensorboard` (it is in the course's requirements).") from None
    return SummaryWriter(logdir)


@torch.no_grad()
def sample(G: nn.Module, n: int, seed: int = 0, *, labels=None) -> torch.Tensor:
    """n images (n, 1, 28, 28) in [-1, 1] from G in eval mode (BatchNorm uses its running
    statistics), drawn on G's device and returned on the CPU, with a fixed noise seed so the same
    call shows the same z. A conditional G takes `labels` (an int for all n, or n ints); by default
    it cycles through the classes. There is no device argument: G runs where it is (the device
    rule of the package docstring); move G with `.to(device)` to sample elsewhere."""
    dev = nets.device_of(G)
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed)).to(dev)
    if nets.is_conditional(G):
        labels = torch.arange(n) % G.num_classes if labels is None else torch.as_tensor(labels).expand(n)
        if not ((labels >= 0) & (labels < G.num_classes)).all():
            raise ValueError(f"labels must be classes 0..{G.num_classes - 1}; got {sorted(set(labels.tolist()))}.")
    elif labels is not None:
        raise ValueError("this generator is unconditional: it takes no labels (train the cgan-fmnist preset "
                         "of 08_conditional_gans for one that does).")
    was_training = G.training
    G.eval()
    try:
        return conditioned(G, None if labels is None else labels.to(dev))(z).float().cpu()
    finally:
        G.train(was_training)
