"""How large the R1 term is in 09's table, at its settings (referee 09, item 7): the "R1 γ=0.1" row, seed 0,
200 steps of 64 images, width 16; every 50 steps E‖∇x D(x)‖² on a real batch (on a copy of D, so the run
is not changed), the term (γ/2)·E‖∇x D‖², and D's loss at that log point. Output in stabilize_full.md.

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/stabilize_r1_share.py
"""
import copy, torch
from gan_course import losses, stabilize, train
cfg = stabilize.config("R1 γ=0.1", steps=200, width=16, batch_size=64, device="cpu", seed=0)
cfg.ckpt_minutes = 0; cfg.ema_half_life = 0
out = []
def cb(run):
    if run.step % 50: return
    D = copy.deepcopy(run.D)
    real, _ = run.real(run.step * run.cfg.k_d)
    x = real.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(D(x).float().sum(), x)
    sq = g.flatten(1).pow(2).sum(1).mean().item()
    out.append((run.step, sq, cfg.r1_gamma / 2 * sq, run.history[-1]["d_loss"]))
train.fit(cfg, callback=cb, progress=False)
print("step  E‖∇x D‖²  (γ/2)E‖∇x D‖² at γ=0.1  D loss (last log)")
for s, sq, term, dl in out: print(f"{s:4d}  {sq:9.4f}  {term:12.2e}  {dl:8.3f}")
