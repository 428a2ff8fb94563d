"""python -m gan_course COMMAND — the course's command line.

train             train a preset into a folder; re-running on the folder resumes
sample            draw images from a checkpoint into a .npy file
evaluate          FID, KID, precision, recall, density, coverage of a generator (a checkpoint or a
                  shipped name such as dcgan_fmnist), as one JSON line
export            a checkpoint's EMA generator and config as the small file shipped in data/weights/
presets           the named training configurations `train --preset` accepts, one line each
train-classifier  train the Fashion-MNIST evaluation classifier
check-data        verify data/ against data/MANIFEST.sha256 (run by `make lab`)
info              the environment report of 00_start_here, as JSON

Under `torchrun --nproc_per_node=N -m gan_course train ...` training uses DDP.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import signal
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

from . import __version__, data, files, runtime, training
from .evaluation import metrics
from .models import nets, pretrained
from .models.sampling import sample
from .training import guards, presets


# ----------------------------------------------------------------------------- train / sample / evaluate
def _train(args) -> int:
    from .ui import viz

    world = int(os.environ.get("WORLD_SIZE", "1"))
    overrides = {k: v for k, v in dict(seed=args.seed, device=args.device, max_minutes=args.max_minutes,
                                       steps=args.steps, ckpt_every=args.ckpt_every,
                                       ckpt_minutes=args.ckpt_minutes).items() if v is not None}
    cfg = presets.config(args.preset, epochs=args.epochs, world_size=world, **overrides)
    out = Path(args.out)
    run = training.fit(cfg, out=out, progress=not args.quiet)
    if int(os.environ.get("RANK", "0")) == 0:                  # only rank 0 writes
        import matplotlib
        matplotlib.use("Agg")
        ax = viz.show_images(sample(run.sampler, 64, seed=0), nrow=8,
                             title=f"{cfg.name}, step {run.step}")
        files.atomic_write(out / "samples.png", lambda f: ax.figure.savefig(f, format="png", dpi=100))
        last = run.history[-1] if run.history else {}
        print(json.dumps({**last, "out": str(out), "step": run.step, "steps": cfg.steps,
                          "last_logged_step": last.get("step")}))
    return 0


def _sample(args) -> int:
    if args.n < 1:
        raise ValueError(f"--n {args.n}: ask for at least one image.")
    if Path(args.out).suffix != ".npy":
        raise ValueError(f"--out {args.out}: the file name must end in .npy (the images are written "
                         "in NumPy's .npy format), e.g. samples.npy.")
    G = pretrained.load_generator(args.checkpoint, runtime.device(args.device))
    images = metrics.generate(G, args.n, seed=args.seed, labels=args.label).cpu().numpy().astype(np.float32)
    _require_finite(torch.from_numpy(images), args.checkpoint, "nothing was written")
    buffer = io.BytesIO()
    np.save(buffer, images)
    files.atomic_write(args.out, lambda f: f.write(buffer.getbuffer()))   # never a truncated .npy
    print(json.dumps({"out": args.out, "shape": list(images.shape), "min": float(images.min()),
                      "max": float(images.max()), "label": args.label}, allow_nan=False))
    return 0


def _require_finite(images: torch.Tensor, source, consequence: str) -> None:
    """Refuse samples with NaN or inf (a diverged generator), saying what that means for the command."""
    if not torch.isfinite(images).all():
        raise ValueError(f"{source}: the generator's samples contain NaN or inf (its weights diverged), "
                         f"so {consequence}. Use an earlier checkpoint, or train again with a lower "
                         "learning rate.")


EVALUATED = "fashion_mnist"   # the evaluation classifier and the reference images are Fashion-MNIST's


def _evaluate(args) -> int:
    if not 10 <= args.n <= 60000:
        raise ValueError(f"--n {args.n}: evaluate needs between 10 and 60 000 samples (the reference "
                         "set has 60 000 images; FID and precision/recall need several); 10 000 is usual.")
    cfg = pretrained.load_config(args.checkpoint)
    if cfg["dataset"] != EVALUATED:
        raise ValueError(
            f"{args.checkpoint} was trained on {cfg['dataset']!r}, but evaluate scores Fashion-MNIST "
            "generators (its classifier and reference images are Fashion-MNIST's), so its FID would be "
            "meaningless. For the 2-D mixtures use gc.metrics.mode_coverage (03); for digits, "
            "look at the samples (04).")
    G = pretrained.load_generator(args.checkpoint, runtime.device(args.device))
    images = metrics.generate(G, args.n, seed=args.seed)
    _require_finite(images, args.checkpoint, "they cannot be scored")
    result = metrics.evaluate(images, seed=args.seed)
    if nets.is_conditional(G):       # the samples above are class-balanced (metrics.generate); score each class
        rows = metrics.per_class(G, max(1, args.n // G.num_classes), seed=args.seed)
        result["class_accuracy"] = sum(r["accuracy"] for r in rows) / len(rows)          # mean over classes
        result["class_accuracy_min"] = min(r["accuracy"] for r in rows)                  # the worst class
        result["per_class_accuracy"] = {r["class"]: round(r["accuracy"], 4) for r in rows}
    print(json.dumps({**{k: round(v, 6) if isinstance(v, float) else v for k, v in result.items()},
                      "checkpoint": str(args.checkpoint), "seed": args.seed,
                      "features": "evaluation classifier, 128-d penultimate layer", "reference": "fashion_mnist train"}))
    return 0


def _export(args) -> int:
    out = pretrained.export(args.checkpoint, args.out)
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size, "sha256": data.manifest.sha256(out)}))
    return 0


def _presets(args) -> int:
    for name in sorted(presets.PRESETS):
        cfg = presets.config(name)
        print(f"{name:<22} {cfg.arch} width {cfg.width} on {cfg.dataset}, {cfg.loss} loss, "
              f"{cfg.steps} steps of {cfg.batch_size}")
    return 0


def _train_classifier(args) -> int:
    from .evaluation import classifier

    model, info = classifier.train_classifier(epochs=args.epochs, seed=args.seed, device=runtime.device(args.device))
    classifier.save_classifier(model, info, args.out)
    print(json.dumps({"out": args.out, **info}))
    return 0


def _check_data(args) -> int:
    names = data.check_all(args.root)
    print(f"data OK: {len(names)} files match {runtime.data_root(args.root) / 'MANIFEST.sha256'}")
    return 0


def _info(args) -> int:
    print(json.dumps(runtime.report()))
    return 0


# ----------------------------------------------------------------------------- parser
def _number(kind, low, words: str):
    """An argparse type: a finite `kind` (int or float) ≥ low (> low when words is "positive")."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}") from None
        if not math.isfinite(value) or value < low or (words == "positive" and value == low):
            raise argparse.ArgumentTypeError(f"{text} must be a finite number, {words}")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m gan_course", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"gan_course {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser("train", help="train a preset; re-running on the same --out resumes")
    t.add_argument("--preset", required=True, choices=sorted(presets.PRESETS))
    t.add_argument("--out", required=True, help="folder for checkpoint.pt, metrics.jsonl, samples.png")
    t.add_argument("--epochs", type=_number(float, 0, "positive"), default=None,
                   help="passes over the data (default: the preset's)")
    t.add_argument("--steps", type=_number(int, 1, "at least 1"), default=None, help="generator steps, instead of --epochs")
    t.add_argument("--max-minutes", type=_number(float, 0, "positive"), default=None,
                   help="stop and checkpoint after this long")
    t.add_argument("--ckpt-every", type=_number(int, 0, "0 or more"), default=None,
                   help="also checkpoint every N steps (default: the preset's; 0: only by time)")
    t.add_argument("--ckpt-minutes", type=_number(float, 0, "0 or more"), default=None,
                   help="also checkpoint every M minutes of wall time (default 5; 0: never by time)")
    t.add_argument("--seed", type=int, default=None)
    t.add_argument("--device", default=None)
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(run=_train)

    s = sub.add_parser("sample", help="write float32 (N, 1, 28, 28) samples in [-1, 1] to a .npy file")
    s.add_argument("checkpoint")
    s.add_argument("--n", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--label", type=int, default=None, help="class of a conditional generator")
    s.add_argument("--device", default=None)
    s.set_defaults(run=_sample)

    e = sub.add_parser("evaluate", help="FID, KID, precision/recall, density/coverage of a generator, one JSON line")
    e.add_argument("checkpoint")
    e.add_argument("--n", type=int, default=10000, help="generated samples (default 10 000)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--device", default=None)
    e.set_defaults(run=_evaluate)

    x = sub.add_parser("export", help="write a checkpoint's (EMA) generator and config as a small weights file")
    x.add_argument("checkpoint")
    x.add_argument("--out", required=True)
    x.set_defaults(run=_export)

    sub.add_parser("presets", help="the presets `train --preset` accepts").set_defaults(run=_presets)

    c = sub.add_parser("train-classifier", help="train the evaluation classifier")
    c.add_argument("--epochs", type=int, default=3)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--out", default=str(runtime.data_root() / "weights" / "fmnist_classifier.pt"))
    c.add_argument("--device", default=None)
    c.set_defaults(run=_train_classifier)

    d = sub.add_parser("check-data", help="verify the embedded data files")
    d.add_argument("--root", default=None, help="data folder (default: $GAN_COURSE_DATA or data/)")
    d.set_defaults(run=_check_data)
    sub.add_parser("info", help="python/torch versions, device, threads").set_defaults(run=_info)
    return p


def main(argv=None) -> int:
    """Run one command. Every expected failure is one line on stderr and exit code 1; a run stopped
    by SIGINT or SIGTERM saves, says so in one line and exits with 130 or 143 (128 + the signal)."""
    args = parser().parse_args(argv)
    plain_format, warnings.formatwarning = warnings.formatwarning, lambda message, *_: f"warning: {message}\n"
    try:
        return args.run(args)
    except guards.Interrupted as stop:
        print(stop, file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:                          # Ctrl-C outside a training loop: nothing to save
        print("Interrupted.", file=sys.stderr)
        return 128 + signal.SIGINT
    except (data.DataFileError, files.CheckpointError, training.TrainingDiverged, guards.RunFolderError,
            ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:                             # a full disk, a folder we may not write into, …
        where = f" ({err.filename})" if err.filename else ""
        print(f"error: {err.strerror or err}{where}. Check that the path exists, that you may write there "
              "and that the disk has room.", file=sys.stderr)
        return 1
    finally:
        warnings.formatwarning = plain_format
