import json
import math

import pytest
import torch

from gan_course import files as checkpoint, train
from gan_course.training import ema as averaging
from gan_course.training import step as training_step
from gan_course.training import TrainConfig

TINY = dict(arch="mlp", dataset="mnist5k", width=16, z_dim=8, batch_size=16, log_every=5, device="cpu")


def weights(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0, msg=f"{k} differs")


def test_one_step_changes_both_networks():
    run = train.build_run(TrainConfig(**TINY))
    g0, d0 = weights(run.G), weights(run.D)
    train.d_step(run, run.batches.batch(0))
    assert weights(run.G).keys() == g0.keys()
    assert all(torch.equal(v, g0[k]) for k, v in weights(run.G).items())   # a D step leaves G alone
    assert not all(torch.equal(v, d0[k]) for k, v in weights(run.D).items())
    d1 = weights(run.D)
    train.g_step(run)
    assert not all(torch.equal(v, g0[k]) for k, v in weights(run.G).items())
    assert all(torch.equal(v, d1[k]) for k, v in weights(run.D).items())  # a G step leaves D alone


def test_fit_logs_every_n_steps_and_writes_checkpoint(tmp_path):
    run = train.fit(TrainConfig(**TINY, steps=12), out=tmp_path, progress=False)
    assert [h["step"] for h in run.history] == [5, 10, 12]
    assert all(math.isfinite(h["d_loss"]) and h["img_per_s"] > 0 for h in run.history)
    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert lines == run.history
    ckpt = checkpoint.load(tmp_path / "checkpoint.pt")
    assert ckpt["step"] == 12 and ckpt["config"]["width"] == 16


@pytest.mark.parametrize("extra", [{}, {"ema_half_life": 500, "k_d": 2}])
def test_interrupted_and_resumed_run_equals_uninterrupted_run(tmp_path, extra):
    cfg = TrainConfig(**TINY, steps=20, **extra)
    straight = train.fit(cfg, progress=False)

    def interrupt_at_10(run):
        if run.step == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train.fit(cfg, out=tmp_path, callback=interrupt_at_10, progress=False)
    assert checkpoint.load(tmp_path / "checkpoint.pt")["step"] == 10
    resumed = train.fit(cfg, out=tmp_path, progress=False)
    assert resumed.step == 20
    assert_same_weights(weights(resumed.G), weights(straight.G))
    assert_same_weights(weights(resumed.D), weights(straight.D))
    if cfg.ema_half_life:
        assert_same_weights(weights(resumed.G_ema), weights(straight.G_ema))
    assert [h["step"] for h in resumed.history] == [h["step"] for h in straight.history]


def assert_same_tree(a, b, where=""):
    """Two state dicts (nested dicts/lists of tensors and numbers) equal bit for bit."""
    if isinstance(a, torch.Tensor):
        torch.testing.assert_close(b, a, rtol=0, atol=0, msg=f"{where} differs")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same_tree(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_tree(x, y, f"{where}/{i}")
    else:
        assert a == b, where


def test_stop_between_d_and_g_update_resumes_a_dcgan_bit_for_bit_with_its_adam_states(tmp_path, monkeypatch):
    # notebook 05's claim: ■ (SIGINT) landing between D's and G's update of a step finishes the step, saves,
    # and the resumed run equals the uninterrupted one in every weight, BatchNorm statistic and Adam moment
    import signal
    cfg = TrainConfig(**{**TINY, "arch": "dcgan", "dataset": "fashion_mnist", "width": 4},
                      steps=12, ema_half_life=500)
    straight = train.fit(cfg, progress=False)
    real_g_step, fired = train.g_step, []

    def sigint_then_g_step(run, *args, **kwargs):
        if run.step == 6 and not fired:          # D has been updated in step 7, G not yet
            fired.append(1)
            signal.raise_signal(signal.SIGINT)
        return real_g_step(run, *args, **kwargs)

    monkeypatch.setattr(training_step, "g_step", sigint_then_g_step)
    with pytest.raises(KeyboardInterrupt, match="after step 7 of 12"):
        train.fit(cfg, out=tmp_path, progress=False)
    monkeypatch.undo()
    assert checkpoint.load(tmp_path / "checkpoint.pt")["step"] == 7
    resumed = train.fit(cfg, out=tmp_path, progress=False)
    straight.refresh_ema(), resumed.refresh_ema()   # G_ema's BatchNorm statistics, recomputed as sampling does
    for name in ("G", "D", "G_ema", "opt_g", "opt_d"):
        assert_same_tree(getattr(straight, name).state_dict(), getattr(resumed, name).state_dict(), name)
    assert any(k.endswith("running_var") for k in resumed.G.state_dict())    # BatchNorm statistics were compared
    assert resumed.opt_d.state_dict()["state"][0]["exp_avg_sq"].abs().sum() > 0


def test_resuming_into_a_folder_of_another_architecture_is_refused(tmp_path):
    train.fit(TrainConfig(**TINY, steps=2), out=tmp_path, progress=False)
    with pytest.raises(checkpoint.CheckpointError, match="width: checkpoint 16 vs now 32"):
        train.fit(TrainConfig(**{**TINY, "width": 32}, steps=4), out=tmp_path, progress=False)


def test_diverged_run_stops_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    cfg = TrainConfig(**TINY, steps=10, ckpt_every=5)
    real_g_step = train.g_step

    def g_step_that_explodes(run, fake=None, y_fake=None):
        loss = real_g_step(run, fake, y_fake)
        return loss * float("nan") if run.step >= 6 else loss

    monkeypatch.setattr(training_step, "g_step", g_step_that_explodes)
    with pytest.raises(train.TrainingDiverged, match="between step 5 and step 10.*from step 5 was kept"):
        train.fit(cfg, out=tmp_path, progress=False)
    assert checkpoint.load(tmp_path / "checkpoint.pt")["step"] == 5


def test_ema_update_formula():
    ema, model = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    before = weights(ema)
    averaging.average(ema, model, 0.9)
    torch.testing.assert_close(ema.weight, 0.9 * before["weight"] + 0.1 * model.weight)


@pytest.mark.parametrize("bad, match", [(dict(steps=-1), "must not be negative"),
                                        (dict(batch_size=0), "batch_size=0"),
                                        (dict(loss="mse"), "unknown loss"),
                                        (dict(arch="vae"), "unknown arch"),
                                        (dict(ema_half_life=-1.0), "ema_half_life=-1.0")])
def test_config_rejects_bad_values(bad, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**bad)


def test_sample_is_repeatable_and_restores_train_mode():
    run = train.build_run(TrainConfig(**{**TINY, "arch": "dcgan"}))
    a = train.sample(run.G, 4, seed=1)
    assert run.G.training
    torch.testing.assert_close(a, train.sample(run.G, 4, seed=1))
    assert a.shape == (4, 1, 28, 28)


def test_sample_has_no_device_argument_g_runs_where_it_is():
    """The device rule: G's own device is used; a device given by position or keyword is refused."""
    G = train.build_run(TrainConfig(**{**TINY, "arch": "dcgan"})).G
    with pytest.raises(TypeError):
        train.sample(G, 2, 0, "cpu")
    with pytest.raises(TypeError):
        train.sample(G, 2, seed=0, device="cpu")


def test_cpu_speed_options_train_and_resume(tmp_path):
    # the CPU equivalents of the GPU paths: bf16 autocast, channels_last, fused Adam, grad clipping
    cfg = TrainConfig(**{**TINY, "arch": "dcgan", "dataset": "fashion_mnist", "z_dim": 8, "width": 8},
                      steps=4, amp="bf16", channels_last=True, adam="fused", grad_clip=1.0)
    run = train.fit(cfg, out=tmp_path, progress=False)
    assert run.amp is torch.bfloat16 and all(math.isfinite(h["d_loss"]) for h in run.history)
    resumed = train.fit(TrainConfig(**{**cfg.__dict__, "steps": 6}), out=tmp_path, progress=False)
    assert resumed.step == 6


def test_grad_clip_bounds_the_update():
    run = train.build_run(TrainConfig(**TINY, grad_clip=1e-3, lr_d=1.0, adam="plain"))
    run.opt_d = torch.optim.SGD(run.D.parameters(), lr=1.0)
    before = torch.nn.utils.parameters_to_vector(run.D.parameters()).clone()
    train.d_step(run, run.batches.batch(0))
    moved = torch.nn.utils.parameters_to_vector(run.D.parameters()) - before
    torch.testing.assert_close(moved.norm().item(), 1e-3, rtol=1e-3, atol=0)   # SGD step = lr × clipped grad


def test_max_minutes_stops_early_with_a_checkpoint(tmp_path):
    run = train.fit(TrainConfig(**TINY, steps=10**6, max_minutes=1e-4), out=tmp_path, progress=False)
    assert 0 < run.step < 10**6
    assert run.history[-1]["step"] == run.step            # the partial interval is logged too
    assert checkpoint.load(tmp_path / "checkpoint.pt")["step"] == run.step


def test_tensorboard_writes_event_files(tmp_path):
    train.fit(TrainConfig(**TINY, steps=10, tensorboard=str(tmp_path / "tb")), progress=False)
    assert any(p.name.startswith("events.out.tfevents") for p in (tmp_path / "tb").iterdir())


def test_ema_decay_warms_up_then_holds_the_target():
    assert averaging.decay(0, 0.999) == pytest.approx(0.1)          # (1 + 0) / (10 + 0)
    assert averaging.decay(90, 0.999) == pytest.approx(91 / 100)
    assert averaging.decay(10**6, 0.999) == 0.999


def test_conditional_run_uses_labelled_batches_and_samples_by_class():
    cfg = TrainConfig(arch="cdcgan", dataset="fashion_mnist", z_dim=16, width=8, batch_size=16, steps=3, log_every=1)
    run = train.build_run(cfg)
    x, y = run.real(0)
    assert x.shape == (16, 1, 28, 28) and y.shape == (16,) and run.labels(4).shape == (4,)
    G = train.fit(cfg, progress=False).sampler
    torch.testing.assert_close(train.sample(G, 3, labels=[2, 2, 2]), train.sample(G, 3, labels=2))
    with pytest.raises(ValueError, match="classes 0..9"):
        train.sample(G, 2, labels=10)
    unconditional = train.build_run(TrainConfig(**TINY, steps=1)).G
    with pytest.raises(ValueError, match="unconditional"):
        train.sample(unconditional, 2, labels=1)


# ----------------------------------------------------------------------------- R1 from one forward pass (issue 12)
@pytest.mark.parametrize("gamma_from", ["loss", "config"])
def test_r1_comes_from_the_real_logits_own_forward_pass(monkeypatch, gamma_from):
    """d_step with R1 runs D once on the reals (and once on the fakes), and its loss equals
    BCE + (γ/2)·mean‖∇_x D(x)‖², computed here sample by sample on a copy of D; γ is the loss's own,
    or TrainConfig.r1_gamma when given (09's sweep)."""
    import copy

    from gan_course import losses
    if gamma_from == "loss":
        monkeypatch.setitem(losses.LOSSES, "ns-r1", losses.LOSSES["ns-r1"]._replace(r1=2.0))  # a γ that shows
    run = train.build_run(TrainConfig(**{**TINY, "arch": "dcgan-nonorm", "dataset": "fashion_mnist", "width": 8,
                                         "loss": "ns-r1", "r1_gamma": 2.0 if gamma_from == "config" else None}))
    real = run.batches.batch(0)
    fake = train.generate(run, len(real), grad=False)
    D = copy.deepcopy(run.D)
    sq_norms = []
    for x in real:
        x = x[None].clone().requires_grad_(True)
        (g,) = torch.autograd.grad(D(x).sum(), x)
        sq_norms.append(g.pow(2).sum())
    with torch.no_grad():
        expected = losses.d_bce(D(real), D(fake)) + 2.0 / 2 * torch.stack(sq_norms).mean()
    seen = []
    run.D.register_forward_hook(lambda module, args, out: seen.append(args[0]))
    loss = train.d_step(run, real, fake)
    assert len(seen) == 2, f"D ran {len(seen)} times in one R1 d_step; it must run once on the reals, once on fakes"
    assert sum(x.data_ptr() == real.data_ptr() for x in seen) == 1          # the reals went through D once
    torch.testing.assert_close(loss, expected)


def test_per_sample_penalties_refuse_a_batchnorm_critic():
    for loss in ("ns-r1", "wgan-gp"):
        with pytest.raises(ValueError, match="BatchNorm discriminator.*dcgan-nonorm"):
            TrainConfig(arch="dcgan", loss=loss)
    TrainConfig(arch="dcgan-nonorm", loss="ns-r1")                          # no BatchNorm: accepted


@pytest.mark.parametrize("loss, gamma", [("ns", 1e-3), ("ns-r1", 0.0), ("ns-r1", float("nan"))])
def test_r1_gamma_needs_an_r1_loss_and_a_positive_value(loss, gamma):
    with pytest.raises(ValueError, match="r1_gamma"):
        TrainConfig(arch="dcgan-nonorm", loss=loss, r1_gamma=gamma)


# ----------------------------------------------------------------------------- EMA (issue 12)
def fresh_pass_statistics(G, batches, batch_size, seed=0):
    """Per BatchNorm layer, the mean over `batches` batches of fresh z of the batch mean and the
    unbiased batch variance of its input, from G's own weights in train mode (on a copy)."""
    import copy
    G = copy.deepcopy(G).train()
    bns = [m for m in G.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    inputs = {i: [] for i in range(len(bns))}
    for i, bn in enumerate(bns):
        bn.register_forward_hook(lambda m, args, out, i=i: inputs[i].append(args[0].detach()))
    noise = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _ in range(batches):
            G(torch.randn(batch_size, G.z_dim, generator=noise))
    means = [torch.stack([x.mean(dim=(0, 2, 3)) for x in inputs[i]]).mean(0) for i in inputs]
    variances = [torch.stack([x.transpose(0, 1).flatten(1).var(dim=1) for x in inputs[i]]).mean(0) for i in inputs]
    return bns, means, variances


def test_recompute_batchnorm_gives_the_statistics_of_its_own_weights():
    from gan_course import nets
    G = nets.DCGANGenerator(z_dim=8, width=4)
    ema = __import__("copy").deepcopy(G)
    with torch.no_grad():
        for p in G.parameters():
            p.add_(0.3 * torch.randn_like(p))
        G.train()(torch.randn(32, 8))                   # raw G's statistics move with raw G's weights
    averaging.average(ema, G, 0.5)
    averaging.recompute_batchnorm(ema, batches=3, batch_size=16, seed=0)
    bns_fresh, means, variances = fresh_pass_statistics(ema, 3, 16, seed=0)
    ema_bns = [m for m in ema.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for bn, mean, var in zip(ema_bns, means, variances):
        torch.testing.assert_close(bn.running_mean, mean)
        torch.testing.assert_close(bn.running_var, var)


def test_the_runs_sampler_and_checkpoint_carry_the_ema_weights_own_statistics(tmp_path):
    cfg = TrainConfig(**{**TINY, "arch": "dcgan", "dataset": "fashion_mnist", "width": 4},
                      steps=3, ema_half_life=200)
    run = train.fit(cfg, out=tmp_path, progress=False)
    saved = checkpoint.load(tmp_path / "checkpoint.pt")["G_ema"]
    G = run.sampler
    _, means, variances = fresh_pass_statistics(G, averaging.BN_BATCHES, averaging.BN_BATCH_SIZE)
    bns = [(name, m) for name, m in G.named_modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for (name, bn), mean, var in zip(bns, means, variances):
        torch.testing.assert_close(bn.running_mean, mean)
        torch.testing.assert_close(bn.running_var, var)
        torch.testing.assert_close(saved[f"{name}.running_mean"], mean)
    train.update_ema(run)                                # weights move: statistics are recomputed on use
    assert run.ema_stale
    run.sampler
    assert not run.ema_stale


@pytest.mark.parametrize("batch_size", [16, 64, 256])
def test_ema_half_life_is_in_images_whatever_the_batch(batch_size):
    half_life, late = 12_800, 10**6                       # late: past the warm-up
    beta = averaging.beta(late, batch_size, half_life)
    assert beta ** (half_life / batch_size) == pytest.approx(0.5)       # old weights weigh ½ after half_life images
    old = torch.ones(1)
    for step in range(half_life // batch_size):
        old = old * averaging.beta(late + step, batch_size, half_life)
    torch.testing.assert_close(old, torch.tensor([0.5]))
    assert averaging.beta(0, batch_size, half_life) == pytest.approx(0.1)   # the warm-up is kept


@pytest.mark.parametrize("batch_size, half_life", [(64, 10_000), (128, 10_000), (64, 2_500), (64, 50)])
def test_ema_warmup_ends_where_the_decay_reaches_its_target(batch_size, half_life):
    t = averaging.warmup_steps(batch_size, half_life)
    target = 0.5 ** (batch_size / half_life)
    assert averaging.beta(t, batch_size, half_life) == target             # from step t on: the target
    if t > 0:
        assert averaging.beta(t - 1, batch_size, half_life) < target      # before: still warming up
    if half_life >= 100 * batch_size:                                    # ≈ 9·h/ln 2 images, batch or not
        assert t * batch_size == pytest.approx(9 * half_life / math.log(2), rel=0.01)


def test_ema_half_life_grows_with_the_images_seen_during_the_warm_up():
    b, h = 64, 10_000
    for t in (300, 1000, 1900):                                          # inside the warm-up (ends at 2 024)
        assert averaging.half_life_at(t, b, h) == pytest.approx(math.log(2) / 9 * t * b, rel=0.03)
    assert averaging.half_life_at(averaging.warmup_steps(b, h), b, h) == pytest.approx(h)
    assert averaging.half_life_at(10**6, b, h) == pytest.approx(h)


def test_the_presets_warm_up_ends_where_05_says():
    assert averaging.warmup_steps(128, 10_000) == 1009                   # 05: "step 1 009 (129 152 images)"


# ----------------------------------------------------------------------------- behaviour no other test pinned
def test_sample_draws_in_eval_mode_and_gives_g_its_mode_back():
    from gan_course import nets
    G = nets.DCGANGenerator(z_dim=8, width=4).train()
    with torch.no_grad():
        G(3 * torch.randn(64, 8))                              # running statistics far from a batch of 4's
    x = train.sample(G, 4, seed=3)
    assert G.training                                          # its mode is given back
    z = torch.randn(4, 8, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        torch.testing.assert_close(x, G.eval()(z))             # BatchNorm used its running statistics
        assert not torch.allclose(x, G.train()(z), atol=1e-3)  # a train-mode draw differs


def test_the_logged_d_loss_is_the_mean_over_the_k_d_updates(monkeypatch):
    calls = []

    def d_step_of_loss_two(run, *args, **kwargs):
        calls.append(1)
        return torch.tensor(2.0)

    monkeypatch.setattr(training_step, "d_step", d_step_of_loss_two)
    run = train.fit(TrainConfig(**{**TINY, "log_every": 2}, steps=4, k_d=3), progress=False)
    assert len(calls) == 12
    assert [h["d_loss"] for h in run.history] == [2.0, 2.0]   # not 6.0: the sum of three updates


def test_img_per_s_counts_the_images_of_every_rank(monkeypatch):
    from gan_course.training import distributed, loop
    run = train.build_run(TrainConfig(**TINY, steps=5))
    run.ctx = distributed.Context(rank=0, world_size=4)
    now = [100.0]
    monkeypatch.setattr(loop, "_clock", lambda device: now[0])
    monkeypatch.setattr(distributed, "all_finite", lambda value, ctx, device: math.isfinite(value))  # no process group
    book = loop.Book(run, train.Checkpoints(run, None, False), signals=None, progress=False)
    book.d_sum, book.g_sum, book.n = torch.tensor(5.0), torch.tensor(5.0), 5
    now[0] += 2.0                                              # 5 steps of 16 images on each of 4 ranks in 2 s
    assert book.log()["img_per_s"] == 5 * 16 * 4 / 2


def test_tensorboard_receives_every_logged_scalar(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    run = train.fit(TrainConfig(**TINY, steps=10, tensorboard=str(tmp_path)), progress=False)
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    assert {"d_loss", "g_loss", "img_per_s"} <= set(events.Tags()["scalars"])
    d = events.Scalars("d_loss")
    assert [e.step for e in d] == [5, 10]
    torch.testing.assert_close([e.value for e in d], [h["d_loss"] for h in run.history])


# ----------------------------------------------------------------------------- float16 with a gradient scaler
def test_fp16_trains_through_both_scalers_and_resumes_with_their_scale(tmp_path):
    # CPU autocast has float16: the scaler's path runs here as it would on a T4.
    cfg = TrainConfig(**{**TINY, "arch": "dcgan", "width": 4}, steps=6, amp="fp16")
    run = train.fit(cfg, out=tmp_path, progress=False)
    assert run.amp is torch.float16
    for scaler in (run.scaler_g, run.scaler_d):
        assert scaler.is_enabled()
        # each successful scaled step counts one; an overflow (possible at the first steps' scale of
        # 2**16) skips its step and resets the count: most of the six must have gone through
        assert scaler.state_dict()["_growth_tracker"] >= 4
    assert all(math.isfinite(r["d_loss"]) and math.isfinite(r["g_loss"]) for r in run.history)
    saved = checkpoint.load(tmp_path / "checkpoint.pt")["scalers"]
    assert saved["d"] == run.scaler_d.state_dict()
    resumed = train.build_run(cfg)
    from gan_course.training import checkpoints
    checkpoints.resume(resumed, tmp_path / "checkpoint.pt")
    assert resumed.scaler_d.state_dict() == run.scaler_d.state_dict()


def test_an_overflowing_fp16_step_is_skipped_and_the_scale_shrinks():
    run = train.build_run(TrainConfig(**{**TINY, "arch": "dcgan", "width": 4}, amp="fp16"))
    run.scaler_d = torch.amp.GradScaler("cpu", init_scale=2.0 ** 127)   # scaled gradients overflow
    d0 = {k: p.detach().clone() for k, p in run.D.named_parameters()}
    train.d_step(run, run.batches.batch(0))
    for k, p in run.D.named_parameters():                                # the step was skipped
        assert torch.equal(p, d0[k]), k
    assert run.scaler_d.get_scale() < 2.0 ** 127


def test_without_fp16_the_scalers_are_disabled_and_steps_are_plain():
    run = train.build_run(TrainConfig(**TINY))
    assert not run.scaler_g.is_enabled() and not run.scaler_d.is_enabled()
