import pytest
import torch

from gan_course import accel

CPU = torch.device("cpu")


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


