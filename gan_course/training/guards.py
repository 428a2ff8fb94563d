"""Guards around a training run's folder, so that a run never loses work it could have kept.

train.fit() calls these in a few visible lines; the loop itself stays plain.
  RunFolder(out)   before the first step: out must be a folder we can write into (not a file,
                   not read-only); a lock names the process that trains there, so a second
                   writer is refused; temporary files left by killed saves are removed.
  StopSignals()    SIGTERM (what SLURM, Kubernetes and `timeout` send) and SIGINT (Ctrl-C, a
                   notebook's stop button) only set a flag; the loop finishes the step it is in,
                   checkpoints, and raises Interrupted (a KeyboardInterrupt) — never mid-step.
  save_failed()    an OSError while checkpointing (a full disk) becomes one message that says
                   which checkpoint is still intact.
Introduced in 05_dcgan_full_training_run (checkpoints and resume).
"""
from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path

try:                                  # POSIX: an advisory lock the kernel drops when its holder dies
    import fcntl
except ImportError:                   # Windows: byte-range locks (untested on Windows)
    fcntl = None
    import msvcrt

LOCK = ".lock"                        # the lock file in a run folder; it holds "pid@host"
TEMP_PATTERNS = (".checkpoint.pt.*.tmp", ".metrics.jsonl.*.tmp", ".samples.png.*.tmp")


class RunFolderError(RuntimeError):
    """The run folder cannot be used: not writable, a file, full, or locked by another process."""


class Interrupted(KeyboardInterrupt):
    """Training stopped on a signal after a whole step and a checkpoint. A KeyboardInterrupt, so
    that a notebook's stop button still interrupts the cell; `signum` says which signal."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum


# ----------------------------------------------------------------------------- the folder
class RunFolder:
    """The writable, locked output folder of one run. Use as a context manager."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self._fd: int | None = None

    def __enter__(self) -> RunFolder:
        if self.out.exists() and not self.out.is_dir():
            raise RunFolderError(f"--out {self.out} is a file, not a folder. Give a folder name "
                                 "(it is created if missing); a run writes checkpoint.pt, metrics.jsonl "
                                 "and samples.png into it.")
        if (self.out / "checkpoint.pt").is_dir():
            raise RunFolderError(f"{self.out / 'checkpoint.pt'} is a folder, so no checkpoint can be "
                                 "written there. Move it away or choose another output folder.")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self._lock()
        except OSError as err:
            raise RunFolderError(
                f"cannot write into {self.out} ({err.strerror or err}). Nothing was trained. "
                "Choose a folder you can write to (e.g. under runs/), or fix its permissions."
            ) from None
        self.removed = remove_stale_temps(self.out)
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _lock(self) -> None:
        path = self.out / LOCK
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                os.close(fd)
                holder = _read(path) or "another process"
                raise RunFolderError(
                    f"{self.out} is being trained into by {holder} (it holds {path}). Two writers "
                    "would overwrite each other's checkpoints: wait for that run to finish, stop it, "
                    "or choose another output folder.")
            try:                      # the holder may have removed the file between open and lock
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            (self.out / LOCK).unlink(missing_ok=True)    # unlink while still holding the lock
            os.close(self._fd)                           # closing releases it
            self._fd = None


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def remove_stale_temps(out: Path) -> list[Path]:
    """Delete the temporary files of saves that were killed (kill -9, power loss). Only called
    while holding the folder's lock, so no live save's file is touched."""
    stale = [p for pattern in TEMP_PATTERNS for p in out.glob(pattern)]
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


def save_failed(out: Path, err: OSError, saved_step: int | None) -> str:
    """The message for a checkpoint that could not be written."""
    kept = (f"The previous checkpoint (step {saved_step}) in {out} is intact; run the same command "
            f"again to resume from it" if saved_step is not None else
            "No earlier checkpoint existed, so this run's progress is lost; run the same command again")
    return (f"could not write the checkpoint into {out} ({err.strerror or err}). {kept} once the "
            "problem is fixed (free disk space, or choose another output folder with room).")


# ----------------------------------------------------------------------------- signals
class StopSignals:
    """While active, SIGTERM and SIGINT set `requested` (the signal number) instead of stopping
    the process; the loop checks it between whole steps. A second signal of the same kind acts
    as it did before (Ctrl-C twice forces a KeyboardInterrupt). Handlers can only be installed
    in the main thread; elsewhere this does nothing and Ctrl-C raises as usual."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested: int | None = None
        self._previous: dict[int, object] = {}

    def _handler(self, signum, frame) -> None:
        self.requested = signum
        signal.signal(signum, self._previous.get(signum, signal.SIG_DFL))

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for s in self.SIGNALS:
                self._previous[s] = signal.getsignal(s)
                signal.signal(s, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        for s, previous in self._previous.items():
            signal.signal(s, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name
