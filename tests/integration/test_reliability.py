"""Runs that never lose work, and bad input that gets one clear message (issue 18).

The slow tests drive `python -m gan_course train` as a subprocess and stop it with a real signal;
they are marked `slow` (`make unit` skips them, `make integration` runs them). Where the test needs a
read-only or a full filesystem it mounts a small tmpfs when it may (root in CI), else simulates.
"""
import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from gan_course import cli, metrics, presets, pretrained, runtime, train
from gan_course import files as checkpoint
from gan_course.training import checkpoints as runstate
from gan_course.training import guards as runguard
from gan_course.data import manifest
from gan_course.training import TrainConfig
from gan_course.training import loop as training_loop
from gan_course.training import step as training_step

TINY = dict(arch="mlp", dataset="mnist5k", width=16, z_dim=8, batch_size=16, log_every=5, device="cpu")
ENV = {**os.environ, "PYTHONPATH": str(runtime.REPO_ROOT), "OMP_NUM_THREADS": "1"}
RING_STEPS = 300


def assert_same_state(a: dict, b: dict):
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0, msg=f"{k} differs")


def ring_cmd(out, steps=RING_STEPS):
    return [sys.executable, "-m", "gan_course", "train", "--preset", "ring-2d", "--steps", str(steps),
            "--ckpt-every", "25", "--out", str(out), "--quiet", "--device", "cpu"]


@contextlib.contextmanager
def tmpfs(path, kib: int, read_only: bool = False):
    """A small tmpfs at `path` (True), or False where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={kib}k" + (",ro" if read_only else "")
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True).returncode:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


# ----------------------------------------------------------------------------- signals
@pytest.fixture(scope="module")
def uninterrupted_ring():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                         # as the subprocesses (OMP_NUM_THREADS=1)
    try:
        run = train.fit(presets.config("ring-2d", steps=RING_STEPS, device="cpu"), progress=False)
    finally:
        torch.set_num_threads(threads)
    return {"G": run.G.state_dict(), "D": run.D.state_dict()}


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_saves_a_whole_step_and_the_resumed_run_is_bit_exact(tmp_path, sig, uninterrupted_ring):
    out = tmp_path / "run"
    proc = subprocess.Popen(ring_cmd(out), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not (out / "checkpoint.pt").exists():      # the first checkpoint (step 25): training is under way
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, err
    step = checkpoint.load(out / "checkpoint.pt")["step"]
    assert 25 <= step < RING_STEPS
    assert err.strip() == (f"Stopped by {sig.name} after step {step} of {RING_STEPS}; checkpoint saved to "
                           f"{out / 'checkpoint.pt'}. Run the same command again to resume.")
    resumed = subprocess.run(ring_cmd(out), env=ENV, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    final = checkpoint.load(out / "checkpoint.pt")
    assert final["step"] == RING_STEPS
    assert_same_state(final["G"], uninterrupted_ring["G"])
    assert_same_state(final["D"], uninterrupted_ring["D"])


def test_ctrl_c_in_the_middle_of_a_step_finishes_it_then_saves(tmp_path, monkeypatch):
    # a notebook's stop button: SIGINT arrives after the D update and before the G update
    cfg = TrainConfig(**TINY, steps=20, ema_half_life=500, k_d=2)
    straight = train.fit(cfg, progress=False)
    real_d_step, fired = train.d_step, []

    def d_step_then_ctrl_c(run, *args, **kwargs):
        loss = real_d_step(run, *args, **kwargs)
        if run.step == 7 and not fired:
            fired.append(1)
            signal.raise_signal(signal.SIGINT)
        return loss

    monkeypatch.setattr(training_step, "d_step", d_step_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt, match="Stopped by SIGINT after step 8 of 20; checkpoint saved"):
        train.fit(cfg, out=tmp_path, progress=False)
    assert checkpoint.load(tmp_path / "checkpoint.pt")["step"] == 8
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler     # handlers put back
    monkeypatch.undo()
    resumed = train.fit(cfg, out=tmp_path, progress=False)
    for a, b in ((resumed.G, straight.G), (resumed.D, straight.D), (resumed.G_ema, straight.G_ema)):
        assert_same_state(a.state_dict(), b.state_dict())


def test_a_bare_interrupt_mid_step_keeps_the_last_whole_checkpoint(tmp_path, monkeypatch):
    # a second Ctrl-C, or one where no handler could be installed, lands in the middle of a step
    real_d_step = train.d_step

    def interrupted(run, *args, **kwargs):
        if run.step == 7:
            raise KeyboardInterrupt
        return real_d_step(run, *args, **kwargs)

    monkeypatch.setattr(training_step, "d_step", interrupted)
    with pytest.raises(KeyboardInterrupt, match="during step 8.*half-done step is never saved.*from step 5"):
        train.fit(TrainConfig(**TINY, steps=20, ckpt_every=5), out=tmp_path, progress=False)
    assert checkpoint.load(tmp_path / "checkpoint.pt")["step"] == 5


def test_checkpoints_by_wall_time(tmp_path, monkeypatch):
    clock = iter(range(0, 10**6, 100))               # each reading of the clock: 100 s later
    monkeypatch.setattr(runstate.time, "monotonic", lambda: next(clock))
    saves = []
    real_save = runstate.save_run
    monkeypatch.setattr(runstate, "save_run", lambda run, out: saves.append(run.step) or real_save(run, out))
    train.fit(TrainConfig(**TINY, steps=6, ckpt_minutes=5), out=tmp_path, progress=False)
    assert saves[:-1] and saves[-1] == 6             # saved by time before the end, and at the end


# ----------------------------------------------------------------------------- the folder
@pytest.fixture
def read_only(tmp_path, monkeypatch):
    """A folder no one may write into: a read-only tmpfs, else a simulated EROFS."""
    folder = tmp_path / "ro"
    with tmpfs(folder, 64, read_only=True) as mounted:
        if not mounted:
            real_open = os.open

            def refuse(path, flags, *args, **kwargs):
                if str(path).startswith(str(folder)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                    raise OSError(errno.EROFS, "Read-only file system", str(path))
                return real_open(path, flags, *args, **kwargs)
            monkeypatch.setattr(runguard.os, "open", refuse)
        yield folder


def test_a_read_only_folder_is_refused_before_training(read_only, monkeypatch, capsys):
    monkeypatch.setattr(training_loop, "build_run", lambda *a: pytest.fail("trained before checking the folder"))
    assert cli.main(["train", "--preset", "ring-2d", "--steps", "5", "--out", str(read_only), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"cannot write into {read_only}" in err and "Nothing was trained" in err


def test_an_existing_file_as_out_is_refused(tmp_path, capsys):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    assert cli.main(["train", "--preset", "ring-2d", "--steps", "5", "--out", str(f), "--quiet"]) == 1
    assert f"--out {f} is a file, not a folder" in capsys.readouterr().err and f.read_text() == "mine"


def test_a_full_disk_keeps_the_last_checkpoint_and_says_so(tmp_path, monkeypatch, capsys):
    out = tmp_path / "small"
    size = 831200                                     # ring-2d's checkpoint, in bytes
    with tmpfs(out, (size * 3 // 2) // 1024 + 32) as mounted:   # room for one checkpoint, not two
        if not mounted:                               # simulate: the second save meets ENOSPC
            real_save, calls = runstate.save_run, []

            def save_until_full(run, folder):
                calls.append(run.step)
                if len(calls) > 1:
                    raise OSError(errno.ENOSPC, "No space left on device", str(folder / "checkpoint.pt"))
                return real_save(run, folder)
            monkeypatch.setattr(runstate, "save_run", save_until_full)
        code = cli.main(["train", "--preset", "ring-2d", "--steps", "40", "--ckpt-every", "10",
                         "--out", str(out), "--quiet", "--device", "cpu"])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1, err
        assert "No space left on device" in err and "The previous checkpoint (step 10)" in err
        assert checkpoint.load(out / "checkpoint.pt")["step"] == 10
        assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


@pytest.mark.slow
def test_a_second_writer_is_refused_naming_the_holder_and_a_dead_holder_does_not_block(tmp_path, capsys):
    out = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom gan_course.training import guards as runguard\n"
                               "with runguard.RunFolder(sys.argv[1]):\n print('locked', flush=True)\n"
                               " time.sleep(600)\n", str(out)], env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert cli.main(["train", "--preset", "ring-2d", "--steps", "3", "--out", str(out), "--quiet"]) == 1
        err = capsys.readouterr().err
        assert f"is being trained into by pid {holder.pid} on" in err and "choose another output folder" in err
    finally:
        holder.kill()                                 # kill -9: the lock file stays, the lock does not
        holder.wait()
    assert (out / runguard.LOCK).exists()
    assert cli.main(["train", "--preset", "ring-2d", "--steps", "3", "--out", str(out), "--quiet"]) == 0
    assert not (out / runguard.LOCK).exists()


def test_stale_temporary_files_of_killed_saves_are_removed(tmp_path):
    train.fit(TrainConfig(**TINY, steps=2), out=tmp_path, progress=False)
    stale = tmp_path / ".checkpoint.pt.k1ll3d.tmp"
    stale.write_bytes(b"x" * 1000)
    train.fit(TrainConfig(**TINY, steps=3), out=tmp_path, progress=False)
    assert not stale.exists()


# ----------------------------------------------------------------------------- health before every checkpoint
@pytest.mark.parametrize("poisoned, what", [(8, "losses"), (9, "weights")])
def test_nan_at_an_unaligned_step_is_never_checkpointed(tmp_path, monkeypatch, poisoned, what):
    real_g_step = train.g_step

    def g_step_poisons_g(run, fake=None, y_fake=None):
        loss = real_g_step(run, fake, y_fake)
        if run.step == poisoned:     # in step 9, the next losses are NaN; in step 10 (saved) only the weights
            next(run.G.parameters()).data.fill_(float("nan"))
        return loss

    monkeypatch.setattr(training_step, "g_step", g_step_poisons_g)
    cfg = TrainConfig(**{**TINY, "log_every": 50}, steps=20, ckpt_every=5)
    with pytest.raises(train.TrainingDiverged, match=f"the {what} became NaN/inf.*between step 5 and step 10. "
                                                     "The checkpoint in .* from step 5 was kept; nothing later"):
        train.fit(cfg, out=tmp_path, progress=False)
    assert checkpoint.load(tmp_path / "checkpoint.pt")["step"] == 5


def test_exploding_losses_stop_the_run_like_nan(tmp_path):
    with pytest.raises(train.TrainingDiverged, match="exploded past 10000.*No checkpoint was written.*lower "
                                                     "learning rates"):
        train.fit(TrainConfig(**TINY, steps=100, lr_d=10.0, lr_g=10.0), out=tmp_path, progress=False)
    assert not (tmp_path / "checkpoint.pt").exists()


# ----------------------------------------------------------------------------- resume that tells the truth
def test_a_changed_lr_on_resume_is_applied_and_recorded(tmp_path):
    train.fit(TrainConfig(**TINY, steps=4), out=tmp_path, progress=False)
    with pytest.warns(UserWarning, match=r"lr_g 0.0002 → 0.0001.*betas \(0.5, 0.999\) → \(0.9, 0.99\)"):
        run = train.fit(TrainConfig(**TINY, steps=6, lr_g=1e-4, betas=(0.9, 0.99)), out=tmp_path, progress=False)
    assert run.opt_g.param_groups[0]["lr"] == 1e-4 and run.opt_d.param_groups[0]["betas"] == (0.9, 0.99)
    saved = checkpoint.load(tmp_path / "checkpoint.pt")
    assert saved["config"]["lr_g"] == 1e-4 and saved["opt_g"]["param_groups"][0]["lr"] == 1e-4


def test_a_changed_seed_on_resume_is_refused(tmp_path):
    train.fit(TrainConfig(**TINY, steps=2), out=tmp_path, progress=False)
    with pytest.raises(checkpoint.CheckpointError, match="seed: checkpoint 0 vs now 1"):
        train.fit(TrainConfig(**TINY, steps=4, seed=1), out=tmp_path, progress=False)


# ----------------------------------------------------------------------------- fit's clock (issue 11)
def test_img_per_s_excludes_the_callback(monkeypatch):
    now = [0.0]

    def clock(device):                                # a fake clock: each reading 1 s later
        now[0] += 1.0
        return now[0]

    def slow_callback(run):                           # a dashboard that takes 1 000 s to draw
        now[0] += 1000.0

    monkeypatch.setattr(training_loop, "_clock", clock)
    run = train.fit(TrainConfig(**TINY, steps=15), callback=slow_callback, progress=False)
    seconds = [5 * 16 / h["img_per_s"] for h in run.history]     # the time of each 5-step interval
    assert seconds == [1.0, 1.0, 1.0]


def test_the_clock_waits_for_the_gpu_before_it_is_read(monkeypatch):
    calls = []

    def slow_synchronize(device=None):
        time.sleep(0.2)                               # queued GPU work finishing
        calls.append(device)

    monkeypatch.setattr(torch.cuda, "synchronize", slow_synchronize)
    t0 = time.perf_counter()
    assert training_loop._clock(torch.device("cuda")) - t0 >= 0.2 and calls == [torch.device("cuda")]
    training_loop._clock(torch.device("cpu"))
    assert len(calls) == 1                           # no sync on the CPU


# ----------------------------------------------------------------------------- export
@pytest.fixture
def trained(tmp_path):
    out = tmp_path / "run"
    train.fit(TrainConfig(**TINY, steps=2, ema_half_life=500), out=out, progress=False)
    return out / "checkpoint.pt"


def test_export_never_writes_over_its_source_or_a_training_checkpoint(trained, tmp_path, capsys):
    before = trained.read_bytes()
    assert cli.main(["export", str(trained), "--out", str(trained)]) == 1
    assert "is the checkpoint being exported" in capsys.readouterr().err and trained.read_bytes() == before
    other = tmp_path / "other" / "checkpoint.pt"
    train.fit(TrainConfig(**TINY, steps=1), out=other.parent, progress=False)
    assert cli.main(["export", str(trained), "--out", str(other)]) == 1
    assert "it is a training checkpoint" in capsys.readouterr().err
    assert cli.main(["export", str(trained), "--out", str(tmp_path / "g.pt")]) == 0   # and re-exporting is fine
    assert cli.main(["export", str(trained), "--out", str(tmp_path / "g.pt")]) == 0


def test_export_of_a_wrong_shape_checkpoint_writes_nothing(trained, tmp_path, capsys):
    ckpt = checkpoint.load(trained)
    ckpt["config"]["width"] = 32
    checkpoint.save(ckpt, trained)
    assert cli.main(["export", str(trained), "--out", str(tmp_path / "g.pt")]) == 1
    assert "different architecture" in capsys.readouterr().err and not (tmp_path / "g.pt").exists()


# ----------------------------------------------------------------------------- one clear message each
def test_an_unsafe_pickle_is_refused_without_inviting_the_unsafe_fix(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    torch.save({"x": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(checkpoint.CheckpointError) as err:
        checkpoint.load(tmp_path / "evil.pt")
    assert "loading those could run code" in str(err.value) and "weights_only" not in str(err.value)


@pytest.mark.parametrize("payload, match", [({"G": {}}, r"lacks \['config'\]"),
                                            (torch.zeros(3), "holds a Tensor")])
def test_files_that_are_not_checkpoints(tmp_path, capsys, payload, match):
    torch.save(payload, tmp_path / "c.pt")
    assert cli.main(["sample", str(tmp_path / "c.pt"), "--n", "2", "--out", str(tmp_path / "s.npy")]) == 1
    assert len(capsys.readouterr().err.splitlines()) == 1
    with pytest.raises(checkpoint.CheckpointError, match=match):
        pretrained.load_generator(tmp_path / "c.pt")


def test_an_exported_generator_in_a_run_folder_is_not_resumed(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    shutil.copy(runtime.data_root() / "weights" / "dcgan_fmnist.pt", out / "checkpoint.pt")
    assert cli.main(["train", "--preset", "ring-2d", "--steps", "2", "--out", str(out), "--quiet"]) == 1
    assert "is an exported generator" in capsys.readouterr().err


@pytest.mark.parametrize("args, match", [
    (["--epochs", "nan"], "must be a finite number"), (["--epochs", "inf"], "must be a finite number"),
    (["--max-minutes", "nan"], "must be a finite number"), (["--steps", "0"], "at least 1"),
    (["--ckpt-every", "-1"], "0 or more")])
def test_train_arguments_are_checked(args, match, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--preset", "mlp-mnist", "--out", "x", *args])
    assert exit_.value.code == 2 and match in capsys.readouterr().err


def test_config_refuses_nan_and_inf():
    for bad in (dict(max_minutes=float("nan")), dict(lr_g=float("inf")), dict(betas=(0.5, float("nan")))):
        with pytest.raises(ValueError, match="must be a finite number"):
            TrainConfig(**bad)


@pytest.mark.slow
def test_a_bad_fast_flag_is_one_line_without_a_traceback():
    out = subprocess.run([sys.executable, "-m", "gan_course", "info"], capture_output=True, text=True,
                         env={**ENV, "GAN_COURSE_FAST": "maybe"})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("error: GAN_COURSE_FAST='maybe' is not a yes/no value")


@pytest.mark.parametrize("name", ["meta", "xpu"])
def test_device_types_the_course_cannot_use_are_refused(name, monkeypatch, capsys):
    monkeypatch.setenv("GAN_COURSE_DEVICE", name)
    assert cli.main(["info"]) == 1
    assert f"device {name!r} is not one the course runs on" in capsys.readouterr().err


@pytest.fixture
def ring_run(tmp_path):
    out = tmp_path / "ring"
    assert cli.main(["train", "--preset", "ring-2d", "--steps", "2", "--out", str(out), "--quiet"]) == 0
    return out / "checkpoint.pt"


@pytest.mark.parametrize("n", ["0", "5"])
def test_evaluate_needs_enough_samples(n, ring_run, capsys):
    assert cli.main(["evaluate", str(ring_run), "--n", n]) == 1
    assert f"--n {n}: evaluate needs between 10 and 60 000 samples" in capsys.readouterr().err


def test_evaluate_refuses_generators_of_other_datasets(ring_run, tmp_path, capsys):
    assert cli.main(["evaluate", str(ring_run), "--n", "100"]) == 1
    assert "was trained on 'ring'" in capsys.readouterr().err
    digits = tmp_path / "digits"
    train.fit(TrainConfig(**TINY, steps=1), out=digits, progress=False)
    assert cli.main(["evaluate", str(digits / "checkpoint.pt"), "--n", "100"]) == 1
    assert "was trained on 'mnist5k'" in capsys.readouterr().err


def test_sample_refuses_nan_images_and_a_name_without_npy(trained, tmp_path, capsys):
    assert cli.main(["sample", str(trained), "--n", "2", "--out", str(tmp_path / "x.txt")]) == 1
    assert "must end in .npy" in capsys.readouterr().err and not list(tmp_path.glob("x.txt*"))
    ckpt = checkpoint.load(trained)
    for v in ckpt["G_ema"].values():
        v.fill_(float("nan"))
    checkpoint.save(ckpt, trained)
    assert cli.main(["sample", str(trained), "--n", "2", "--out", str(tmp_path / "x.npy")]) == 1
    assert "contain NaN or inf" in capsys.readouterr().err and not (tmp_path / "x.npy").exists()


def test_sample_onto_a_full_disk_leaves_no_truncated_file(trained, tmp_path, monkeypatch, capsys):
    small = tmp_path / "small"
    with tmpfs(small, 64) as mounted:                 # 100 images are 314 kB
        if not mounted:
            monkeypatch.setattr(checkpoint.os, "fsync",
                                lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
        assert cli.main(["sample", str(trained), "--n", "100", "--out", str(small / "s.npy")]) == 1
        assert "No space left on device" in capsys.readouterr().err
        assert list(small.iterdir()) == []


def test_broken_feature_caches_are_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_RUNS", str(tmp_path))
    images, labels = metrics.data.load_fashion_mnist("test")
    monkeypatch.setattr(metrics.data, "load_fashion_mnist", lambda split: (images[:50], labels[:50]))
    monkeypatch.setattr(metrics, "SPLIT_SIZES", {"test": 50})     # a 50-image "split": quick to featurize
    fresh = metrics.real_features(split="test")      # computes and caches
    (path,) = (tmp_path / "cache").iterdir()
    for broken in (path.read_bytes()[:5000], None):
        if broken is None:
            torch.save(torch.zeros_like(fresh), path)    # zero-filled: FID 837 before
        else:
            path.write_bytes(broken)                     # truncated
        with pytest.warns(UserWarning, match="feature cache .* is unusable"):
            torch.testing.assert_close(metrics.real_features(split="test"), fresh)
    torch.save(fresh[:10], path)                     # the wrong number of rows
    with pytest.warns(UserWarning, match=r"expected float32 \(50, d\)"):
        metrics.real_features(split="test")


# ----------------------------------------------------------------------------- the manifest
@pytest.mark.parametrize("line, match", [
    ("not a digest line", "line 9 is malformed"),
    ("0" * 64 + "  ../../etc/hostname", "outside the data folder")])
def test_manifest_lines_are_checked_and_confined_to_data(data_copy, line, match):
    with open(data_copy / "MANIFEST.sha256", "a") as f:
        f.write(line + "\n")
    with pytest.raises(manifest.DataFileError, match=match):
        manifest.check_all(data_copy)


def test_a_wrong_digest_in_the_manifest_is_named_as_a_possibility(data_copy):
    path = data_copy / "MANIFEST.sha256"
    path.write_text(path.read_text().replace("846f6cad", "946f6cad"))
    with pytest.raises(manifest.DataFileError, match=r"or its line in .*MANIFEST.sha256 is wrong"):
        manifest.verified_path("mnist5k/mnist_5k.csv.gz", data_copy)


def test_check_data_fails_when_the_manifest_lacks_a_file_training_needs(data_copy):
    path = data_copy / "MANIFEST.sha256"
    path.write_text("".join(line + "\n" for line in path.read_text().splitlines() if "mnist_5k" not in line))
    with pytest.raises(manifest.DataFileError, match=r"does not list \['mnist5k/mnist_5k.csv.gz'\]"):
        manifest.check_all(data_copy)


def test_unreadable_data_files_get_a_message(data_copy, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(manifest, "sha256", denied)   # root can read anything: simulate the denial
    with pytest.raises(manifest.DataFileError, match="cannot be read \\(Permission denied\\). Check its permissions"):
        manifest.verified_path("mnist5k/mnist_5k.csv.gz", data_copy)
    monkeypatch.setattr(type(data_copy), "read_text", denied)
    with pytest.raises(manifest.DataFileError, match="MANIFEST.sha256 cannot be read"):
        manifest.read_manifest(data_copy)
    monkeypatch.setattr(type(data_copy), "is_file", denied)        # a folder we may not enter
    with pytest.raises(manifest.DataFileError, match="cannot be reached \\(Permission denied\\)"):
        manifest.read_manifest(data_copy)
