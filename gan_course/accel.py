"""Speed features, each selected by what the device can do, each with a plain CPU equivalent.

"auto" means: use it on a CUDA GPU, where it pays off, and the plain path elsewhere. The CPU
paths are what CI tests; the CUDA paths are the same calls with a capability check in front.
Measured in 05_dcgan_full_training_run.
"""
from __future__ import annotations

import contextlib

import torch
from torch import nn


AMP = ("auto", "bf16", "off")
COMPILE = ("auto", "on", "off")
ADAM = ("auto", "fused", "foreach", "plain")


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what}={value!r}: choose one of {allowed}.")
    return value


def validate(amp: str, compile: str, adam: str) -> None:
    """Check the three speed settings by name, before anything is built."""
    _choice(amp, AMP, "amp")
    _choice(compile, COMPILE, "compile")
    _choice(adam, ADAM, "adam")


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX); elsewhere bf16 is emulated, slowly."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def amp_dtype(device: torch.device, amp: str) -> torch.dtype | None:
    """bf16 autocast or none. "auto": bf16 where the hardware computes it natively — CUDA GPUs
    that support it (Ampere and newer), CPUs with AVX512-BF16 or AMX."""
    _choice(amp, AMP, "amp")
    if amp == "off":
        return None
    if device.type == "cuda":
        if torch.cuda.is_bf16_supported():
            return torch.bfloat16
        if amp == "bf16":
            raise ValueError(f"amp='bf16' was asked for, but {torch.cuda.get_device_name(device)} has no bf16 "
                             "support; use amp='off' (or 'auto').")
        return None
    if amp == "bf16" or cpu_has_bf16():                # CPU autocast works anywhere; fast only with native bf16
        return torch.bfloat16
    return None


def autocast(device: torch.device, dtype: torch.dtype | None):
    """The autocast context for the forward passes (a no-op when dtype is None).
    Losses are then computed in float32 on the logits: the log-sum-exp inside softplus is where
    bf16's 8-bit mantissa would hurt, and torch refuses to autocast BCELoss on probabilities."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def adam(params, lr: float, betas: tuple[float, float], device: torch.device, impl: str) -> torch.optim.Adam:
    """Adam with a fused (one kernel for all parameters), foreach (batched) or plain loop update.
    "auto": fused on CUDA, foreach elsewhere."""
    _choice(impl, ADAM, "adam")
    if impl == "auto":
        impl = "fused" if device.type == "cuda" else "foreach"
    flags = {"fused": dict(fused=True), "foreach": dict(foreach=True), "plain": dict(foreach=False)}[impl]
    return torch.optim.Adam(params, lr=lr, betas=betas, **flags)


def should_compile(device: torch.device, compile: str) -> bool:
    """torch.compile: "on", "off", or "auto" (CUDA only: on a CPU the compile time rarely pays back
    in a course-sized run, and it needs a C++ compiler)."""
    _choice(compile, COMPILE, "compile")
    return compile == "on" or (compile == "auto" and device.type == "cuda")


def prepare(module: nn.Module, channels_last: bool, compile: bool) -> nn.Module:
    """Apply memory layout and compilation in place, so state_dict keys stay unchanged."""
    if channels_last:
        module.to(memory_format=torch.channels_last)
    if compile:
        module.compile()   # in place (nn.Module.compile): no "_orig_mod." prefix in checkpoints
    return module


def to_layout(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if channels_last and x.dim() == 4 else x
