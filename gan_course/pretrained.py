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


def _config(ckpt: dict, path="checkpoint") -> TrainConfig:
    checkpoint.require(ckpt, ("config", "G"), path, "a generator checkpoint (from `train` or `export`)")
    return TrainConfig(**{k: v for k, v in ckpt["config"].items() if k in TrainConfig.__dataclass_fields__})


def load_config(name_or_path) -> TrainConfig:
    path = _path(name_or_path)
    return _config(checkpoint.load(path), path)


def load_generator(name_or_path, device="cpu") -> torch.nn.Module:
    """The generator of a shipped name or a checkpoint file, in eval mode: EMA weights when present."""
    path = _path(name_or_path)
    ckpt = checkpoint.load(path)
    cfg = _config(ckpt, path)
    G, _ = nets.build(cfg.arch, cfg.z_dim, cfg.width)
    state = ckpt["G_ema"] if ckpt.get("G_ema") is not None else ckpt["G"]
    checkpoint.load_state(G, state, "generator", path)
    return G.to(device).eval().requires_grad_(False)


def info(name_or_path) -> dict:
    """What an exported file records about its training run (step, time, last logged losses)."""
    return checkpoint.load(_path(name_or_path)).get("info", {})


def export(checkpoint_path, out) -> Path:
    """Write the EMA generator (or G) of a training checkpoint, in float32, with its config.
    Refuses to write over its own source or over a training checkpoint, and checks that the
    generator loads into the architecture its config names before anything is written."""
    src, out = Path(checkpoint_path), Path(out)
    if out.exists() and src.exists() and out.resolve() == src.resolve():
        raise ValueError(f"--out {out} is the checkpoint being exported: exporting would replace the "
                         "training checkpoint (and its D and optimiser state) with the small export. "
                         "Give another --out, e.g. g.pt.")
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; give a file name such as {out / 'g.pt'}.")
    if out.exists():
        try:
            existing = checkpoint.load(out)
        except checkpoint.CheckpointError:
            existing = None
        if not (isinstance(existing, dict) and "G" in existing and "D" not in existing):
            raise ValueError(f"--out {out} already exists and is not an exported generator"
                             + (" (it is a training checkpoint)" if isinstance(existing, dict) and "D" in existing else "")
                             + ". Export never writes over it: delete or move it first, or give another --out.")
    ckpt = checkpoint.load(src)
    checkpoint.require(ckpt, ("config", "step", "G"), src, "a training checkpoint")
    state = ckpt["G_ema"] if ckpt.get("G_ema") is not None else ckpt["G"]
    cfg = _config(ckpt, src)
    G, _ = nets.build(cfg.arch, cfg.z_dim, cfg.width)
    checkpoint.load_state(G, state, "generator", src)        # a wrong shape fails here, not when loading the export
    history = ckpt.get("history") or [{}]
    payload = {"format": 1, "config": {**ckpt["config"], "tensorboard": None, "device": None},
               "G": {k: v.float() if v.is_floating_point() else v for k, v in state.items()},
               "info": {"step": ckpt["step"], "ema": ckpt.get("G_ema") is not None,
                        "last_log": history[-1]}}
    return checkpoint.save(payload, out)
