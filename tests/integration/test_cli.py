import dataclasses
import json
import re
import subprocess
import sys

from gan_course import cli, runtime
from gan_course.data import manifest


def test_check_data_ok(capsys):
    assert cli.main(["check-data"]) == 0
    assert f"data OK: {len(manifest.read_manifest(runtime.data_root()))} files" in capsys.readouterr().out


def test_check_data_reports_corruption_with_exit_1(data_copy, capsys):
    (data_copy / "mnist5k/mnist_5k.csv.gz").write_bytes(b"not the file")
    assert cli.main(["check-data", "--root", str(data_copy)]) == 1
    assert "mnist_5k.csv.gz is corrupt" in capsys.readouterr().err


def test_module_entry_point_prints_json():
    out = subprocess.run([sys.executable, "-m", "gan_course", "info"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["cpu_threads"] >= 1


def test_unreadable_fast_flag_fails_where_fast_is_read_with_the_message():
    env = {"GAN_COURSE_FAST": "perhaps", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", "import gan_course as gc; gc.FAST"], capture_output=True, text=True, env=env)
    assert out.returncode != 0 and "GAN_COURSE_FAST='perhaps' is not a yes/no value" in out.stderr


def test_train_sample_evaluate_round_trip(tmp_path, capsys):
    import numpy as np

    out = tmp_path / "run"
    assert cli.main(["train", "--preset", "dcgan-fmnist", "--steps", "3", "--out", str(out), "--quiet",
                     "--device", "cpu"]) == 0
    assert {p.name for p in out.iterdir()} == {"checkpoint.pt", "metrics.jsonl", "samples.png"}
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["step"] == 3
    # re-running resumes up to a new target
    assert cli.main(["train", "--preset", "dcgan-fmnist", "--steps", "5", "--out", str(out), "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["step"] == 5
    npy = tmp_path / "s.npy"
    assert cli.main(["sample", str(out / "checkpoint.pt"), "--n", "7", "--out", str(npy), "--seed", "1"]) == 0
    images = np.load(npy)
    assert images.shape == (7, 1, 28, 28) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    capsys.readouterr()
    assert cli.main(["evaluate", str(out / "checkpoint.pt"), "--n", "500"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"fid", "kid", "precision", "recall", "density", "coverage", "n"} <= set(result)
    assert result["n"] == 500 and result["fid"] > 0
    for key in ("precision", "recall", "coverage"):
        assert 0 <= result[key] <= 1
    # export: the (EMA) generator alone, which evaluate and sample read like a checkpoint
    small = tmp_path / "g.pt"
    assert cli.main(["export", str(out / "checkpoint.pt"), "--out", str(small)]) == 0
    assert json.loads(capsys.readouterr().out)["bytes"] < (out / "checkpoint.pt").stat().st_size / 2
    assert cli.main(["sample", str(small), "--n", "7", "--out", str(tmp_path / "t.npy"), "--seed", "1"]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "t.npy"), images)


def test_bad_inputs_get_one_clear_line(tmp_path, capsys):
    out = tmp_path / "run"
    import pytest

    with pytest.raises(SystemExit) as exit_:          # argparse: usage and one line, exit code 2
        cli.main(["train", "--preset", "mlp-mnist", "--epochs", "-1", "--out", str(out)])
    assert exit_.value.code == 2 and "--epochs: -1 must be a finite number, positive" in capsys.readouterr().err
    assert cli.main(["train", "--preset", "mlp-mnist", "--steps", "2", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert cli.main(["train", "--preset", "dcgan-fmnist", "--steps", "2", "--out", str(out), "--quiet"]) == 1
    assert "name: checkpoint 'mlp-mnist' vs now 'dcgan-fmnist'" in capsys.readouterr().err
    ckpt = out / "checkpoint.pt"
    ckpt.write_bytes(ckpt.read_bytes()[:1000])
    assert cli.main(["sample", str(ckpt), "--n", "2", "--out", str(tmp_path / "x.npy")]) == 1
    assert "truncated" in capsys.readouterr().err


def test_unknown_preset_is_one_line_naming_the_choices_and_the_presets_command(capsys):
    assert cli.main(["train", "--preset", "stylegan", "--out", "x"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --preset stylegan") and err.count("\n") == 1
    assert "dcgan-fmnist" in err and "python -m gan_course presets" in err


def test_the_parsers_preset_names_are_the_presets():
    from gan_course.training import presets

    assert list(cli.PRESET_NAMES) == sorted(presets.PRESETS)


def test_help_imports_no_torch_and_lists_each_command_once():
    probe = ("import sys, contextlib, io\nfrom gan_course import cli\nbuf = io.StringIO()\n"
             "with contextlib.redirect_stdout(buf):\n    try: cli.main(['--help'])\n    except SystemExit: pass\n"
             "print(buf.getvalue()); print('torch loaded:', 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.rstrip().endswith("torch loaded: False"), out
    for command in ("train", "sample", "evaluate", "export", "presets", "train-classifier", "check-data", "info"):
        listed = re.findall(rf"^ {{4}}{re.escape(command)}(?:\s|$)", out, re.MULTILINE)   # the command list's own indent
        assert len(listed) == 1, (command, out)


def test_each_command_has_an_example_and_its_options_say_their_defaults(capsys):
    import pytest

    for command in ("train", "sample", "evaluate", "export", "presets", "train-classifier", "check-data", "info"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        text = capsys.readouterr().out
        assert f"example:\n  python -m gan_course {command}" in text, text
    with pytest.raises(SystemExit):
        cli.main(["sample", "--help"])
    text = capsys.readouterr().out
    assert "(default 0)" in text and "cpu, cuda" in text and "dcgan_fmnist" in text


def test_a_missing_gpu_is_explained_in_the_command_lines_terms(capsys):
    import pytest
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    assert cli.main(["sample", "dcgan_fmnist", "--n", "2", "--out", "x.npy", "--device", "cuda"]) == 1
    err = capsys.readouterr().err
    assert "--device cpu" in err and "device='cpu'" not in err and err.count("\n") == 1


def test_sample_label_needs_a_conditional_generator(tmp_path, capsys):
    import numpy as np

    out = tmp_path / "cgan"
    assert cli.main(["train", "--preset", "cgan-fmnist", "--steps", "2", "--out", str(out), "--quiet"]) == 0
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    assert cli.main(["sample", str(out / "checkpoint.pt"), "--n", "4", "--out", str(a), "--label", "3"]) == 0
    assert cli.main(["sample", str(out / "checkpoint.pt"), "--n", "4", "--out", str(b), "--label", "7"]) == 0
    assert np.load(a).shape == (4, 1, 28, 28) and not np.array_equal(np.load(a), np.load(b))
    assert cli.main(["sample", str(out / "checkpoint.pt"), "--n", "4", "--out", str(a), "--label", "10"]) == 1
    assert "classes 0..9" in capsys.readouterr().err
    plain = tmp_path / "plain"
    assert cli.main(["train", "--preset", "mlp-mnist", "--steps", "2", "--out", str(plain), "--quiet"]) == 0
    assert cli.main(["sample", str(plain / "checkpoint.pt"), "--n", "4", "--out", str(a), "--label", "1"]) == 1
    assert "unconditional" in capsys.readouterr().err


def test_evaluate_scores_a_conditional_generator_on_balanced_samples_and_reports_each_class(monkeypatch, capsys):
    """The conditional part of evaluate, on known answers: a generator whose image is its label, and
    per-class accuracies given, so the samples' classes, the mean and the worst class are known."""
    import torch

    from gan_course import data, metrics, pretrained, train

    class LabelAsImage(torch.nn.Module):
        z_dim, num_classes = 2, 10

        def forward(self, z, y):
            return (y.float() / 10)[:, None, None, None].expand(len(y), 1, 28, 28)

    seen = {}
    accuracies = [1.0, 0.9, 0.8, 1.0, 0.9, 0.5, 1.0, 0.9, 1.0, 1.0]       # mean 0.9, worst 0.5 (Sandal)
    monkeypatch.setattr(pretrained, "load_config", lambda _: dataclasses.asdict(train.TrainConfig(arch="cdcgan", dataset="fashion_mnist")))
    monkeypatch.setattr(pretrained, "load_generator", lambda *_: LabelAsImage())
    monkeypatch.setattr(metrics, "evaluate", lambda images, seed: seen.update(images=images) or {"fid": 1.0})
    monkeypatch.setattr(metrics, "per_class", lambda G, n, seed: seen.update(n=n) or [
        {"label": c, "class": data.FASHION_CLASSES[c], "accuracy": a, "fid": 0.0} for c, a in enumerate(accuracies)])
    assert cli.main(["evaluate", "whatever.pt", "--n", "200"]) == 0
    out = json.loads(capsys.readouterr().out)
    counts = torch.bincount((seen["images"][:, 0, 0, 0] * 10).round().long(), minlength=10)
    assert counts.tolist() == [20] * 10 and seen["n"] == 20               # 200 samples, 20 of each class
    assert out["class_accuracy"] == 0.9 and out["class_accuracy_min"] == 0.5
    assert out["per_class_accuracy"] == dict(zip(data.FASHION_CLASSES, accuracies))
