import dataclasses

import pytest

from gan_course import presets, stabilize, train


def test_each_method_changes_only_its_own_fields():
    base = dataclasses.asdict(stabilize.config("NS baseline", steps=10))
    for method, overrides in stabilize.METHODS.items():
        cfg = dataclasses.asdict(stabilize.config(method, steps=10))
        changed = {k for k in cfg if cfg[k] != base[k]} - {"name"}
        assert changed == set(overrides), method
        assert cfg["name"] == method
    assert base["ema_half_life"] > 0 and base["arch"] == presets.PRESETS["dcgan-fmnist"]["arch"]


def test_unknown_method_is_named():
    with pytest.raises(ValueError, match="unknown method 'dropout'"):
        stabilize.config("dropout", steps=10)


def test_run_scores_and_then_loads_instead_of_retraining(tmp_path, monkeypatch):
    rows = stabilize.run_method("NS baseline", steps=2, n_eval=60, out=tmp_path, width=8, batch_size=16,
                                device="cpu", progress=False)
    assert [r["method"] for r in rows] == ["NS baseline", stabilize.EMA_OFF]
    for r in rows:
        assert r["n"] == 60 and r["steps"] == 2 and r["fid"] > 0 and 0 <= r["recall"] <= 1
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("a finished method must not be retrained"))
    assert stabilize.run_method("NS baseline", steps=2, n_eval=60, out=tmp_path) == rows
    text = stabilize.table(rows)
    assert text.splitlines()[2].startswith(min(rows, key=lambda r: r["fid"])["method"])


def test_wgan_gp_runs_its_critic_steps(tmp_path):
    rows = stabilize.run_method("WGAN-GP (n_critic 5, λ 10)", steps=2, n_eval=60, out=tmp_path, width=8,
                                batch_size=16, device="cpu", progress=False)
    assert len(rows) == 1 and rows[0]["fid"] > 0
