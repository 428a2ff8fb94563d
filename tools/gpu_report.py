"""`python tools/gpu_report.py`: measure the course on whatever device is present.

One invocation measures, on one device: every notebook in FAST and FULL (wall time of a fresh
kernel running it top to bottom, as nbmake does in CI: a fresh runs/ folder, cells tagged
skip-execution left out; and each kernel's peak memory), notebook 05's speed ladder, and the
20-epoch dcgan-fmnist run against the reference recipe on the same number of images (img/s,
FID of both). It writes benchmarks/reports/<device>.json and a markdown table beside it; the
README's course-map times are rendered from those files by tools/coursemap.py (`python tools/render.py`).
Options restrict the notebooks, profiles and run length, so CI runs a tiny subset on a CPU.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))      # the other tools

from gan_course import files, runtime, training
from gan_course.evaluation import metrics
from gan_course.experiments import speed as bench
from gan_course.training import accel, presets

REPORTS = runtime.REPO_ROOT / "benchmarks" / "reports"
_PROBE = ("import json as _j, torch as _t\ntry:\n    import resource as _r\n"
          "    _rss = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024\nexcept ImportError:\n    _rss = None\n"
          "print('GAN_COURSE_REPORT' + _j.dumps({'max_rss_mib': _rss, 'cuda_peak_mib': "
          "_t.cuda.max_memory_allocated() / 2**20 if _t.cuda.is_available() else None}))")


# ----------------------------------------------------------------------------- the device
def describe(device: torch.device) -> dict:
    hw = accel.hardware(device)
    name = hw.name
    return {"kind": hw.kind, "name": name, "capability": hw.capability, "triton": hw.triton,
            "cpu_bf16": accel.cpu_has_bf16(), "cpu_threads": torch.get_num_threads(),
            "torch": torch.__version__, "python": platform.python_version(), "platform": platform.platform()}


def slug(info: dict) -> str:
    """A file name for the device: 'nvidia-h100-80gb-hbm3', 'cpu-amd-epyc-bf16-2-threads'."""
    words = info["name"] if info["kind"] != "cpu" else \
        f"cpu {info['name']} {'bf16 ' if info['cpu_bf16'] else ''}{info['cpu_threads']} threads"
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")


# ----------------------------------------------------------------------------- notebooks
def notebooks(selected: list[str] | None = None) -> list[Path]:
    """The course's notebooks, or those whose names start with one of `selected` (e.g. ["00", "05"])."""
    folder = runtime.REPO_ROOT / "notebooks"
    found = sorted(p for p in folder.glob("[0-9][0-9]*.ipynb") if re.match(r"\d\d[a-z]?_", p.name))  # 04b_… too
    if not found:
        raise ValueError(f"no notebooks in {folder}: the report runs in a clone of the course repository.")
    chosen = [p for p in found if not selected or any(p.stem.startswith(s) for s in selected)]
    if not chosen:
        raise ValueError(f"no notebook matches {selected}; the notebooks are {[p.stem for p in found]}.")
    return chosen


def notebook_digest(path: Path) -> str:
    """The first 16 hex digits of the notebook file's SHA-256: a report keeps it beside each time, so a
    time measured on an older version of the notebook can be told apart (the course map marks it)."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def run_notebook(path: Path, fast: bool, runs: Path, timeout: int) -> dict:
    """Execute a notebook in a fresh kernel; its wall time, whether it ran through, its peak memory."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    digest = notebook_digest(path)                  # which version of the notebook these figures describe
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    env = {**os.environ, "GAN_COURSE_FAST": "1" if fast else "0", "GAN_COURSE_RUNS": str(runs),
           "PYTHONPATH": os.pathsep.join([str(runtime.REPO_ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", skip_cells_with_tag="skip-execution",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    try:
        client.execute(env=env)
        result = {"seconds": round(time.perf_counter() - t0, 1), "ok": True, "sha256": digest}
    except (CellExecutionError, TimeoutError, RuntimeError) as err:
        return {"seconds": round(time.perf_counter() - t0, 1), "ok": False,
                "error": (str(err).strip().splitlines() or [type(err).__name__])[-1][:300]}
    for out in nb.cells[-1].get("outputs", []):
        if "GAN_COURSE_REPORT" in out.get("text", ""):
            result.update(json.loads(out["text"].split("GAN_COURSE_REPORT", 1)[1]))
    return result


# ----------------------------------------------------------------------------- the 20-epoch run
def run_vs_reference(device: torch.device, epochs: float, fid_n: int) -> dict:
    """The dcgan-fmnist preset for `epochs` through gc.fit, and the reference recipe on the same
    number of images; wall-time img/s (start-up included, as a learner sees it), FID on fid_n samples."""
    cuda = device.type == "cuda"
    cfg = presets.config("dcgan-fmnist", epochs=epochs, device=str(device), ckpt_every=0)
    images = cfg.steps * cfg.batch_size
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    t0 = time.perf_counter()
    run = training.fit(cfg, progress=False)
    bench.sync(device)
    course_s = time.perf_counter() - t0
    course_peak = torch.cuda.max_memory_allocated(device) / 2**20 if cuda else None
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    G_ref, ref_images, ref_s = bench.reference_train(None, cfg.batch_size, device, images=images)
    score = lambda G: round(metrics.fid(metrics.generate(G, fid_n)), 3)
    course = {"images": images, "seconds": round(course_s, 1), "img_per_s": round(images / course_s, 1),
              "fid_ema": score(run.sampler), "fid_raw": score(run.G), "cuda_peak_mib": course_peak,
              "ema_bn": "recomputed"}      # run.sampler recomputes G_ema's BatchNorm statistics (readme shows FIDs only then)
    reference = {"images": ref_images, "seconds": round(ref_s, 1), "img_per_s": round(ref_images / ref_s, 1),
                 "fid": score(G_ref),
                 "cuda_peak_mib": torch.cuda.max_memory_allocated(device) / 2**20 if cuda else None}
    return {"epochs": epochs, "steps": cfg.steps, "batch_size": cfg.batch_size, "fid_n": fid_n,
            "course": course, "reference": reference,
            "img_per_s_ratio": round(course["img_per_s"] / reference["img_per_s"], 2)}


# ----------------------------------------------------------------------------- the report
def measure(device: torch.device, profiles=("fast", "full"), selected=None, ladder_seconds: float = 30.0,
            run_epochs: float = 20.0, fid_n: int = 10000, timeout: int = 4 * 3600, note: str = "",
            contended: bool = False, command: str = "", warmup: int = bench.WARMUP_STEPS, ladder_batch: int = 128, log=print,
            ladder_steps: int | None = None, save=None) -> dict:
    """The report as a dict. `save(report)`, when given, is called after every notebook and every stage, so
    an interrupted or crashed invocation leaves on disk what it had measured ("complete": false)."""
    save = save or (lambda _report: None)
    report = {"format": 1, "device": describe(device),
              "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "command": command,
              "note": note, "contended": contended, "complete": False, "notebooks": {}}
    for profile in profiles:
        report["notebooks"][profile] = {}
        with tempfile.TemporaryDirectory(prefix=f"gan-course-report-{profile}-") as runs:   # a fresh runs/
            for path in notebooks(selected):
                log(f"{profile.upper():4} {path.stem} ...")
                report["notebooks"][profile][path.stem] = result = run_notebook(path, profile == "fast", Path(runs), timeout)
                log(f"     {result['seconds']} s" + ("" if result["ok"] else f"  FAILED: {result['error']}"))
                save(report)
    if ladder_seconds:
        log(f"05 ladder, {ladder_seconds} s per row ...")
        report["ladder"] = {"seconds_per_row": ladder_seconds, "warmup_steps": warmup, "batch_size": ladder_batch,
                            "steps_per_window": ladder_steps,
                            "rows": bench.ladder(device, ladder_seconds, ladder_batch, warmup, ladder_steps)}
        save(report)
    if run_epochs:
        log(f"the {run_epochs}-epoch run and the reference recipe on the same images ...")
        report["run"] = run_vs_reference(device, run_epochs, fid_n)
    report["complete"] = True
    save(report)
    return report


def markdown(report: dict) -> str:
    """The report as a short markdown page."""
    from coursemap import duration
    d = report["device"]
    lines = [f"# {d['name']} ({d['kind']})", "", f"Measured {report['date']} with `{report['command']}`; "
             f"torch {d['torch']}, {d['cpu_threads']} CPU threads." + (f" {report['note']}" if report.get("note") else "")
             + (" **Interrupted:** this page holds what was measured before it stopped." if report.get("complete") is False else ""),
             "", "| notebook | " + " | ".join(f"{p.upper()}" for p in report["notebooks"]) + " | peak memory |",
             "|---|" + "---|" * len(report["notebooks"]) + "---|"]
    names = sorted({n for runs in report["notebooks"].values() for n in runs})
    for name in names:
        cells, peaks = [], []
        for runs in report["notebooks"].values():
            r = runs.get(name)
            cells.append("—" if r is None else duration(r["seconds"]) if r["ok"] else f"failed after {duration(r['seconds'])}")
            if r and r.get("cuda_peak_mib") is not None:
                peaks.append(f"{r['cuda_peak_mib']:.0f} MiB GPU")
            elif r and r.get("max_rss_mib") is not None:
                peaks.append(f"{r['max_rss_mib']:.0f} MiB RSS")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {', '.join(peaks) or '—'} |")
    if "ladder" in report:
        lad = report["ladder"]
        lines += ["", f"05's ladder ({lad['warmup_steps']} untimed steps per row, then the median of 3 windows, "
                      f"{lad['seconds_per_row']} s per row, batch {lad.get('batch_size', 128)}):", "", "| row | img/s | change |", "|---|---|---|"]
        lines += [f"| {r['row']} | {'—' if r['img_per_s'] is None else round(r['img_per_s'])} | {r['change']} |"
                  for r in lad["rows"]]
    if "run" in report:
        r = report["run"]
        c, ref = r["course"], r["reference"]
        lines += ["", f"dcgan-fmnist for {r['epochs']} epochs ({c['images']:,} images) vs the reference recipe on "
                      f"the same images; FID on {r['fid_n']:,} samples:", "",
                  "| trainer | wall time | img/s | FID |", "|---|---|---|---|",
                  f"| course (gc.fit) | {duration(c['seconds'])} | {c['img_per_s']:.0f} | {c['fid_ema']} EMA G, {c['fid_raw']} raw G |",
                  f"| reference | {duration(ref['seconds'])} | {ref['img_per_s']:.0f} | {ref['fid']} |",
                  "", f"img/s ratio: {r['img_per_s_ratio']}×"]
    return "\n".join(lines) + "\n"


def write(report: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{slug(report['device'])}.json"
    text = json.dumps(report, indent=1) + "\n"
    files.atomic_write(path, lambda f: f.write(text.encode()))
    md = markdown(report)
    files.atomic_write(path.with_suffix(".md"), lambda f: f.write(md.encode()))
    return path


def _command() -> str:
    """The command line that made the report (as typed, when run as `python -m gan_course`)."""
    if Path(sys.argv[0]).name == "gpu_report.py":
        return " ".join(["python tools/gpu_report.py"] + sys.argv[1:])
    return "tools/gpu_report.py main() (in-process)"


def main(args) -> int:
    try:
        device = runtime.device(args.device)
        notebooks(args.notebooks)                          # an unknown prefix is refused before anything runs
    except (ValueError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    profiles = args.profiles or ["fast", "full"]
    report = measure(device, profiles, args.notebooks, args.ladder_seconds, args.run_epochs, args.fid_n,
                     args.timeout, args.note, args.contended, _command(), args.warmup, args.ladder_batch_size,
                     ladder_steps=args.ladder_steps, save=lambda partial: write(partial, Path(args.out)))
    path = write(report, Path(args.out))
    print(f"wrote {path} and {path.with_suffix('.md')}")
    if args.readme:
        import render
        changed = render.render_all()
        print("README course map " + ("rewritten from the reports" if changed else "already matches the reports"))
    return 0


def parser():
    import argparse

    r = argparse.ArgumentParser(prog="python tools/gpu_report.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--profiles", nargs="+", choices=["fast", "full"], default=None, help="default: fast full")
    r.add_argument("--notebooks", nargs="+", default=None, metavar="PREFIX",
                   help="only notebooks whose names start with these, e.g. 00 05 (default: all)")
    r.add_argument("--ladder-seconds", type=float, default=30.0, help="timed seconds per ladder row; 0 skips it")
    r.add_argument("--warmup", type=int, default=10, help="untimed steps before every ladder row (default 10)")
    r.add_argument("--ladder-batch-size", type=int, default=128)
    r.add_argument("--ladder-steps", type=int, default=None,
                   help="exactly this many steps per timed window instead of --ladder-seconds (bounds the cost)")
    r.add_argument("--run-epochs", type=float, default=20.0,
                   help="length of the dcgan-fmnist run compared with the reference; 0 skips it")
    r.add_argument("--fid-n", type=int, default=10000, help="samples for FID (default 10 000)")
    r.add_argument("--timeout", type=int, default=4 * 3600, help="seconds per notebook cell before giving up")
    r.add_argument("--out", default=str(REPORTS))
    r.add_argument("--note", default="", help="a sentence stored with the report (e.g. what else ran)")
    r.add_argument("--contended", action="store_true",
                   help="other work shared the machine: keep the report, but never use it in the README")
    r.add_argument("--readme", action="store_true", help="then re-render the README course map from the reports")
    r.add_argument("--device", default=None)
    return r


if __name__ == "__main__":
    sys.exit(main(parser().parse_args()))
