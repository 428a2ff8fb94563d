"""Checks for the assignments (assignments/): each says what is right and what is off —
expected vs got shapes and dtypes, exact or close with the largest difference — and raises
CheckFailed (an AssertionError, so nbgrader counts it as a failed test) with that message,
never a bare AssertionError. A student without nbgrader runs the test cell and reads it.
"""
from __future__ import annotations

from typing import Any, Callable

import torch


class CheckFailed(AssertionError):
    """A check that did not pass; the message says what was expected and what came back."""


def run(name: str, fn: Callable, *args, **kwargs) -> Any:
    """Call the student's fn; a stub that still raises NotImplementedError gets a message saying so."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as err:
        tb = err.__traceback__
        while tb.tb_next is not None:             # the function whose stub raised, perhaps deep inside fn
            tb = tb.tb_next
        stub = tb.tb_frame.f_code.co_name
        where = f"{stub}, which {name} calls," if stub not in (name, "<lambda>") else name
        raise CheckFailed(f"{name}: {where} is not written yet — replace `raise NotImplementedError()` in "
                          "its cell with your code, run that cell, then run this check again.") from None


def _as_tensor(name: str, value) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise CheckFailed(f"{name}: expected a torch.Tensor, got {type(value).__name__} ({value!r:.60}).")
    return value


def close(name: str, got, expected, rtol: float = 1e-5, atol: float = 1e-6, hint: str = "") -> None:
    """Tensors of the same shape and dtype whose values agree within atol + rtol·|expected|."""
    got, expected = _as_tensor(name, got), torch.as_tensor(expected)
    problems = []
    if got.shape != expected.shape:
        problems.append(f"shape: expected {tuple(expected.shape)}, got {tuple(got.shape)}")
    if got.dtype != expected.dtype:
        problems.append(f"dtype: expected {expected.dtype}, got {got.dtype}")
    if problems:
        raise CheckFailed(f"{name}: " + "; ".join(problems) + (f". Hint: {hint}" if hint else ""))
    got, expected = got.detach().cpu(), expected.detach().cpu()
    if not torch.isfinite(got).all():
        bad = (~torch.isfinite(got)).sum().item()
        raise CheckFailed(f"{name}: {bad} of {got.numel()} values are inf or NaN (expected all finite)."
                          + (f" Hint: {hint}" if hint else ""))
    diff = (got.double() - expected.double()).abs()
    allowed = atol + rtol * expected.double().abs()
    if (diff > allowed).any():
        i = int((diff - allowed).flatten().argmax())
        raise CheckFailed(
            f"{name}: values differ — largest difference {diff.max().item():.3g} (allowed {atol:g} + {rtol:g}·|expected|); "
            f"at flat index {i}: expected {expected.flatten()[i].item():.6g}, got {got.flatten()[i].item():.6g}."
            + (f" Hint: {hint}" if hint else ""))
    print(f"✓ {name}: shape {tuple(got.shape)}, {got.dtype}, close (max difference {diff.max().item():.2g})")


def exact(name: str, got, expected, hint: str = "") -> None:
    """Equal values (numbers, strings, tuples, tensors compared element-wise)."""
    same = torch.equal(got, torch.as_tensor(expected)) if isinstance(got, torch.Tensor) else got == expected
    if not same:
        raise CheckFailed(f"{name}: expected {expected!r}, got {got!r}." + (f" Hint: {hint}" if hint else ""))
    print(f"✓ {name}: {got!r} exactly")


def true(name: str, condition: bool, what: str, hint: str = "") -> None:
    """A property that must hold; `what` describes it (shown either way)."""
    if not condition:
        raise CheckFailed(f"{name}: expected {what}, which does not hold." + (f" Hint: {hint}" if hint else ""))
    print(f"✓ {name}: {what}")
