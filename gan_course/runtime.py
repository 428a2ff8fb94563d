"""Where the course runs: the FAST profile, the device, seeds and paths.

Introduced in 00_start_here. Every notebook's first cell calls these.
"""
from __future__ import annotations

import os
import random
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


FAST = read_fast()


def pick(fast, full):
    """The FAST value under GAN_COURSE_FAST=1, the FULL one otherwise (sizes only, never code paths)."""
    return fast if FAST else full


def device(name: str | None = None) -> torch.device:
    """The training device: `name` if given (e.g. "cpu", "cuda:1"), else CUDA when available, else CPU."""
    name = name or os.environ.get("GAN_COURSE_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(name)
    except RuntimeError as err:
        raise ValueError(
            f"device {name!r} is not a device name torch understands ({err}). "
            "Use 'cpu', 'cuda', 'cuda:0', … or leave it unset to pick CUDA when available."
        ) from None
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
    elif dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device {name!r} is not available on this machine; use 'cpu'.")
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
