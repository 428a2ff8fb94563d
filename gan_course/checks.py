"""Checks for the assignments (assignments/): each says what is right and what is off —
expected vs got shapes and dtypes, exact or close with the largest difference — and raises
CheckFailed (an AssertionError, so nbgrader counts it as a failed test) with that message,
never a bare AssertionError. A student without nbgrader runs the test cell and reads it.
`own_work` runs a student's function while the course's reference implementations are tripwires;
`StepRecorder` records the gradient each optimizer step applied, whatever the zero_grad order.
"""
from __future__ import annotations

import dis
import functools
import inspect
import sys
import types
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


# ----------------------------------------------------------------------------- own work, gradients at each step
_verdicts: list[str] = []                       # the message of the own_work call in progress (innermost last)


def _label(module, key: str) -> str:
    return f"{module.__name__.replace('gan_course', 'gc')}.{key}"


def _references(module, allow) -> dict[str, types.FunctionType]:
    """Every function defined in `module` (private helpers included, decorators unwrapped), except
    those named in `allow` and the private helpers that an allowed function calls."""
    found = {k: inspect.unwrap(v) for k, v in vars(module).items()
             if callable(v) and getattr(v, "__module__", None) == module.__name__}
    found = {k: f for k, f in found.items() if isinstance(f, types.FunctionType) and not f.__code__.co_freevars}
    kept, todo = set(), [k for k in allow if k in found]
    while todo:                                   # an allowed function keeps the helpers it uses
        k = todo.pop()
        if k not in kept:
            kept.add(k)
            todo += [n for n in _global_names(found[k].__code__) if n in found and n.startswith("_")]
    return {k: f for k, f in found.items() if k not in kept}


def _global_names(code: types.CodeType) -> set[str]:
    """The global names a code object (nested functions included) loads — not attribute names."""
    names, codes = set(), [code]
    while codes:
        c = codes.pop()
        codes += [x for x in c.co_consts if isinstance(x, types.CodeType)]
        names |= {i.argval for i in dis.get_instructions(c) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    return names


def _values_used(fn, seen=None) -> list:
    """What the global names fn's code loads (nested functions included), its default arguments and
    its closure refer to; follows the functions of the same notebook that fn calls."""
    seen = set() if seen is None else seen
    if id(fn) in seen or not isinstance(fn, types.FunctionType):
        return []
    seen.add(id(fn))
    found = [fn.__globals__[n] for n in _global_names(fn.__code__) if n in fn.__globals__]
    found += list(fn.__defaults__ or ()) + list((fn.__kwdefaults__ or {}).values())
    for cell in fn.__closure__ or ():
        try:
            found.append(cell.cell_contents)
        except ValueError:                                          # a cell not filled yet
            pass
    for value in list(found):
        if isinstance(value, functools.partial):
            found.append(value.func)
        elif isinstance(value, types.FunctionType) and value.__module__ == fn.__module__:
            found += _values_used(value, seen)
    return found


def _tripped() -> CheckFailed:
    """Called by a reference function whose code was swapped for a tripwire's: its code's name is the label."""
    return CheckFailed(_verdicts[-1].format(sys._getframe(1).f_code.co_name))


def _tripwire_code(label: str) -> types.CodeType:
    def tripwire(*args, **kwargs):   # runs with the reference module's globals: reach checks by import
        raise __import__("gan_course.checks", fromlist=["_tripped"])._tripped()
    return tripwire.__code__.replace(co_name=label, co_qualname=label)


def own_work(name: str, fn: Callable, *args, references=(), allow=(), **kwargs) -> Any:
    """Call the student's fn (as `run` does) while the course's reference implementations — every
    function of the modules in `references` (e.g. gan_course.losses), private helpers included,
    except those named in `allow` — run a tripwire instead of their code. The swap is of each
    function's __code__, so every way of reaching one trips: an alias, a default argument, a
    functools.partial, a registry entry (LOSSES), an attribute of a class. Before the call, fn's
    globals, defaults and closure are looked at too, so an alias fails even on a path the test does
    not take. Fails with CheckFailed naming the function: the assignment asks for the student's own
    code. A copy of the course's source text is not detected (it is the student's code then)."""
    forbidden = {}
    for module in references:
        for k, f in _references(module, allow).items():
            forbidden[id(f)] = (_label(module, k), f)
            forbidden[id(getattr(module, k))] = (_label(module, k), f)
    verdict = (f"{name} uses {{}}, the course's own reference implementation — this assignment asks you to "
               "write it yourself (a graded test checks this), with torch and torch.nn.functional.")
    for value in [fn, inspect.unwrap(fn) if callable(fn) else fn] + _values_used(fn):
        if id(value) in forbidden:
            raise CheckFailed(verdict.format(forbidden[id(value)][0]))
    swapped = {}
    for label, f in forbidden.values():
        if id(f) not in swapped:
            swapped[id(f)] = (f, f.__code__, f.__defaults__, f.__kwdefaults__)
            f.__defaults__, f.__kwdefaults__ = None, None
            f.__code__ = _tripwire_code(label)
    _verdicts.append(verdict)
    try:
        return run(name, fn, *args, **kwargs)
    finally:
        _verdicts.pop()
        for f, code, defaults, kwdefaults in swapped.values():
            f.__code__, f.__defaults__, f.__kwdefaults__ = code, defaults, kwdefaults


def flat_grad(params) -> torch.Tensor:
    """The gradients of `params` as one flat vector, zeros where p.grad is None (never computed or
    cleared with zero_grad(set_to_none=True))."""
    return torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).detach().flatten() for p in params])


class StepRecorder(torch.optim.SGD):
    """An optimizer with learning rate 0 that records, at every step(), the gradient it was asked to
    apply (flat_grad) in `.seen`: what an update used, whatever order zero_grad/backward/step came in."""

    def __init__(self, params):
        self.params_list = list(params)
        super().__init__(self.params_list, lr=0.0)
        self.seen: list[torch.Tensor] = []

    def step(self, closure=None):
        self.seen.append(flat_grad(self.params_list).clone())
        return super().step(closure)
