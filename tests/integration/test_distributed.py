"""DDP on CPU: two processes with the gloo backend, started by torchrun, as a learner would."""
import json
import os
import subprocess
import sys

import torch

from gan_course import files as checkpoint, distributed


def test_single_process_context_is_trivial(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    ctx = distributed.init()
    assert ctx == distributed.Context() and ctx.main and not ctx.active


def torchrun_train(out, port: int, *args: str) -> subprocess.CompletedProcess:
    """`torchrun --nproc_per_node=2 -m gan_course train --preset mlp-mnist ARGS --out OUT` on the CPU."""
    env = {**os.environ, "GAN_COURSE_DEVICE": "cpu", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={port}",
           "-m", "gan_course", "train", "--preset", "mlp-mnist", *args, "--out", str(out), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_torchrun_two_cpu_processes_train_and_only_rank_zero_writes(tmp_path):
    out = tmp_path / "run"
    done = torchrun_train(out, 29517, "--steps", "6")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1 and lines[0]["step"] == 6                  # one rank reported
    ckpt = checkpoint.load(out / "checkpoint.pt")
    assert ckpt["step"] == 6
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.pt", "metrics.jsonl", "samples.png"]
    # both ranks' data went into the update: img/s counts 2 processes × batch 64 per step
    assert all(h["img_per_s"] > 0 for h in ckpt["history"])
    assert torch.isfinite(torch.tensor(ckpt["history"][-1]["d_loss"]))


def test_single_process_agreement_helpers_pass_values_through():
    ctx, cpu = distributed.Context(), torch.device("cpu")
    assert distributed.any_rank(True, ctx, cpu) and not distributed.any_rank(False, ctx, cpu)
    assert distributed.all_finite(1.0, ctx, cpu) and not distributed.all_finite(float("nan"), ctx, cpu)


def test_torchrun_time_limit_stops_both_ranks_together(tmp_path):
    out = tmp_path / "run"
    torchrun_train(out, 29518, "--max-minutes", "0.02")
    step = checkpoint.load(out / "checkpoint.pt")["step"]
    assert 0 < step < checkpoint.load(out / "checkpoint.pt")["config"]["steps"]
