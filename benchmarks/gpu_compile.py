"""torch.compile vs eager for dcgan-fmnist on a GPU, 600 steps each (benchmarks/gpu_compile.md).

    python benchmarks/gpu_compile.py
"""
import time, json, torch
from gan_course import presets, train
for name, kw in [("eager, channels_last", dict(compile="off", channels_last=True)),
                 ("compile, contiguous", dict(compile="on", channels_last=False)),
                 ("eager, contiguous", dict(compile="off", channels_last=False))]:
    try:
        cfg = presets.config("dcgan-fmnist", steps=600, device="cuda", log_every=100, ckpt_every=0, **kw)
        t0 = time.time(); run = train.fit(cfg, progress=False)
        print(json.dumps({"variant": name, "ok": True, "wall_s": round(time.time() - t0, 1),
                          "img_per_s_last": [round(h["img_per_s"]) for h in run.history[-3:]]}), flush=True)
    except Exception as e:
        print(json.dumps({"variant": name, "ok": False, "error": f"{type(e).__name__}: {str(e)[:300]}"}), flush=True)
