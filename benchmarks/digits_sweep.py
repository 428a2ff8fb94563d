"""04b's digit DCGAN on a CPU: which change to the `dcgan-mnist-shallow` recipe makes it pass 04b's test.

Each arm is the preset with a few settings changed. Every `--eval-every` steps the run is read the
way 04b reads it (`digits.spread` of 1 000 samples with seed 1, by `digits.train(epochs=5)`, seed 0,
against the 1 000 held-out real digits; `digits.passes`): raw G, the run's own EMA copy, and extra EMA
copies of other half-lives (averaged weights only, so they cost no training; their BatchNorm statistics
recomputed as the run's own copy's are).

    OMP_NUM_THREADS=1 python benchmarks/digits_sweep.py --arm base --seed 0 --steps 3720
    python benchmarks/digits_sweep.py --table benchmarks/digits_sweep/*.jsonl    # the table and list in digits_sweep.md
"""
from __future__ import annotations

import argparse
import copy
import functools
import json
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from gan_course import ema as averaging, speed as bench, data, digits, latent, nets, presets, train


# ----------------------------------------------------------------------------- round 2: networks tried only here
class UpsampleGenerator(nn.Module):
    """The DCGAN G with each stride-2 transposed convolution replaced by nearest-neighbour upsampling and a
    3×3 convolution (Odena et al. 2016, "Deconvolution and checkerboard artifacts")."""

    def __init__(self, z_dim: int, width: int):
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 4 * width, 7, 1, 0, bias=False), nn.BatchNorm2d(4 * width), nn.ReLU(True),
            nn.Upsample(scale_factor=2), nn.Conv2d(4 * width, 2 * width, 3, 1, 1, bias=False),   # (N, 2w, 14, 14)
            nn.BatchNorm2d(2 * width), nn.ReLU(True),
            nn.Upsample(scale_factor=2), nn.Conv2d(2 * width, 1, 3, 1, 1, bias=False), nn.Tanh())  # (N, 1, 28, 28)

    def forward(self, z):
        return self.net(z[:, :, None, None])


class DiffAugment(nn.Module):
    """Differentiable augmentation of everything D sees, real and fake, in both steps, after Zhao et al. 2020's
    translation and cutout: a random shift of up to h // 8 = 3 pixels and a 14×14 hole placed wholly inside the
    image, both filling with the background (-1). Harsher than their code, whose shift is int(h/8 + 0.5) = 4 pixels,
    whose hole may hang off the edge (so it is often smaller) and which fills with 0: here every image loses
    196 of its 784 pixels. Only in training mode."""

    def forward(self, x):
        if not self.training:
            return x
        n, _, h, w = x.shape
        s = h // 8
        shift = torch.randint(-s, s + 1, (2, n, 1, 1), device=x.device)
        gy, gx = torch.meshgrid(torch.arange(h, device=x.device), torch.arange(w, device=x.device), indexing="ij")
        y = (gy[None] + shift[0]).clamp(-1, h)                                     # (n, h, w), -1 / h: outside
        xx = (gx[None] + shift[1]).clamp(-1, w)
        padded = nn.functional.pad(x, (1, 1, 1, 1), value=-1.0)                    # index -1 → 0, h → h + 1
        out = padded[torch.arange(n, device=x.device)[:, None, None], :, y + 1, xx + 1].permute(0, 3, 1, 2)
        c = h // 2
        cy, cx = (torch.randint(0, h + 1 - c, (2, n, 1, 1), device=x.device))
        hole = (gy[None] >= cy) & (gy[None] < cy + c) & (gx[None] >= cx) & (gx[None] < cx + c)   # (n, h, w)
        return torch.where(hole[:, None], torch.full_like(out, -1.0), out)


def _deep_g(z_dim, width):                 # dcgan-deep's G with the preset's D, built in the same order
    return nets._initialised(nets.DCGANGenerator(z_dim, width, deep=True), nets.DCGANDiscriminator(width))


def _deep_d(z_dim, width):                 # the preset's G with dcgan-deep's D
    return nets._initialised(nets.DCGANGenerator(z_dim, width), nets.DCGANDiscriminator(width, deep=True))


def _upsample(z_dim, width):
    return nets._initialised(UpsampleGenerator(z_dim, width), nets.DCGANDiscriminator(width))


def _diffaug(z_dim, width):
    G, D = nets._dcgan(z_dim, width)
    return G, nn.Sequential(DiffAugment(), D)


nets.ARCHS.update({"sweep-deep-g": _deep_g, "sweep-deep-d": _deep_d, "sweep-upsample": _upsample, "sweep-diffaug": _diffaug})

ARMS = {                                   # overrides of the dcgan-mnist-shallow preset (dcgan-mnist until 2026-11-23)
    "base": {},
    "lr1e-3": dict(lr_d=1e-3, lr_g=1e-3),
    "hinge": dict(loss="hinge"),
    "b32": dict(batch_size=32),
    "z100": dict(z_dim=100),
    "b128": dict(batch_size=128),
    "kd2": dict(k_d=2),
    "ttur": dict(lr_d=1e-3, lr_g=5e-4),
    # round 2: the networks, the data D sees, the schedule
    "deep": dict(arch="dcgan-deep"),       # one more 3×3 conv per resolution in G and D (nets.ARCHS)
    "deepg": dict(arch="sweep-deep-g"),    # only G deeper
    "deepd": dict(arch="sweep-deep-d"),    # only D deeper
    "upsample": dict(arch="sweep-upsample"),
    "diffaug": dict(arch="sweep-diffaug"),
    "w48": dict(width=48),
    "r1": dict(arch="dcgan-nonorm", loss="ns-r1", r1_gamma=1.0),
    "decay": dict(),                       # the preset, both learning rates decayed linearly to 0 over the second half
}
DECAY = {"decay"}


def lr_factor(t: int, steps: int) -> float:
    """The decay arm's learning-rate multiplier before step t of `steps`: 1 for the first half, then linear to 0."""
    return min(1.0, 2.0 * (1.0 - t / steps))

ROUND2 = {                                 # what each round-2 arm changes, for the table
    "base": "nothing: the shallow preset, on this session's machine",
    "deep": "a 3×3 conv more per resolution, G and D (`dcgan-deep`)",
    "deepg": "that, in G only",
    "deepd": "that, in D only",
    "upsample": "G: nearest upsampling + 3×3 conv for each transposed conv",
    "w48": "width 48",
    "diffaug": "DiffAugment (translation, cutout) on all D's inputs",
    "r1": "D without BatchNorm, R1 γ = 1",
    "decay": "both lrs decayed linearly to 0 over the second half",
}


def main(a):
    torch.set_num_threads(a.threads)
    clf, info = digits.train(epochs=5, device="cpu")                  # 04b's FULL classifier, seed 0
    x, _ = data.load_mnist5k("test")
    real = digits.spread(clf, data.to_unit_range(x))
    cfg = presets.config("dcgan-mnist-shallow", steps=a.steps, seed=a.seed, device="cpu", compile="off",
                         ema_half_life=a.half_lives[0], **ARMS[a.arm])
    run, step = bench.stepper(cfg)
    extra = {h: copy.deepcopy(run.G_ema) for h in a.half_lives[1:]}
    out = Path(a.out or f"benchmarks/digits_sweep/{a.arm}-seed{a.seed}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    def read(G, psi=1.0):
        z = latent.truncate(torch.randn(1000, G.z_dim, generator=torch.Generator().manual_seed(1)), psi)
        with torch.no_grad():
            s = digits.spread(clf, G.eval()(z)) if psi != 1.0 else digits.spread(clf, train.sample(G, 1000, seed=1))
        return {"sure": round(s["sure"], 4), "uniformity": round(s["uniformity"], 4),
                "smallest_share": round(s["smallest_share"], 4), "passes": bool(digits.passes(s, real))}

    while run.step < a.steps:
        if a.arm in DECAY:
            for opt, lr in ((run.opt_d, cfg.lr_d), (run.opt_g, cfg.lr_g)):
                for group in opt.param_groups:
                    group["lr"] = lr * lr_factor(run.step, a.steps)
        step()
        for h, ema in extra.items():
            averaging.average(ema, run.G, averaging.beta(run.step - 1, cfg.batch_size, h))
        if run.step % a.eval_every == 0:
            G_raw = run.G.eval()
            row = {"arm": a.arm, "seed": a.seed, "step": run.step, "images": run.step * cfg.batch_size,
                   "real_sure": round(real["sure"], 4), "classifier_accuracy": round(info["test_accuracy"], 4),
                   "raw": read(G_raw), f"ema{a.half_lives[0]:.0f}": read(run.sampler),
                   **{f"ema{h:.0f}": read(train.recompute_batchnorm(copy.deepcopy(e))) for h, e in extra.items()},
                   **{f"psi{psi:g}": read(run.sampler, psi) for psi in a.psis},   # the own EMA, z pulled toward 0
                   "seconds": round(time.perf_counter() - t0)}
            run.G.train()
            with out.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)
    if a.save:                                                   # the EMA G at the end, for looking at its samples
        torch.save(run.sampler.state_dict(), a.save)


def table(files) -> str:
    rows = [json.loads(line) for f in files for line in Path(f).read_text().splitlines() if line.strip()]
    keys = list(dict.fromkeys(k for r in rows for k in r if k == "raw" or k.startswith(("ema", "psi"))))
    out = ["| arm | seed | step | " + " | ".join(f"{k} sure" for k in keys) + " | uniformity (own EMA) | passes (own EMA) |",
           "|" + "---|" * (5 + len(keys))]
    own = "ema10000"
    for r in sorted(rows, key=lambda r: (r["arm"], r["seed"], r["step"])):
        out.append(f"| {r['arm']} | {r['seed']} | {r['step']} | " + " | ".join(f"{r[k]['sure']:.1%}" if k in r else "—" for k in keys)
                   + f" | {r[own]['uniformity']:.3f} | {'yes' if r[own]['passes'] else 'no'} |")
    f = figures(rows)
    pts = lambda x: f"{100 * x:.1f}"                                           # a difference of shares, in points
    out += ["", f"The test needs sure ≥ {f['bar']:.1%} (¾ of the {f['real_sure']:.1%} of held-out real digits this "
            "classifier reads sure), uniformity ≥ 0.95, smallest share ≥ 2 %.", "",
            f"- **At step 1 860** (the preset's length; batch 32 / 128 see half / twice the images) the run's own EMA G "
            f"is sure on {f['changed_min']:.1%}–{f['changed_max']:.1%} of its samples in the {f['changed_runs']} runs "
            f"with a setting changed, one seed per arm (two for lr1e-3: {f['lr_seeds']}); the preset itself "
            f"{f['base_1860']} (seeds {f['base_seeds']}). The best own-EMA reading is {pts(f['bar'] - f['changed_max'])} "
            f"points short of the bar. Every run meets uniformity ≥ 0.95 and smallest share ≥ 2 % there "
            f"(lowest {f['min_uniformity']:.3f} and {f['min_smallest']:.1%}).",
            f"- The highest sure share of any reading, any run, any step: {f['best']:.1%} ({f['best_where']}), "
            f"{pts(f['bar'] - f['best'])} points short. Readings that passed the test: {f['passed']} of {f['readings']}.",
            f"- **From 1 860 to 3 720 steps** (one seed each): base {f['base_1860_0']:.1%} → {f['base_3720']:.1%}, "
            f"b32 {f['b32_1860']:.1%} → {f['b32_3720']:.1%} (own EMA).",
            f"- **Warm-up of the EMA** (the step where each half-life's decay is first reached): "
            + "; ".join(f"batch {b}: " + ", ".join(f"{k} step {t}" for k, t in ends.items()) for b, ends in f["warmup"].items())
            + ". In warm-up every half-life uses the same decay (1 + t)/(10 + t), so ema40000 and ema160000 are equal "
            f"in {f['long_equal']} of {len(rows)} rows, and differ from the run's own EMA in {f['own_differs']} rows: "
            f"{f['own_differs_where']}. There the largest gap is {pts(f['own_gap'])} point(s); the longer copies' half-life then (still in warm-up, "
            f"`train.ema_half_life_at`) is {f['hl_min']:.0f}–{f['hl_max']:.0f} images against the own EMA's 10000.",
            f"- **Truncation** (z scaled by ψ, own EMA G) against the same G at ψ = 1, median change: at step 1 860 "
            f"ψ = 0.8 {100 * f['psi0.8_1860']:+.1f} points, ψ = 0.6 {100 * f['psi0.6_1860']:+.1f} points ({f['psi_runs']} runs; ψ = 0.8 "
            f"higher in {f['psi0.8_1860_higher']}); over steps 620–1 860, lower in {f['psi_lower']} of {2 * f['psi_rows']} readings."]
    return "\n".join(out)


def figures(rows) -> dict:
    """The figures the write-up and 04b quote, computed from the stored rows."""
    own = "ema10000"
    sure = lambda r, k=own: r[k]["sure"]
    at = [r for r in rows if r["step"] == 1860]
    changed = [r for r in at if r["arm"] != "base"]
    base = sorted((r for r in at if r["arm"] == "base"), key=lambda r: r["seed"])
    one = lambda arm, seed, step: next(r for r in rows if (r["arm"], r["seed"], r["step"]) == (arm, seed, step))
    readings = [(r[k]["sure"], f"{r['arm']} seed {r['seed']}, step {r['step']}, {k}") for r in rows
                for k in r if k == "raw" or k.startswith(("ema", "psi"))]
    best = max(readings)
    psi = [r for r in rows if "psi0.8" in r]
    psi_1860 = [r for r in psi if r["step"] == 1860]
    batches = {r["arm"]: presets.config("dcgan-mnist-shallow", **ARMS[r["arm"]]).batch_size for r in rows}
    halves = sorted(float(k[3:]) for k in rows[0] if k.startswith("ema"))
    differs = [r for r in rows if r[own]["sure"] != r["ema40000"]["sure"]]
    real = statistics.median(r["real_sure"] for r in rows)
    return {"bar": min(0.75 * r["real_sure"] for r in rows), "real_sure": real,
            "changed_min": min(map(sure, changed)), "changed_max": max(map(sure, changed)), "changed_runs": len(changed),
            "lr_seeds": " and ".join(f"{sure(r):.1%}" for r in sorted(changed, key=lambda r: r["seed"]) if r["arm"] == "lr1e-3"),
            "base_1860": " / ".join(f"{sure(r):.1%}" for r in base), "base_seeds": " / ".join(str(r["seed"]) for r in base),
            "base_min": min(map(sure, base)), "base_max": max(map(sure, base)),
            "min_uniformity": min(r[own]["uniformity"] for r in at), "min_smallest": min(r[own]["smallest_share"] for r in at),
            "best": best[0], "best_where": best[1], "readings": len(readings),
            "passed": sum(r[k]["passes"] for r in rows for k in r if k == "raw" or k.startswith(("ema", "psi"))),
            "base_1860_0": sure(one("base", 0, 1860)), "base_3720": sure(one("base", 0, 3720)),
            "b32_1860": sure(one("b32", 0, 1860)), "b32_3720": sure(one("b32", 0, 3720)),
            "warmup": {b: {f"ema{h:.0f}": averaging.warmup_steps(b, h) for h in halves} for b in sorted(set(batches.values()))},
            "long_equal": sum(r["ema40000"]["sure"] == r["ema160000"]["sure"] for r in rows),
            "own_differs": len(differs),
            "own_differs_where": ", ".join(f"{r['arm']} seed {r['seed']} step {r['step']}" for r in
                                           sorted(differs, key=lambda r: (r["arm"], r["step"]))),
            "hl_min": min(averaging.half_life_at(r["step"] - 1, batches[r["arm"]], 40_000) for r in differs),
            "hl_max": max(averaging.half_life_at(r["step"] - 1, batches[r["arm"]], 40_000) for r in differs),
            "own_gap": max((abs(r[own]["sure"] - r["ema40000"]["sure"]) for r in differs), default=0.0),
            "psi_rows": len(psi), "psi_runs": len(psi_1860),
            "psi0.8_1860": statistics.median(r["psi0.8"]["sure"] - sure(r) for r in psi_1860),
            "psi0.6_1860": statistics.median(r["psi0.6"]["sure"] - sure(r) for r in psi_1860),
            "psi0.8_1860_higher": sum(r["psi0.8"]["sure"] > sure(r) for r in psi_1860),
            "psi_lower": sum(r[k]["sure"] < sure(r) for r in psi for k in ("psi0.8", "psi0.6"))}


# ----------------------------------------------------------------------------- round 2 (digits_sweep/round2)
def round2_rows(folder) -> list[dict]:
    """Round 2's rows: the 1 860-step runs in `folder` and the longer runs in `folder`/long. Where both read the
    same arm, seed and step, the readings must be equal (a run is the same run whatever its length): one row kept."""
    folder = Path(folder)
    rows = {}
    for f in sorted(folder.glob("*.jsonl")) + sorted((folder / "long").glob("*.jsonl")):
        for line in f.read_text().splitlines():
            r = json.loads(line)
            key = (r["arm"], r["seed"], r["step"])
            if key in rows and {k: v for k, v in rows[key].items() if k != "seconds"} != \
                    {k: v for k, v in r.items() if k != "seconds"}:
                raise ValueError(f"{f}: {key} read differently in two runs of the same arm and seed")
            rows[key] = r
    return [rows[k] for k in sorted(rows)]


@functools.cache
def parameters(arm: str) -> tuple[int, int]:
    """(G, D) parameter counts of an arm's networks (built once per arm, not once per table row)."""
    cfg = presets.config("dcgan-mnist-shallow", **ARMS[arm])
    return tuple(nets.count_parameters(net) for net in nets.build(cfg.arch, cfg.z_dim, cfg.width))


def round2_table(rows) -> str:
    own = "ema10000"
    out = ["| arm | what changed | G / D parameters | seed | step | raw sure | EMA sure | uniformity | smallest share | passes |",
           "|" + "---|" * 10]
    for r in rows:
        g, d = parameters(r["arm"])
        out.append(f"| {r['arm']} | {ROUND2[r['arm']]} | {g:,} / {d:,} | {r['seed']} | {r['step']} | {r['raw']['sure']:.1%} | "
                   f"{r[own]['sure']:.1%} | {r[own]['uniformity']:.3f} | {r[own]['smallest_share']:.1%} | "
                   f"{'yes' if r[own]['passes'] else 'no'} |")
    return "\n".join(out)


def round2_text(rows) -> str:
    """Round 2's table and the list of figures under it (pasted into digits_sweep.md; a test compares)."""
    f = round2_figures(rows)
    one = lambda arm: f"{f['arms_1860'][arm][0]:.1%}"
    seeds = lambda step: " / ".join(f"{x:.1%}" for x in f["deep"][step])
    g, d = f["parameters"]["deep"], f["parameters"]["w48"]
    return "\n".join([round2_table(rows), "",
        f"The test needs sure ≥ {f['bar']:.1%} (¾ of the {f['real_sure']:.1%} of held-out real digits this session's "
        "classifier reads sure), uniformity ≥ 0.95, smallest share ≥ 2 %.", "",
        f"- **At step 1 860** (own EMA G, seed 0 unless said): the shallow preset on this machine {one('base')}; "
        f"`deep` {seeds(1860)} (seeds {' / '.join(map(str, f['deep_seeds'][1860]))}; passes {f['deep_passes'][1860]} of "
        f"{len(f['deep'][1860])}); G only deeper {one('deepg')}, D only deeper {one('deepd')}; upsampling G "
        f"{one('upsample')}; width 48 {one('w48')}; DiffAugment {one('diffaug')}; R1 without BatchNorm {one('r1')}; "
        f"learning-rate decay {one('decay')}.",
        "- **`deep` over the steps** (own EMA G, seeds " + " / ".join(map(str, f["deep_seeds"][max(f["deep"])])) + "): "
        + "; ".join(f"step {step}: {seeds(step)} (passes {f['deep_passes'][step]} of {len(f['deep'][step])})"
                    for step in f["deep"]) + ". "
        f"Every `deep` reading has uniformity ≥ {f['deep_uniformity']:.3f} and smallest share ≥ {f['deep_smallest']:.1%}.",
        f"- **Parameters:** `deep` has {g[0]:,} in G and {g[1]:,} in D; width 48 has more in G ({d[0]:,}) and "
        f"{d[1]:,} in D."])


def round2_figures(rows) -> dict:
    """The figures round 2's write-up, 04b and the preset's comment quote, computed from the stored rows."""
    own = "ema10000"
    at = lambda arm, step: sorted((r for r in rows if r["arm"] == arm and r["step"] == step), key=lambda r: r["seed"])
    deep = {step: at("deep", step) for step in sorted({r["step"] for r in rows if r["arm"] == "deep"})}
    return {"bar": min(0.75 * r["real_sure"] for r in rows), "real_sure": statistics.median(r["real_sure"] for r in rows),
            "arms_1860": {arm: [r[own]["sure"] for r in at(arm, 1860)] for arm in ROUND2},
            "deep": {step: [r[own]["sure"] for r in rs] for step, rs in deep.items()},
            "deep_raw": {step: [r["raw"]["sure"] for r in rs] for step, rs in deep.items()},
            "deep_passes": {step: sum(r[own]["passes"] for r in rs) for step, rs in deep.items()},
            "deep_seeds": {step: [r["seed"] for r in rs] for step, rs in deep.items()},
            "deep_uniformity": min(r[own]["uniformity"] for rs in deep.values() for r in rs),
            "deep_smallest": min(r[own]["smallest_share"] for rs in deep.values() for r in rs),
            "parameters": {arm: parameters(arm) for arm in ["base", *ROUND2]}}


def cost(arms=("base", "deep", "w48"), steps: int = 40, repeats: int = 3) -> dict:
    """Seconds per training step of each arm (after 10 untimed steps), the arms interleaved, median of `repeats`;
    the ratio to the first arm. Same invocation, same thread count, so the ratio is what to read."""
    runs = {arm: bench.stepper(presets.config("dcgan-mnist-shallow", steps=10**6, device="cpu", compile="off",
                                                    **ARMS[arm]))[1] for arm in arms}
    for step in runs.values():
        for _ in range(10):
            step()
    times = {arm: [] for arm in arms}
    for _ in range(repeats):
        for arm, step in runs.items():
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            times[arm].append((time.perf_counter() - t0) / steps)
    med = {arm: statistics.median(t) for arm, t in times.items()}
    return {"threads": torch.get_num_threads(), "seconds_per_step": {a: round(m, 4) for a, m in med.items()},
            "ratio": {a: round(m / med[arms[0]], 2) for a, m in med.items()}, "repeats": times}


def figure(weights: str, out: str, arch: str = "dcgan") -> None:
    """1 000 samples (seed 1) of a saved EMA G, read by 04b's classifier, shown by its confidence:
    the 32 least sure, 32 around the lower quartile, the 32 just under 0.9 and the 32 most sure.
    `weights`: a state_dict saved by `--save`, or a gc.fit checkpoint.pt (its G_ema is drawn)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch.nn.functional as F
    from gan_course import files as checkpoint

    torch.manual_seed(0)
    clf, _ = digits.train(epochs=5, device="cpu")
    G = nets.build(arch, 64, 32)[0]
    state = checkpoint.load(weights)
    G.load_state_dict(state["G_ema"] if "G_ema" in state else state)
    x = train.sample(G, 1000, seed=1)
    with torch.no_grad():
        conf, lab = F.softmax(clf(x), 1).max(1)
    order, under = conf.argsort(), int((conf < 0.9).sum())
    x_real, _ = data.load_mnist5k("test")
    real = digits.spread(clf, data.to_unit_range(x_real))["sure"]
    print(f"this classifier reads {real:.1%} of the held-out real digits sure: the bar is {digits.SURE_OF_REAL * real:.1%}")
    q = min(234, under - 64)                    # the lower-quartile row, kept clear of the "just under 0.9" row
    fig, axes = plt.subplots(4, 1, figsize=(12, 5))
    for ax, (name, idx) in zip(axes, [("least sure", order[:32]), (f"ranks {q + 1}–{q + 32} of 1 000", order[q:q + 32]),
                                      ("just under 0.9", order[under - 32:under]), ("most sure", order[-32:])]):
        ax.imshow(torch.cat(list(x[idx].squeeze(1)), 1).numpy(), cmap="gray", vmin=-1, vmax=1)
        ax.axis("off")
        print(f"{name}: confidence {conf[idx].min():.2f}–{conf[idx].max():.2f}")   # least sure first
        ax.set_title(f"{name} (confidence {conf[idx].min():.2f}–{conf[idx].max():.2f}); read as: "
                     + " ".join(str(lab[i].item()) for i in idx), fontsize=8)
    plt.tight_layout()
    plt.savefig(out, dpi=80)
    print(f"sure {(conf >= 0.9).float().mean():.1%}; wrote {out}")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--arm", choices=ARMS, default="base")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=1860)
    p.add_argument("--eval-every", type=int, default=620)
    p.add_argument("--half-lives", type=float, nargs="+", default=[10_000, 40_000, 160_000])
    p.add_argument("--psis", type=float, nargs="*", default=[0.8, 0.6], help="also read the own EMA G at these truncations")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out")
    p.add_argument("--save", help="write the final EMA G's state_dict here")
    p.add_argument("--table", nargs="*")
    p.add_argument("--round2", help="print round 2's table from this folder (digits_sweep/round2)")
    p.add_argument("--md")
    p.add_argument("--figure", nargs=2, metavar=("WEIGHTS", "PNG"), help="draw a saved G's samples by confidence")
    p.add_argument("--cost", action="store_true", help="seconds per step of base, deep and w48, interleaved, median of 3")
    p.add_argument("--arch", default="dcgan", help="--figure's architecture (dcgan-deep for today's dcgan-mnist)")
    a = p.parse_args()
    if a.cost:
        torch.set_num_threads(a.threads)
        print(json.dumps(cost()))
    elif a.figure:
        figure(*a.figure, arch=a.arch)
    elif a.round2:
        print(round2_text(round2_rows(a.round2)))
    elif a.table:
        text = table(a.table)
        print(text)
        if a.md:
            Path(a.md).write_text(text + "\n")
    else:
        main(a)
