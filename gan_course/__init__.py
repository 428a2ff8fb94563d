"""gan_course: the helper package of the GAN course. Notebooks do `import gan_course as gc`.

The device rule. A function given a model — a generator, a discriminator, the evaluation
classifier — runs that model on the device it is on (put it there once: `load_generator(name,
device)`, `load_classifier(device=device)`, `.to(device)`), and takes its tensor arguments from
any device: it moves them itself (`nets.to_device_of`). Tensors it hands back — images, latents,
directions, features, labels — are on the CPU, where the datasets are and where plots and NumPy
read them; scores are Python numbers. Given two models (G and the classifier), each runs on its
own device. Functions of tensors alone (losses, theory, the formulas of metrics, latent.lerp/
slerp) are plain PyTorch: they compute where their inputs are; manifold's k-NN functions compute
on the device of their first argument. A default model a function loads itself follows the model
it was given: per_class (and stabilize's scoring) loads the classifier on G's device; functions
given only images (features, fid, kid, inception_score, evaluate) have no model to follow and load
it on the CPU — pass `classifier=load_classifier(device=device)` to score on your device.

What is tested, and what is not. tests/test_device_rule.py runs, with the models on a fake CUDA
device (tests/fake_cuda.py: PyTorch's own same-device checks, values computed on the CPU) and inputs
from the CPU: latent.pca_directions/describe/class_means/images, explorer.render_explorer/
render_interpolation, metrics.generate/features/evaluate (so fid, kid, prdc)/inception_score/
sanity_images/per_class, classifier.accuracy, manifold.prdc/nearest, and the CLI's `sample` and
`evaluate`. It does not cover latent.invert nor any training (fit, stabilize, classifier.train):
backward passes cannot run on the fake device. Nothing here has run on a real GPU: the fake device
catches device mismatches, not CUDA kernel, memory or speed problems.
"""
from . import (accel, bench, checkpoint, checks, classifier, data, digits, distributed, dynamics, explorer,
               flops, latent, lipschitz, losses, manifold, metrics, monitor, nets, presets, pretrained, readme,
               runtime, shapes, stabilize, theory, train, viz, widgets)
from .runtime import FAST, device, pick, seed_everything
from .train import TrainConfig, fit, sample

__version__ = "0.1.0"

__all__ = ["FAST", "TrainConfig", "accel", "bench", "checkpoint", "classifier", "data", "device", "distributed",
           "explorer", "fit", "flops", "latent", "losses", "manifold", "metrics", "monitor", "nets", "pick",
           "presets", "pretrained", "runtime", "sample", "seed_everything", "stabilize", "theory", "train", "viz",
           "widgets"]
