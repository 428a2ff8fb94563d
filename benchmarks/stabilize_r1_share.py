"""How large the R1 term is in 09's table, at its settings (referee 09, item 7): the "R1 γ=0.1" row, seed 0,
`--steps` generator steps of 64 images, width 16; every `--every` steps E‖∇x D(x)‖² on a real batch (on a
copy of D, so the run is not changed), the term (γ/2)·E‖∇x D‖², and D's loss at that log point. Output in
stabilize_full.md.

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/stabilize_r1_share.py --steps 2500 --every 500
"""
import argparse, copy, torch
from gan_course import stabilize, train
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--steps", type=int, default=2500)
ap.add_argument("--every", type=int, default=500)
ap.add_argument("--method", default="R1 γ=0.1", help="an R1 row of gc.stabilize.METHODS")
args = ap.parse_args()
cfg = stabilize.config(args.method, steps=args.steps, width=16, batch_size=64, device="cpu", seed=0)
cfg.ckpt_minutes = 0; cfg.ema_half_life = 0
out = []
def cb(run):
    if run.step % args.every: return
    D = copy.deepcopy(run.D)
    real, _ = run.real(run.step * run.cfg.k_d)
    x = real.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(D(x).float().sum(), x)
    sq = g.flatten(1).pow(2).sum(1).mean().item()
    out.append((run.step, sq, cfg.r1_gamma / 2 * sq, run.history[-1]["d_loss"]))
train.fit(cfg, callback=cb, progress=False)
print(f"step  E‖∇x D‖²  (γ/2)E‖∇x D‖² at γ={cfg.r1_gamma:g}  D loss (last log)")
for s, sq, term, dl in out: print(f"{s:4d}  {sq:9.4f}  {term:12.2e}  {dl:8.3f}")
