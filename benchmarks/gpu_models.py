"""One GPU training job in stages (benchmarks/gpu_models.md): train the preset, resuming one folder, to each
stage's epochs; score it; export it. Stops at the Unix time in $DEADLINE.

    DEADLINE=$(( $(date +%s) + 3600 )) python benchmarks/gpu_models.py F1 dcgan-fmnist 40,60,100
"""
import json, os, sys, time
from pathlib import Path
import torch
from gan_course import data, digits, metrics, nets, presets, pretrained, train

name, preset, stages = sys.argv[1], sys.argv[2], [float(s) for s in sys.argv[3].split(",")]
deadline = float(os.environ["DEADLINE"])
out, res = Path("/tmp/runs") / name, Path("/tmp/res")
res.mkdir(parents=True, exist_ok=True)
margin = 2.5 if presets.PRESETS[preset]["dataset"] == "fashion_mnist" else 1.0    # minutes kept for scoring
clf = real = None
for ep in stages:
    left = (deadline - time.time()) / 60 - margin
    if left < 0.5:
        break
    cfg = presets.config(preset, epochs=ep, device="cuda", max_minutes=left, ckpt_minutes=2, compile="off")
    t0 = time.time()
    run = train.fit(cfg, out=out, progress=False)
    rec = {"name": name, "preset": preset, "epochs": ep, "step": run.step, "steps": cfg.steps,
           "complete": run.step >= cfg.steps, "fit_s": round(time.time() - t0, 1),
           "last": run.history[-1] if run.history else None}
    G = run.sampler
    t1 = time.time()
    if cfg.dataset == "fashion_mnist":
        r = metrics.evaluate(metrics.generate(G, 10000, seed=0), seed=0)
        r["fid_raw"] = metrics.fid(metrics.generate(run.G.eval(), 10000, seed=0)); run.G.train()
        if nets.is_conditional(G):
            rows = metrics.per_class(G, 1000, seed=0)
            r["class_accuracy"] = sum(x["accuracy"] for x in rows) / len(rows)
            r["class_accuracy_min"] = min(x["accuracy"] for x in rows)
            r["per_class"] = {x["class"]: round(x["accuracy"], 4) for x in rows}
    else:
        if clf is None:
            clf, info = digits.train(epochs=5, device="cuda")
            x, _ = data.load_mnist5k("test")
            real = digits.spread(clf, data.to_unit_range(x))
            rec["clf_test_accuracy"] = info["test_accuracy"]
        s = digits.spread(clf, train.sample(G, 1000, seed=1))
        r = {"sure": s["sure"], "uniformity": s["uniformity"], "smallest_share": s["smallest_share"],
             "real_sure": real["sure"], "passes": bool(digits.passes(s, real))}
    rec.update({k: (round(v, 5) if isinstance(v, float) else v) for k, v in r.items()}, eval_s=round(time.time() - t1, 1))
    print(json.dumps(rec), flush=True)
    with open(res / f"{name}.jsonl", "a") as f:
        f.write(json.dumps(rec) + "\n")
    pretrained.export(out / "checkpoint.pt", res / f"{name}-e{ep:g}.pt")
    if not rec["complete"]:
        break
