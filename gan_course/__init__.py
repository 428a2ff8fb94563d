"""gan_course: the helper package of the GAN course. Notebooks do `import gan_course as gc`."""
from . import (accel, bench, checkpoint, classifier, data, distributed, explorer, latent, losses, manifold, metrics,
               nets, presets, pretrained, runtime, stabilize, theory, train, viz, widgets)
from .runtime import FAST, device, pick, seed_everything
from .train import TrainConfig, fit, sample

__version__ = "0.1.0"

__all__ = ["FAST", "TrainConfig", "accel", "bench", "checkpoint", "classifier", "data", "device", "distributed",
           "explorer", "fit", "latent", "losses", "manifold", "metrics", "nets", "pick", "presets", "pretrained",
           "runtime", "sample", "seed_everything", "stabilize", "theory", "train", "viz", "widgets"]
