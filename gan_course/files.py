"""Files that are never half-written, and checkpoints that never execute code when loaded.

atomic_write()/save(): write to a temporary file in the same folder, fsync, then os.replace — an
interrupted write leaves the previous file intact. load(): torch.load with weights_only=True, so a
checkpoint from the internet cannot run code on your machine. require()/load_state(): refuse a file
that is not what was asked for, naming what is missing or misshapen. Every part of the course that
writes goes through here: training checkpoints (training/checkpoints.py), exported generators
(models/pretrained.py), feature caches, the command line's outputs.
Introduced in 05_dcgan_full_training_run.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

import torch
from torch import nn


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used: truncated, corrupt, or from another architecture."""


def atomic_write(path: str | Path, write) -> Path:
    """Call write(file object) on a temporary file next to `path`, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, RuntimeError) and isinstance(err.__context__, OSError):
            raise err.__context__ from None   # torch.save hides a full disk behind a zip-writer RuntimeError
        raise
    return path


def save(payload: dict, path: str | Path) -> Path:
    """Write `payload` (tensors, state dicts, numbers, strings, lists, dicts) to `path` atomically."""
    return atomic_write(path, lambda f: torch.save(payload, f))


def load(path: str | Path, map_location="cpu") -> dict:
    """Read a checkpoint written by save(), with weights_only=True."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}. Train one first (see the notebook's "
                                "train-or-load cell) or check the path.")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if "weights only" not in str(err).lower():
            raise _unreadable(path, err) from None
        raise CheckpointError(  # never suggest weights_only=False: that is what runs the code
            f"{path} was refused: it holds Python objects other than tensors, numbers and strings, "
            "and loading those could run code on your machine. gan_course's own checkpoints never "
            "hold such objects. Use a checkpoint written by `python -m gan_course train` or "
            "`export` (or a shipped name such as dcgan_fmnist), or ask whoever made this file for one "
            "saved from state_dicts."
        ) from None
    except Exception as err:  # truncated zip, wrong format
        raise _unreadable(path, err) from None


def _unreadable(path: Path, err: Exception) -> CheckpointError:
    return CheckpointError(
        f"{path} cannot be read as a checkpoint ({type(err).__name__}: {str(err)[:200]}). "
        "It may be truncated (a copy or download that did not finish) or not a gan_course "
        "checkpoint. Delete it and train again, or restore it from where it came from.")


def require(ckpt, keys, path, what: str) -> None:
    """Refuse, naming what is missing, a loaded file that is not a dict holding `keys`."""
    if not isinstance(ckpt, dict):
        raise CheckpointError(f"{path} is not {what}: it holds a {type(ckpt).__name__}, not the dict "
                              "that gan_course writes. Give a file made by `train` or `export`.")
    missing = [k for k in keys if k not in ckpt]
    if not missing:
        return
    if "G" in ckpt and "D" not in ckpt and "D" in keys:
        raise CheckpointError(
            f"{path} is an exported generator (from `export`, or shipped in data/weights/), not "
            "a training checkpoint: it has no discriminator or optimiser state, so training cannot "
            "resume from it. Move it out of the run folder, or train into a new folder.")
    raise CheckpointError(f"{path} is not {what}: it lacks {missing}. Give a file made by "
                          "`python -m gan_course train` (a checkpoint.pt) or `export`.")


def load_state(module: nn.Module, state: dict, what: str, path: str | Path = "checkpoint") -> None:
    """module.load_state_dict(state), with an error naming the keys and shapes that do not match."""
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    reshaped = [f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
                for k in sorted(set(own) & set(state)) if state[k].shape != own[k].shape]
    if missing or unexpected or reshaped:
        parts = [f"{name} {items[:6]}{' …' if len(items) > 6 else ''}"
                 for name, items in (("missing from the checkpoint:", missing),
                                     ("not in the model:", unexpected),
                                     ("shapes differ:", reshaped)) if items]
        raise CheckpointError(
            f"{path} holds a {what} of a different architecture — " + "; ".join(parts) + ". "
            "Build the model with the configuration the checkpoint was saved with (its 'config' "
            "entry), or train into a new output folder."
        )
    module.load_state_dict(state)
