"""One training step of a GAN: what a run owns, the D step, the G step, and train_step around them.

Read it top to bottom: the run → building it → the two updates → one whole step. training/loop.py
calls train_step over and over; notebook 03's playground, the speed ladder and the FLOP counter
call the same train_step, so what they measure is what trains.
Introduced in 00_start_here ("hello GAN"); taken apart in 04_first_gan_on_digits.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
from torch import nn

from .. import data, losses
from ..models import nets
from ..models.sampling import conditioned
from ..runtime import device as pick_device
from ..runtime import seed_everything
from . import accel, distributed, ema
from .config import TrainConfig


# ----------------------------------------------------------------------------- the run
@dataclass
class Run:
    """Everything a training run owns. `step` counts generator steps done."""
    cfg: TrainConfig
    G: nn.Module                  # the networks themselves (their state_dicts go in checkpoints)
    D: nn.Module
    G_ema: nn.Module | None       # the averaged copy of G that samples are drawn from (training/ema.py)
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    batches: data.DeviceBatches | data.MixtureBatches
    noise: torch.Generator        # draws every z, so its state is part of the checkpoint
    device: torch.device
    amp: torch.dtype | None = None          # autocast dtype for forward passes, or None
    scaler_g: torch.amp.GradScaler | None = None  # loss scalers for float16 autocast (accel.scaler);
    scaler_d: torch.amp.GradScaler | None = None  # disabled ones (a no-op) otherwise
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
        self.scaler_g = self.scaler_g or accel.scaler(self.device, self.amp)
        self.scaler_d = self.scaler_d or accel.scaler(self.device, self.amp)

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
            ema.recompute_batchnorm(self.G_ema)
            self.ema_stale = False

    def z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.z_dim, generator=self.noise, device=self.device)   # (n, z_dim)

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
    """Networks, optimisers, data and noise for `cfg`, on its device, seeded by cfg.seed."""
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


# ----------------------------------------------------------------------------- the two updates
def _update(opt: torch.optim.Optimizer, net: nn.Module, loss: torch.Tensor, clip: float,
            scaler: torch.amp.GradScaler) -> None:
    """backward, clip, step. With float16 autocast the scaler multiplies the loss before backward,
    divides the gradients back before clipping, and skips a step whose gradients overflowed;
    otherwise it is disabled and each call passes straight through."""
    opt.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    if clip:
        scaler.unscale_(opt)                     # clip the true gradients, not the scaled ones
        nn.utils.clip_grad_norm_(net.parameters(), clip)
    scaler.step(opt)
    scaler.update()


def generate(run: Run, n: int, grad: bool, labels: torch.Tensor | None = None) -> torch.Tensor:
    """n fresh fakes G(z) (or G(z, labels)), (n, ...); with `grad`, they keep their graph into G."""
    with torch.set_grad_enabled(grad), accel.autocast(run.device, run.amp):
        return conditioned(run.g_net, labels)(run.z(n))


def d_step(run: Run, real: torch.Tensor, fake: torch.Tensor | None = None,
           y_real: torch.Tensor | None = None, y_fake: torch.Tensor | None = None) -> torch.Tensor:
    """One discriminator update: push D(x) up on real images and down on fakes.
    `fake`: generated images without a graph into G; drawn here when not given.
    `y_real`, `y_fake`: class labels, for conditional runs only. Returns D's loss (a tensor)."""
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
    run.d_logits = (real_logits.detach(), fake_logits.detach())
    loss = rule.d_loss(real_logits.float(), fake_logits.float(), real, fake.float(),   # in float32, on logits
                       conditioned(run.D, y_real), run.cfg.r1_gamma)
    _update(run.opt_d, run.D, loss, run.cfg.grad_clip, run.scaler_d)
    return loss.detach()


def g_step(run: Run, fake: torch.Tensor | None = None, y_fake: torch.Tensor | None = None) -> torch.Tensor:
    """One generator update: change G so that D calls its fakes real.
    `fake`: generated images *with* their graph into G (and their labels `y_fake` for a
    conditional run); drawn here when not given. Returns G's loss (a tensor)."""
    if fake is None:
        y_fake = run.labels(run.cfg.batch_size)
        fake = generate(run, run.cfg.batch_size, grad=True, labels=y_fake)
    run.D.requires_grad_(False)     # D is not updated here: backprop through it, skip its weight grads
    try:                            # (the plain D, not its DDP wrapper: there is nothing of D's to sync)
        with accel.autocast(run.device, run.amp):
            fake_logits = conditioned(run.D, y_fake)(fake)       # graph flows through D into G
        loss = losses.get(run.cfg.loss).g(fake_logits.float())
        _update(run.opt_g, run.G, loss, run.cfg.grad_clip, run.scaler_g)
    finally:
        run.D.requires_grad_(True)
    return loss.detach()


# ----------------------------------------------------------------------------- one whole step
def update_ema(run: Run) -> None:
    """One EMA step: average G's weights into G_ema, mark its BatchNorm statistics stale."""
    images = run.cfg.batch_size * run.ctx.world_size
    ema.average(run.G_ema, run.G, ema.beta(run.step, images, run.cfg.ema_half_life))
    run.ema_stale = True


def train_step(run: Run) -> tuple[torch.Tensor, torch.Tensor]:
    """One generator step: k_D discriminator updates, one generator update, the EMA update.
    One forward pass of G serves the last D update (detached) and the G update (with its graph).
    Returns this step's mean D loss over its k_D updates and its G loss, as tensors on the device
    (reading them is a GPU sync: the loop does it only when it logs)."""
    cfg = run.cfg
    d_sum = torch.zeros((), device=run.device)
    for k in range(cfg.k_d - 1):                            # the extra D updates, each on fresh fakes
        real, y_real = run.real(run.step * cfg.k_d + k)
        d_sum = d_sum + d_step(run, real, y_real=y_real)
    y_fake = run.labels(cfg.batch_size)                     # None unless the run is conditional
    fake = generate(run, cfg.batch_size, grad=True, labels=y_fake)
    real, y_real = run.real(run.step * cfg.k_d + cfg.k_d - 1)
    d_sum = d_sum + d_step(run, real, fake.detach(), y_real, y_fake)
    g_loss = g_step(run, fake, y_fake)
    if run.G_ema is not None:
        update_ema(run)
    run.step += 1
    return d_sum / cfg.k_d, g_loss
