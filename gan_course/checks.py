"""Checks for the assignments (assignments/): each says what is right and what is off —
expected vs got shapes and dtypes, exact or close with the largest difference — and raises
CheckFailed (an AssertionError, so nbgrader counts it as a failed test) with that message,
never a bare AssertionError. A student without nbgrader runs the test cell and reads it.

`run`/`own_work` call a student's function: a stub gets a "not written yet" message, warnings and
stderr (a progress bar) are reported on stdout (nbgrader zeroes a cell that writes to stderr), and
`own_work` fails a function that runs the course's reference code. `guard()` (an assignment's
first cell) makes the checks refuse to run in a notebook that rewrites cells (IPython's input
transformers) or rebinds the functions they rely on (this module's, torch's, gan_course's).
`passed` ends a graded cell with a line that, under the course's autograder, carries a seal the
grader verifies (assignments/grading.py): a cell whose checks did not all run gets no points.
"""
from __future__ import annotations

import contextlib
import dis
import functools
import hashlib
import hmac
import os
import sys
import types
import warnings
from typing import Any, Callable

import torch
import torch.nn.functional as F

_KEY = os.environ.pop("GAN_COURSE_SEAL_KEY", "")     # set by the grader only (assignments/nbgrader_config.py)
_SALT = os.environ.pop("GAN_COURSE_SALT", "")        # the course's per-semester salt (same file)


class CheckFailed(AssertionError):
    """A check that did not pass; the message says what was expected and what came back."""


def seed(name: str, default: int = 0) -> int:
    """The seed a graded check uses: `default` without a course salt (a student's own run), a
    number drawn from the salt and `name` under the instructor's autograder (each semester its own)."""
    if not _SALT:
        return default
    return int.from_bytes(hashlib.sha256(f"{_SALT}:{name}".encode()).digest()[:4], "big") % 2**31


# ----------------------------------------------------------------------------- calling the student's code
@contextlib.contextmanager
def _reported(name: str):
    """Warnings raised and stderr written while the block runs come out as lines of stdout."""
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(sys.stdout):
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: dict[str, int] = {}
            for w in caught:
                key = f"{w.category.__name__}: {w.message}"
                seen[key] = seen.get(key, 0) + 1
            for key, count in seen.items():
                print(f"note: {name} warned{f' ({count}×)' if count > 1 else ''} — {key} "
                      "(a warning is not an error: no check fails for it)")


def run(name: str, fn: Callable, *args, **kwargs) -> Any:
    """Call the student's fn; a stub that still raises NotImplementedError gets a message saying so."""
    _verify()
    with _reported(name):
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


def _hint(hint: str) -> str:
    return f" Hint: {hint}" if hint else ""


# ----------------------------------------------------------------------------- the checks (each ✓ is counted)
_log: list[tuple[Any, str]] = []                  # (the cell it ran in, name) of every check that passed


def _ok(name: str, line: str) -> None:
    _log.append((_cell(), name))
    print(f"✓ {name}: {line}")


def close(name: str, got, expected, rtol: float = 1e-5, atol: float = 1e-6, hint: str = "") -> None:
    """Tensors of the same shape and dtype whose values agree within atol + rtol·|expected|."""
    _verify()
    got, expected = _as_tensor(name, got), torch.as_tensor(expected)
    problems = []
    if got.shape != expected.shape:
        problems.append(f"shape: expected {tuple(expected.shape)}, got {tuple(got.shape)}")
    if got.dtype != expected.dtype:
        problems.append(f"dtype: expected {expected.dtype}, got {got.dtype}")
    if problems:
        raise CheckFailed(f"{name}: " + "; ".join(problems) + "." + _hint(hint))
    got, expected = got.detach().cpu(), expected.detach().cpu()
    if not torch.isfinite(got).all():
        bad = (~torch.isfinite(got)).sum().item()
        raise CheckFailed(f"{name}: {bad} of {got.numel()} values are inf or NaN (expected all finite)." + _hint(hint))
    diff = (got.double() - expected.double()).abs()
    allowed = atol + rtol * expected.double().abs()
    if (diff > allowed).any():
        i = int((diff - allowed).flatten().argmax())
        raise CheckFailed(
            f"{name}: values differ — largest difference {diff.max().item():.3g} (allowed {atol:g} + {rtol:g}·|expected|); "
            f"at flat index {i}: expected {expected.flatten()[i].item():.6g}, got {got.flatten()[i].item():.6g}."
            + _hint(hint))
    _ok(name, f"shape {tuple(got.shape)}, {got.dtype}, close (max difference {diff.max().item():.2g})")


def exact(name: str, got, expected, hint: str = "") -> None:
    """Equal values (numbers, strings, tuples, tensors compared element-wise)."""
    _verify()
    same = torch.equal(got, torch.as_tensor(expected)) if isinstance(got, torch.Tensor) else got == expected
    if not same:
        raise CheckFailed(f"{name}: expected {expected!r}, got {got!r}." + _hint(hint))
    _ok(name, f"{got!r} exactly")


def true(name: str, condition: bool, what: str, hint: str = "") -> None:
    """A property that must hold; `what` describes it (shown either way)."""
    _verify()
    if not condition:
        raise CheckFailed(f"{name}: expected {what}, which does not hold." + _hint(hint))
    _ok(name, what)


def distribution(name: str, sample: torch.Tensor, dist, what: str, alpha: float = 1e-4, hint: str = "") -> None:
    """A sample drawn from `dist` (a frozen scipy.stats distribution): the Kolmogorov–Smirnov test does
    not reject it at level `alpha` (a correct sampler fails with probability alpha)."""
    from scipy import stats
    _verify()
    x = _as_tensor(name, sample).detach().double().flatten().cpu().numpy()
    result = stats.kstest(x, dist.cdf)
    line = f"{what} (Kolmogorov–Smirnov: largest CDF gap {result.statistic:.4f}, p = {result.pvalue:.2g})"
    if not result.pvalue > alpha:
        raise CheckFailed(f"{name}: expected {line} with p > {alpha:g}, which does not hold." + _hint(hint))
    _ok(name, line)


def passed(cell: str, n: int) -> None:
    """The last line of a graded cell: all `n` checks of this cell ran and passed. Under the course's
    autograder the line carries a seal (a keyed hash) that the grader verifies: a cell that was
    rewritten, skipped or whose errors were hidden has none and gets no points."""
    _verify()
    count = sum(1 for where, _ in _log if where == _cell())
    if count != n:
        raise CheckFailed(f"{cell}: {count} checks passed in this cell, {n} expected — the cell ran other code "
                          "than its own. Run the notebook as handed out: Kernel → Restart & Run All.")
    if _KEY and not _guard.guarded():
        raise CheckFailed(f"{cell}: the notebook's first cell (checks.guard()) did not run: Restart & Run All.")
    seal = hmac.new(_KEY.encode(), f"{cell}:{n}".encode(), "sha256").hexdigest()[:24] if _KEY else ""
    _log[:] = [entry for entry in _log if entry[0] != _cell()]
    print(f"✓ {cell}: all {n} checks passed" + (f" · seal {seal}" if seal else ""))


# ----------------------------------------------------------------------------- own work
def _reference_codes(modules, allow) -> tuple[set, set, dict]:
    """The source files of the reference modules, the code objects of the allowed functions, and a
    label per reference code object ("gc.losses.d_bce")."""
    files, allowed, labels = set(), set(), {}
    for module in modules:
        if sys.modules.get(module.__name__) is not module:
            raise CheckFailed(f"{module.__name__} is not the course's module: the notebook replaced it.")
        for key, value in vars(module).items():
            code = getattr(value, "__code__", None)
            if isinstance(code, types.CodeType) and getattr(value, "__module__", None) == module.__name__:
                files.add(code.co_filename)
                if key in allow:
                    allowed.add(code)
                else:
                    labels.setdefault(code, f"{module.__name__.replace('gan_course', 'gc')}.{key}")
    return files, allowed, labels


def _global_names(code: types.CodeType) -> set[str]:
    """The global names a code object (nested functions included) loads — not attribute names."""
    names, codes = set(), [code]
    while codes:
        c = codes.pop()
        codes += [x for x in c.co_consts if isinstance(x, types.CodeType)]
        names |= {i.argval for i in dis.get_instructions(c) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    return names


def _reachable(fn, depth: int = 3) -> list:
    """What fn's code can reach before it runs: the globals its code loads, its defaults and closure,
    and what those hold (containers, partials, methods, the notebook's own classes, instances and
    functions — whose globals are followed too), up to `depth` levels below the notebook's functions."""
    home = getattr(fn, "__module__", "__main__")
    found, todo, seen = [], [(fn, depth)], set()
    while todo:
        value, d = todo.pop()
        if id(value) in seen or d < 0:
            continue
        seen.add(id(value))
        found.append(value)
        inner = []
        if isinstance(value, types.FunctionType):
            inner = [value.__code__, *(value.__defaults__ or ()), *(value.__kwdefaults__ or {}).values()]
            for cell in value.__closure__ or ():
                with contextlib.suppress(ValueError):                   # a cell not filled yet
                    inner.append(cell.cell_contents)
            if value.__module__ == home:                                # the notebook's own: its globals too, at full depth
                inner += [value.__globals__[n] for n in _global_names(value.__code__) if n in value.__globals__]
                d = depth + 1
        elif isinstance(value, functools.partial):
            inner = [value.func, *value.args, *value.keywords.values()]
        elif isinstance(value, (types.MethodType, staticmethod, classmethod)):
            inner = [value.__func__]
        elif isinstance(value, (list, tuple, set, frozenset, dict)) and len(value) < 100:
            inner = list(value.values() if isinstance(value, dict) else value)
        elif isinstance(value, type) and value.__module__ == home:
            inner = list(vars(value).values())
        elif type(value).__module__ == home or isinstance(value, types.SimpleNamespace):
            inner = list(getattr(value, "__dict__", {}).values())
        todo += [(v, d - 1) for v in inner]
    return found


def own_work(name: str, fn: Callable, *args, references=(), allow=(), **kwargs) -> Any:
    """Call the student's fn (as `run` does) and fail, naming the function, when it runs the course's
    reference implementations — code of the modules in `references` (e.g. gan_course.losses), private
    helpers included, except the functions named in `allow` (and what they call). Two looks: before
    the call, at what fn's code can reach (globals, defaults, closures, containers, partials, new
    functions made around a reference's code object); during it, at every Python frame that starts
    (sys.setprofile), however it was reached. A copy of the course's source text is not detected
    (it is the student's code then)."""
    files, allowed, labels = _reference_codes(references, allow)
    verdict = (f"{name} uses {{}}, the course's own reference implementation — this assignment asks you to "
               "write it yourself (a graded test checks this), with torch and torch.nn.functional.")
    for value in _reachable(fn):
        code = value if isinstance(value, types.CodeType) else getattr(value, "__code__", None)
        if isinstance(code, types.CodeType) and code.co_filename in files and code not in allowed:
            raise CheckFailed(verdict.format(labels.get(code, f"code of {code.co_filename.rsplit(os.sep, 1)[-1]}")))
    hit: list[str] = []
    inside_allowed: list = []                                       # frames of allowed functions now running

    def watch(frame, event, arg):
        code = frame.f_code
        if code.co_filename not in files:
            return
        if event == "call":
            if code in allowed:
                inside_allowed.append(frame)
            elif not inside_allowed:
                hit.append(labels.get(code, f"gc.{code.co_qualname}"))
                raise CheckFailed(verdict.format(hit[0]))
        elif event == "return" and inside_allowed and inside_allowed[-1] is frame:
            inside_allowed.pop()

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        result = run(name, fn, *args, **kwargs)
    finally:
        sys.setprofile(previous)
    if hit:                                                         # the student's code caught the CheckFailed
        raise CheckFailed(verdict.format(hit[0]))
    return result


# ----------------------------------------------------------------------------- gradients at each step, counts
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


class Counts(torch.overrides.TorchFunctionMode):
    """`with checks.Counts() as c:` counts, however the code reaches them, the calls of
    torch.autograd.grad (`c.grads`) and the optimizer steps taken on a module's weights
    (`c.steps(D)`). Slows torch down: for short runs."""

    def __init__(self):
        super().__init__()
        self.grads, self._stepped = 0, []

    def __torch_function__(self, func, types_, args=(), kwargs=None):
        self.grads += func is torch.autograd.grad
        return func(*args, **(kwargs or {}))

    def __enter__(self):
        self._hook = torch.optim.optimizer.register_optimizer_step_post_hook(
            lambda opt, a, k: self._stepped.append({id(p) for group in opt.param_groups for p in group["params"]}))
        return super().__enter__()

    def __exit__(self, *exc):
        self._hook.remove()
        return super().__exit__(*exc)

    def steps(self, module: torch.nn.Module) -> int:
        ids = {id(p) for p in module.parameters()}
        return sum(1 for stepped in self._stepped if stepped & ids)


from . import _guard                                                    # noqa: E402  (uses CheckFailed)

guard, _verify, _cell = _guard.guard, _guard.verify, _guard.cell
_guard.seal_module(sys.modules[__name__])
