"""Named training configurations, shared by notebooks, tests and the CLI.

Each maps to TrainConfig keyword arguments; `config(name, **overrides)` builds the config.
"""
from __future__ import annotations

from .train import TrainConfig

PRESETS: dict[str, dict] = {
    # 03_training_dynamics_2d: covers 8/8 ring modes with seed 0 in 3000 steps (~10 s on 2 CPU cores)
    "ring-2d": dict(arch="mlp2d", dataset="ring", loss="ns", z_dim=2, width=128, batch_size=256,
                    lr_d=1e-4, lr_g=1e-4, steps=3000, log_every=100),
}


def config(name: str, **overrides) -> TrainConfig:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}.")
    return TrainConfig(**{**PRESETS[name], **overrides})
