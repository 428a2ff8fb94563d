"""The research record's rows: every measurement in benchmarks/<study>/*.jsonl carries its stamp.

`append(path, row)` adds one JSON line to `path`, with `row["stamp"]` saying what produced it: the
commit (and whether the work tree had uncommitted changes), torch's version, the device, the host,
Python's version and the UTC time. `rows(pattern)` reads them back, from one file or a glob.
benchmarks/README.md describes the record; tools/render.py turns rows into the tables.
"""
from __future__ import annotations

import datetime
import glob
import json
import platform
import subprocess
from pathlib import Path

import torch


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10,
                             cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def stamp(device: str | torch.device | None = None) -> dict:
    """What produced a measurement: commit, dirty, torch, device, host, python, time (UTC, ISO 8601)."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    device = str(device)
    if device.startswith("cuda") and torch.cuda.is_available():
        device = f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return {"commit": _git("rev-parse", "--short=12", "HEAD"), "dirty": bool(status) if status is not None else None,
            "torch": torch.__version__, "device": device, "host": platform.node(),
            "python": platform.python_version(),
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def append(path: str | Path, row: dict, device: str | torch.device | None = None) -> dict:
    """Append `row`, stamped, as one JSON line to `path` (made with its folder if missing). Returns it."""
    row = {**row, "stamp": stamp(device)}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row


def rows(pattern: str | Path) -> list[dict]:
    """Every row of one .jsonl file, or of every file a glob names, in file then line order."""
    paths = sorted(glob.glob(str(pattern))) or ([] if any(c in str(pattern) for c in "*?[") else [str(pattern)])
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            out.extend(json.loads(line) for line in f if line.strip())
    return out
