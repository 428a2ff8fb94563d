"""gan_course: the helper package of the GAN course. Notebooks do `import gan_course as gc`.

The package, by concept (each file is one idea; read its docstring first):

    losses.py, theory.py, shapes.py, lipschitz.py   the maths of 01–02b (pure functions)
    data/          datasets, the 2-D mixtures, on-device batches, the SHA-256 manifest
    models/        nets (architectures by name), sampling, pretrained (the shipped generators)
    evaluation/    classifier, metrics (FID, KID, IS, PRDC), manifold, digits
    training/      config, step, ema, loop (fit), checkpoints, guards, presets, accel, monitor
    latent.py, dynamics.py, checks.py   07's latent space, 03's forces, the exercises' checks
    experiments/   speed, stabilize, stats, record: what the research record (benchmarks/) runs
    ui/            viz, widgets, explorer
    runtime.py, files.py, cli.py        device and seeds, atomic saves and safe loads, the CLI

`gc.<name>` loads a module on first use, so `import gan_course` itself imports no PyTorch. The short
spellings the notebooks use — gc.nets, gc.metrics, gc.presets, gc.train (the training package) … —
are listed in ALIASES.

The device rule. A function given a model — a generator, a discriminator, the evaluation
classifier — runs that model on the device it is on, and takes its tensor arguments from any device:
it moves them itself (`runtime.to_device_of`). Tensors it hands back — images, latents, directions,
features, labels — are on the CPU; scores are Python numbers. Functions of tensors alone (losses,
theory, the formulas of metrics, latent.lerp/slerp) compute where their inputs are. A default model a
function loads itself follows the model it was given; functions given only images (features, fid,
kid, inception_score, evaluate) load the classifier on the CPU — pass
`classifier=load_classifier(device=device)` to score on your device. tests/unit/test_device_rule.py
checks this with the models on a fake CUDA device (forward passes only; nothing of training).
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

ALIASES = {
    # short name      module
    "nets": "models.nets", "sampling": "models.sampling", "pretrained": "models.pretrained",
    "classifier": "evaluation.classifier", "metrics": "evaluation.metrics",
    "manifold": "evaluation.manifold", "digits": "evaluation.digits",
    "train": "training", "presets": "training.presets", "accel": "training.accel", "ema": "training.ema",
    "monitor": "training.monitor", "distributed": "training.distributed",
    "speed": "experiments.speed", "stabilize": "experiments.stabilize",
    "stabilize_probe": "experiments.stabilize_probe", "stats": "experiments.stats", "record": "experiments.record",
    "viz": "ui.viz", "widgets": "ui.widgets", "explorer": "ui.explorer",
}
MODULES = ("checks", "cli", "data", "dynamics", "evaluation", "experiments", "files", "latent", "lipschitz",
           "losses", "models", "runtime", "shapes", "theory", "training", "ui")
NAMES = {"FAST": "runtime", "device": "runtime", "pick": "runtime", "seed_everything": "runtime",
         "TrainConfig": "training", "fit": "training", "sample": "models.sampling"}


def __getattr__(name: str):
    if name in ALIASES or name in MODULES:
        module = importlib.import_module(f".{ALIASES.get(name, name)}", __name__)
    elif name in NAMES:
        module = getattr(importlib.import_module(f".{NAMES[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'gan_course' has no attribute {name!r}")
    globals()[name] = module
    return module


def __dir__():
    return sorted(set(globals()) | set(ALIASES) | set(MODULES) | set(NAMES))


__all__ = sorted(set(ALIASES) | set(MODULES) | set(NAMES))
