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


def finish(ctx: Context) -> None:
    if ctx.active and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
