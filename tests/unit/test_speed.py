"""The benchmark's two trainers run and train the same architecture (figures are printed by
`python tools/bench.py`, never asserted here)."""
import dataclasses
import importlib.util
import json
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

import torch

from gan_course import accel, speed as bench, nets, presets, train


def test_reference_dataset_matches_torchvision_normalisation():
    images = torch.tensor([[[0, 255], [128, 64]]], dtype=torch.uint8)
    x, _ = bench.ReferenceFashionMNIST(images)[0]
    torch.testing.assert_close(x, (images.float() / 255 - 0.5) / 0.5)   # ToTensor then Normalize(0.5, 0.5)


def test_both_trainers_run_on_cpu_with_the_same_generator_architecture():
    cpu = torch.device("cpu")
    G_ref, seen_ref, _ = bench.reference_train(1.0, 32, cpu)
    run, seen_ours, _ = bench.course_train(1.0, 32, cpu)
    assert seen_ref >= 32 and seen_ours >= 32
    assert type(G_ref) is type(run.G) is nets.DCGANGenerator
    assert nets.count_parameters(G_ref) == nets.count_parameters(run.G)


def test_time_to_quality_trains_the_short_budget_preset_against_the_unchanged_reference(monkeypatch):
    monkeypatch.setattr(bench.metrics, "fid", lambda images: float(len(images)))   # scoring is not under test
    monkeypatch.setattr(bench.metrics, "generate", lambda G, n: torch.zeros(n, 1, 28, 28))
    widths = []
    build = bench.nets.build
    monkeypatch.setattr(bench.nets, "build", lambda arch, z_dim, width: widths.append(width) or build(arch, z_dim, width))
    r = bench.time_to_quality(0.5 / 60, 32, torch.device("cpu"), n=7)
    assert r["course_preset"] == bench.QUALITY_PRESET == "dcgan-fmnist-5min"
    assert widths[0] == r["reference_width"] == 64              # the reference recipe: pytorch/examples' width
    assert widths[1] == r["course_width"] == presets.PRESETS[bench.QUALITY_PRESET]["width"] < 64   # the network built
    assert r["reference_images_seen"] >= 32 and r["course_images_seen"] >= 32
    assert r["fid_ratio_course_over_reference"] == 1.0          # both scored on n samples


def test_time_to_quality_seeds_both_trainers_with_the_seed_asked_for(monkeypatch):
    seen = {}
    monkeypatch.setattr(bench, "reference_train", lambda s, b, d, seed=0: seen.update(reference=seed) or (None, 1, 0))
    monkeypatch.setattr(bench, "course_train", lambda s, b, d, seed=0, preset=None: seen.update(course=seed)
                        or (SimpleNamespace(cfg=SimpleNamespace(width=16), sampler=None, G=None), 1, 0))
    monkeypatch.setattr(bench.metrics, "generate", lambda G, n: torch.zeros(n, 1, 28, 28))
    monkeypatch.setattr(bench.metrics, "fid", lambda images: 1.0)
    assert bench.time_to_quality(1.0, 32, torch.device("cpu"), n=2, seed=3)["seed"] == 3
    assert seen == {"reference": 3, "course": 3}


def test_the_short_budget_preset_is_the_dcgan_preset_with_only_what_the_sweep_changed():
    # benchmarks/quality5.md: width 16 and lr 5e-4 measured better after 5 minutes over 3 seeds; nothing else changed
    changed = {k: v for k, v in presets.PRESETS["dcgan-fmnist-5min"].items() if presets.PRESETS["dcgan-fmnist"].get(k) != v}
    assert changed == {"width": 16, "lr_d": 5e-4, "lr_g": 5e-4}


def test_the_timed_step_trains_exactly_as_fit_does():
    cfg = train.TrainConfig(arch="mlp", dataset="mnist5k", steps=3, k_d=2, ema_half_life=500, log_every=2, device="cpu")
    fitted = train.fit(cfg, progress=False)
    run, step = bench.stepper(cfg)
    for _ in range(cfg.steps):
        step()
    for mine, theirs in ((run.G, fitted.G), (run.D, fitted.D), (run.G_ema, fitted.G_ema)):
        for (name, a), b in zip(mine.state_dict().items(), theirs.state_dict().values()):
            torch.testing.assert_close(a, b, msg=name)


def test_measure_keeps_warm_up_out_and_synchronizes_before_every_clock_read(monkeypatch):
    events = []
    clock = time.perf_counter
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: events.append("sync"))
    monkeypatch.setattr(bench.time, "perf_counter", lambda: events.append("clock") or clock())

    def step():
        events.append("step")
        time.sleep(0.3 if events.count("step") == 1 else 0.002)     # the first call "compiles"

    result = bench.measure(step, 10, torch.device("cuda"), seconds=0.03, warmup=2, repeats=3)
    assert result["img_per_s"] > 10 / 0.05                          # the 0.3 s start-up is not in it
    assert len(result["windows"]) == 3 and result["steps_each"] >= 3     # windows sized after warm-up
    for i, e in enumerate(events):                                   # a clock read after steps waits for them
        if e == "clock" and "step" in events[:i]:
            last_step = max(j for j in range(i) if events[j] == "step")
            assert "sync" in events[last_step:i], f"clock read at event {i} without a synchronize"


def test_the_ladder_changes_one_option_per_row_from_pytorch_defaults(monkeypatch):
    built = []                                       # the config of every course row, in order
    monkeypatch.setattr(bench, "reference_recipe", lambda *a, **k: (None, lambda: None))
    monkeypatch.setattr(bench, "stepper", lambda cfg: built.append(cfg) or (None, lambda: None))
    rows = bench.ladder(torch.device("cpu"), seconds=0.001, warmup=0)
    assert rows[0]["row"].startswith("reference") and rows[1]["row"] == "course, plain"
    plain = built[0]
    assert (plain.log_every, plain.adam, plain.channels_last, plain.amp, plain.compile) == (1, "default", False, "off", "off")
    speed = ("log_every", "adam", "channels_last", "amp", "compile")
    for before, after in zip(built, built[1:]):
        assert sum(getattr(before, k) != getattr(after, k) for k in speed) == 1
        assert all(getattr(before, k) == getattr(after, k) for k in vars(after) if k not in speed)
    assert built[3].channels_last and not built[2].channels_last      # the row that used to change nothing
    assert [r["row"] for r in rows if r["img_per_s"] is None] == ["+ torch.compile"]   # not timed on a CPU


def test_the_compile_row_is_timed_where_compile_on_works_and_skipped_where_it_cannot():
    # "auto" never compiles (accel.EAGER_ON_CUDA), but the ladder still times compile="on" on a capable GPU
    change = dict(bench.LADDER)["+ torch.compile"]
    assert change == {"compile": "on"}
    assert bench._skip(change, accel.Hardware("cuda", "NVIDIA H100", (9, 0), triton=True)) is None
    assert "below 7.0" in bench._skip(change, accel.Hardware("cuda", "Tesla P100", (6, 0), triton=True))
    assert "Triton" in bench._skip(change, accel.Hardware("cuda", "RTX 4090", (8, 9), triton=False))
    assert "CPU" in bench._skip(change, accel.Hardware("cpu"))


def test_measure_with_fixed_steps_runs_exactly_warmup_plus_three_windows():
    calls = []
    result = bench.measure(lambda: calls.append(1), 4, torch.device("cpu"), seconds=100.0, warmup=1, steps=2)
    assert len(calls) == 1 + 3 * 2 and result["steps_each"] == 2     # no sizing steps, seconds ignored


def test_the_reference_step_runs_with_cudnn_benchmark_as_pytorch_examples_and_restores_it(monkeypatch):
    seen = []
    monkeypatch.setattr(bench.nn.BCELoss, "forward",
                        lambda self, p, y: seen.append(torch.backends.cudnn.benchmark) or (p - y).pow(2).mean())
    torch.backends.cudnn.benchmark = False
    _, step = bench.reference_recipe(4, torch.device("cpu"))
    step()
    assert seen and all(seen) and torch.backends.cudnn.benchmark is False


def test_forward_flops_are_the_convolutions_multiply_adds_counted_by_hand():
    def macs(w):           # G: 100→4w (1→7×7), 4w→2w (→14×14), 2w→1 (→28×28); D: 1→w, w→2w, 2w→1 (7×7 kernel)
        g = 100 * 4 * w * 7 * 7 + 7 * 7 * 4 * w * 2 * w * 16 + 14 * 14 * 2 * w * 16
        d = 14 * 14 * w * 16 + 7 * 7 * 2 * w * w * 16 + 2 * w * 49
        return g + d
    for w in (16, 32, 64):
        assert bench.forward_flops(w) == 2 * macs(w)
    assert round(bench.forward_flops(32) / bench.forward_flops(16), 1) == 3.6     # not w²'s 4
    assert round(bench.forward_flops(64) / bench.forward_flops(16), 1) == 13.7    # not 16


def test_the_precision_row_is_fp16_with_a_scaler_on_a_t4_and_bf16_where_native():
    t4 = accel.Hardware("cuda", "Tesla T4", (7, 5), triton=True)
    assert bench.precision_row(t4) == ("+ fp16 autocast + GradScaler", {"amp": "fp16"})
    assert bench._skip({"amp": "fp16"}, t4) is None
    assert bench.precision_row(accel.Hardware("cuda", "NVIDIA H100", (9, 0))) == ("+ bf16 autocast", {"amp": "bf16"})
    label, change = bench.precision_row(accel.Hardware("cpu", cpu_bf16=False))
    assert "emulated" in label and change == {"amp": "bf16"}
    assert "no native bf16" in bench._skip({"amp": "bf16"}, accel.Hardware("cuda", "Tesla P100", (6, 0)))


def _raise_in_backward(run):
    """Make D's backward pass raise, as the compiled backward did on an H100 (benchmarks/gpu_compile.md)."""
    def hook(module, grad_in, grad_out):
        raise AssertionError("expected size 512==512, stride 49==1 at dim=1 (injected)")
    run.D.register_full_backward_hook(hook)


def test_a_row_that_fails_in_its_backward_becomes_a_failed_row_and_the_ladder_goes_on(monkeypatch):
    monkeypatch.setattr(bench, "_skip", lambda change, hw: None)          # attempt the compile row on a CPU
    monkeypatch.setattr(bench, "reference_recipe", lambda *a, **k: (None, lambda: None))
    real_stepper = bench.stepper

    def stepper(cfg):
        if cfg.compile != "on":
            return real_stepper(cfg)
        run, step = real_stepper(dataclasses.replace(cfg, compile="off"))   # the forward passes succeed ...
        _raise_in_backward(run)                                             # ... the first backward raises
        return run, step

    monkeypatch.setattr(bench, "stepper", stepper)
    rows = bench.ladder(torch.device("cpu"), seconds=0.0, batch_size=4, warmup=0, steps=1)
    failed = rows[-1]
    assert failed["row"] == "+ torch.compile" and failed["img_per_s"] is None
    assert failed["change"].startswith("failed: AssertionError: expected size 512==512")
    assert all(r["img_per_s"] for r in rows[:-1])                           # every other row was timed


def test_a_failed_change_is_not_carried_into_the_rows_below(monkeypatch):
    built = []

    def stepper(cfg):
        built.append(cfg)
        if cfg.channels_last:
            raise RuntimeError("channels_last failed (injected)")
        return None, lambda: None

    monkeypatch.setattr(bench, "reference_recipe", lambda *a, **k: (None, lambda: None))
    monkeypatch.setattr(bench, "stepper", stepper)
    rows = {r["row"]: r for r in bench.ladder(torch.device("cpu"), seconds=0.0, warmup=0, steps=1)}
    assert rows["+ channels_last"]["change"].startswith("failed: RuntimeError: channels_last failed")
    after = built[built.index(next(c for c in built if c.channels_last)) + 1]
    assert after.amp != "off" and not after.channels_last                   # the next row: its own change only


def test_rows_past_the_deadline_are_not_run(monkeypatch):
    monkeypatch.setattr(bench, "reference_recipe", lambda *a, **k: (None, lambda: None))
    monkeypatch.setattr(bench, "stepper", lambda cfg: (None, lambda: None))
    rows = bench.ladder(torch.device("cpu"), seconds=0.0, warmup=0, steps=1, deadline=time.monotonic() - 1)
    assert rows[0]["img_per_s"] is not None                                 # the reference row always runs
    assert {r["change"] for r in rows[1:]} <= {"not run: budget"} | {r["change"] for r in rows if r["change"].startswith("skipped")}
    assert rows[1]["change"] == "not run: budget"
