"""The training loop: train_step, then log if due, then save if due, until the run is done.

Everything around the step — the clock that times img/s, the time limit, stop signals, when to
log and when to checkpoint, the progress bar, TensorBoard — sits behind one small object, `Book`,
so the loop in fit() reads in the order things happen. Under torchrun the ranks agree on stopping
and saving inside Book (training/distributed.py), never in the loop itself.
Introduced in 00_start_here ("hello GAN"); taken apart in 04 and 05.
"""
from __future__ import annotations

import contextlib
import math
import signal
import time
from pathlib import Path
from typing import Callable

import torch
from tqdm.auto import tqdm

from . import distributed, guards
from .checkpoints import Checkpoints
from .config import TrainConfig
from .step import Run, build_run, train_step


def fit(cfg: TrainConfig, out: str | Path | None = None,
        callback: Callable[[Run], None] | None = None, progress: bool = True, monitor=None) -> Run:
    """Train for cfg.steps generator steps. With `out`, resume from out/checkpoint.pt if it
    exists, checkpoint there (every cfg.ckpt_every steps and cfg.ckpt_minutes minutes, at the end,
    on a time limit, and on SIGTERM, Ctrl-C or the notebook's stop button) and write
    out/metrics.jsonl. A checkpoint is written only after a whole step and only when losses and
    weights are finite. `callback(run)` runs at every log point (its time is not in img/s).
    `monitor` (a gc.monitor.Monitor) adds D(x), D(G(z)), gradient norms, memory and a small FID
    to each log point; it changes nothing of the training. Under torchrun, trains with DDP; only
    rank 0 writes."""
    ctx = distributed.init()
    out = Path(out) if out is not None else None
    writes = out is not None and ctx.main
    with guards.RunFolder(out) if writes else contextlib.nullcontext(), \
            guards.StopSignals() as signals:     # writable + locked folder; SIGTERM/SIGINT only set a flag
        run = build_run(cfg, ctx)
        ckpts = Checkpoints(run, out, writes)    # resumes from out/checkpoint.pt when there is one
        if monitor is not None:
            monitor.start(run)                   # FID grid from run.step; CUDA peak memory counted from here
        with Book(run, ckpts, signals, progress, monitor) as book:
            while run.step < cfg.steps:
                with book.stepping():            # Ctrl-C inside a step: that half step is never saved
                    d_loss, g_loss = train_step(run)
                book.count(d_loss, g_loss)
                if book.log_due():
                    book.log(callback)
                if book.save_due():
                    book.save()
                if book.stop_due():              # a signal (saved, then Interrupted) or the time limit
                    break
        book.save()                              # the end of the run, or of its time
    distributed.finish(ctx)
    return run


class Book:
    """The loop's bookkeeping: loss sums since the last log point (on the device: no sync per step),
    the clock behind img/s (callbacks and saves excluded), the time limit, the stop signals, and when
    to log and save. Use as a context manager around the loop: it owns the progress bar and the
    TensorBoard writer, and turns a Ctrl-C between steps into a checkpoint and `guards.Interrupted`."""

    def __init__(self, run: Run, ckpts: Checkpoints, signals: guards.StopSignals, progress: bool = True,
                 monitor=None):
        self.run, self.ckpts, self.signals, self.monitor = run, ckpts, signals, monitor
        cfg, main = run.cfg, run.ctx.main
        self.progress = progress and main
        self.writer = _tensorboard(cfg.tensorboard) if main else None
        self.bar = tqdm(total=cfg.steps * cfg.batch_size, initial=min(run.step, cfg.steps) * cfg.batch_size,
                        unit="img", unit_scale=True, disable=not self.progress, desc="training")
        self._reset()
        self.deadline = time.monotonic() + 60 * cfg.max_minutes if cfg.max_minutes else math.inf
        self.in_step = False
        self.out_of_time = self.stopping = self.saving = False

    # ------------------------------------------------------------------ after each step
    @contextlib.contextmanager
    def stepping(self):
        self.in_step = True
        yield
        self.in_step = False                     # a whole step: safe to save from here

    def count(self, d_loss: torch.Tensor, g_loss: torch.Tensor) -> None:
        """Add one step's losses, then decide what is due after it."""
        run, cfg = self.run, self.run.cfg
        self.d_sum, self.g_sum, self.n = self.d_sum + d_loss, self.g_sum + g_loss, self.n + 1
        if self.monitor is not None:
            self.monitor.after_step(run)         # on-device sums, no sync
        self.bar.update(cfg.batch_size)
        self.out_of_time, self.stopping, self.saving = distributed.agree(
            run.ctx, run.device, run.step,
            out_of_time=time.monotonic() > self.deadline,
            stopping=self.signals.requested is not None and run.step < cfg.steps,
            save=self.ckpts.due(run.step),
            scheduled=bool(cfg.ckpt_every) and run.step % cfg.ckpt_every == 0,
            limited=bool(cfg.max_minutes), folder=self.ckpts.out is not None)

    def log_due(self) -> bool:
        cfg = self.run.cfg
        return self.run.step % cfg.log_every == 0 or self.run.step == cfg.steps or self.out_of_time

    def save_due(self) -> bool:
        return self.saving or self.stopping

    def stop_due(self) -> bool:
        """Raise Interrupted after a signal's checkpoint; True when the time limit is reached."""
        run = self.run
        if self.stopping:
            signum = self.signals.requested or signal.SIGTERM      # under DDP, another rank may have had it
            raise guards.Interrupted(self.ckpts.stopped_message(signum), signum)
        if self.out_of_time and self.progress:
            print(f"Stopped at step {run.step} of {run.cfg.steps}: the {run.cfg.max_minutes} min limit was "
                  "reached. Run the same command again to continue.")
        return self.out_of_time

    # ------------------------------------------------------------------ log and save
    def means(self) -> tuple[float, float] | None:
        """The mean (d_loss, g_loss) since the last log point (a sync), or None if no step was taken."""
        return (self.d_sum.item() / self.n, self.g_sum.item() / self.n) if self.n else None

    def log(self, callback: Callable[[Run], None] | None = None) -> dict:
        """One log point: losses, img/s, the monitor's readings → run.history, the bar and TensorBoard;
        then `callback(run)`, whose time is not counted."""
        run = self.run
        seconds = _clock(run.device) - self.t0               # GPU work finished before the clock is read
        d_loss, g_loss = self.means()
        record = {"step": run.step, "d_loss": d_loss, "g_loss": g_loss,
                  "img_per_s": self.n * run.cfg.batch_size * run.ctx.world_size / seconds}
        self.ckpts.check_losses(d_loss, g_loss)
        if self.monitor is not None:
            record.update(self.monitor.record(run))          # its FID is not in img/s either
        run.history.append(record)
        self.bar.set_postfix(d=f"{d_loss:.3f}", g=f"{g_loss:.3f}")
        if self.writer is not None:
            for key, value in record.items():
                if key != "step" and isinstance(value, float):
                    self.writer.add_scalar(key, value, run.step)
        self._reset(clock=False)
        if callback is not None:
            callback(run)
        self.t0 = _clock(run.device)                         # restarted after the callback: not in img/s
        return record

    def save(self) -> None:
        """Checkpoint (after checking the losses not yet checked and the weights); not timed."""
        paused = _clock(self.run.device)
        self.ckpts.save(self.means())
        self.t0 += _clock(self.run.device) - paused

    def _reset(self, clock: bool = True) -> None:
        zero = torch.zeros((), device=self.run.device)
        self.d_sum, self.g_sum, self.n = zero, zero, 0
        if clock:
            self.t0 = _clock(self.run.device)

    # ------------------------------------------------------------------ the context
    def __enter__(self) -> Book:
        return self

    def __exit__(self, kind, err, tb) -> None:
        self.bar.close()
        if self.writer is not None:
            self.writer.close()
        if isinstance(err, KeyboardInterrupt) and not isinstance(err, guards.Interrupted):
            # a bare Ctrl-C (no handler: not the main thread, a second Ctrl-C) or one raised by the callback
            if not self.in_step:
                self.ckpts.save(self.means())
            raise guards.Interrupted(self.ckpts.stopped_message(signal.SIGINT, half_step=self.in_step),
                                     signal.SIGINT) from None


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
