import copy
import math

import pytest
import torch
from torch import nn

from gan_course import files as checkpoint, losses, metrics, monitor, train
from gan_course.training import TrainConfig

TINY = dict(arch="mlp", dataset="mnist5k", width=16, z_dim=8, batch_size=16, log_every=5, device="cpu")


def one_step(run):
    """d_step then g_step, as fit's loop does them, on batch run.step."""
    fake = train.generate(run, run.cfg.batch_size, grad=True)
    train.d_step(run, run.real(run.step)[0], fake.detach())
    train.g_step(run, fake)
    run.step += 1


@pytest.mark.parametrize("loss, probability", [("ns", True), ("saturating", True), ("ns-r1", True),
                                               ("hinge", False), ("lsgan", False), ("wgan-gp", False)])
def test_d_is_read_as_a_probability_only_for_the_bce_losses(loss, probability):
    assert monitor.reads_probabilities(loss) is probability


@pytest.mark.parametrize("loss, read", [("ns", torch.sigmoid), ("hinge", lambda t: t)])
def test_d_of_x_and_d_of_g_z_are_the_last_d_steps_outputs_before_its_update(loss, read):
    arch = "mlp" if loss == "ns" else "dcgan-nonorm"      # a critic without BatchNorm: its outputs, recomputed, agree
    dataset = "mnist5k" if arch == "mlp" else "fashion_mnist"
    run = train.build_run(TrainConfig(**{**TINY, "loss": loss, "arch": arch, "dataset": dataset, "width": 4}))
    D_before = copy.deepcopy(run.D)
    fake = train.generate(run, 16, grad=False)
    real = run.real(0)[0]
    train.d_step(run, real, fake)
    m = monitor.Monitor()
    m.after_step(run)
    rec = m.record(run)
    with torch.no_grad():
        torch.testing.assert_close(rec["d_real"], read(D_before(real)).mean().item())
        torch.testing.assert_close(rec["d_fake"], read(D_before(fake)).mean().item())
    assert rec["d_scale"] == ("probability" if loss == "ns" else "critic value")


def test_gradient_norm_is_the_two_norm_of_all_gradients_together():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    assert monitor.grad_norm(net).item() == 0.0                       # before any backward
    net(torch.ones(4, 3)).sum().backward()
    by_hand = math.sqrt(sum((p.grad ** 2).sum().item() for p in net.parameters()))
    torch.testing.assert_close(monitor.grad_norm(net).item(), by_hand)


def test_a_record_averages_every_step_since_the_last_one_and_resets():
    run = train.build_run(TrainConfig(**TINY))
    m, seen = monitor.Monitor(), []
    for _ in range(3):
        one_step(run)
        m.after_step(run)
        seen.append([torch.sigmoid(run.d_logits[0]).mean().item(), monitor.grad_norm(run.G).item()])
    rec = m.record(run)
    torch.testing.assert_close(rec["d_real"], sum(s[0] for s in seen) / 3)
    torch.testing.assert_close(rec["grad_norm_g"], sum(s[1] for s in seen) / 3)
    assert "d_real" not in m.record(run)                             # nothing since: no stale means


def test_memory_on_the_cpu_is_the_process_peak_resident_size():
    mb, kind = monitor.memory_mb(torch.device("cpu"))
    assert kind == "process peak RSS since start"
    assert 50 < mb < 64_000                      # python + torch hold tens of MB at least; ru_maxrss is in KiB here


def test_a_monitored_run_trains_bit_for_bit_as_an_unmonitored_one(monkeypatch, tmp_path):
    # FID samples from run.sampler (which recomputes G_ema's BatchNorm statistics): it must not move the run.
    # The FID itself is replaced by a cheap stand-in; what matters is the generation it does.
    scored = []
    monkeypatch.setattr(metrics, "fid", lambda images, classifier=None: scored.append(len(images)) or 1.0)
    cfg = TrainConfig(**{**TINY, "arch": "dcgan", "dataset": "fashion_mnist", "width": 4,
                         "ema_half_life": 500, "steps": 22})
    plain = train.fit(cfg, progress=False)
    watched = train.fit(cfg, out=tmp_path, progress=False, monitor=monitor.Monitor(fid_every=10, fid_n=8))
    plain.refresh_ema(), watched.refresh_ema()   # G_ema's BatchNorm statistics, recomputed (as sampling does) for both
    for a, b in ((plain.G, watched.G), (plain.D, watched.D), (plain.G_ema, watched.G_ema)):
        for k, v in a.state_dict().items():
            torch.testing.assert_close(b.state_dict()[k], v, rtol=0, atol=0, msg=k)
    assert [h["step"] for h in watched.history if "fid_small" in h] == [10, 20]    # log points 5, 10, 15, 20, 22
    assert scored == [8, 8]
    assert all({"d_real", "d_fake", "grad_norm_d", "grad_norm_g", "memory_mb"} <= h.keys() for h in watched.history)
    assert [h["d_loss"] for h in watched.history] == [h["d_loss"] for h in plain.history]
    assert checkpoint.load(tmp_path / "checkpoint.pt")["history"] == watched.history   # weights_only reads it back


def test_a_resumed_run_scores_fid_on_the_grid_of_an_uninterrupted_one(monkeypatch, tmp_path):
    # the notebook's second run of the cell builds a fresh Monitor: its FID must still fall on multiples of fid_every
    monkeypatch.setattr(metrics, "fid", lambda images, classifier=None: 1.0)
    cfg = TrainConfig(**{**TINY, "arch": "dcgan", "dataset": "fashion_mnist", "width": 4, "steps": 13})
    first = train.fit(cfg, out=tmp_path, progress=False, monitor=monitor.Monitor(fid_every=10, fid_n=8))
    assert [h["step"] for h in first.history if "fid_small" in h] == [10]          # log points 5, 10, 13
    cfg.steps = 22
    resumed = train.fit(cfg, out=tmp_path, progress=False, monitor=monitor.Monitor(fid_every=10, fid_n=8))
    assert [h["step"] for h in resumed.history if "fid_small" in h] == [10, 20]    # not 15: log points 15, 20, 22


def test_start_resets_the_cuda_peak_so_memory_is_this_fits(monkeypatch):
    from types import SimpleNamespace
    reset = []
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda device=None: reset.append(device))
    m = monitor.Monitor(fid_every=50)
    m.start(SimpleNamespace(step=120, device=torch.device("cuda", 0)))
    assert reset == [torch.device("cuda", 0)] and m._fid_due == 150
    m.start(SimpleNamespace(step=0, device=torch.device("cpu")))
    assert reset == [torch.device("cuda", 0)] and m._fid_due == 50                  # the CPU's peak cannot be reset


def test_fid_on_a_dataset_that_is_not_fashion_mnist_is_refused():
    with pytest.raises(ValueError, match="scores against real Fashion-MNIST.*'mnist5k'.*fid_every=0"):
        train.fit(TrainConfig(**TINY, steps=2), progress=False, monitor=monitor.Monitor(fid_every=1))
    with pytest.raises(ValueError, match="fid_n=1"):
        monitor.Monitor(fid_n=1)


def test_the_plot_draws_its_three_panels_from_a_history():
    import matplotlib
    matplotlib.use("Agg")
    run = train.fit(TrainConfig(**TINY, steps=10), progress=False, monitor=monitor.Monitor())
    axes = monitor.plot(run.history)
    assert [len(a.lines) for a in axes] == [2, 2, 1]
    assert axes[0].lines[0].get_ydata().tolist() == [h["d_real"] for h in run.history]
    assert losses.get("ns").d is losses.d_bce
