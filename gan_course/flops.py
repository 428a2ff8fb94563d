"""What one training step costs in arithmetic: FLOPs counted by torch's FlopCounterMode over the
very d_step/g_step sequence that gc.fit runs, so a prediction of time from width or batch size
starts from the work actually done, not from a rule of thumb such as "width² ".

Introduced in 05_dcgan_full_training_run (how the cost scales).
"""
from __future__ import annotations

import dataclasses

import torch
from torch.utils.flop_counter import FlopCounterMode

from . import bench, train


def step_flops(cfg: train.TrainConfig) -> int:
    """FLOPs (2 per multiply-add) of one whole training step of `cfg`: G's forward pass, D's forward
    and backward passes on the reals and the fakes (k_d times), and the G step's forward and backward
    through D into G. Counted by torch.utils.flop_counter.FlopCounterMode on one step of a fresh run
    on the CPU, in float32 and eager (the arithmetic is the same on any device). FlopCounterMode counts
    matrix products and convolutions — nearly all of the arithmetic — and leaves out elementwise
    work (activations, BatchNorm, the losses, Adam), which is memory-bound rather than FLOP-bound.
    Backward passes skip what autograd does not need: no input gradient for the reals, the detached
    fakes of the D step, or z."""
    cfg = dataclasses.replace(cfg, device="cpu", amp="off", compile="off", channels_last=False,
                              tensorboard=None, steps=1, log_every=1)
    _, step = bench.course_recipe(cfg)
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()
