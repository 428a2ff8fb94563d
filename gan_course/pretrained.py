"""Generators ready to use: the shipped ones in data/weights/ (manifest-checked) and any
training checkpoint. 06–07 load `dcgan_fmnist` so they work at once on a laptop.

`load_generator("dcgan_fmnist")` or `load_generator("runs/x/checkpoint.pt")` → G in eval mode,
with its EMA weights when the checkpoint has them. `export` turns a training checkpoint into the
small file that is shipped: the config, the (EMA) generator and how it was made — no D, no optimiser.
"""
from __future__ import annotations

from pathlib import Path

import torch

from . import checkpoint, data, nets, runtime
from .train import TrainConfig

SHIPPED = {"dcgan_fmnist": "weights/dcgan_fmnist.pt",      # name -> file under data/
           "cgan_fmnist": "weights/cgan_fmnist.pt"}


def _path(name_or_path) -> Path:
    if str(name_or_path) in SHIPPED:
        return data.verified_path(SHIPPED[str(name_or_path)], runtime.data_root())
    path = Path(name_or_path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint; give a file or one of {sorted(SHIPPED)}.")
    return path


def _config(ckpt: dict) -> TrainConfig:
    return TrainConfig(**{k: v for k, v in ckpt["config"].items() if k in TrainConfig.__dataclass_fields__})


def load_config(name_or_path) -> TrainConfig:
    return _config(checkpoint.load(_path(name_or_path)))


def load_generator(name_or_path, device="cpu") -> torch.nn.Module:
    """The generator of a shipped name or a checkpoint file, in eval mode: EMA weights when present."""
    path = _path(name_or_path)
    ckpt = checkpoint.load(path)
    cfg = _config(ckpt)
    G, _ = nets.build(cfg.arch, cfg.z_dim, cfg.width)
    state = ckpt["G_ema"] if ckpt.get("G_ema") is not None else ckpt["G"]
    checkpoint.load_state(G, state, "generator", path)
    return G.to(device).eval().requires_grad_(False)


def info(name_or_path) -> dict:
    """What an exported file records about its training run (step, time, last logged losses)."""
    return checkpoint.load(_path(name_or_path)).get("info", {})


def export(checkpoint_path, out) -> Path:
    """Write the EMA generator (or G) of a training checkpoint, in float32, with its config."""
    ckpt = checkpoint.load(checkpoint_path)
    state = ckpt["G_ema"] if ckpt.get("G_ema") is not None else ckpt["G"]
    history = ckpt.get("history") or [{}]
    payload = {"format": 1, "config": {**ckpt["config"], "tensorboard": None, "device": None},
               "G": {k: v.float() if v.is_floating_point() else v for k, v in state.items()},
               "info": {"step": ckpt["step"], "ema": ckpt.get("G_ema") is not None,
                        "last_log": history[-1]}}
    return checkpoint.save(payload, out)
