"""Watching a run beyond its two losses: what D says about reals and fakes, how hard each network is
being pushed (gradient norms), a small FID now and then, and how much memory the run holds.

`fit(cfg, monitor=Monitor(...))` calls `start(run)` once the run is built or resumed,
`after_step(run)` after every whole step (on-device sums, no host sync) and merges `record(run)` into
each log point of `run.history` (one sync). None of them
touches a weight, a BatchNorm statistic of G or D, or the run's noise, so a monitored run trains
exactly as an unmonitored one (tests/unit/test_monitor.py checks it bit for bit).

Introduced in 05_dcgan_full_training_run (monitoring).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

import torch
from torch import nn

from .. import losses
from ..evaluation import metrics


def reads_probabilities(loss: str) -> bool:
    """True when D's logit is log(D / (1 − D)) — the BCE losses (ns, saturating, ns-r1) — so that
    sigmoid(logit) is D's probability that the image is real. Other losses (hinge, LSGAN, WGAN-GP)
    train a critic whose raw value has no probability reading: the monitor reports it raw."""
    return losses.get(loss).d is losses.d_bce


def grad_norm(net: nn.Module) -> torch.Tensor:
    """The 2-norm of all of `net`'s current gradients together, as a 0-d tensor on their device (no
    sync); 0 when none has a gradient. After a step it is the norm that step applied (clipped, if
    TrainConfig.grad_clip is set)."""
    grads = [p.grad for p in net.parameters() if p.grad is not None]
    if not grads:
        return torch.zeros((), device=next(net.parameters()).device)
    return nn.utils.get_total_norm(grads).float()


def memory_mb(device: torch.device) -> tuple[float, str]:
    """(megabytes, what they are): on CUDA the peak memory torch's allocator has handed out on that
    device since the last torch.cuda.reset_peak_memory_stats (Monitor.start resets it, so in a
    monitored fit: since that fit began); elsewhere the process's peak resident memory
    (resource.getrusage's ru_maxrss: KiB on Linux, bytes on macOS) since the process (the
    kernel) started — it cannot be reset, so it includes whatever ran before the fit — and counts
    Python, torch and the data, not only the tensors. (nan, why) where neither can be read (Windows has no
    `resource` module)."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20, "CUDA peak allocated"
    try:
        import resource
    except ImportError:
        return float("nan"), "not measured (no resource module on this platform)"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10), "process peak RSS since start"


@dataclass
class Monitor:
    fid_every: int = 0        # FID every N generator steps, at the first log point at or past each multiple; 0: never
    fid_n: int = 500          # samples per FID: small, so it is quick and biased upwards (notebook 06); compare
                              # values of one run with each other, not with a 10 000-sample FID
    classifier: nn.Module | None = None   # the FID's feature network; None loads the course's classifier on the CPU
    _sums: torch.Tensor | None = field(default=None, repr=False)   # on-device sums since the last record
    _n: int = field(default=0, repr=False)
    _fid_due: int = field(default=0, repr=False)                    # the next step whose log point scores FID

    def __post_init__(self):
        if self.fid_every < 0:
            raise ValueError(f"Monitor.fid_every={self.fid_every} must be 0 (no FID) or a number of steps.")
        if self.fid_n < 2:
            raise ValueError(f"Monitor.fid_n={self.fid_n}: FID needs at least 2 samples (a covariance); 500 is quick.")
        self._fid_due = self.fid_every

    def start(self, run) -> None:
        """Called by fit once the run is built (and resumed): FID is next due at the first multiple
        of fid_every after run.step, so a resumed run keeps the grid of an uninterrupted one; on
        CUDA the allocator's peak is reset, so memory_mb reports this fit's peak, not the kernel's."""
        self._sums, self._n = None, 0
        if self.fid_every:
            self._fid_due = (run.step // self.fid_every + 1) * self.fid_every
        if run.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(run.device)

    def after_step(self, run) -> None:
        """Add this step's D(x), D(G(z)) (means over the last D step's batch) and G's and D's gradient
        norms to on-device sums."""
        if self.fid_every and self._n == 0 and run.cfg.dataset != "fashion_mnist":
            raise ValueError(f"Monitor(fid_every={self.fid_every}) scores against real Fashion-MNIST, but this "
                             f"run trains on {run.cfg.dataset!r}: use fid_every=0 for it.")
        real, fake = run.d_logits                                      # (B,), (B,) detached
        if reads_probabilities(run.cfg.loss):
            real, fake = torch.sigmoid(real), torch.sigmoid(fake)
        now = torch.stack([real.float().mean(), fake.float().mean(), grad_norm(run.D), grad_norm(run.G)])
        self._sums = now if self._sums is None else self._sums + now
        self._n += 1

    def record(self, run) -> dict:
        """The means since the last record, memory, and — when due — FID; resets the sums."""
        rec = {}
        if self._n:
            d_real, d_fake, gn_d, gn_g = (self._sums / self._n).tolist()     # the one host sync
            rec = {"d_real": d_real, "d_fake": d_fake, "grad_norm_d": gn_d, "grad_norm_g": gn_g}
        rec["d_scale"] = "probability" if reads_probabilities(run.cfg.loss) else "critic value"
        rec["memory_mb"], rec["memory_kind"] = memory_mb(run.device)
        if self.fid_every and run.step >= self._fid_due and run.ctx.main:     # under torchrun: rank 0 only
            rec["fid_small"] = metrics.fid(metrics.generate(run.sampler, self.fid_n), self.classifier)
            self._fid_due = (run.step // self.fid_every + 1) * self.fid_every
        self._sums, self._n = None, 0
        return rec


def plot(history: list[dict], axes=None):
    """Three panels from a monitored run's history: D(x) and D(G(z)); gradient norms; small FID and memory."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3))
    rows = [h for h in history if "d_real" in h]
    steps = [h["step"] for h in rows]
    scale = rows[-1]["d_scale"] if rows else "probability"
    ax = axes[0]
    ax.plot(steps, [h["d_real"] for h in rows], label="D(x), reals")
    ax.plot(steps, [h["d_fake"] for h in rows], label="D(G(z)), fakes")
    ax.set_title(f"what D says ({scale})")
    ax.legend()
    ax = axes[1]
    ax.plot(steps, [h["grad_norm_d"] for h in rows], label="‖∇D‖")
    ax.plot(steps, [h["grad_norm_g"] for h in rows], label="‖∇G‖")
    ax.set_yscale("log")
    ax.set_title("gradient norms")
    ax.legend()
    ax = axes[2]
    scored = [h for h in history if "fid_small" in h]
    ax.plot([h["step"] for h in scored], [h["fid_small"] for h in scored], "o-", label="FID (small sample)")
    ax.set_title("FID (small sample)")
    mem = ax.twinx()
    mem.plot(steps, [h["memory_mb"] for h in rows], color="gray", ls=":", label="memory")
    mem.set_ylabel(f"MB ({rows[-1]['memory_kind']})" if rows else "MB", fontsize=8)
    for a in axes:
        a.set_xlabel("generator step")
    return axes
