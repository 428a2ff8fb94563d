"""Training a GAN, one file per concept. Read them in this order:

config.py       TrainConfig: one dataclass, a comment per field
step.py         the run (Run, build_run), the D step, the G step, and train_step around them
ema.py          the averaged generator that samples are drawn from
loop.py         fit(): train_step → log → save, its bookkeeping behind `Book`
checkpoints.py  saving and resuming a run (bit-exact), refusing to save a diverged one
guards.py       the run folder's lock, stop signals (SIGTERM, Ctrl-C)
presets.py      the named configurations the notebooks and the CLI train
accel.py        speed options: autocast, channels_last, torch.compile, fused Adam — and when each is safe
monitor.py      D(x), D(G(z)), gradient norms, memory and a small FID at each log point
distributed.py  DDP under torchrun (the CLI's `train`; no notebook uses it)

`gc.train` is this package (`gc.train.fit(cfg)`, `gc.train.d_step(run, real)`).
"""
from ..models.sampling import conditioned, sample
from . import accel, checkpoints, config, distributed, ema, guards, loop, monitor, presets, step
from .checkpoints import Checkpoints, TrainingDiverged
from .config import TrainConfig
from .ema import recompute_batchnorm
from .guards import Interrupted, RunFolderError
from .loop import Book, fit
from .step import Run, build_run, d_step, g_step, generate, train_step, update_ema

__all__ = ["Book", "Checkpoints", "Interrupted", "Run", "RunFolderError", "TrainConfig", "TrainingDiverged",
           "build_run", "conditioned", "d_step", "fit", "g_step", "generate", "recompute_batchnorm", "sample",
           "train_step", "update_ema"]
