import warnings

import pytest
import torch

from gan_course import accel, losses, train

CPU = torch.device("cpu")
CUDA = torch.device("cuda")     # only described: these tests mock what the driver would report


def fake_gpu(monkeypatch, capability, triton=True, name="a mocked GPU", arch_list=None):
    """Make accel see a CUDA GPU of this compute capability, on a CPU-only machine (by default one
    the mocked torch build has kernels for)."""
    arch = arch_list if arch_list is not None else [f"sm_{capability[0]}{capability[1]}"]
    monkeypatch.setattr(torch.cuda, "get_arch_list", lambda: arch)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)   # what a T4 answers
    monkeypatch.setattr(accel, "triton_available", lambda: triton)


def test_auto_choices_on_cpu_follow_the_cpu_capabilities():
    assert accel.amp_dtype(CPU, "auto") is (torch.bfloat16 if accel.cpu_has_bf16() else None)
    assert accel.amp_dtype(CPU, "off") is None
    assert accel.should_compile(CPU, "auto") is False
    opt = accel.adam([torch.zeros(2, requires_grad=True)], 1e-3, (0.5, 0.999), CPU, "auto")
    assert opt.defaults["foreach"] is True and not opt.defaults.get("fused")


def test_explicit_bf16_on_cpu_autocasts_matmuls():
    dtype = accel.amp_dtype(CPU, "bf16")
    assert dtype is torch.bfloat16
    with accel.autocast(CPU, dtype):
        y = torch.nn.Linear(4, 4)(torch.randn(2, 4))
    assert y.dtype == torch.bfloat16


@pytest.mark.parametrize("impl", ["fused", "foreach", "plain"])
def test_every_adam_implementation_takes_the_same_step(impl):
    torch.manual_seed(0)
    ref = torch.randn(5, requires_grad=True)
    p = ref.detach().clone().requires_grad_(True)
    for param, opt in ((ref, torch.optim.Adam([ref], lr=0.1, betas=(0.5, 0.999))),
                       (p, accel.adam([p], 0.1, (0.5, 0.999), CPU, impl))):
        for _ in range(3):
            opt.zero_grad()
            (param ** 2).sum().backward()
            opt.step()
    torch.testing.assert_close(p, ref)


def test_channels_last_keeps_values_and_state_dict_keys():
    conv = torch.nn.Conv2d(1, 4, 3)
    keys = list(conv.state_dict())
    x = torch.randn(2, 1, 8, 8)
    expected = conv(x)
    accel.prepare(conv, channels_last=True, compile=False)
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(conv(accel.to_layout(x, True)), expected)
    assert list(conv.state_dict()) == keys


@pytest.mark.parametrize("bad", [dict(amp="fp8"), dict(compile="yes"), dict(adam="sgd")])
def test_unknown_choices_are_refused_by_name(bad):
    args = {"amp": "auto", "compile": "auto", "adam": "auto", **bad}
    with pytest.raises(ValueError, match="choose one of"):
        accel.validate(**args)




# ----------------------------------------------------------------------------- the gates, capability mocked
@pytest.mark.parametrize("capability, auto", [((9, 0), torch.bfloat16), ((8, 0), torch.bfloat16),
                                              ((7, 5), torch.float16), ((7, 0), torch.float16), ((6, 0), None)])
def test_auto_is_bf16_from_capability_8_fp16_on_7x_even_though_torch_says_bf16_is_supported(monkeypatch, capability,
                                                                                          auto):
    fake_gpu(monkeypatch, capability)
    assert accel.amp_dtype(CUDA, "auto") is auto
    if auto is torch.bfloat16:
        assert accel.amp_dtype(CUDA, "bf16") is torch.bfloat16
    else:
        with pytest.raises(ValueError, match=r"no native bf16.*amp='off'"):
            accel.amp_dtype(CUDA, "bf16")
    if capability >= (7, 0):
        assert accel.amp_dtype(CUDA, "fp16") is torch.float16
    else:                                                        # a P100: no float16 tensor cores
        with pytest.raises(ValueError, match=r"amp='fp16'.*6\.0.*amp='off'"):
            accel.amp_dtype(CUDA, "fp16")


def test_the_scaler_is_on_for_float16_only():
    assert accel.scaler(CPU, torch.float16).is_enabled()
    assert not accel.scaler(CPU, torch.bfloat16).is_enabled()
    assert not accel.scaler(CPU, None).is_enabled()


@pytest.mark.parametrize("native", [True, False])
def test_cpu_bf16_follows_the_avx512_bf16_and_amx_probes(monkeypatch, native):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: native)
    assert accel.cpu_has_bf16() is native
    assert accel.amp_dtype(CPU, "auto") is (torch.bfloat16 if native else None)
    assert accel.amp_dtype(CPU, "bf16") is torch.bfloat16        # asked for: emulated where not native


def test_compile_auto_is_eager_and_silent_even_on_a_capable_gpu(monkeypatch):
    # measured on an H100 (benchmarks/gpu_compile.md): compiled 0.75x eager's img/s, and a crash with channels_last
    fake_gpu(monkeypatch, (9, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert accel.should_compile(CUDA, "auto") is False
        assert accel.should_compile(CPU, "auto") is False       # by design on a CPU: no warning either
        assert accel.should_compile(CUDA, "on") is True         # asked for: compiled where it can work


def test_compiled_networks_never_use_channels_last(monkeypatch):
    # torch 2.11 on an H100: compile + channels_last crashed in the backward (a stride assertion)
    assert accel.layout(channels_last=True, compile=True) is False
    assert accel.layout(channels_last=True, compile=False) is True
    assert accel.layout(channels_last=False, compile=False) is False
    monkeypatch.setattr(accel, "should_compile", lambda device, compile, loss="ns": compile == "on")
    monkeypatch.setattr(accel, "_compile", lambda fn: fn)              # no compiler needed to check the layout
    for asked, nhwc in [("on", False), ("off", True)]:
        cfg = train.TrainConfig(arch="dcgan", dataset="fashion_mnist", width=4, batch_size=2, steps=1,
                                device="cpu", channels_last=True, compile=asked)
        run = train.build_run(cfg)
        assert run.channels_last is nhwc
        w = next(m.weight for m in run.D.modules() if isinstance(m, torch.nn.Conv2d) and m.weight.shape[1] > 1)
        assert w.is_contiguous(memory_format=torch.channels_last) is nhwc and w.dim() == 4


@pytest.mark.parametrize("capability, triton, loss, reason", [
    ((6, 0), True, "ns", "compute capability 6.0 is below 7.0"),
    ((8, 9), False, "ns", "Triton is not installed"),
    ((9, 0), True, "wgan-gp", "'wgan-gp' loss has a gradient penalty"),
    ((9, 0), True, "ns-r1", "'ns-r1' loss has a gradient penalty"),
])
@pytest.mark.parametrize("asked", ["on"])         # "auto" is eager: nothing declined, nothing to say
def test_compile_declined_with_one_warning_that_says_why(monkeypatch, capability, triton, loss, reason, asked):
    fake_gpu(monkeypatch, capability, triton)
    with pytest.warns(UserWarning, match=reason) as caught:
        assert accel.should_compile(CUDA, asked, loss) is False
    assert len(caught) == 1


def test_every_penalty_loss_is_refused_compilation_on_cpu_too():
    penalised = [name for name, rule in losses.LOSSES.items() if rule.input_gradient]
    assert penalised                                              # WGAN-GP and R1 at least
    for name in penalised:
        with pytest.warns(UserWarning, match="double backward"):
            assert accel.should_compile(CPU, "on", name) is False
    assert accel.compile_blockers(accel.Hardware("cpu"), "ns") == []


def test_fused_adam_on_cuda_foreach_elsewhere_default_is_pytorchs():
    p = [torch.zeros(2, requires_grad=True)]
    assert accel.auto(accel.Hardware("cuda", capability=(7, 5))).adam == "fused"
    assert accel.auto(accel.Hardware("mps")).adam == "foreach"
    assert accel.adam(p, 1e-3, (0.5, 0.999), CPU, "default").defaults["foreach"] is None   # torch decides


def test_hardware_probe_reads_capability_not_is_bf16_supported(monkeypatch):
    fake_gpu(monkeypatch, (7, 5), name="Tesla T4")
    hw = accel.hardware(CUDA)
    assert hw == accel.Hardware("cuda", "Tesla T4", (7, 5), triton=True)
    assert accel.auto(hw).amp is torch.float16             # fp16 tensor cores, not emulated bf16


def test_the_auto_table_for_the_devices_learners_meet():
    table = {r["device"]: (r["precision"], r["compile"], r["adam"]) for r in accel.auto_table()}
    assert table == {
        "NVIDIA H100": ("bf16 autocast", "eager", "fused"),
        "NVIDIA A100": ("bf16 autocast", "eager", "fused"),
        "NVIDIA T4 (Colab)": ("fp16 autocast + GradScaler", "eager", "fused"),
        "NVIDIA P100 (Kaggle)": ("float32", "eager", "fused"),
        "NVIDIA GPU on Windows (no Triton)": ("bf16 autocast", "eager", "fused"),
        "Apple M-series (MPS)": ("float32", "eager", "foreach"),
        "CPU with AVX512-BF16 or AMX": ("bf16 autocast", "eager", "foreach"),
        "CPU without native bf16": ("float32", "eager", "foreach"),
    }
    plain = {r["device"]: r for r in accel.auto_table()}
    assert "eager was faster" in plain["NVIDIA H100"]["why not compiled"]          # the measured reason
    assert "below 7.0" in plain["NVIDIA P100 (Kaggle)"]["why not compiled"]       # what would stop compile='on'
    with_penalty = {r["device"]: r for r in accel.auto_table("wgan-gp")}
    assert with_penalty["NVIDIA H100"]["compile"] == "eager"
    assert "double backward" in with_penalty["NVIDIA H100"]["why not compiled"]


def test_mps_runs_float32_and_eager():
    a = accel.auto(accel.Hardware("mps", "Apple M2"))
    assert (a.amp, a.compile) == (None, False)


# ----------------------------------------------------------------------------- compilation falls back at run time
def test_compiled_module_keeps_values_and_state_dict_keys(monkeypatch):
    torch._dynamo.reset()      # aot_eager: dynamo and autograd tracing, no C++ compiler needed
    monkeypatch.setattr(accel, "_compile", lambda fn: torch.compile(fn, backend="aot_eager"))
    net = torch.nn.Linear(3, 2)
    keys, x = list(net.state_dict()), torch.randn(4, 3)
    expected = net(x)
    accel.prepare(net, channels_last=False, compile=True)
    torch.testing.assert_close(net(x), expected)
    assert list(net.state_dict()) == keys


def test_a_compiler_that_raises_falls_back_to_eager_with_one_warning(monkeypatch):
    def broken_backend(graph, example_inputs):
        raise RuntimeError("no working C++ compiler")
    torch._dynamo.reset()
    monkeypatch.setattr(accel, "_compile", lambda fn: torch.compile(fn, backend=broken_backend))
    net = torch.nn.Linear(3, 2)
    x = torch.randn(4, 3)
    expected = net(x)
    accel.prepare(net, channels_last=False, compile=True)
    with pytest.warns(UserWarning, match="torch.compile failed for Linear.*eagerly") as caught:
        out = net(x)
    assert len(caught) == 1
    torch.testing.assert_close(out, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.testing.assert_close(net(x), expected)          # eager from then on, silently
    torch._dynamo.reset()


def test_build_run_gives_the_loss_to_the_compile_gate():
    from gan_course import train
    cfg = train.TrainConfig(arch="mlp", loss="wgan-gp", compile="on", device="cpu", steps=1)
    with pytest.warns(UserWarning, match="double backward"):
        run = train.build_run(cfg)
    assert "forward" not in vars(run.D)                     # D kept its own, eager forward


THIS_BUILD = ["sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"]   # torch.cuda.get_arch_list() of a 2.x wheel


@pytest.mark.parametrize("capability, name, arch_list", [
    ((6, 0), "Tesla P100-PCIE-16GB", THIS_BUILD), ((7, 0), "Tesla V100-SXM2-16GB", THIS_BUILD),
    ((9, 0), "NVIDIA H100", ["sm_80", "sm_100a"]),   # sm_80 is another major
    ((12, 1), "NVIDIA GB10", ["sm_120a"]),           # an 'a' build runs only on its own capability
])
def test_a_gpu_the_build_has_no_kernels_for_is_refused_with_what_to_do(monkeypatch, capability, name, arch_list):
    fake_gpu(monkeypatch, capability, name=name, arch_list=arch_list)
    with pytest.raises(RuntimeError, match=rf"{name}.*sm_{capability[0]}{capability[1]}.*Install a torch build"):
        accel.hardware(CUDA)


@pytest.mark.parametrize("capability, arch_list", [
    ((7, 5), THIS_BUILD),                  # T4: its own cubins
    ((8, 9), THIS_BUILD),                  # L4, RTX 40xx, L40S: sm_86 cubins run within major 8
    ((8, 7), THIS_BUILD),                  # Jetson Orin: sm_80/sm_86 cubins
    ((8, 9), ["sm_80", "compute_80"]),     # PTX for an older capability
    ((9, 0), ["sm_80", "sm_90a"]),         # an 'a' build on its exact capability
])
def test_a_gpu_with_kernels_or_ptx_for_it_is_accepted(monkeypatch, capability, arch_list):
    fake_gpu(monkeypatch, capability, arch_list=arch_list)
    assert accel.hardware(CUDA).capability == capability
