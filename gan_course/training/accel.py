"""Speed features, each selected by what the device can do, each with a plain CPU equivalent.

"auto" means: use a feature where the hardware runs it natively and it can work, the plain path
elsewhere. One function decides, `auto(hardware, loss)`, from a description of the device
(`Hardware`): probed from the device in use by `hardware(device)`, or written out for the
devices of `REFERENCE_HARDWARE` — which is how notebook 05 prints what "auto" picks on an H100,
a T4 or a Mac without having one, and how the tests check every gate on a CPU.
Measured in 05_dcgan_full_training_run.
"""
from __future__ import annotations

import contextlib
import re
import platform
import warnings
from dataclasses import dataclass

import torch
from torch import nn

from .. import losses

AMP = ("auto", "bf16", "fp16", "off")
COMPILE = ("auto", "on", "off")
ADAM = ("auto", "fused", "foreach", "plain", "default")


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what}={value!r}: choose one of {allowed}.")
    return value


def validate(amp: str, compile: str, adam: str) -> None:
    """Check the three speed settings by name, before anything is built."""
    _choice(amp, AMP, "amp")
    _choice(compile, COMPILE, "compile")
    _choice(adam, ADAM, "adam")


# ----------------------------------------------------------------------------- what the device can do
@dataclass(frozen=True)
class Hardware:
    """The facts the "auto" choices depend on."""
    kind: str                                  # "cuda", "mps" or "cpu"
    name: str = ""                             # e.g. "NVIDIA H100 80GB HBM3"
    capability: tuple[int, int] | None = None  # CUDA compute capability (major, minor); None off CUDA
    triton: bool = False                       # Triton importable: torch.compile's GPU code generator
    cpu_bf16: bool = False                     # a CPU that computes bf16 natively (AVX512-BF16 or AMX)


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX); elsewhere bf16 is emulated, slowly."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def triton_available() -> bool:
    """Whether Triton imports (it is absent from Windows and CPU-only installs of torch)."""
    try:
        import triton  # noqa: F401
    except Exception:                 # ImportError, or a broken install that fails while importing
        return False
    return True


def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else what platform says."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


def _arch(entry: str) -> tuple[str, int, int, str] | None:
    """'sm_86' → ('sm', 8, 6, ''); 'compute_90a' → ('compute', 9, 0, 'a'); anything else → None."""
    m = re.fullmatch(r"(sm|compute)_(\d+)(\d)([a-z]?)", entry)
    return (m[1], int(m[2]), int(m[3]), m[4]) if m else None


def check_kernels(name: str, capability: tuple[int, int], arch_list: list[str]) -> None:
    """Refuse, with what to do, a GPU this torch build has no kernels for: every CUDA call would
    fail there ("no kernel image is available"). A GPU of capability X.Y runs sm_X? code built for
    the same major version and a minor version up to Y (sm_86 code runs on an sm_89 L4 or RTX 40xx;
    suffixed 'a'/'f' builds only on their exact capability), or compiles PTX ("compute_XY") built
    for an older or equal capability when it starts."""
    major, minor = capability
    for kind, a_major, a_minor, suffix in filter(None, map(_arch, arch_list)):
        if suffix and (a_major, a_minor) != (major, minor):
            continue
        if kind == "sm" and a_major == major and a_minor <= minor:
            return
        if kind == "compute" and (a_major, a_minor) <= (major, minor):
            return
    raise RuntimeError(f"{name} (compute capability {major}.{minor}, sm_{major}{minor}) is not supported by this "
                       f"torch {torch.__version__}, which has kernels for {', '.join(arch_list) or 'no GPU'}: "
                       "nothing can run on it. Install a torch build that lists this GPU "
                       "(https://pytorch.org/get-started/locally/), use another GPU (Colab's T4 is sm_75), "
                       "or run on the CPU with device='cpu'.")


def hardware(device: torch.device | str) -> Hardware:
    """Probe the device in use. CUDA: its name and compute capability, as the driver reports them —
    not torch.cuda.is_bf16_supported(), which answers True on a T4 or V100 because bf16 can be
    *emulated* there (cuDNN has no bf16 convolutions before compute capability 8.0;
    `is_bf16_supported(including_emulation=False)` is torch's own native check). A GPU this torch
    build has no kernels for is refused here with a message (`check_kernels`)."""
    device = torch.device(device)
    if device.type == "cuda":
        name, capability = torch.cuda.get_device_name(device), tuple(torch.cuda.get_device_capability(device))
        check_kernels(name, capability, torch.cuda.get_arch_list())
        return Hardware("cuda", name, capability, triton_available())
    if device.type == "cpu":
        return Hardware("cpu", cpu_name(), cpu_bf16=cpu_has_bf16())
    return Hardware(device.type, device.type)


@dataclass(frozen=True)
class Auto:
    """What "auto" chooses on one device, and why compilation was declined (empty when it was not)."""
    amp: torch.dtype | None                    # autocast dtype, or None for float32
    compile: bool
    adam: str                                  # "fused" or "foreach"
    no_compile: tuple[str, ...] = ()           # the reasons, in words


def compile_blockers(hw: Hardware, loss: str = "ns") -> list[str]:
    """Why torch.compile cannot work for this device and loss (an empty list: it can)."""
    reasons = []
    if hw.kind == "cuda":
        if not hw.triton:
            reasons.append("Triton is not installed (torch.compile generates its GPU kernels with Triton; "
                           "there is no Triton for Windows)")
        if hw.capability is not None and hw.capability < (7, 0):
            reasons.append(f"compute capability {hw.capability[0]}.{hw.capability[1]} is below 7.0, "
                           "the oldest GPU Triton supports")
    elif hw.kind != "cpu":
        reasons.append(f"torch.compile is experimental on {hw.kind!r}; the course runs it eagerly in float32")
    if losses.get(loss).input_gradient:
        reasons.append(f"the {loss!r} loss has a gradient penalty, which needs a double backward "
                       "(create_graph=True) that compiled graphs do not support")
    return reasons


# Why "auto" never compiles, measured once on an NVIDIA H100 with torch 2.11 (benchmarks/gpu_compile.md): the
# course's DCGAN trained at a median 15.5 k img/s compiled against 20.5–21.3 k eager, 0.75x, after a ~17 s
# compile (probably launch-bound at this size; not profiled), and compiled with channels_last this DCGAN's backward
# crashed (a stride assertion in AOTAutograd). compile="on" still compiles, in the contiguous layout.
EAGER_ON_CUDA = ("eager was faster in the one GPU measurement (dcgan-fmnist, 600 steps on an H100 with torch 2.11: "
                 "compiled 0.75x eager's img/s, benchmarks/gpu_compile.md); compile='on' compiles")


def auto(hw: Hardware, loss: str = "ns") -> Auto:
    """The "auto" choices: bf16 autocast where bf16 is native (CUDA compute capability ≥ 8.0, CPUs
    with AVX512-BF16 or AMX); float16 autocast with a gradient scaler on CUDA GPUs of capability 7.x
    (T4, V100: tensor cores for float16, none for bf16); float32 elsewhere. Eager execution everywhere
    (compiled was slower in the one GPU measurement, EAGER_ON_CUDA; on a CPU the compile time rarely
    pays back; Apple GPUs stay eager in float32), and a fused Adam on CUDA, foreach elsewhere.
    `no_compile` says why a CUDA device is not compiled: what would stop compile='on'
    (compile_blockers), else why eager was preferred."""
    cap = hw.capability if hw.kind == "cuda" else None
    native_bf16 = (cap is not None and cap >= (8, 0)) or (hw.kind == "cpu" and hw.cpu_bf16)
    fp16_cores = cap is not None and (7, 0) <= cap < (8, 0)
    blockers = tuple(compile_blockers(hw, loss)) if hw.kind == "cuda" else ()
    return Auto(amp=torch.bfloat16 if native_bf16 else torch.float16 if fp16_cores else None, compile=False,
                adam="fused" if hw.kind == "cuda" else "foreach",
                no_compile=(blockers or (EAGER_ON_CUDA,)) if hw.kind == "cuda" else ())


# The devices learners meet: Colab's T4, Kaggle's P100, a lab's A100 or H100, a Mac, a laptop.
REFERENCE_HARDWARE: dict[str, Hardware] = {
    "NVIDIA H100": Hardware("cuda", "NVIDIA H100", (9, 0), triton=True),
    "NVIDIA A100": Hardware("cuda", "NVIDIA A100", (8, 0), triton=True),
    "NVIDIA T4 (Colab)": Hardware("cuda", "Tesla T4", (7, 5), triton=True),
    "NVIDIA P100 (Kaggle)": Hardware("cuda", "Tesla P100-PCIE-16GB", (6, 0), triton=True),
    "NVIDIA GPU on Windows (no Triton)": Hardware("cuda", "NVIDIA GeForce RTX 4090", (8, 9), triton=False),
    "Apple M-series (MPS)": Hardware("mps", "Apple M2"),
    "CPU with AVX512-BF16 or AMX": Hardware("cpu", "x86_64", cpu_bf16=True),
    "CPU without native bf16": Hardware("cpu", "x86_64", cpu_bf16=False),
}


PRECISION = {torch.bfloat16: "bf16 autocast", torch.float16: "fp16 autocast + GradScaler", None: "float32"}


def auto_table(loss: str = "ns") -> list[dict]:
    """What "auto" chooses on each device of REFERENCE_HARDWARE, as rows for a table."""
    rows = []
    for label, hw in REFERENCE_HARDWARE.items():
        a = auto(hw, loss)
        rows.append({"device": label, "precision": PRECISION[a.amp],
                     "compile": "torch.compile" if a.compile else "eager", "adam": a.adam,
                     "why not compiled": "; ".join(a.no_compile)})
    return rows


# ----------------------------------------------------------------------------- the gates
def amp_dtype(device: torch.device, amp: str) -> torch.dtype | None:
    """The autocast dtype, or None for float32. "auto": what `auto` picks for the hardware.
    "bf16" on a CPU without native bf16 works (emulated, slower); on a CUDA GPU without it, or on
    an Apple GPU, it is refused with a message. "fp16" (float16 autocast; the steps then scale the
    losses with a GradScaler, `scaler`) works on CUDA of capability 7.0 or newer and on CPUs
    (slowly: it proves the scaler's path), and is refused on older GPUs and Apple GPUs."""
    _choice(amp, AMP, "amp")
    if amp == "off":
        return None
    hw = hardware(device)
    native = auto(hw).amp
    if amp == "auto":
        return native
    if amp == "fp16":
        if hw.kind == "cpu" or (hw.capability is not None and hw.capability >= (7, 0)):
            return torch.float16
        raise ValueError(f"amp='fp16' was asked for, but {hw.name} "
                         + (f"(compute capability {hw.capability[0]}.{hw.capability[1]}) has no float16 tensor "
                            "cores (7.0 or newer)" if hw.capability else "runs in float32 in this course")
                         + "; use amp='off' (or 'auto').")
    if native is torch.bfloat16 or hw.kind == "cpu":
        return torch.bfloat16
    raise ValueError(f"amp='bf16' was asked for, but {hw.name} has no native bf16 "
                     + (f"(compute capability {hw.capability[0]}.{hw.capability[1]}; bf16 needs 8.0 or newer, "
                        "below that it is emulated and cuDNN has no bf16 convolutions; amp='fp16' uses its "
                        "tensor cores)" if hw.capability else
                        "(the course runs Apple GPUs in float32)")
                     + "; use amp='off' (or 'auto').")


def scaler(device: torch.device, dtype: torch.dtype | None) -> torch.amp.GradScaler:
    """A gradient scaler for one player: enabled only for float16 autocast, whose 5-bit exponent lets
    small gradients underflow to zero (the loss is multiplied by a large scale before backward, the
    gradients divided by it before the step, and a step with inf/NaN gradients is skipped while the
    scale shrinks). bf16 has float32's exponent and needs none; disabled, it passes everything through."""
    return torch.amp.GradScaler(torch.device(device).type, enabled=dtype is torch.float16)


def should_compile(device: torch.device, compile: str, loss: str = "ns") -> bool:
    """torch.compile or eager. "auto": eager (see `auto`). "on": compile unless it cannot work (a warning
    says why, and the run is eager). On a CPU "on" needs a C++ compiler."""
    _choice(compile, COMPILE, "compile")
    if compile in ("off", "auto"):
        return False                          # "auto" is eager by design, not a failure: no warning
    hw = hardware(device)
    blockers = compile_blockers(hw, loss)
    if blockers:
        warnings.warn(f"torch.compile is off for this run ({compile=!r} on {hw.name or hw.kind}): "
                      + "; ".join(blockers) + ". Training eagerly, which gives the same results, slower.",
                      stacklevel=2)
        return False
    return True


def adam(params, lr: float, betas: tuple[float, float], device: torch.device, impl: str) -> torch.optim.Adam:
    """Adam with a fused (one kernel for all parameters), foreach (batched) or plain loop update,
    or PyTorch's own default ("default": foreach for CUDA tensors, the loop on a CPU).
    "auto": fused on CUDA, foreach elsewhere."""
    _choice(impl, ADAM, "adam")
    if impl == "auto":
        impl = auto(Hardware(torch.device(device).type)).adam
    flags = {"fused": dict(fused=True), "foreach": dict(foreach=True), "plain": dict(foreach=False),
             "default": {}}[impl]
    return torch.optim.Adam(params, lr=lr, betas=betas, **flags)


def autocast(device: torch.device, dtype: torch.dtype | None):
    """The autocast context for the forward passes (a no-op when dtype is None).
    Losses are then computed in float32 on the logits: the log-sum-exp inside softplus is where
    bf16's 8-bit mantissa would hurt. BCELoss on probabilities is refused by CUDA autocast; CPU
    autocast runs it in float32, but after the sigmoid has rounded in bf16 (logit 7 → p = 1.0)."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


# ----------------------------------------------------------------------------- layout and compilation
def _compile(fn):
    """torch.compile in its default mode (CUDA-graph modes may skip BatchNorm's buffer mutations or need care)."""
    return torch.compile(fn)


def layout(channels_last: bool, compile: bool) -> bool:
    """Whether to use channels_last: never with torch.compile, whose backward crashed on channels_last
    activations of this DCGAN (torch 2.11, H100: a stride assertion in AOTAutograd; benchmarks/gpu_compile.md)."""
    return channels_last and not compile


def prepare(module: nn.Module, channels_last: bool, compile: bool) -> nn.Module:
    """Apply memory layout and compilation in place, so state_dict keys stay unchanged.
    Compilation replaces the module's forward with a guarded one: if the first compiled forward
    raises (no C++ compiler, a Triton that does not match the driver, …), one warning says so and
    the module runs eagerly from then on. Only that first forward is guarded: AOTAutograd compiles
    the backward lazily, at the first loss.backward(), and a failure there — or in a later
    recompile — propagates (set compile='off' then)."""
    if channels_last:
        module.to(memory_format=torch.channels_last)
    if compile:
        eager = module.forward
        state = {"fn": _compile(eager), "proven": False}

        def forward(*args, **kwargs):
            if state["proven"]:
                return state["fn"](*args, **kwargs)
            try:
                out = state["fn"](*args, **kwargs)
            except Exception as err:
                warnings.warn(f"torch.compile failed for {type(module).__name__} ({type(err).__name__}: "
                              f"{str(err).strip().splitlines()[0] if str(err).strip() else ''}); "
                              "running it eagerly instead (same results, slower). Set compile='off' to "
                              "skip the attempt.", stacklevel=2)
                state["fn"] = eager
                out = eager(*args, **kwargs)
            state["proven"] = True
            return out

        module.forward = forward
    return module


def to_layout(x: torch.Tensor, channels_last: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if channels_last and x.dim() == 4 else x
