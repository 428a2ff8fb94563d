"""Notebook 04's written-out training loop (cell "loop-by-hand") is gc.fit's loop, and what 04
prints about it holds: the same weights and losses, one fake batch shared by the D and G steps,
the figures of bug 2 and of the equilibrium, and exercise solutions that pass their checks.
The test runs the notebook's own cell source, so the two cannot drift apart."""
import contextlib
import dataclasses
import io
import json
import math
import re

import pytest
import torch

import gan_course as gc
from gan_course import checks
from gan_course.runtime import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "04_first_gan_on_digits.ipynb"
CFG = gc.TrainConfig(arch="mlp", dataset="mnist5k", z_dim=8, width=16, batch_size=16, steps=30, log_every=10,
                     device="cpu", adam="default", compile="off")


def cell(cell_id: str) -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "".join(next(c for c in cells if c["id"] == cell_id)["source"])


def train_by_hand(source: str | None = None):
    namespace = {"gc": gc, "torch": torch}
    exec(source or cell("loop-by-hand"), namespace)
    return namespace["train_by_hand"](CFG)


def largest_difference(a: torch.nn.Module, b: torch.nn.Module) -> float:
    return max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters()))


def test_the_written_loop_ends_with_fits_weights_and_losses():
    G, D, history = train_by_hand()
    run = gc.fit(CFG, progress=False)
    for mine, fits in ((G, run.G), (D, run.D)):
        for p, q in zip(mine.parameters(), fits.parameters()):
            torch.testing.assert_close(q, p)               # as the notebook checks: float32 defaults
    assert largest_difference(G, run.G) == 0.0             # on a CPU: the same bits
    for r in run.history:
        window = history[r["step"] - CFG.log_every:r["step"]]
        for key in ("d_loss", "g_loss"):
            assert r[key] == pytest.approx(sum(h[key] for h in window) / CFG.log_every, rel=1e-5)


def test_a_loop_that_draws_a_second_fake_batch_is_told_apart():
    """The notebook's tolerance is not loose: Algorithm 1's fresh noise for the G step ends elsewhere."""
    source = cell("loop-by-hand")
    shared = "g_loss = gc.losses.g_nonsaturating(D(fake))"
    assert shared in source
    fresh = source.replace(shared, "g_loss = gc.losses.g_nonsaturating(D(G(torch.randn(cfg.batch_size, "
                                    "cfg.z_dim, generator=noise, device=device))))")
    G, _, _ = train_by_hand(fresh)
    run = gc.fit(CFG, progress=False)
    assert largest_difference(G, run.G) > 1e-3
    with pytest.raises(AssertionError):
        for p, q in zip(G.parameters(), run.G.parameters()):
            torch.testing.assert_close(q, p)


def test_fit_calls_g_once_and_d_three_times_per_step():
    """What 04's cell "fit-shares" prints: one fake batch per step, shared by the D and G steps."""
    calls = []
    hook = torch.nn.modules.module.register_module_forward_hook(lambda m, a, o: calls.append(type(m).__name__))
    try:
        gc.fit(dataclasses.replace(CFG, steps=7, log_every=7), progress=False)
    finally:
        hook.remove()
    assert calls.count("MLPGenerator") == 7 and calls.count("MLPDiscriminator") == 21


def test_the_figures_04_prints_for_bug_2_and_the_equilibrium():
    # about 249 of 784 N(0, 1) pixels lie outside [-1, 1], where tanh cannot go
    expected = 784 * math.erfc(1 / math.sqrt(2))
    assert expected == pytest.approx(248.8, abs=0.05)
    torch.manual_seed(0)
    outside = torch.randn(20_000, 784).abs().gt(1).sum(1).float().mean().item()
    assert outside == pytest.approx(expected, rel=0.01)
    # D's loss when it says ½ everywhere (logit 0) is 2 log 2, the dotted line of the plots
    zero = torch.zeros(5)
    torch.testing.assert_close(gc.losses.d_bce(zero, zero), torch.tensor(2 * math.log(2)))
    assert "2 * math.log(2)" in cell("73b8b76c") and "math.erfc(1 / math.sqrt(2))" in cell("79c5cae6")


def run_exercise(cell_id: str, solution: str | None) -> str:
    """Run exercise cell `cell_id` (its stub replaced by `solution` when given); what it prints."""
    source = cell(cell_id)
    if solution is not None:
        name = re.search(r"^def (\w+)\(", solution, re.M).group(1)
        stub = re.search(rf"^def {name}\(.*\):\n    raise NotImplementedError\(\).*\n", source, re.M).group(0)
        source = source.replace(stub, solution + "\n")
    torch.manual_seed(0)
    G, D = gc.nets.build("mlp", 8, 16)

    def fresh():
        G, D = gc.nets.build("mlp", 8, 16)
        return G, D, torch.optim.Adam(G.parameters(), lr=2e-4), torch.optim.Adam(D.parameters(), lr=2e-4)
    namespace = {"gc": gc, "torch": torch, "math": math, "checks": checks, "fresh": fresh,
                 "z": lambda n=4: torch.randn(n, 8), "digits": gc.data.load_mnist5k("train")[0][:64]}
    if cell_id != "ex1":
        exec(cell("ex1").split("check_exercise(lambda")[0], namespace)   # its check_exercise helper
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(source, namespace)
    return out.getvalue()


WRONG = {  # a plausible wrong answer for each exercise: its check must say so
    "ex1": "def expected_outside(n_pixels):\n    return n_pixels * 0.5\n",
    "ex2": "def to_tanh_range(x):\n    return x\n",
    "ex3": ("def g_step(G, D, opt_g, z):\n    fake = G(z).detach()\n"
            "    loss = gc.losses.g_nonsaturating(D(fake))\n    opt_g.zero_grad(); loss.backward(); opt_g.step()\n"),
}
G_STEP = "def g_step(G, D, opt_g, z):\n    fake = G(z)\n    loss = {}\n    opt_g.zero_grad(); loss.backward(); opt_g.step()\n"
WRONG_EX3 = [G_STEP.format(loss) for loss in (  # answers that move G, but not down −log D(G(z))
    "-gc.losses.g_nonsaturating(D(fake))", "gc.losses.g_saturating(D(fake))", "gc.losses.d_bce(D(fake), D(fake))")]


@pytest.mark.parametrize("cell_id", ["ex1", "ex2", "ex3"])
def test_each_exercise_check_fails_on_the_stub_and_on_a_wrong_answer_and_passes_with_the_solution(cell_id):
    solution = re.search(r"```python\n(.*?)```", cell(f"{cell_id}-solution"), re.S).group(1)
    unanswered = run_exercise(cell_id, None)
    assert "not written yet" in unanswered and "✓" not in unanswered
    answered = run_exercise(cell_id, solution)
    assert answered.startswith("✓") and answered.count("\n") == 1, answered
    for answer in [WRONG[cell_id]] + (WRONG_EX3 if cell_id == "ex3" else []):
        wrong = run_exercise(cell_id, answer)
        assert "✓" not in wrong and wrong.startswith(cell_id.replace("ex1", "expected").replace("ex2", "to_tanh")
                                                     .replace("ex3", "g_step")), wrong
