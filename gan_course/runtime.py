"""Where the course runs: the FAST profile, the device, seeds and paths.

Introduced in 00_start_here. Every notebook's first cell calls these.
"""
from __future__ import annotations

import os
import random
import warnings
from pathlib import Path

import numpy as np
import torch

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent        # the clone's root, when the package runs from a clone
PACKAGED_DATA = PACKAGE_DIR / "_data"  # where an installed wheel keeps data/ (see pyproject.toml)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def read_fast(value: str | None = None) -> bool:
    """Parse GAN_COURSE_FAST (or `value`): 1/true/yes/on → FAST, 0/false/no/off/unset → FULL."""
    raw = os.environ.get("GAN_COURSE_FAST", "") if value is None else value
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(
        f"GAN_COURSE_FAST={raw!r} is not a yes/no value. Set it to 1 for the FAST profile "
        "(small step counts, every notebook in about two minutes on a CPU) or to 0 / leave it "
        "unset for the FULL profile, e.g. `GAN_COURSE_FAST=1 jupyter lab`."
    )


try:
    FAST = read_fast()
except ValueError as _err:      # one line, not an 18-line import traceback (SystemExit prints only this)
    raise SystemExit(f"error: {_err}") from None


def pick(fast, full):
    """The FAST value under GAN_COURSE_FAST=1, the FULL one otherwise (sizes only, never code paths)."""
    return fast if FAST else full


def _default_device() -> str:
    """CUDA when available, else Apple's GPU (MPS), else the CPU."""
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


MPS_FALLBACK_NOTE = (
    "Training on Apple's GPU (MPS), in float32 and without torch.compile. If PyTorch stops with "
    "NotImplementedError for an operation MPS lacks, quit Jupyter (or Python) and start it again with "
    "the variable set, e.g. `PYTORCH_ENABLE_MPS_FALLBACK=1 jupyter lab`: such operations then run on "
    "the CPU. torch reads the variable when it is imported, so setting os.environ in a running "
    "notebook has no effect. GAN_COURSE_DEVICE=cpu avoids MPS altogether.")
_mps_noted = False


def _note_mps() -> None:
    """Say once per process how to get past an operation MPS lacks, unless the fallback is already on."""
    global _mps_noted
    if not _mps_noted and os.environ.get("PYTORCH_ENABLE_MPS_FALLBACK") != "1":
        warnings.warn(MPS_FALLBACK_NOTE, stacklevel=3)
        _mps_noted = True


def device(name: str | None = None) -> torch.device:
    """The training device: `name` if given (e.g. "cpu", "cuda:1"), else CUDA when available, else
    Apple's GPU (MPS), else CPU."""
    name = name or os.environ.get("GAN_COURSE_DEVICE") or _default_device()
    try:
        dev = torch.device(name)
    except RuntimeError as err:
        raise ValueError(
            f"device {name!r} is not a device name torch understands ({err}). "
            "Use 'cpu', 'cuda', 'cuda:0', … or leave it unset to pick CUDA when available."
        ) from None
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(
            f"device {name!r} is not one the course runs on (its type {dev.type!r} cannot train or "
            "sample here). Use 'cpu', 'cuda', 'cuda:N' or 'mps' (set in --device or GAN_COURSE_DEVICE), "
            "or leave it unset to pick CUDA when available."
        )
    if dev.type == "cuda":
        count = torch.cuda.device_count()
        if count == 0:
            raise ValueError(
                f"device {name!r} was asked for, but this machine has no usable CUDA GPU "
                "(torch.cuda.is_available() is False). Use device='cpu' (every notebook runs on "
                "a CPU in the FAST profile), or install a CUDA build of torch on a machine with a GPU."
            )
        if dev.index is not None and dev.index >= count:
            raise ValueError(
                f"device {name!r} does not exist: this machine has {count} CUDA GPU(s), "
                f"numbered 0..{count - 1}."
            )
    elif dev.type == "mps":
        if not torch.backends.mps.is_available():
            raise ValueError(f"device {name!r} is not available on this machine; use 'cpu'.")
        _note_mps()
    return dev


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices) so a run can be repeated exactly."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def in_clone() -> bool:
    """True when the package runs from a clone of the course (editable install or PYTHONPATH),
    False when it was installed from a wheel (`pip install .`, Colab, Kaggle, a JupyterHub)."""
    return (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "data").is_dir()


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The embedded data folder: `root`, else $GAN_COURSE_DATA, else the data the installed
    package carries (gan_course/_data), else data/ in the clone."""
    if root or os.environ.get("GAN_COURSE_DATA"):
        return Path(root or os.environ["GAN_COURSE_DATA"])
    return PACKAGED_DATA if PACKAGED_DATA.is_dir() else REPO_ROOT / "data"


def runs_dir() -> Path:
    """Where notebooks keep checkpoints and results between sessions: $GAN_COURSE_RUNS, else
    runs/ in the clone, else runs/ in the current working directory — beside the notebook in
    Jupyter, so on Colab (/content), Kaggle (/kaggle/working) or a hub it is where you can see it."""
    if os.environ.get("GAN_COURSE_RUNS"):
        return Path(os.environ["GAN_COURSE_RUNS"])
    return REPO_ROOT / "runs" if in_clone() else Path.cwd() / "runs"


def run_dir(name: str) -> Path:
    """One notebook's checkpoint folder, keyed by profile: runs/<name>-fast or runs/<name>-full.
    FAST and FULL train different models (widths, steps), so they never share a folder: running
    FAST and then FULL starts FULL from scratch instead of resuming (or refusing) FAST's checkpoint."""
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"run_dir({name!r}): give a plain folder name such as '05_dcgan_fmnist'")
    return runs_dir() / f"{name}-{'fast' if FAST else 'full'}"


def report() -> dict:
    """What 00_start_here prints: versions, device, CPU threads, GPU name if any."""
    import platform

    info = {"python": platform.python_version(), "torch": torch.__version__,
            "device": str(device()), "cpu_threads": torch.get_num_threads(), "fast": FAST,
            "cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2**30, 1),
                    bf16=torch.cuda.is_bf16_supported())
    return info


# ----------------------------------------------------------------------------- the device rule
# A function given a model runs that model on the device it is on (put it there once:
# `load_generator(name, device)`, `.to(device)`) and takes tensor arguments from any device: it moves
# them itself (to_device_of). Tensors it hands back (images, latents, directions, features) are on the
# CPU, where the datasets, plots and NumPy are; scores are Python numbers. Functions of tensors alone
# (losses, theory, the formulas of metrics) compute where their inputs are. tests/unit/test_device_rule.py
# checks this with the models on a fake CUDA device.
def device_of(owner: torch.nn.Module | torch.Tensor) -> torch.device:
    """Where a model's work runs: the device of its first parameter (or buffer); a tensor's own device."""
    if isinstance(owner, torch.Tensor):
        return owner.device
    for t in owner.parameters():
        return t.device
    for t in owner.buffers():
        return t.device
    return torch.device("cpu")


def to_device_of(owner: torch.nn.Module | torch.Tensor, x: torch.Tensor | None) -> torch.Tensor | None:
    """x (from any device) moved to where `owner` computes; None stays None."""
    return None if x is None else x.to(device_of(owner))
