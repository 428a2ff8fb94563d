"""A CUDA device for tests on a machine without one (issue 11: the device rule).

`with fake_cuda():` makes `module.to("cuda")`, `x.to("cuda")` and `torch.zeros(..., device="cuda")`
give tensors that report `cuda:0` but hold their values on the CPU. Every operation on them is
checked by PyTorch's own device rules — those of FakeTensorMode, which reproduce eager CUDA's
(all tensors on one device; a CPU tensor of 0 dimensions may join a CUDA op; `copy_` and `.to`
cross devices) — and then computed for real on the CPU. So a whole function runs to its end with
real numbers (`.item()`, boolean masks, torchmetrics), and the first operation that mixes a CPU
tensor with a CUDA one raises the error a GPU would raise:
"Expected all tensors to be on the same device …".

Why not FakeTensorMode alone: its tensors have no values, so the first `.item()`, `if`, mask or
`nonzero` stops a function (DataDependentOutputException) before the rest of it is checked.
Why not a model on the "meta" device: its tensors have no values either (same limit), and a meta
model is not a CUDA one — the code paths that ask `device.type == "cuda"` are not taken.
Cost: an op whose tensors are all on one device runs at once; only mixed or device-naming ops pay
for the fake-kernel check. Everything still runs through Python, several times slower than the CPU.
What it cannot show: CUDA-only failures that are not about devices (kernels, memory, numerics),
and backward passes (autograd's engine asks the CUDA driver for a device context), so training and
latent.invert are not covered. `.numpy()` on a fake-CUDA tensor raises as on a GPU.
"""
from __future__ import annotations

import contextlib

import torch
from torch._subclasses.fake_tensor import FakeTensor, FakeTensorMode
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten, tree_map

CUDA = torch.device("cuda", 0)
_CPU = torch.device("cpu")
_FAKE = FakeTensorMode()
_INDEX_OPS = {torch.ops.aten.index.Tensor, torch.ops.aten.index_put.default, torch.ops.aten.index_put_.default,
              torch.ops.aten._index_put_impl_.default}     # indices may stay on the CPU, as on a GPU


class OnCuda(torch.Tensor):
    """A CPU tensor (`.value`) that reports device cuda:0."""

    @staticmethod
    def __new__(cls, value: torch.Tensor):
        t = torch.Tensor._make_wrapper_subclass(cls, value.shape, strides=value.stride(),
                                                storage_offset=value.storage_offset(), dtype=value.dtype,
                                                layout=value.layout, device=CUDA, requires_grad=False)
        t.value = value
        return t

    def __repr__(self):
        return f"OnCuda({self.value!r})"

    def numpy(self, *, force=False):                   # CUDA's message (subclasses would get another)
        raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor "
                        "to host memory first.")

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        return _run(func, args, kwargs or {})


class _Mode(TorchDispatchMode):
    # Registered in the slot of FakeTensorMode, so that creating a "cuda" tensor does not try to
    # initialise a CUDA driver (torch skips that while a fake mode is active).
    def __init__(self):
        super().__init__()
        self._mode_key = torch._C._TorchDispatchModeKey.FAKE

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        return _run(func, args, kwargs or {})


class _Constructors(TorchFunctionMode):
    """torch.tensor(data, device="cuda") builds on the CPU below the dispatcher, then asks a real
    driver for the copy: here it is built on the CPU and moved with .to(), which the mode sees."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in (torch.tensor, torch.as_tensor) and kwargs.get("device") is not None \
                and torch.device(kwargs["device"]).type == "cuda":
            device = kwargs.pop("device")
            return func(*args, **kwargs).to(device)
        return func(*args, **kwargs)


def _is_cuda(a) -> bool:
    return isinstance(a, OnCuda) or (isinstance(a, torch.device) and a.type == "cuda")


def _as_fake(a):
    """The FakeTensor with a's shape, dtype and device (values are not needed to place a result)."""
    if not isinstance(a, torch.Tensor):
        return a
    meta = torch.empty_strided(a.shape, a.stride(), dtype=a.dtype, device="meta")
    return FakeTensor(_FAKE, meta, a.device)


def _devices_of(func, args, kwargs):
    """The devices PyTorch gives func's outputs: a pytree like the output, or one device for all;
    raises PyTorch's own error when the inputs are on devices that cannot be mixed."""
    fargs, fkwargs = tree_map(_as_fake, (args, kwargs))
    try:
        with _FAKE:
            out = func(*fargs, **fkwargs)
        return tree_map(lambda o: o.device if isinstance(o, torch.Tensor) else _CPU, out)
    except RuntimeError as err:
        if "device" in str(err):
            raise
    except Exception:        # data-dependent (`.item()`, masks), no meta kernel: place by the common device
        pass
    tensors = [a for a in tree_flatten((fargs, fkwargs))[0] if isinstance(a, torch.Tensor)]
    if func in _INDEX_OPS:
        return tensors[0].device
    return FakeTensor._find_common_device(func, tensors)[0] if tensors else _CPU


def _run(func, args, kwargs):
    flat = tree_flatten((args, kwargs))[0]
    if not any(_is_cuda(a) for a in flat):
        return func(*args, **kwargs)                                   # a CPU-only op: as it is
    if any(isinstance(a, torch.device) for a in flat) or any(
            isinstance(a, torch.Tensor) and not isinstance(a, OnCuda) and a.dim() > 0 for a in flat):
        devices = _devices_of(func, args, kwargs)                      # devices named, or CPU and CUDA mixed
    else:
        devices = CUDA                                                 # all on CUDA (but CPU scalars): stays there
    owners = {id(a.value): a for a in flat if isinstance(a, OnCuda)}   # in-place ops return their input
    values, kw = tree_map(lambda a: a.value if isinstance(a, OnCuda) else _CPU if _is_cuda(a) else a, (args, kwargs))
    out = func(*values, **kw)

    def wrap(o, dev):
        if not isinstance(o, torch.Tensor):
            return o
        if id(o) in owners:
            return owners[id(o)]
        return OnCuda(o) if dev.type == "cuda" else o

    if isinstance(devices, torch.device):
        return tree_map(lambda o: wrap(o, devices), out)
    flat_out, spec = tree_flatten(out)
    flat_dev = tree_flatten(devices)[0]
    assert len(flat_dev) == len(flat_out), (func, devices, out)
    return spec.unflatten([wrap(o, d) for o, d in zip(flat_out, flat_dev)])


@contextlib.contextmanager
def fake_cuda():
    """Inside: "cuda" is a device whose tensors compute on the CPU and are checked like CUDA's."""
    overwrite = torch.__future__.get_overwrite_module_params_on_conversion()
    torch.__future__.set_overwrite_module_params_on_conversion(True)   # module.to() makes new Parameters
    try:                                                               # (`param.data = ` would drop the wrapper)
        with torch.backends.cudnn.flags(enabled=False), _Constructors(), _Mode():    # cuDNN's kernels have no
            yield CUDA                                                             # CPU twin; ATen's CUDA ops do
    finally:
        torch.__future__.set_overwrite_module_params_on_conversion(overwrite)


def on_cuda(module: torch.nn.Module) -> torch.nn.Module:
    """`module.to("cuda")` — call inside fake_cuda()."""
    return module.to(CUDA)
