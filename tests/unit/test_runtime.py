import warnings
import pytest
import torch

from gan_course import runtime


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), (" YES ", True), ("on", True),
                                           ("", False), ("0", False), ("False", False), ("off", False)])
def test_read_fast_accepts_yes_no_words(raw, expected):
    assert runtime.read_fast(raw) is expected


def test_read_fast_rejects_unreadable_value_and_says_what_to_do():
    with pytest.raises(ValueError, match=r"GAN_COURSE_FAST='maybe'.*Set it to 1"):
        runtime.read_fast("maybe")


def test_device_defaults_to_cuda_only_when_available():
    assert runtime.device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert runtime.device("cpu") == torch.device("cpu")


def test_device_rejects_nonsense_name():
    with pytest.raises(ValueError, match="not a device name"):
        runtime.device("gpu0")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU message")
def test_device_cuda_without_gpu_says_what_to_do():
    with pytest.raises(ValueError, match="no usable CUDA GPU.*device='cpu'"):
        runtime.device("cuda")


def test_seed_everything_repeats_draws():
    runtime.seed_everything(3)
    a = torch.randn(5)
    runtime.seed_everything(3)
    torch.testing.assert_close(torch.randn(5), a, rtol=0, atol=0)


def test_data_root_follows_argument_then_env(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_DATA", str(tmp_path / "env"))
    assert runtime.data_root() == tmp_path / "env"
    assert runtime.data_root(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("GAN_COURSE_DATA")
    assert runtime.data_root() == runtime.REPO_ROOT / "data"


def test_data_root_outside_a_clone_is_the_packaged_data(monkeypatch, tmp_path):
    # an installed wheel: gan_course/_data exists, no clone around the package
    packaged = tmp_path / "site-packages" / "gan_course" / "_data"
    packaged.mkdir(parents=True)
    monkeypatch.setattr(runtime, "PACKAGED_DATA", packaged)
    monkeypatch.setattr(runtime, "REPO_ROOT", tmp_path / "site-packages")
    monkeypatch.delenv("GAN_COURSE_DATA", raising=False)
    assert runtime.data_root() == packaged
    monkeypatch.setenv("GAN_COURSE_DATA", str(tmp_path / "env"))   # the variable still wins
    assert runtime.data_root() == tmp_path / "env"


def test_data_root_in_a_clone_is_its_data_folder(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_DATA", raising=False)
    assert not runtime.PACKAGED_DATA.exists(), "gan_course/_data exists only in a wheel; remove it from the clone"
    assert runtime.in_clone()
    assert runtime.data_root() == runtime.REPO_ROOT / "data"


def test_runs_dir_in_a_clone_then_outside_then_env(monkeypatch, tmp_path):
    monkeypatch.delenv("GAN_COURSE_RUNS", raising=False)
    assert runtime.runs_dir() == runtime.REPO_ROOT / "runs"
    monkeypatch.setattr(runtime, "REPO_ROOT", tmp_path / "site-packages")   # installed: no pyproject.toml
    monkeypatch.chdir(tmp_path)
    assert not runtime.in_clone()
    assert runtime.runs_dir() == tmp_path / "runs"                         # beside the notebook
    monkeypatch.setenv("GAN_COURSE_RUNS", str(tmp_path / "env"))
    assert runtime.runs_dir() == tmp_path / "env"


def test_report_names_versions_and_device():
    info = runtime.report()
    assert info["torch"] == torch.__version__
    assert info["device"] in {"cpu", "cuda"}
    assert info["cpu_threads"] == torch.get_num_threads()


def test_device_picks_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert runtime._default_device() == "cpu"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert runtime._default_device() == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runtime._default_device() == "cuda"


def test_mps_says_once_how_to_fall_back_for_a_missing_op(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_DEVICE", raising=False)
    monkeypatch.delenv("PYTORCH_ENABLE_MPS_FALLBACK", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    monkeypatch.setattr(runtime, "_mps_noted", False)
    with pytest.warns(UserWarning, match="PYTORCH_ENABLE_MPS_FALLBACK=1 jupyter lab") as caught:
        assert runtime.device() == torch.device("mps")
        runtime.device()
    assert len(caught) == 1
    monkeypatch.setattr(runtime, "_mps_noted", False)
    monkeypatch.setenv("PYTORCH_ENABLE_MPS_FALLBACK", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runtime.device()                                     # fallback already on: nothing to say


def test_run_dir_keeps_fast_and_full_apart(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_RUNS", str(tmp_path))
    monkeypatch.setattr(runtime, "FAST", True)
    fast = runtime.run_dir("05_dcgan_fmnist")
    monkeypatch.setattr(runtime, "FAST", False)
    full = runtime.run_dir("05_dcgan_fmnist")
    assert fast != full and fast.parent == full.parent == tmp_path
    assert (fast.name, full.name) == ("05_dcgan_fmnist-fast", "05_dcgan_fmnist-full")
    with pytest.raises(ValueError, match="plain folder name"):
        runtime.run_dir("../elsewhere")


def test_seed_everything_repeats_python_numpy_and_torch():
    import random

    import numpy as np

    def draw():
        return random.random(), float(np.random.rand()), torch.rand(()).item()

    runtime.seed_everything(7)
    first = draw()
    runtime.seed_everything(7)
    assert draw() == first
