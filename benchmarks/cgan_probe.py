"""Does G leave its initialisation? 200-step probes of the conditional presets (benchmarks/cgan_diagnosis.md §4).

Each variant trains 200 steps at width 16, batch 64, float32, no EMA, seed 0, on one thread (about 50 s
each on a shared 2-core CPU), then prints the mean and standard deviation of 500 samples' pixels: real
Fashion-MNIST images have std 0.707; a G still at its initialisation about 0.05.

    OMP_NUM_THREADS=1 nice -n 15 python benchmarks/cgan_probe.py
"""
from __future__ import annotations

import time

import torch

from gan_course import data, nets, presets, train


def _mix(g: str, d: str):
    """A probe-only pair: G of one conditional architecture with D of another (registered in nets.ARCHS below)."""
    def build(z_dim: int, width: int):
        G = nets.CBNGenerator(z_dim, width) if g == "cbn" else nets.ConditionalDCGANGenerator(z_dim, width)
        D = nets.ProjectionDiscriminator(width, norm="batch" if d == "bn" else "spectral")
        if d == "sn-plain-embed":                                     # SN on the convolutions only
            torch.nn.utils.parametrize.remove_parametrizations(D.embed, "weight")
        G.apply(nets.dcgan_init)
        D.apply(nets.dcgan_init)
        return G, D
    return build


nets.ARCHS.update({"probe-cbnG-bnD": _mix("cbn", "bn"), "probe-embG-snD": _mix("emb", "sn"),
                   "probe-cbnG-snD-plain-embed": _mix("cbn", "sn-plain-embed")})

BASE = dict(device="cpu", width=16, batch_size=64, steps=200, log_every=100, amp="off", ema_half_life=0)
DCGAN_OPT = dict(lr_g=2e-4, lr_d=2e-4, betas=(0.5, 0.999))
VARIANTS = {        # name -> (preset, overrides)
    "cbn hinge SAGAN-TTUR (preset)": ("cgan-cbn-fmnist", {}),
    "cbn hinge DCGAN betas lr 2e-4": ("cgan-cbn-fmnist", DCGAN_OPT),
    "cbn hinge TTUR betas (0.5,0.999)": ("cgan-cbn-fmnist", dict(betas=(0.5, 0.999))),
    "old cdcgan ns (cgan-fmnist)": ("cgan-fmnist", {}),
    "cbn G + SN proj D, ns loss, DCGAN opt": ("cgan-cbn-fmnist", dict(loss="ns", **DCGAN_OPT)),
    "uncond dcgan-sn (SN D), hinge, DCGAN opt": ("dcgan-fmnist", dict(arch="dcgan-sn", loss="hinge", **DCGAN_OPT)),
    "cbn G + old BN proj D, ns, DCGAN opt": ("cgan-fmnist", dict(arch="probe-cbnG-bnD")),
    "old emb G + SN proj D, hinge, DCGAN opt": ("cgan-fmnist", dict(arch="probe-embG-snD", loss="hinge")),
    "cbn G + SN proj D (embed not SN), hinge, DCGAN": ("cgan-fmnist", dict(arch="probe-cbnG-snD-plain-embed", loss="hinge")),
}

if __name__ == "__main__":
    torch.set_num_threads(1)
    x, _ = data.load_fashion_mnist("train")
    real = data.to_unit_range(x[:2000])
    print("real: mean %.3f std %.3f" % (real.mean(), real.std()), flush=True)
    for name, (preset, overrides) in VARIANTS.items():
        t = time.time()
        run = train.fit(presets.config(preset, **{**BASE, **overrides}), progress=False)
        s = train.sample(run.G, 500, seed=0)
        last = {k: round(v, 3) for k, v in run.history[-1].items() if k != "img_per_s"}
        print("%-42s G output mean %.3f std %.3f | last log %s | %.0f s"
              % (name, s.mean(), s.std(), last, time.time() - t), flush=True)
