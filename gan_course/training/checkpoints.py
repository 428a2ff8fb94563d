"""A training run on disk: what a checkpoint holds, resuming that tells the truth, when a run is
healthy enough to be saved, and when to save. The file level (atomic writes, weights_only loads)
is gan_course/files.py; the run folder's lock and the stop signals are training/guards.py.

Introduced in 05_dcgan_full_training_run (checkpoints and resume).
"""
from __future__ import annotations

import json
import math
import time
import warnings
from dataclasses import asdict
from pathlib import Path

import torch

from .. import files
from . import distributed, guards

# Fields that must match to resume a run from a checkpoint. The seed is among them: the resumed
# run continues the checkpoint's noise stream, so a new seed could only half apply.
ARCH_FIELDS = ("name", "arch", "z_dim", "width", "dataset", "loss", "ema_half_life", "seed")
# Fields held in the optimisers' saved state that resume replaces with the new config's values
# (with a warning), so that the checkpoint's config always records what actually ran.
APPLIED_ON_RESUME = ("lr_d", "lr_g", "betas")
# A mean loss beyond this is treated like NaN: lr=10 reached g_loss 1.6e9 without ever being NaN.
EXPLODED = 1e4
# What a training checkpoint must hold (an exported generator holds only config and G).
TRAINING_KEYS = ("config", "step", "G", "D", "opt_g", "opt_d", "history")


class TrainingDiverged(RuntimeError):
    """The losses became NaN, infinite or exploded; nothing after the last good checkpoint is saved."""


def state_dict(run) -> dict:
    run.refresh_ema()           # G_ema is saved with the BatchNorm statistics of its own weights
    return {
        "format": 1, "config": asdict(run.cfg), "step": run.step,
        "G": run.G.state_dict(), "D": run.D.state_dict(),
        "G_ema": run.G_ema.state_dict() if run.G_ema is not None else None,
        "opt_g": run.opt_g.state_dict(), "opt_d": run.opt_d.state_dict(),
        "noise_rng": run.noise.get_state(), "history": run.history,
        "scalers": {"g": run.scaler_g.state_dict(), "d": run.scaler_d.state_dict()},   # {} each unless fp16
    }


def save_run(run, out: Path) -> Path:
    path = files.save(state_dict(run), out / "checkpoint.pt")
    lines = "".join(json.dumps(rec) + "\n" for rec in run.history)
    files.atomic_write(out / "metrics.jsonl", lambda f: f.write(lines.encode()))
    return path


# ----------------------------------------------------------------------------- health
def weights_finite(run) -> bool:
    """True when every weight of G and D is finite (one sync; called before each checkpoint)."""
    params = [p.detach() for net in (run.G, run.D) for p in net.parameters()]
    return bool(torch.isfinite(torch.stack([p.float().abs().amax() for p in params])).all())


def divergence(d_loss: float, g_loss: float) -> str | None:
    """Why the mean losses say the run diverged, or None when they look sane."""
    if not (math.isfinite(d_loss) and math.isfinite(g_loss)):
        return f"the losses became NaN/inf (d_loss={d_loss}, g_loss={g_loss})"
    if max(abs(d_loss), abs(g_loss)) > EXPLODED:
        return (f"the losses exploded past {EXPLODED:g} (d_loss={d_loss:.4g}, g_loss={g_loss:.4g}) "
                "without becoming NaN yet")
    return None


def diverged_message(why: str, since: int, step: int, out, saved_step: int | None) -> str:
    if out is None:
        kept = ""
    elif saved_step is None:
        kept = f"No checkpoint was written to {out}. "
    else:
        kept = f"The checkpoint in {out} from step {saved_step} was kept; nothing later was saved. "
    return (f"{why} between step {since} and step {step}. " + kept
            + "Try lower learning rates (lr_d, lr_g), gradient clipping (grad_clip), the 'ns' loss "
            "on logits, amp='off', or another seed.")


# ----------------------------------------------------------------------------- resume
def check_compatible(saved: dict, cfg, path) -> None:
    """Refuse to resume a checkpoint made with another architecture, dataset, loss or seed."""
    fields = type(cfg).__dataclass_fields__
    defaults = {k: fields[k].default for k in ARCH_FIELDS}
    differ = {k: (saved.get(k, defaults[k]), getattr(cfg, k)) for k in ARCH_FIELDS
              if saved.get(k, defaults[k]) != getattr(cfg, k)}
    if differ:
        shown = ", ".join(f"{k}: checkpoint {a!r} vs now {b!r}" for k, (a, b) in differ.items())
        raise files.CheckpointError(
            f"{path} was trained with another configuration ({shown}). Resume with the same "
            "settings, or choose a new output folder to start a fresh run.")


def _apply_optimizer_settings(run, saved: dict) -> None:
    """Resume loads lr and betas with the optimiser state; put the config's values back."""
    cfg = run.cfg
    for opt, lr in ((run.opt_d, cfg.lr_d), (run.opt_g, cfg.lr_g)):
        for group in opt.param_groups:
            group["lr"], group["betas"] = lr, tuple(cfg.betas)
    changed = {}
    for k in APPLIED_ON_RESUME:
        if k in saved:
            old, new = saved[k], getattr(cfg, k)
            old, new = (tuple(old), tuple(new)) if k == "betas" else (old, new)
            if old != new:
                changed[k] = (old, new)
    if changed:
        shown = ", ".join(f"{k} {a!r} → {b!r}" for k, (a, b) in changed.items())
        warnings.warn(f"resuming at step {run.step} with changed settings ({shown}); they apply from "
                      "this step on, and the checkpoint's config records them.", stacklevel=3)


def resume(run, path: Path) -> None:
    """Load a training checkpoint into `run`, after checking it was made with the same architecture.
    lr_d, lr_g and betas come from run.cfg (a changed value is applied, with a warning)."""
    ckpt = files.load(path, map_location=run.device)
    files.require(ckpt, TRAINING_KEYS, path, "a training checkpoint")
    check_compatible(ckpt["config"], run.cfg, path)
    files.load_state(run.G, ckpt["G"], "generator", path)
    files.load_state(run.D, ckpt["D"], "discriminator", path)
    if run.G_ema is not None:
        files.load_state(run.G_ema, ckpt["G_ema"], "EMA generator", path)
    run.opt_g.load_state_dict(ckpt["opt_g"])
    run.opt_d.load_state_dict(ckpt["opt_d"])
    for name, scaler in (("g", run.scaler_g), ("d", run.scaler_d)):
        saved = ckpt.get("scalers", {}).get(name)
        if saved and scaler.is_enabled():           # the loss scale reached, so a resumed fp16 run goes on as it was
            scaler.load_state_dict(saved)
    restored = False
    if run.ctx.main and "noise_rng" in ckpt:  # the checkpoint holds rank 0's noise state; other ranks reseed
        try:
            run.noise.set_state(ckpt["noise_rng"].cpu())
            restored = True
        except RuntimeError:         # saved on another device type: its RNG state has another format
            warnings.warn("the noise generator's state was saved on another device type; reseeding "
                          "it, so this resumed run will not match an uninterrupted one exactly.", stacklevel=3)
    if not restored:
        run.noise.manual_seed(run.cfg.seed + run.ctx.rank + 7919 * ckpt["step"])
    run.step, run.history = ckpt["step"], ckpt["history"]
    _apply_optimizer_settings(run, ckpt["config"])


# ----------------------------------------------------------------------------- when to save
class Checkpoints:
    """When to checkpoint, and saving only a healthy run: losses and weights finite and not
    exploded. Remembers the step on disk, for the messages."""

    def __init__(self, run, out: Path | None, writes: bool):
        """Resumes `run` from out/checkpoint.pt when it exists."""
        self.run, self.out, self.writes = run, out, writes    # out: given on every rank; writes: rank 0
        self.saved: int | None = None          # the step of the checkpoint on disk
        if out is not None and (out / "checkpoint.pt").exists():
            resume(run, out / "checkpoint.pt")
            self.saved = run.step
        self.checked = run.step                # losses up to this step were found healthy
        self.weights_ok = run.step             # weights were found finite at this step
        self.next_time = self._later()

    def _later(self) -> float:
        return time.monotonic() + 60 * self.run.cfg.ckpt_minutes if self.run.cfg.ckpt_minutes else math.inf

    def due(self, step: int) -> bool:
        every = self.run.cfg.ckpt_every
        return self.writes and ((every and step % every == 0) or time.monotonic() >= self.next_time)

    def check_losses(self, d_loss: float, g_loss: float) -> None:
        why = divergence(d_loss, g_loss)
        if not distributed.all_finite(0.0 if why is None else math.inf, self.run.ctx, self.run.device):
            raise TrainingDiverged(diverged_message(why or "another process's losses diverged",
                                                    self.checked, self.run.step, self.out, self.saved))
        self.checked = self.run.step

    def save(self, losses: tuple[float, float] | None = None) -> None:
        """Check, then write out/checkpoint.pt. `losses`: the mean (d_loss, g_loss) of the steps since
        the last log point, not checked yet (None when there were none)."""
        if self.out is None:
            return
        run = self.run
        if losses is not None:
            self.check_losses(*losses)
        if not distributed.all_finite(0.0 if weights_finite(run) else math.inf, run.ctx, run.device):
            raise TrainingDiverged(diverged_message("the weights became NaN/inf", self.weights_ok,
                                                    run.step, self.out, self.saved))
        self.weights_ok = run.step
        if not self.writes:
            return
        try:
            save_run(run, self.out)
        except OSError as err:       # the checkpoint may have been written, and metrics.jsonl not
            raise guards.RunFolderError(guards.save_failed(self.out, err, self._step_on_disk())) from None
        self.saved, self.next_time = run.step, self._later()

    def _step_on_disk(self) -> int | None:
        try:
            return files.load(self.out / "checkpoint.pt")["step"]
        except (OSError, files.CheckpointError, KeyError, TypeError):
            return self.saved

    def stopped_message(self, signum: int, half_step: bool = False) -> str:
        run = self.run
        where = (f"during step {run.step + 1}" if half_step else f"after step {run.step}") + f" of {run.cfg.steps}"
        if self.out is None:
            kept = "no output folder was given, so nothing was saved."
        elif half_step:
            kept = (f"a half-done step is never saved: the checkpoint from step {self.saved} in {self.out} "
                    "was kept. Run the same command again to resume." if self.saved is not None else
                    "a half-done step is never saved, and no checkpoint existed yet.")
        else:
            kept = f"checkpoint saved to {self.out / 'checkpoint.pt'}. Run the same command again to resume."
        return f"Stopped by {guards.signal_name(signum)} {where}; {kept}"
