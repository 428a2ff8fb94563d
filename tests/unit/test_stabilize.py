import dataclasses
import json
import math
import statistics
from pathlib import Path

import pytest
import torch

from gan_course import losses, nets, presets, stabilize, stabilize_probe, train


def test_each_method_changes_only_its_own_fields():
    base = dataclasses.asdict(stabilize.config("NS baseline", steps=10))
    for method, overrides in stabilize.METHODS.items():
        cfg = dataclasses.asdict(stabilize.config(method, steps=10))
        changed = {k for k in cfg if cfg[k] != base[k]} - {"name"}
        assert changed == set(overrides), method
        assert cfg["name"] == method
    assert base["ema_half_life"] > 0 and base["arch"] == presets.PRESETS["dcgan-fmnist"]["arch"]


def test_one_change_per_row_against_its_reference():
    # every row but WGAN-GP (a published recipe) changes one thing against the baseline, or against
    # "no BatchNorm in D" for the rows built on that critic
    base = dataclasses.asdict(stabilize.config(stabilize.BASELINE, steps=10))
    for method in stabilize.METHODS | stabilize.CHECKS:
        if method.startswith("WGAN-GP") or method == stabilize.BASELINE:
            continue
        ref = dataclasses.asdict(stabilize.config(stabilize.REFERENCE.get(method, stabilize.BASELINE), steps=10))
        cfg = dataclasses.asdict(stabilize.config(method, steps=10))
        changed = {k for k in cfg if cfg[k] != ref[k]} - {"name"}
        assert len(changed) == 1 or changed in ({"lr_d", "lr_g"}, {"loss", "r1_gamma"}), (method, changed)  # TTUR: two rates; R1: the loss and its γ
    wgan = stabilize.config("WGAN-GP (published recipe)", steps=10)
    assert (wgan.k_d, wgan.betas, wgan.lr_d, wgan.lr_g, wgan.loss) == (5, (0.0, 0.9), 1e-4, 1e-4, "wgan-gp")
    assert not nets.critic_has_batchnorm(wgan.arch) and base["arch"] == "dcgan"


def test_the_r1_sweep_uses_its_own_gammas_and_the_sn_bn_critic_has_both():
    for g in stabilize.R1_GAMMAS:
        cfg = stabilize.config(f"R1 γ={g:g}", steps=10)
        assert cfg.loss == "ns-r1" and cfg.r1_gamma == g and losses.get(cfg.loss).r1 and not nets.critic_has_batchnorm(cfg.arch)
    assert losses.R1_GAMMA in stabilize.R1_GAMMAS
    _, D = nets.build("dcgan-sn-bn", 8, 4)
    convs = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)]
    assert nets.has_batchnorm(D) and all(hasattr(m, "parametrizations") for m in convs) and len(convs) == 3


def test_unknown_method_is_named():
    with pytest.raises(ValueError, match="unknown method 'dropout'"):
        stabilize.config("dropout", steps=10)


def test_significance_is_delta_against_the_sum_of_both_stds_and_welch_t():
    ref, val = [10.0, 12.0, 14.0], [20.0, 21.0, 25.0]
    sig = stabilize.significance(ref, val)
    delta = statistics.fmean(val) - statistics.fmean(ref)
    s_r, s_v = statistics.stdev(ref), statistics.stdev(val)
    assert sig["delta"] == pytest.approx(delta) and sig["spread"] == pytest.approx(s_r + s_v)
    assert sig["beyond"] is (abs(delta) > s_r + s_v) is True
    assert sig["welch_t"] == pytest.approx(delta / math.sqrt(s_r ** 2 / 3 + s_v ** 2 / 3))
    close = stabilize.significance(ref, [11.0, 13.0, 17.0])            # Δ 1.67 < 2 + 3.06
    assert close["beyond"] is False and close["welch_t"] == pytest.approx(1.6667 / math.sqrt(4 / 3 + 9.3333 / 3), rel=1e-4)
    assert stabilize.significance(ref, [13.0, 15.0, 17.0])["beyond"] is False   # Δ 3 > each std 2, < their sum
    one = stabilize.significance([10.0], [20.0])
    assert one["beyond"] is None and math.isnan(one["spread"]) and one["delta"] == 10.0


def test_summary_and_table_follow_methods_order_and_mark_what_is_beyond_the_spread():
    rows = [{"method": m, "fid": f, "precision": 0.5, "recall": 0.4, "seconds": 9.0}
            for m, fids in [(stabilize.BASELINE, [50, 52, 54]), (stabilize.NO_BN, [70, 71, 72]),
                            ("R1 γ=0.001", [69, 73, 77])] for f in fids]
    lines = {s["method"]: s for s in stabilize.summarize(rows)}
    assert lines[stabilize.BASELINE]["vs_baseline"] is None and lines[stabilize.BASELINE]["std"] == 2.0
    assert lines[stabilize.NO_BN]["vs_baseline"]["beyond"] is True and lines[stabilize.NO_BN]["vs_no_bn"] is None
    assert lines["R1 γ=0.001"]["vs_no_bn"]["beyond"] is False and lines["R1 γ=0.001"]["vs_no_bn"]["delta"] == 2.0
    text = stabilize.table(rows).splitlines()
    assert text[2].startswith(stabilize.BASELINE) and "52.0 ± 2.0" in text[2]
    assert "+19.0" in text[3] and text[3].split("+19.0")[1].split()[1] == "*"      # Δ, Welch t, then the mark
    assert "+21.0 t=+8.1 *" in text[4] and "+2.0 t=+0.8 " in text[4] and "*" not in text[4].split("+2.0")[1]


def test_run_scores_and_then_loads_instead_of_retraining(tmp_path, monkeypatch):
    rows = stabilize.run_method("NS baseline", steps=2, n_eval=60, out=tmp_path, width=8, batch_size=16,
                                device="cpu", seed=1, progress=False)
    assert [r["method"] for r in rows] == ["NS baseline", stabilize.EMA_OFF]
    for r in rows:
        assert r["n"] == 60 and r["steps"] == 2 and r["seed"] == 1 and r["fid"] > 0 and 0 <= r["recall"] <= 1
    assert (stabilize.folder(tmp_path, "NS baseline", 1) / "checkpoint.pt").is_file()
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("a finished method must not be retrained"))
    assert stabilize.run_method("NS baseline", steps=2, n_eval=60, out=tmp_path, width=8, batch_size=16,
                                seed=1) == rows
    with pytest.raises(pytest.fail.Exception):                      # another width is another run
        stabilize.run_method("NS baseline", steps=2, n_eval=60, out=tmp_path, width=16, batch_size=16, seed=1)


def test_wgan_gp_and_r1_sweep_run(tmp_path):
    for method in ("WGAN-GP (published recipe)", "R1 γ=0.1", "SN, BatchNorm kept"):
        rows = stabilize.run_method(method, steps=2, n_eval=60, out=tmp_path, width=8, batch_size=16,
                                    device="cpu", progress=False)
        assert len(rows) == 1 and rows[0]["fid"] > 0


def test_probe_measures_d_and_gs_gradient_without_changing_the_run():
    cfg = presets.config("dcgan-fmnist", steps=3, width=8, batch_size=16, device="cpu", compile="off",
                         ema_half_life=0, ckpt_minutes=0, log_every=1, arch="dcgan-sn-bn")
    plain = train.fit(cfg, progress=False)
    traces = []
    probed = train.fit(cfg, callback=lambda run: traces.append(stabilize_probe.probe(run)), progress=False)
    for a, b in zip(plain.G.state_dict().values(), probed.G.state_dict().values()):
        torch.testing.assert_close(a, b)                            # BatchNorm statistics included
    for a, b in zip(plain.D.state_dict().values(), probed.D.state_dict().values()):
        torch.testing.assert_close(a, b)                            # spectral norm's u, v included
    p = traces[-1]
    assert [t["step"] for t in traces] == [1, 2, 3] and 0 < p["d_real"] < 1 and 0 < p["d_fake"] < 1
    # the gradient norm, by hand, on the same z (train mode, as the probe runs; D first sees the real batch,
    # which moves spectral norm's power iteration one step)
    G, D = probed.G, probed.D
    buffers = [b.clone() for net in (G, D) for b in net.buffers()]
    z = torch.randn(256, cfg.z_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        D(probed.real(probed.step)[0])
    fake = G(z)
    logits = D(fake)
    # ‖∇x D‖: per fake image, the norm of d(sum of logits)/d(image), averaged — one image at a time by hand
    per_image = torch.autograd.grad(logits.sum(), fake, retain_graph=True)[0]
    x_grad = statistics.fmean(float(torch.sqrt((per_image[i] ** 2).sum())) for i in range(len(fake)))
    loss = losses.g_nonsaturating(logits)
    norm = torch.cat([g.flatten() for g in torch.autograd.grad(loss, list(G.parameters()))]).norm()
    with torch.no_grad():
        for b, v in zip([b for net in (G, D) for b in net.buffers()], buffers):
            b.copy_(v)
    got = stabilize_probe.probe(probed)
    torch.testing.assert_close(got["g_grad"], norm.item())
    assert got["x_grad"] == pytest.approx(x_grad, rel=1e-5) and x_grad > 0
    # the probe's table prints the NS factor 1 − D(G(z)) beside the two gradient norms
    row = stabilize_probe.table({"v": [got]}).splitlines()[2].split()
    assert [float(v) for v in row[1:]] == pytest.approx(
        [got["d_real"], got["d_fake"], 1 - got["d_fake"], got["x_grad"], got["g_grad"]], abs=6e-4)


def test_paired_significance_reads_the_difference_seed_by_seed():
    # the referee's EMA figures: baseline 472/551/502, its raw G 435/497/456 — the same three runs
    ref, val = [472.0, 551.0, 502.0], [435.0, 497.0, 456.0]
    sig = stabilize.significance(ref, val, paired=True)
    d = [-37.0, -54.0, -46.0]
    assert sig["per_seed"] == d
    assert sig["paired_t"] == pytest.approx(statistics.fmean(d) / (statistics.stdev(d) / math.sqrt(3)))
    assert sig["paired_t"] == pytest.approx(-9.3, abs=0.05) and abs(sig["welch_t"]) < 2   # pairing is what tells
    assert "per_seed" not in stabilize.significance(ref, val)                               # unpaired by default
    with pytest.raises(ValueError, match="one value per seed"):
        stabilize.significance(ref, val[:2], paired=True)


def test_summary_pairs_rows_by_seed_and_the_table_prints_each_seeds_delta():
    fids = {stabilize.BASELINE: [472, 551, 502], stabilize.EMA_OFF: [435, 497, 456],
            stabilize.NO_BN: [439, 544, 407], "R1 γ=0.1": [440, 539, 406]}
    rows = [{"method": m, "fid": f, "seed": s, "precision": 0.5, "recall": 0.0, "seconds": 1.0}
            for m, fs in fids.items() for s, f in reversed(list(enumerate(fs)))]    # seeds out of order
    lines = {s["method"]: s for s in stabilize.summarize(rows)}
    assert lines[stabilize.EMA_OFF]["vs_baseline"]["per_seed"] == [-37, -54, -46]
    assert lines["R1 γ=0.1"]["vs_no_bn"]["per_seed"] == [1, -5, -1]
    assert "per_seed" not in lines["R1 γ=0.1"]["vs_baseline"] and "per_seed" not in lines[stabilize.NO_BN]["vs_baseline"]
    text = stabilize.table(rows).splitlines()
    assert text[3].startswith(stabilize.EMA_OFF) and text[3].endswith("-37 / -54 / -46 t=-9.3")
    assert text[5].endswith("+1 / -5 / -1 t=-0.9") and " / " not in text[4]          # no-BN row: unpaired
    other_seeds = [dict(r, seed=r["seed"] + 3) if r["method"] == stabilize.EMA_OFF else r for r in rows]
    assert "per_seed" not in {s["method"]: s for s in stabilize.summarize(other_seeds)}[stabilize.EMA_OFF]["vs_baseline"]


def test_strong_d_probes_given_overrides_such_as_the_tables_rows(monkeypatch):
    seen = []
    monkeypatch.setattr(train, "fit", lambda cfg, **k: seen.append((cfg.name, cfg.lr_d, cfg.arch)))
    rows = {m: stabilize.METHODS[m] for m in ("SN, BatchNorm kept", "TTUR (SAGAN's lr_D 4e-4, lr_G 1e-4)")}
    assert list(stabilize_probe.strong_d(4, variants=rows)) == list(rows)
    assert seen == [("SN, BatchNorm kept", 2e-4, "dcgan-sn-bn"), ("TTUR (SAGAN's lr_D 4e-4, lr_G 1e-4)", 4e-4, "dcgan")]
    seen.clear()
    stabilize_probe.strong_d(4, variants=["strong D + SN (BatchNorm kept)"])
    assert seen == [("strong D + SN (BatchNorm kept)", stabilize_probe.STRONG_LR_D, "dcgan-sn-bn")]


# ----------------------------------------------------------------------------- the stored FULL table
REPO = Path(__file__).resolve().parents[2]
STORED = REPO / "benchmarks" / "stabilize_full"


def _stored_rows(methods=stabilize.METHODS):
    return [row for m in methods for s in (0, 1, 2)
            for row in json.loads((stabilize.folder(STORED, m, s) / "result.json").read_text())]


def test_every_row_of_the_stored_full_table_has_three_seeds_at_one_setting():
    rows = _stored_rows()
    assert {r["method"] for r in rows} == {*stabilize.METHODS, stabilize.EMA_OFF}
    assert {(r["steps"], r["width"], r["batch_size"], r["n"]) for r in rows} == {(2500, 16, 64, 1000)}
