"""Generators ready to use: the shipped ones in data/weights/ (manifest-checked) and any
training checkpoint. 06–07 load `dcgan_fmnist` so they work at once on a laptop.

`load_generator("dcgan_fmnist")` or `load_generator("runs/x/checkpoint.pt")` → G in eval mode,
with its EMA weights when the checkpoint has them. `export` turns a training checkpoint into the
small file that is shipped: the config, the (EMA) generator and how it was made — no D, no optimiser.
"""
from __future__ import annotations

from pathlib import Path

import torch

from .. import data, files, runtime
from . import nets

SHIPPED = {"dcgan_fmnist": "weights/dcgan_fmnist.pt",      # name -> file under data/
           "cgan_fmnist": "weights/cgan_fmnist.pt"}


def _path(name_or_path) -> Path:
    if str(name_or_path) in SHIPPED:
        return data.verified_path(SHIPPED[str(name_or_path)], runtime.data_root())
    path = Path(name_or_path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint; give a file or one of {sorted(SHIPPED)}.")
    return path


def _config(ckpt: dict, path="checkpoint") -> dict:
    files.require(ckpt, ("config", "G"), path, "a generator checkpoint (from `train` or `export`)")
    files.require(ckpt["config"], ("arch", "z_dim", "width"), path, "a generator checkpoint's config")
    return ckpt["config"]


def _build(cfg: dict) -> torch.nn.Module:
    """The generator the saved config describes (its arch, z_dim, width)."""
    return nets.build(cfg["arch"], cfg["z_dim"], cfg["width"])[0]


def load_config(name_or_path) -> dict:
    """The training configuration saved with a shipped name or a checkpoint file, as a dict of
    TrainConfig's fields (arch, dataset, z_dim, …)."""
    path = _path(name_or_path)
    return _config(files.load(path), path)


def load_generator(name_or_path, device="cpu") -> torch.nn.Module:
    """The generator of a shipped name or a checkpoint file, in eval mode: EMA weights when present."""
    path = _path(name_or_path)
    ckpt = files.load(path)
    G = _build(_config(ckpt, path))
    state = ckpt["G_ema"] if ckpt.get("G_ema") is not None else ckpt["G"]
    files.load_state(G, state, "generator", path)
    return G.to(device).eval().requires_grad_(False)


def info(name_or_path) -> dict:
    """What an exported file records about its training run (step, time, last logged losses)."""
    return files.load(_path(name_or_path)).get("info", {})


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
            existing = files.load(out)
        except files.CheckpointError:
            existing = None
        if not (isinstance(existing, dict) and "G" in existing and "D" not in existing):
            raise ValueError(f"--out {out} already exists and is not an exported generator"
                             + (" (it is a training checkpoint)" if isinstance(existing, dict) and "D" in existing else "")
                             + ". Export never writes over it: delete or move it first, or give another --out.")
    ckpt = files.load(src)
    files.require(ckpt, ("config", "step", "G"), src, "a training checkpoint")
    state = ckpt["G_ema"] if ckpt.get("G_ema") is not None else ckpt["G"]
    G = _build(_config(ckpt, src))
    files.load_state(G, state, "generator", src)        # a wrong shape fails here, not when loading the export
    history = ckpt.get("history") or [{}]
    payload = {"format": 1, "config": {**ckpt["config"], "tensorboard": None, "device": None},
               "G": {k: v.float() if v.is_floating_point() else v for k, v in state.items()},
               "info": {"step": ckpt["step"], "ema": ckpt.get("G_ema") is not None,
                        "last_log": history[-1]}}
    return files.save(payload, out)
