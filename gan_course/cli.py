"""python -m gan_course COMMAND — the course's command line: train, sample, evaluate, export.

`python -m gan_course --help` lists the commands once each; `python -m gan_course COMMAND --help`
gives a command's options, their defaults and an example. Building the parser imports no PyTorch
(each command imports what it needs when it runs), so `--help` answers at once.
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

from . import __version__

# The names `train --preset` accepts, kept here so that building the parser needs no PyTorch; a test
# (tests/integration/test_cli.py) checks they are training/presets.py's PRESETS.
PRESET_NAMES = ("cgan-cbn-bnd-fmnist", "cgan-cbn-fmnist", "cgan-fmnist", "cgan-snd-fmnist", "dcgan-fmnist",
                "dcgan-fmnist-128", "dcgan-fmnist-5min", "dcgan-mnist", "dcgan-mnist-64", "dcgan-mnist-shallow",
                "mlp-mnist", "ring-2d")
SHIPPED = "dcgan_fmnist or cgan_fmnist"      # the generators in data/weights/
DEVICE_HELP = "cpu, cuda, cuda:N or mps (default: a CUDA GPU when there is one, else an Apple GPU, else the CPU)"


def _device(name):
    """runtime.device, with its advice written for this command line (--device, not device=)."""
    from . import runtime

    try:
        return runtime.device(name)
    except (ValueError, RuntimeError) as err:
        raise ValueError(str(err).replace("device='cpu'", "--device cpu")) from None


# ----------------------------------------------------------------------------- train / sample / evaluate
def _train(args) -> int:
    from . import files, training
    from .models.sampling import sample
    from .training import presets
    from .ui import viz

    if args.preset not in presets.PRESETS:
        raise ValueError(f"--preset {args.preset}: no such preset. Choose one of {', '.join(sorted(presets.PRESETS))} "
                         "(`python -m gan_course presets` describes each).")
    if args.device is not None:
        _device(args.device)

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
    import numpy as np
    import torch

    from . import files
    from .evaluation import metrics
    from .models import pretrained

    if args.n < 1:
        raise ValueError(f"--n {args.n}: ask for at least one image.")
    if Path(args.out).suffix != ".npy":
        raise ValueError(f"--out {args.out}: the file name must end in .npy (the images are written "
                         "in NumPy's .npy format), e.g. samples.npy.")
    G = pretrained.load_generator(args.checkpoint, _device(args.device))
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
    import torch

    if not torch.isfinite(images).all():
        raise ValueError(f"{source}: the generator's samples contain NaN or inf (its weights diverged), "
                         f"so {consequence}. Use an earlier checkpoint, or train again with a lower "
                         "learning rate.")


EVALUATED = "fashion_mnist"   # the evaluation classifier and the reference images are Fashion-MNIST's


def _evaluate(args) -> int:
    from .evaluation import metrics
    from .models import nets, pretrained

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
    G = pretrained.load_generator(args.checkpoint, _device(args.device))
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
    from . import data
    from .models import pretrained

    out = pretrained.export(args.checkpoint, args.out)
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size, "sha256": data.manifest.sha256(out)}))
    return 0


def _presets(args) -> int:
    from .training import presets

    for name in sorted(presets.PRESETS):
        cfg = presets.config(name)
        print(f"{name:<22} {cfg.arch} width {cfg.width} on {cfg.dataset}, {cfg.loss} loss, "
              f"{cfg.steps} steps of {cfg.batch_size}")
    return 0


def _train_classifier(args) -> int:
    from .evaluation import classifier

    from . import runtime

    out = args.out or str(runtime.data_root() / "weights" / "fmnist_classifier.pt")
    model, info = classifier.train_classifier(epochs=args.epochs, seed=args.seed, device=_device(args.device))
    classifier.save_classifier(model, info, out)
    print(json.dumps({"out": out, **info}))
    return 0


def _check_data(args) -> int:
    from . import data, runtime

    names = data.check_all(args.root)
    print(f"data OK: {len(names)} files match {runtime.data_root(args.root) / 'MANIFEST.sha256'}")
    return 0


def _info(args) -> int:
    from . import runtime

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


class _Help(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written; wide enough for the option lines."""

    def __init__(self, prog):
        super().__init__(prog, max_help_position=28, width=100)


def _command(sub, name: str, summary: str, example: str, run):
    """A subcommand: `summary` in the command list (once), and in its own help with `example`."""
    c = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".",
                       epilog=f"example:\n  {example}", formatter_class=_Help)
    c.set_defaults(run=run)
    return c


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m gan_course", formatter_class=_Help,
        description="The GAN course's command line. In a clone, run it as `.venv/bin/python -m gan_course` "
                    "(or activate .venv first).",
        epilog="examples:\n"
               "  python -m gan_course presets\n"
               "  python -m gan_course train --preset dcgan-fmnist-5min --max-minutes 5 --out runs/first\n"
               "  python -m gan_course sample runs/first/checkpoint.pt --n 64 --out samples.npy\n"
               "  python -m gan_course evaluate dcgan_fmnist\n\n"
               "`python -m gan_course COMMAND --help` gives each command's options and defaults.\n"
               "Under `torchrun --nproc_per_node=N -m gan_course train ...` training uses DDP.")
    p.add_argument("--version", action="version", version=f"gan_course {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")

    t = _command(sub, "train", "train a preset into a folder; running it again on the folder resumes",
                 "python -m gan_course train --preset dcgan-fmnist-5min --max-minutes 5 --out runs/first", _train)
    t.add_argument("--preset", required=True, metavar="NAME",
                   help="the training configuration; `python -m gan_course presets` lists them "
                        "(for about 5 minutes on a CPU: dcgan-fmnist-5min with --max-minutes 5)")
    t.add_argument("--out", required=True, metavar="FOLDER", help="folder for checkpoint.pt, metrics.jsonl, samples.png")
    t.add_argument("--epochs", type=_number(float, 0, "positive"), default=None,
                   help="passes over the data (default: the preset's)")
    t.add_argument("--steps", type=_number(int, 1, "at least 1"), default=None,
                   help="generator steps, instead of --epochs (default: the preset's)")
    t.add_argument("--max-minutes", type=_number(float, 0, "positive"), default=None, metavar="M",
                   help="stop and checkpoint after M minutes (default: no limit)")
    t.add_argument("--ckpt-every", type=_number(int, 0, "0 or more"), default=None, metavar="N",
                   help="also checkpoint every N steps (default: the preset's; 0: only by time)")
    t.add_argument("--ckpt-minutes", type=_number(float, 0, "0 or more"), default=None, metavar="M",
                   help="also checkpoint every M minutes of wall time (default 5; 0: never by time)")
    t.add_argument("--seed", type=int, default=None, help="random seed (default: the preset's)")
    t.add_argument("--device", default=None, help=DEVICE_HELP)
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    s = _command(sub, "sample", "draw images from a generator into a .npy file (float32, (N, 1, 28, 28), in [-1, 1])",
                 "python -m gan_course sample cgan_fmnist --n 64 --label 7 --out sneakers.npy", _sample)
    s.add_argument("checkpoint", help=f"a checkpoint.pt from train, a file from export, or a shipped name ({SHIPPED})")
    s.add_argument("--n", type=int, required=True, help="how many images")
    s.add_argument("--out", required=True, metavar="FILE.npy", help="where to write them")
    s.add_argument("--seed", type=int, default=0, help="noise seed: the same seed draws the same images (default 0)")
    s.add_argument("--label", type=int, default=None, metavar="CLASS",
                   help="0-9: one class of a conditional generator (default: the classes in turn)")
    s.add_argument("--device", default=None, help=DEVICE_HELP)

    e = _command(sub, "evaluate", "score a Fashion-MNIST generator: FID, KID, precision, recall, density and "
                 "coverage, as one JSON line", "python -m gan_course evaluate runs/first/checkpoint.pt --n 10000", _evaluate)
    e.add_argument("checkpoint", help=f"a checkpoint.pt from train, a file from export, or a shipped name ({SHIPPED})")
    e.add_argument("--n", type=int, default=10000, help="generated samples, 10 to 60 000 (default 10 000)")
    e.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    e.add_argument("--device", default=None, help=DEVICE_HELP)

    x = _command(sub, "export", "write a checkpoint's generator (its EMA copy when it has one) and config as a small file",
                 "python -m gan_course export runs/first/checkpoint.pt --out g.pt", _export)
    x.add_argument("checkpoint", help="a checkpoint.pt from train")
    x.add_argument("--out", required=True, metavar="FILE", help="the file to write (never the checkpoint itself)")

    _command(sub, "presets", "list the presets `train --preset` accepts, one line each",
             "python -m gan_course presets", _presets)

    c = _command(sub, "train-classifier", "train the Fashion-MNIST classifier that evaluate's features come from",
                 "python -m gan_course train-classifier --out runs/classifier.pt", _train_classifier)
    c.add_argument("--epochs", type=int, default=3, help="passes over the data (default 3)")
    c.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    c.add_argument("--out", default=None, metavar="FILE", help="where to save it (default: data/weights/fmnist_classifier.pt)")
    c.add_argument("--device", default=None, help=DEVICE_HELP)

    d = _command(sub, "check-data", "verify the data files against their SHA-256 manifest (make lab runs it)",
                 "python -m gan_course check-data", _check_data)
    d.add_argument("--root", default=None, metavar="FOLDER", help="data folder (default: $GAN_COURSE_DATA, else data/)")
    _command(sub, "info", "print Python and PyTorch versions, the device and threads as JSON (paste it into a bug report)",
             "python -m gan_course info", _info)
    return p


def main(argv=None) -> int:
    """Run one command. Every expected failure is one line on stderr and exit code 1; a run stopped
    by SIGINT or SIGTERM saves, says so in one line and exits with 130 or 143 (128 + the signal)."""
    args = parser().parse_args(argv)
    from . import data, files, training
    from .training import guards

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
