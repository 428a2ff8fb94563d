"""The failure spectral norm and TTUR are meant to cure, shown (09_stabilizing_training): a D so strong
that it separates real from fake outright — D(x) → 1, D(G(z)) → 0 — while the gradient G receives
through it shrinks.

`probe(run)` measures, between two training steps and without changing the run: the mean of
D(x) = σ(logit) on a real batch, the mean of D(G(z)) on fresh fakes, ‖∇_θG L_G‖, the norm of the
gradient of G's loss with respect to all of G's weights, and ‖∇_x D‖, how steep D's logit is at the
fakes (the mean over fakes of the norm of the gradient of D's summed logits with respect to each fake
image — with a BatchNorm D in training mode, the gradient that actually reaches that image). `strong_d` trains short runs of the baseline
and of the variants in STRONG_D and probes each at its log points.
"""
from __future__ import annotations

import torch

from .. import losses, training
from ..training import presets

# the over-strong D: the baseline's D learning rate ×10 (2e-4 → 2e-3)
STRONG_LR_D = 2e-3
STRONG_D: dict[str, dict] = {
    "baseline (lr_D 2e-4)": {},
    "strong D (lr_D 2e-3)": dict(lr_d=STRONG_LR_D),
    "strong D, no BatchNorm": dict(lr_d=STRONG_LR_D, arch="dcgan-nonorm"),   # separates SN from dropping BN
    "strong D + SN (no BatchNorm)": dict(lr_d=STRONG_LR_D, arch="dcgan-sn"),
    "strong D + SN (BatchNorm kept)": dict(lr_d=STRONG_LR_D, arch="dcgan-sn-bn"),
    "TTUR (lr_D 4e-4, lr_G 1e-4)": dict(lr_d=4e-4, lr_g=1e-4),
}


def probe(run: training.Run, n: int = 256, seed: int = 0) -> dict:
    """{"d_real", "d_fake", "g_grad", "x_grad"} now: mean σ(D(x)) over a real batch, mean σ(D(G(z))) over
    n fakes, ‖∇_θG L_G‖ over those fakes, and the mean over the fakes of ‖∂(Σ logits)/∂x_i‖. Both networks run in training mode, as the steps see them; their
    buffers (BatchNorm running statistics, spectral norm's power-iteration vectors) are restored
    afterwards and z comes from its own seeded generator, so the run continues exactly as without it."""
    G, D = run.G, run.D
    saved = [(b, b.detach().clone()) for net in (G, D) for b in net.buffers()]
    try:
        real, _ = run.real(run.step * run.cfg.k_d)                                       # (B, 1, 28, 28)
        noise = torch.Generator(device=run.device).manual_seed(seed)
        z = torch.randn(n, run.cfg.z_dim, generator=noise, device=run.device)
        with torch.no_grad():
            d_real = torch.sigmoid(D(real).float()).mean().item()
        fake = G(z)                                                                      # (n, 1, 28, 28)
        fake_logits = D(fake).float()                                                    # (n,)
        (x_grads,) = torch.autograd.grad(fake_logits.sum(), fake, retain_graph=True)     # (n, 1, 28, 28)
        x_grad = x_grads.flatten(1).norm(dim=1).mean().item()
        loss = losses.get(run.cfg.loss).g(fake_logits)
        grads = torch.autograd.grad(loss, [p for p in G.parameters() if p.requires_grad])
        g_grad = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])).item()
        d_fake = torch.sigmoid(fake_logits.detach()).mean().item()
    finally:
        with torch.no_grad():
            for buffer, value in saved:
                buffer.copy_(value)
    return {"step": run.step, "d_real": d_real, "d_fake": d_fake, "g_grad": g_grad, "x_grad": x_grad}


def strong_d(steps: int, width: int = 16, batch_size: int = 64, every: int = 10, variants=None,
             device=None, seed: int = 0, progress: bool = False) -> dict[str, list[dict]]:
    """For each variant (default: all of STRONG_D), train the dcgan-fmnist preset with its overrides
    for `steps` generator steps (no checkpoint, no EMA) and probe it every `every` steps:
    {variant: [probe, ...]}. `variants` is a list of STRONG_D's names, or a dict {name: overrides}
    (e.g. rows of gc.stabilize.METHODS, to probe the comparison's own settings)."""
    out = {}
    table = variants if isinstance(variants, dict) else {name: STRONG_D[name] for name in variants or STRONG_D}
    for name, overrides in table.items():
        cfg = presets.config("dcgan-fmnist", steps=steps, width=width, batch_size=batch_size, seed=seed,
                             device=device, log_every=every, ckpt_every=0, ckpt_minutes=0, ema_half_life=0,
                             **overrides)
        cfg.name = name
        trace: list[dict] = []
        training.fit(cfg, callback=lambda run: trace.append(probe(run)), progress=progress)
        out[name] = trace
    return out


def table(traces: dict[str, list[dict]], last: int = 3) -> str:
    """Each variant's probes averaged over its last `last` log points, as fixed-width text."""
    head = f"{'variant':<32} {'D(x)':>6} {'D(G(z))':>8} {'1−D(G(z))':>9} {'‖∇x D‖':>8} {'‖∇θG L_G‖':>10}"
    lines = [head, "-" * len(head)]
    for name, trace in traces.items():
        tail = trace[-last:]
        mean = {k: sum(p[k] for p in tail) / len(tail) for k in ("d_real", "d_fake", "g_grad", "x_grad")}
        lines.append(f"{name:<32} {mean['d_real']:6.3f} {mean['d_fake']:8.3f} {1 - mean['d_fake']:9.3f} "
                     f"{mean['x_grad']:8.3f} {mean['g_grad']:10.4f}")
    return "\n".join(lines)
