"""Formulas notebook 04b prints that are PyTorch identities rather than package code: the Keras
slips' losses on logits, and two LeakyReLU layers in a row. (The conv arithmetic is in
test_shapes.py, the classifier's figures in test_digits.py.)"""
import torch
import torch.nn.functional as F
from torch import nn

from gan_course import losses

LOGITS = torch.linspace(-8, 8, 33, dtype=torch.float64)


def test_g_toward_the_fake_label_is_minus_the_minimax_loss_and_pushes_logits_down():
    l = LOGITS.clone().requires_grad_(True)
    toward_fake = F.binary_cross_entropy_with_logits(l, torch.zeros_like(l))
    torch.testing.assert_close(toward_fake, F.softplus(l).mean())                   # softplus(l)
    torch.testing.assert_close(toward_fake, -torch.log1p(-torch.sigmoid(l)).mean())  # −log(1 − D(G(z)))
    torch.testing.assert_close(toward_fake, -losses.g_saturating(l))                # minus the minimax G loss
    (grad,) = torch.autograd.grad(toward_fake * len(l), l)
    torch.testing.assert_close(grad, torch.sigmoid(l).detach())                     # σ(l) > 0: G lowers D's logit
    right = F.binary_cross_entropy_with_logits(l, torch.ones_like(l))
    torch.testing.assert_close(right, losses.g_nonsaturating(l))
    (grad,) = torch.autograd.grad(right * len(l), l)
    torch.testing.assert_close(grad, torch.sigmoid(l).detach() - 1)                 # σ(l) − 1 < 0: raises it


def test_d_on_reals_only_is_lowered_by_calling_everything_real():
    real, fake = LOGITS + 1.5, 0.5 * LOGITS - 1        # not symmetric about 0, so the two terms differ
    reals_only = F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
    torch.testing.assert_close(reals_only, F.softplus(-real).mean())
    shifted = F.binary_cross_entropy_with_logits(real + 5, torch.ones_like(real))
    assert shifted < reals_only                                                     # raise every logit: lower loss
    torch.testing.assert_close(losses.d_bce(real, fake) - F.softplus(fake).mean(), reals_only)   # d_bce minus its fake term


def test_two_leaky_relus_are_one_with_the_slope_squared():
    x = torch.linspace(-3, 3, 61)
    for a in (0.2, 0.01, 0.5):
        twice = nn.Sequential(nn.LeakyReLU(a), nn.LeakyReLU(a))(x)
        torch.testing.assert_close(twice, F.leaky_relu(x, a * a))
        torch.testing.assert_close(twice[x < 0] / x[x < 0], torch.full(((x < 0).sum().item(),), a * a))


# ----------------------------------------------------------------------------- Part 3's CPU sweep (benchmarks/digits_sweep.md)
def _digits_sweep():
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("digits_sweep", root / "benchmarks" / "digits_sweep.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = sorted((root / "benchmarks" / "digits_sweep").glob("*.jsonl"))
    rows = [json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()]
    return root, module, files, rows


def test_the_digit_sweep_write_up_holds_the_table_of_its_stored_runs():
    root, sweep, files, _ = _digits_sweep()
    assert len(files) == 11, "eleven runs were measured; a run was added or lost"
    assert sweep.table(files) in (root / "benchmarks" / "digits_sweep.md").read_text(), \
        "run `python benchmarks/digits_sweep.py --table benchmarks/digits_sweep/*.jsonl` and paste it"


def test_04b_quotes_the_digit_sweep_as_stored():
    import json

    root, sweep, _, rows = _digits_sweep()
    f = sweep.figures(rows)
    changed = [r for r in rows if r["step"] == 1860 and r["arm"] != "base"]
    base = [r for r in rows if r["step"] == 1860 and r["arm"] == "base"]
    low, high = (f"{100 * g(r['ema10000']['sure'] for r in changed):.1f}" for g in (min, max))
    b_low, b_high = (f"{100 * g(r['ema10000']['sure'] for r in base):.1f}" for g in (min, max))
    nb = json.loads((root / "notebooks" / "04b_the_articles_conv_gan.ipynb").read_text())
    cell = next("".join(c["source"]) for c in nb["cells"] if "digits_sweep.md" in "".join(c["source"]))
    text = " ".join(cell.split())
    assert f"{low}–{high} % of its samples, against {b_low}–{b_high} % for the shallow preset's own three seeds" in text
    assert len(base) == 3
    # "no change landed more than a point outside that seed spread"
    assert min(r["ema10000"]["sure"] for r in changed) > min(r["ema10000"]["sure"] for r in base) - 0.01
    assert max(r["ema10000"]["sure"] for r in changed) < max(r["ema10000"]["sure"] for r in base) + 0.01
    # "none came within 13 points of the test's bar" (every reading, raw and EMA, any step)
    bar = min(0.75 * r["real_sure"] for r in rows)
    assert f["best"] < bar - 0.13 and f["passed"] == 0
    # scaling z down: the medians at step 1 860, as the write-up's generated line gives them
    assert (f"lowered sure by a median of about {round(-100 * f['psi0.8_1860'])} and {round(-100 * f['psi0.6_1860'])} "
            f"points ($\\psi = 0.8$ raised it in {f['psi0.8_1860_higher']} of the {f['psi_runs']} runs)") in text
    preset = " ".join((root / "gan_course" / "presets.py").read_text().replace("#", " ").split())
    assert f"{low}–{high} % at 1 860 steps, against {b_low}–{b_high} %" in preset
    assert f"{f['psi0.8_1860']:+.4f}".startswith("-") and f["psi0.6_1860"] < 0


def test_the_digit_sweep_figure_comes_from_a_rerun_of_the_stored_base_run():
    import json

    root, _, _, rows = _digits_sweep()
    fig = root / "benchmarks" / "digits_sweep" / "figure"
    rerun = json.loads((fig / "base-seed0-1860.jsonl").read_text())
    stored = next(r for r in rows if (r["arm"], r["seed"], r["step"]) == ("base", 0, 1860))
    same = [k for k in stored if k != "seconds"]                 # the re-run also read ψ, which the first run did not
    assert len(same) >= 8 and {k: rerun[k] for k in same} == {k: stored[k] for k in same}
    assert f"sure {100 * rerun['ema10000']['sure']:.1f}%" in (fig / "figure.log").read_text()
    assert (fig / "base-seed0-by-confidence.png").stat().st_size > 10_000


def test_the_digit_sweep_prose_reads_its_figures_right():
    root, sweep, _, rows = _digits_sweep()
    f = sweep.figures(rows)
    md = " ".join((root / "benchmarks" / "digits_sweep.md").read_text().split())
    log = (root / "benchmarks" / "digits_sweep" / "figure" / "figure.log").read_text()
    assert f"the best own-EMA reading is {round(100 * (f['bar'] - f['changed_max']))} points short" in md
    assert f["changed_min"] > f["base_min"] - 0.01 and f["changed_max"] < f["base_max"] + 0.01  # "within about a point"
    gains = [f["base_3720"] - f["base_1860_0"], f["b32_3720"] - f["b32_1860"]]
    assert "added only 1–2 points" in md and all(0.0095 <= g <= 0.0205 for g in gains)
    assert "changed sure by at most a point" in md and f["own_gap"] <= 0.0100001
    base = [r for r in rows if r["arm"] == "base" and r["step"] == 1860]
    assert f"every digit ≥ {100 * min(r['ema10000']['smallest_share'] for r in base):.1f} % over the preset's three seeds" in md
    assert f["hl_max"] <= 2 * 10_000 and "one at most about twice as long" in md
    least = log.split("least sure: confidence ")[1].split()[0]
    assert f"The 32 least sure (confidence {least})" in md


# ----------------------------------------------------------------------------- round 2: the networks (digits_sweep.md)
def _round2():
    root, sweep, _, _ = _digits_sweep()
    rows = sweep.round2_rows(root / "benchmarks" / "digits_sweep" / "round2")
    return root, sweep, rows, sweep.round2_figures(rows)


def test_round_2_write_up_holds_its_table_and_the_long_runs_repeat_the_short_ones():
    import json

    root, sweep, rows, f = _round2()
    folder = root / "benchmarks" / "digits_sweep" / "round2"
    short, long = sorted(folder.glob("*.jsonl")), sorted((folder / "long").glob("*.jsonl"))
    assert (len(short), len(long)) == (10, 3), "ten 1 860-step runs and three longer ones were measured"
    read = lambda files: {(r["arm"], r["seed"], r["step"]) for f in files for r in map(json.loads, f.read_text().splitlines())}
    assert len(read(short) & read(long)) == 6          # deep seeds 0 and 1 to step 1 860: round2_rows found them equal
    assert sweep.round2_text(rows) in (root / "benchmarks" / "digits_sweep.md").read_text(), \
        "run `python benchmarks/digits_sweep.py --round2 benchmarks/digits_sweep/round2` and paste it"


def test_dcgan_mnist_is_the_deep_arm_at_a_length_where_every_seed_passed():
    from gan_course import presets

    root, sweep, rows, f = _round2()
    cfg, arm = presets.config("dcgan-mnist"), presets.config("dcgan-mnist-shallow", **sweep.ARMS["deep"])
    assert {k: v for k, v in vars(cfg).items() if getattr(arm, k) != v} == {"name": "dcgan-mnist", "steps": 3100}
    assert len(f["deep"][cfg.steps]) == 3 and f["deep_passes"][cfg.steps] == 3 and f["deep_passes"][1860] == 2
    assert min(f["deep"][cfg.steps]) - f["bar"] > 0.05                              # "6.4 points above the bar"
    trio = lambda xs: " / ".join(f"{100 * x:.1f}" for x in xs)
    comment = " ".join((root / "gan_course" / "presets.py").read_text().replace("#", " ").split())
    one = lambda arm: f"{100 * f['arms_1860'][arm][0]:.1f} %"
    assert (f"sure {trio(f['deep'][1860])} % at 1 860 steps and {trio(f['deep'][3100])} % at 3 100 (seeds 0-2), against "
            f"{one('base')} for dcgan-mnist-shallow on the same machine; the extra convolution in G only {one('deepg')}, "
            f"in D only {one('deepd')}, width 48 {one('w48')}") in comment


def test_04b_and_the_write_up_quote_round_2_as_stored():
    import json
    import statistics

    root, sweep, rows, f = _round2()
    nb = json.loads((root / "notebooks" / "04b_the_articles_conv_gan.ipynb").read_text())
    text = " ".join(" ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown").split())
    trio = lambda xs: " / ".join(f"{100 * x:.1f}" for x in xs)
    one = lambda arm: f"{100 * f['arms_1860'][arm][0]:.1f} %"
    for said in [f"the bar there is {100 * f['bar']:.1f} %",
                 f"sure at 1 860 steps was {trio(f['deep'][1860])} % for seeds 0 / 1 / 2 — {f['deep_passes'][1860]} of 3 "
                 f"pass — against {one('base')} for the shallow preset (seed 0) on the same machine",
                 f"{trio(f['deep'][2480])} % at 2 480 steps and {trio(f['deep'][3100])} % at 3 100 — all three pass at both",
                 f"The extra convolution in G only gave {one('deepg')}; in D only, {one('deepd')}",
                 f"({f['parameters']['w48'][0]:,} against {f['parameters']['deep'][0]:,})".replace(",", " "),
                 f"reached {one('w48')} (one seed)", f"transposed convolutions ({one('upsample')})",
                 f"BatchNorm-free D ({one('r1')})", f"second half ({one('decay')})", f"made it worse ({one('diffaug')}, one seed)"]:
        assert said in text, said
    assert f["deep_passes"][2480] == f["deep_passes"][3100] == 3
    margin = lambda step: f"{100 * (min(f['deep'][step]) - f['bar']):.1f}"
    assert f"its lowest seed is {margin(3100)} points above the bar, against {margin(2480)} at 2 480 steps" in text
    r1 = [json.loads(line) for line in (root / "benchmarks" / "digits_sweep" / "base-seed0.jsonl").read_text().splitlines()]
    shallow_3720 = next(r for r in r1 if r["step"] == 3720)["ema10000"]["sure"]
    assert (f"3 720 shallow steps (round 1, the other machine) read {100 * shallow_3720:.1f} %, where 1 240 deeper steps, "
            f"about 3 100 shallow steps' worth, read {100 * min(f['deep'][1240]):.1f}–{100 * max(f['deep'][1240]):.1f} %") in text
    md = " ".join((root / "benchmarks" / "digits_sweep.md").read_text().split())
    med = statistics.median(f["deep"][1860])
    assert f"median {med:.1%}, {100 * (med - f['arms_1860']['base'][0]):.0f} points above" in md
    assert f"the lowest of the three seeds is {100 * (min(f['deep'][3100]) - f['bar']):.1f} points above the bar" in md
    smallest = next(r for r in rows if (r["arm"], r["step"]) == ("diffaug", 1860))["ema10000"]["smallest_share"]
    assert f"below the test's 2 % floor ({100 * smallest:.1f} % at step 1 860)" in md and smallest < 0.02
    assert abs(f["arms_1860"]["w48"][0] - f["arms_1860"]["base"][0]) <= 0.01 + 1e-9         # "within a point"
    # 04b's own FULL run of the new preset, read again from its checkpoint by --figure
    log = (root / "benchmarks" / "digits_sweep" / "figure" / "dcgan-mnist-figure.log").read_text()
    full = float(log.split("\nsure ")[1].split("%")[0])
    bar = float(log.split("the bar is ")[1].split("%")[0])
    assert full >= bar and f"{full:.1f} % against a bar of {bar:.1f} %" in text
    assert f"{full:.1f} % at step 3 100 against a bar of {bar:.1f} %" in md
    assert f"least sure (confidence {log.split('least sure: confidence ')[1].split()[0]})" in md
    assert "sure 71%" in (root / "benchmarks" / "digits_sweep" / "figure" / "dcgan-mnist-full-verdict.txt").read_text()
    cost = [json.loads(line) for line in (root / "benchmarks" / "digits_sweep" / "round2" / "cost.log").read_text().splitlines()
            if line.startswith("{")]
    ratios = {c["threads"]: c["ratio"] for c in cost}
    assert (f"costs {ratios[1]['deep']:.2f} times a step of the shallow preset with one thread and {ratios[2]['deep']:.2f} "
            f"times with two; width 48, {ratios[1]['w48']:.2f} and {ratios[2]['w48']:.2f} times") in md
    assert all(2.3 < r["deep"] < 2.7 for r in ratios.values()) and "costs about 2.5 times the shallow one's" in text
    assert f["parameters"]["w48"][0] > f["parameters"]["deep"][0]


def test_the_sweeps_diffaugment_shifts_by_at_most_3_pixels_and_cuts_a_14x14_hole_of_background():
    import torch.nn.functional as F

    _, sweep, _, _ = _digits_sweep()
    aug = sweep.DiffAugment()
    torch.manual_seed(0)
    x = torch.full((200, 1, 28, 28), 0.5, requires_grad=True)          # no pixel is background (-1) before
    out = aug(x)
    erased = (out == -1).float()
    assert ((out == 0.5) | (out == -1)).all()                           # pixels move or become background, nothing else
    assert (erased.sum((1, 2, 3)) >= 196).all() and (erased.sum((1, 2, 3)) <= 196 + 2 * 3 * 28).all()
    assert (F.avg_pool2d(erased, 14, stride=1).flatten(1).max(1).values == 1).all()   # a whole 14×14 hole in each
    out.sum().backward()
    assert set(x.grad.unique().tolist()) <= {0.0, 1.0} and x.grad.sum() > 0          # differentiable: a selection
    dot = torch.full((200, 1, 28, 28), -1.0)
    dot[:, :, 14, 14] = 1.0
    where = (aug(dot) == 1).nonzero()                                   # (image, channel, row, column) of the dot
    assert len(where) > 30 and ((where[:, 2:] - 14).abs() <= 3).all() and (where[:, 2:] - 14).abs().max() == 3
    aug.eval()
    assert torch.equal(aug(dot), dot)


def test_the_decay_arms_learning_rate_factor_is_one_then_falls_linearly_to_zero():
    _, sweep, _, _ = _digits_sweep()
    T = 1860
    factors = [sweep.lr_factor(t, T) for t in (0, T // 2, 3 * T // 4, T - 1)]
    torch.testing.assert_close(torch.tensor(factors), torch.tensor([1.0, 1.0, 0.5, 2 / T]), rtol=0, atol=1e-12)


def test_the_decay_arm_is_the_shallow_preset_until_its_decay_starts():
    # min(1, 2(1 - t/T)) stays 1 up to t = T/2 = 930: at step 620 decay and base must be the same run
    root, sweep, rows, _ = _round2()
    at620 = {r["arm"]: {k: v for k, v in r.items() if k not in ("arm", "seconds")} for r in rows if r["step"] == 620}
    assert at620["decay"] == at620["base"]
    at1240 = {r["arm"]: r["ema10000"] for r in rows if r["step"] == 1240}
    assert at1240["decay"] != at1240["base"]
