import pytest
import torch
from torch import nn

from gan_course import files as checkpoint, nets


def test_round_trip(tmp_path):
    G, _ = nets.build("mlp", 8, 8)
    path = checkpoint.save({"G": G.state_dict(), "step": 3, "betas": (0.5, 0.999)}, tmp_path / "c.pt")
    loaded = checkpoint.load(path)
    assert loaded["step"] == 3 and loaded["betas"] == (0.5, 0.999)
    G2, _ = nets.build("mlp", 8, 8)
    checkpoint.load_state(G2, loaded["G"], "generator")
    for a, b in zip(G.state_dict().values(), G2.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_failed_save_keeps_the_previous_file_and_leaves_no_temp(tmp_path):
    path = checkpoint.save({"step": 1}, tmp_path / "c.pt")

    def explode(f):
        f.write(b"half a checkpoint")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        checkpoint.atomic_write(path, explode)
    assert checkpoint.load(path)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]


def test_truncated_file_gets_a_clear_error(tmp_path):
    path = checkpoint.save({"w": torch.randn(1000)}, tmp_path / "c.pt")
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(checkpoint.CheckpointError, match="truncated"):
        checkpoint.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        checkpoint.load(tmp_path / "nope.pt")


def test_code_in_a_checkpoint_is_not_run(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pt"
    torch.save({"x": Evil()}, path)
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.load(path)


def test_other_architecture_names_the_mismatched_keys(tmp_path):
    G_small, _ = nets.build("mlp", 8, 8)
    G_big, _ = nets.build("mlp", 8, 16)
    with pytest.raises(checkpoint.CheckpointError, match=r"net\.0\.weight: checkpoint \(8, 8\) vs model \(16, 8\)"):
        checkpoint.load_state(G_big, G_small.state_dict(), "generator", "c.pt")
    G_dc, _ = nets.build("dcgan", 8, 8)
    with pytest.raises(checkpoint.CheckpointError, match="missing from the checkpoint.*net.1.running_mean"):
        checkpoint.load_state(G_dc, G_small.state_dict(), "generator", "c.pt")
    with pytest.raises(checkpoint.CheckpointError, match="not in the model"):
        checkpoint.load_state(nn.Linear(2, 2), G_small.state_dict(), "generator", "c.pt")


def test_a_checkpoint_gets_the_usual_file_permissions(tmp_path):
    import os
    import stat
    umask = os.umask(0o022)
    try:
        path = checkpoint.save({"step": 1}, tmp_path / "c.pt")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644          # not mkstemp's 0600
