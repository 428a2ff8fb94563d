"""The assignments' guard (used by checks.py): the graded checks refuse to run in a notebook that
rewrites cells before they run (IPython's input and AST transformers) or rebinds what they rely on
— gan_course.checks itself, the functions of torch, torch.nn.functional, torch.Tensor,
torch.autograd, gan_course's modules and the builtins, or the notebook's names torch, F, gc, checks.
IPython's transformers are also put back to IPython's own after every cell, so a transformer
installed by one cell cannot rewrite the next. What it cannot stop (a Python kernel runs whatever
the notebook says) the grader's seal catches: see checks.passed and assignments/grading.py.
"""
from __future__ import annotations

import builtins
import sys
import types

import torch
import torch.nn.functional as F

_state = {"guarded": False, "shell": None}
_tampered: list[str] = []                 # what the guard found changed, in the order it found it
_snapshot: dict[tuple[str, str], tuple] = {}
_own: dict[str, tuple] = {}


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:                   # pragma: no cover — IPython ships with every Jupyter kernel
        return None
    return get_ipython()


def cell():
    """Which cell is running: IPython's execution count (None outside IPython)."""
    shell = _state["shell"] or _shell()
    return getattr(shell, "execution_count", None)


def _entry(value) -> tuple:
    return value, getattr(value, "__code__", None)


def _watchable(value) -> bool:
    return isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type, property, staticmethod,
                              classmethod, types.WrapperDescriptorType, types.MethodDescriptorType))


def _spaces() -> dict[str, dict]:
    spaces = {"torch": vars(torch), "torch.Tensor": vars(torch.Tensor), "torch.nn.functional": vars(F),
              "torch.autograd": vars(torch.autograd),
              "builtins": {k: v for k, v in vars(builtins).items() if isinstance(v, (types.BuiltinFunctionType, type))}}
    for name, module in list(sys.modules.items()):
        if (name == "gan_course" or name.startswith("gan_course.")) and name != "gan_course.checks" and module:
            spaces[name] = vars(module)
            for key, value in vars(module).items():
                if isinstance(value, type) and value.__module__ == name:
                    spaces[f"{name}.{key}"] = vars(value)
    return spaces


def seal_module(module: types.ModuleType) -> None:
    """Refuse `setattr(checks, …)` / `checks.x = …` and remember checks' own functions."""
    _own.update({k: _entry(v) for k, v in vars(module).items() if _watchable(v)})

    class Sealed(types.ModuleType):
        def __setattr__(self, key, value):
            raise module.CheckFailed(f"gan_course.checks.{key} cannot be changed from a notebook: the graded "
                                     "checks would not be the course's. Remove that line, then Restart & Run All.")
        __delattr__ = __setattr__
    module.__class__ = Sealed


def _transformers_changed(shell) -> list[str]:
    from IPython.core.inputtransformer2 import TransformerManager
    default, tm = TransformerManager(), shell.input_transformer_manager
    if type(tm) is not TransformerManager:
        return ["IPython's input transformer manager"]
    found = [f"IPython's input transformers ({attr})" for attr in ("cleanup_transforms", "line_transforms",
                                                                   "token_transformers")
             if getattr(tm, attr) != getattr(default, attr)]
    found += ["IPython's input transformers (input_transformers_post)"] * bool(shell.input_transformers_post)
    found += ["IPython's AST transformers"] * bool(shell.ast_transformers)
    found += [f"IPython's {k}" for k in ("transform_cell", "run_cell", "run_cell_async", "run_ast_nodes")
              if k in vars(shell)]
    return found


def _reset(shell) -> None:
    from IPython.core.inputtransformer2 import TransformerManager
    shell.input_transformer_manager = TransformerManager()
    shell.input_transformers_post = []
    shell.ast_transformers = []
    for k in ("transform_cell", "run_cell", "run_cell_async", "run_ast_nodes"):
        vars(shell).pop(k, None)


def _after_cell(result=None) -> None:
    """post_run_cell: note and undo what the cell changed in IPython, so it cannot rewrite the next."""
    shell = _state["shell"]
    changed = _transformers_changed(shell)
    if changed:
        _tampered.extend(c for c in changed if c not in _tampered)
        _reset(shell)


def _before_cell(info=None) -> None:
    """pre_run_cell (after IPython has transformed this cell): refuse a cell that was rewritten."""
    changed = _transformers_changed(_state["shell"])
    if changed:
        _tampered.extend(c for c in changed if c not in _tampered)
        verify()


def guard() -> None:
    """The assignment's first cell: the checks now watch what they rely on and IPython's transformers."""
    import torch._dynamo  # noqa: F401  its first import rebinds torch.manual_seed (and others): do it before the snapshot
    _snapshot.clear()
    _snapshot.update({(space, k): _entry(v) for space, d in _spaces().items() for k, v in d.items() if _watchable(v)})
    shell = _shell()
    if shell is not None and hasattr(shell, "events"):
        _state["shell"] = shell
        _after_cell()
        for event, callback in (("pre_run_cell", _before_cell), ("post_run_cell", _after_cell)):
            if callback not in shell.events.callbacks[event]:
                shell.events.register(event, callback)
    _state["guarded"] = True


def guarded() -> bool:
    return _state["guarded"]


def _changes() -> list[str]:
    checks = sys.modules["gan_course.checks"]
    found = [f"gan_course.checks.{k}" for k, entry in _own.items() if _entry(vars(checks).get(k)) != entry]
    if not _state["guarded"]:
        return found
    spaces = _spaces()
    found += [f"{space}.{k}" for (space, k), entry in _snapshot.items()
              if space in spaces and _entry(spaces[space].get(k)) != entry]
    shell = _state["shell"]
    if shell is not None:
        found += _transformers_changed(shell)
        expected = {"torch": torch, "F": F, "gc": sys.modules.get("gan_course"), "checks": checks}
        found += [f"the notebook's name `{name}` (no longer {module.__name__}: rename your variable)"
                  for name, module in expected.items() if name in shell.user_ns and shell.user_ns[name] is not module]
        found += [f"the guard's IPython hook ({event})" for event, callback in
                  (("pre_run_cell", _before_cell), ("post_run_cell", _after_cell))
                  if callback not in shell.events.callbacks.get(event, [])]
    return found


def verify() -> None:
    """Raise CheckFailed naming what changed, if anything the checks rely on did."""
    found = list(dict.fromkeys(_tampered + _changes()))
    if found:
        raise sys.modules["gan_course.checks"].CheckFailed(
            "graded checks refuse to run in this notebook: it changed " + ", ".join(found[:6])
            + (f" and {len(found) - 6} more" if len(found) > 6 else "")
            + ". Remove the code that does it, then Kernel → Restart & Run All.")
