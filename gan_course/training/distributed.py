"""Data-parallel training under `torchrun --nproc_per_node=N -m gan_course train ...`.

torchrun sets RANK, WORLD_SIZE and LOCAL_RANK. Each process trains a replica; DDP averages
gradients across processes during backward; each rank draws its own slice of every batch and
its own noise; only rank 0 prints, checkpoints and writes files. NCCL on GPUs, gloo on CPUs.
Introduced in 05_dcgan_full_training_run.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn


@dataclass(frozen=True)
class Context:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world_size > 1


def init() -> Context:
    """Join the process group that torchrun describes in the environment; a single process
    (no WORLD_SIZE, or 1) gets the trivial context and no process group."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Context()
    ctx = Context(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        if backend == "nccl":
            torch.cuda.set_device(ctx.local_rank)
        dist.init_process_group(backend)
    return ctx


def device_for(ctx: Context, requested: torch.device) -> torch.device:
    """Each rank's device: its own GPU (cuda:LOCAL_RANK) when training on CUDA."""
    return torch.device("cuda", ctx.local_rank) if ctx.active and requested.type == "cuda" else requested


def wrap(module: nn.Module, ctx: Context, device: torch.device) -> nn.Module:
    """DistributedDataParallel around `module` when there is more than one process."""
    if not ctx.active:
        return module
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(module, device_ids=ids)


def any_rank(flag: bool, ctx: Context, device: torch.device) -> bool:
    """True on every rank if `flag` is True on any rank, so that all ranks take the same branch
    (a rank that leaves the loop alone would leave the others waiting in a collective)."""
    t = torch.tensor(float(flag), device=device)
    if ctx.active:
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def all_finite(value: float, ctx: Context, device: torch.device) -> bool:
    """True on every rank only if `value` is finite on every rank (so all ranks stop together)."""
    return not any_rank(not math.isfinite(value), ctx, device)


AGREE_EVERY = 10   # signals and wall-time saves are agreed on every 10 steps (each agreement is a collective)


def agree(ctx: Context, device: torch.device, step: int, *, out_of_time: bool, stopping: bool, save: bool,
          scheduled: bool, limited: bool, folder: bool) -> tuple[bool, bool, bool]:
    """(out_of_time, stopping, save) as every rank must act on them after `step`. One process: its own
    view (`scheduled` and `folder` are already part of `save`). Under DDP every rank must stop and save
    at the same step, or the others wait in a collective for ever: a time limit is agreed every step
    (`limited`: there is one), a signal and a time-based save every AGREE_EVERY steps, and a save every
    ckpt_every steps (`scheduled`) needs no agreement. Every rank takes part in a save (`folder`: there
    is an output folder), since saving checks losses and weights collectively."""
    if not ctx.active:
        return out_of_time, stopping, save
    out_of_time = limited and any_rank(out_of_time, ctx, device)
    due = step % AGREE_EVERY == 0
    stopping = due and any_rank(stopping, ctx, device)
    save = folder and (scheduled or (due and any_rank(save, ctx, device)))
    return out_of_time, stopping, save


def finish(ctx: Context) -> None:
    if ctx.active and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
