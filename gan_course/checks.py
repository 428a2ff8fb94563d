"""Checks for the assignments (assignments/): each says what is right and what is off —
expected vs got shapes and dtypes, exact or close with the largest difference — and raises
CheckFailed (an AssertionError, so nbgrader counts it as a failed test) with that message,
never a bare AssertionError. A student without nbgrader runs the test cell and reads it.
`own_work` runs a student's function while the course's reference implementations are tripwires;
`StepRecorder` records the gradient each optimizer step applied, whatever the zero_grad order.
"""
from __future__ import annotations

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
def _functions(module) -> dict[str, Callable]:
    return {k: v for k, v in vars(module).items()
            if callable(v) and getattr(v, "__module__", None) == module.__name__ and not k.startswith("_")}


def _values_used(fn, seen=None) -> list:
    """What the global names of fn's code (nested functions included) and its closure refer to;
    follows the functions of the same notebook that fn calls."""
    seen = set() if seen is None else seen
    if id(fn) in seen or not isinstance(fn, types.FunctionType):
        return []
    seen.add(id(fn))
    found, codes = [], [fn.__code__]
    while codes:
        code = codes.pop()
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        found += [fn.__globals__[name] for name in code.co_names if name in fn.__globals__]
    for cell in fn.__closure__ or ():
        try:
            found.append(cell.cell_contents)
        except ValueError:                                          # a cell not filled yet
            pass
    for value in list(found):
        if isinstance(value, types.FunctionType) and value.__module__ == fn.__module__:
            found += _values_used(value, seen)
    return found


def own_work(name: str, fn: Callable, *args, references=(), allow=(), **kwargs) -> Any:
    """Call the student's fn (as `run` does) while the course's reference implementations — every
    public function of the modules in `references` (e.g. gan_course.losses), except those named in
    `allow` — are replaced by tripwires, after checking that fn's code holds no alias of them.
    Fails with CheckFailed when fn uses one: the assignment asks for the student's own code."""
    forbidden = {}
    for module in references:
        for k, v in _functions(module).items():
            if k not in allow:
                forbidden[id(v)] = f"{module.__name__.replace('gan_course', 'gc')}.{k}"
    verdict = (f"{name} uses {{}}, the course's own reference implementation — this assignment asks you to "
               "write it yourself (a graded test checks this), with torch and torch.nn.functional.")
    for value in _values_used(fn):
        if id(value) in forbidden:
            raise CheckFailed(verdict.format(forbidden[id(value)]))

    def tripwire(label):
        def call(*a, **k):
            raise CheckFailed(verdict.format(label))
        return call

    saved = []
    for module in references:
        for k, v in list(vars(module).items()):
            if id(v) in forbidden:
                saved.append((module, k, v))
                setattr(module, k, tripwire(forbidden[id(v)]))
            elif isinstance(v, dict) and any(id(x) in forbidden for e in v.values()
                                             for x in (e if isinstance(e, tuple) else (e,))):
                saved.append((module, k, v))                      # a registry of them, e.g. LOSSES
                setattr(module, k, _Tripdict(verdict.format(f"{module.__name__.replace('gan_course', 'gc')}.{k}")))
    try:
        return run(name, fn, *args, **kwargs)
    finally:
        for module, k, v in saved:
            setattr(module, k, v)


class _Tripdict(dict):
    def __init__(self, message):
        super().__init__()
        self.message = message

    def __getitem__(self, *key):
        raise CheckFailed(self.message)

    get = __getitem__


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
