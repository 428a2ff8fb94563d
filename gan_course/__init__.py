"""gan_course: the helper package of the GAN course. Notebooks do `import gan_course as gc`."""
from . import (accel, bench, checkpoint, classifier, data, distributed, losses, metrics, nets, presets, runtime,
               theory, train, viz, widgets)
from .runtime import FAST, device, pick, seed_everything
from .train import TrainConfig, fit, sample

__version__ = "0.1.0"

__all__ = ["FAST", "TrainConfig", "accel", "bench", "checkpoint", "classifier", "data", "distributed", "device", "fit", "losses", "nets",
           "metrics", "pick", "presets", "runtime", "sample", "theory", "seed_everything", "train", "viz", "widgets"]
