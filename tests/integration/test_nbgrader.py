"""The assignments graded by the real nbgrader, with the course's own nbgrader_config.py, in a
temporary course folder: `generate_assignment`, then `autograde` on the instructor's solution (full
marks), the untouched student version (zero) and wrong submissions — each wrong answer must lose
its own cell's points, a valid variant must keep them, and scores are read from the gradebook.

Submissions are the released notebook with its solution cells filled in: the solution's code, or
the solution's code with a patch from the table below (several independent wrong answers per
submission, each in its own function, so one autograde covers them). Only the solutions train to
the end; every wrong submission fails its training check at once (a wrong visible check, or a
tripwire). Marked `nbgrader` (and `slow`): its own CI target; deselect with `-m "not nbgrader"`.
"""
import os
import re
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

from gan_course.runtime import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.nbgrader]
ROOT = REPO_ROOT / "assignments"

SIGMOID_BCE = ("F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()",
               "torch.nn.BCELoss()(torch.sigmoid(real_logits), torch.ones_like(real_logits)) "
               "+ torch.nn.BCELoss()(torch.sigmoid(fake_logits), torch.zeros_like(fake_logits))")

# assignment → submission → {solution cell grade_id: (text in the solution, replacement) or a list of them}, and the
# graded cells that submission must lose points on (every other autograded cell keeps full marks).
WRONG = {
    "gan_losses": {
        "sigmoid_bceloss": ({
            "d_loss": SIGMOID_BCE,
            "g_losses": [("return -F.softplus(fake_logits).mean()",
                          "return -torch.nn.BCELoss()(torch.sigmoid(fake_logits), torch.zeros_like(fake_logits))"),
                         ("return F.softplus(-fake_logits).mean()",
                          "return torch.nn.BCELoss()(torch.sigmoid(fake_logits), torch.ones_like(fake_logits))")],
        }, {"test_d_loss", "test_g_losses", "test_gradients"}),
        "course_helpers": ({                  # the referee's bypasses of the first own_work
            "d_loss": [("def d_loss(real_logits, fake_logits):",
                        "def d_loss(real_logits, fake_logits, _ref=gc.losses.d_bce):"),
                       ("return F.softplus", "return _ref(real_logits, fake_logits)\n    F.softplus")],
            "g_losses": [("def g_saturating(fake_logits):",
                          "import functools\nNS, SAT = gc.losses.LOSSES['ns'], functools.partial(gc.losses.g_saturating)\n\n\n"
                          "def g_saturating(fake_logits):"),
                         ("return -F.softplus(fake_logits).mean()", "return SAT(fake_logits)"),
                         ("return F.softplus(-fake_logits).mean()", "return NS.g(fake_logits)")],
        }, {"test_d_loss", "test_g_losses", "test_gradients"}),
        "float64_log_sigmoid": ({             # σ(−200) does not underflow in float64: only logits of ±1000 catch it
            "d_loss": ("return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()",
                       "return (-torch.log(torch.sigmoid(real_logits.double())).mean()"
                       " - torch.log(1 - torch.sigmoid(fake_logits.double())).mean()).float()"),
            "g_losses": [("return -F.softplus(fake_logits).mean()",
                          "return torch.log(1 - torch.sigmoid(fake_logits.double())).mean().float()"),
                         ("return F.softplus(-fake_logits).mean()",
                          "return -torch.log(torch.sigmoid(fake_logits.double())).mean().float()")],
        }, {"test_d_loss", "test_g_losses"}),
        "warns_and_cheats": ({                # d_loss warns (stderr costs no points); g_losses wraps the reference's
                                              # code objects in new functions: both its cells lose their points
            "d_loss": ("return F.softplus", "import warnings\n    warnings.warn('a correct loss that warns')\n"
                       "    return F.softplus"),
            "g_losses": [("def g_saturating(fake_logits):",
                          "import types\nSAT = types.FunctionType(gc.losses.g_saturating.__code__, vars(gc.losses))\n"
                          "NS = types.FunctionType(gc.losses.g_nonsaturating.__code__, vars(gc.losses))\n\n\n"
                          "def g_saturating(fake_logits):"),
                         ("return -F.softplus(fake_logits).mean()", "return SAT(fake_logits)"),
                         ("return F.softplus(-fake_logits).mean()", "return NS(fake_logits)")],
        }, {"test_g_losses", "test_gradients"}),
    },
    "find_the_bugs": {
        "articles_bugs": ({                   # train then fails at once: a detached fake and D frozen; d_step
                                              # is right and keeps its points although d_loss is wrong
            "d_loss": ("F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()",   # labels swapped too
                       "torch.nn.BCELoss()(torch.sigmoid(real_logits), torch.zeros_like(real_logits)) "
                       "+ torch.nn.BCELoss()(torch.sigmoid(fake_logits), torch.ones_like(fake_logits))"),
            "g_loss": ("return F.softplus(-fake_logits).mean()",
                       "return F.softplus(-fake_logits).mean() + F.mse_loss(fake, real)"),
            "value": ("return -F.softplus(-real_logits).mean() - F.softplus(fake_logits).mean()",
                      "return torch.log(torch.sigmoid(real_logits)).mean() + torch.log(1 - torch.sigmoid(fake_logits)).mean()"),
            "g_step": ("    fake = G(z)\n", "    fake = G(z).detach()\n"),
        }, {"test_d_loss", "test_g_loss", "test_value", "test_g_step", "test_train"}),
        "no_zero_grad_and_helpers": ({        # train fails at once: it uses the course's d_bce; value is a valid variant
            "real_batch": ("RING.sample(n, generator)", "RING.sample(n)"),
            "d_loss": ("return F.softplus", "from gan_course.losses import d_bce\n    return d_bce(real_logits, fake_logits)\n    F.softplus"),
            "d_step": ("    opt_d.zero_grad()\n", ""),
            "g_step": ("    opt_g.zero_grad()\n", ""),
            "g_loss": ("return F.softplus(-fake_logits).mean()",
                       "return -torch.log(torch.sigmoid(fake_logits.double())).mean().float()"),
            "value": ("return -F.softplus(-real_logits).mean() - F.softplus(fake_logits).mean()",  # valid
                      "return F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()"),
        }, {"test_real_batch", "test_d_loss", "test_g_loss", "test_d_step", "test_g_step", "test_train"}),
        "valid_variants": ({                  # other correct ways to write d_loss and d_step keep their points;
                                              # value uses the course's d_bce, so train fails at its first log (CI time)
            "d_loss": ("return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()",
                       "bce = F.binary_cross_entropy_with_logits\n"
                       "    return bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits))"),
            "value": ("return -F.softplus(-real_logits).mean() - F.softplus(fake_logits).mean()",
                      "return -gc.losses.d_bce(real_logits, fake_logits)"),
            "d_step": ("    opt_d.zero_grad()\n    loss.backward()\n    opt_d.step()\n",
                       "    loss.backward()\n    opt_d.step()\n    opt_d.zero_grad(set_to_none=True)\n"),
        }, {"test_value", "test_train"}),
    },
    "latent_walks": {
        "shortcuts": ({
            "slerp": ("omega = torch.arccos", "return gc.latent.slerp(z0, z1, t)\n    omega = torch.arccos"),
            "truncate": ("if not 0.0 <= psi <= 1.0:", "if psi > 1.0:"),
            "truncated_normal": ("while outside.any():", "z = z.clamp(-threshold, threshold)\n    while False:"),
            "strip": ("walk = slerp if", "return gc.latent.images(G, gc.latent.path(z0, z1, steps, mode))\n    walk = slerp if"),
        }, {"test_slerp", "test_truncate", "test_truncated_normal", "test_strip"}),
        "subtle": ({
            "slerp": ("omega = torch.arccos(torch.clamp(torch.dot(z0, z1) / (z0.norm() * z1.norm()), -1.0, 1.0))",
                      "omega = torch.arccos(torch.clamp(torch.dot(z0, z1) / z0.norm() ** 2, -1.0, 1.0))"),
            "truncated_normal": ("z = torch.randn(n, d, generator=generator)", "z = torch.randn(n, d)"),
            "strip": ("torch.linspace(0, 1, steps)", "torch.linspace(0, 1, steps + 1)[:-1]"),
            "truncate": ("    return psi * z", "    return psi * z\n\n\ntruncate = gc.latent.truncate"),
        }, {"test_slerp", "test_truncate", "test_truncated_normal", "test_strip"}),
    },
    "wgan_gp": {
        "no_create_graph_miscounted": ({      # the penalty's hidden check catches the missing create_graph; the
                                              # miscounted loop fails its visible check before the long run (CI time)
            "gradient_penalty": (", create_graph=True)", ")"),
            "train_wgan_gp": ("            critic_steps += 1\n", "            critic_steps += 1\n        critic_steps -= 1\n"),
        }, {"test_gradient_penalty", "test_train_wgan_gp"}),
        "helpers": ({                         # train fails at its first critic step: critic_loss trips own_work
            "wasserstein_losses": ("return fake_scores.mean() - real_scores.mean()",
                                   "return gc.losses.d_wasserstein(real_scores, fake_scores)"),
            "gradient_penalty": ("(grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)",
                                 "grad = gc.losses._input_gradient(critic, x_hat)"),
        }, {"test_wasserstein_losses", "test_gradient_penalty", "test_train_wgan_gp"}),
    },
}
NAMES = sorted(WRONG)


def nbgrader(*args, cwd, env):
    """`python -m nbgrader ...` as the guide runs it; its output when it fails."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def run_seconds(path):
    """How long the kernel ran the notebook's cells (nbclient's timing metadata; kernel start excluded)."""
    from datetime import datetime

    times = [c.metadata.execution for c in nbformat.read(path, as_version=4).cells if "execution" in c.metadata]
    stamp = lambda key: [datetime.fromisoformat(t[key].replace("Z", "+00:00")) for t in times if key in t]
    return (max(stamp("shell.execute_reply")) - min(stamp("iopub.execute_input"))).total_seconds()


def solution_code(text):
    return re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|$)", "", text, flags=re.M).rstrip("\n")


def submission(released, source, patches):
    """The released notebook with each solution cell holding the solution, patched where asked."""
    answers = {c.metadata.nbgrader.grade_id: solution_code(c.source) for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.from_dict(released)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = answers[gid]
            for old, new in [patches[gid]] if isinstance(patches.get(gid), tuple) else patches.get(gid, []):
                assert cell.source.count(old) == 1, f"patch for {gid} does not apply once: {old!r}"
                cell.source = cell.source.replace(old, new)
    assert set(patches) <= set(answers)
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder outside the repository: the course's config, the sources, a private exchange."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copy(ROOT / "grading.py", root)
    shutil.copytree(ROOT / "source", root / "source")
    env = {k: v for k, v in os.environ.items() if k not in ("GAN_COURSE_FAST", "NBGRADER_CONFIG_DIR")}
    env.update(GAN_COURSE_EXCHANGE=str(root / "exchange"), GAN_COURSE_RUNS=str(root / "runs"),
               PYTHONPATH=os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]),
               PATH="/usr/bin:/bin", JUPYTER_CONFIG_DIR=str(root / "jupyter"))
    return root, env


@pytest.mark.parametrize("name", NAMES)
def test_autograde_scores(name, course):
    from nbgrader.api import Gradebook

    root, env = course
    nbgrader("generate_assignment", name, "--force", cwd=root, env=env)
    released = nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4)
    assert released.cells == nbformat.read(ROOT / "release" / name / f"{name}.ipynb", as_version=4).cells, \
        "nbgrader's student version differs from assignments/release: run assignments/build.py"
    source = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
    students = {"solution": {}, "untouched": None} | {k: p for k, (p, _) in WRONG[name].items()}
    for student, patches in students.items():
        nb = released if patches is None else submission(released, source, patches)
        target = root / "submitted" / student / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    start = time.monotonic()
    nbgrader("autograde", name, "--force", cwd=root, env=env)
    autograde_s = time.monotonic() - start

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {s: {g.name: (g.auto_score, g.max_score) for g in gb.find_submission_notebook(name, name, s).grades
                      if g.cell.cell_type == "code"} for s in students}          # autograded cells only
    took = {s: run_seconds(root / "autograded" / s / name / f"{name}.ipynb") for s in students}
    report = "\n".join(f"{s} ({took[s]:.0f} s): {sc}" for s, sc in scores.items())
    print(f"{name}: autograde of {len(students)} submissions took {autograde_s:.0f} s\n{report}")
    assert scores["solution"] and all(got == top for got, top in scores["solution"].values()), report
    assert all(got == 0 for got, _ in scores["untouched"].values()), report
    for student, (_, losing) in WRONG[name].items():
        assert losing <= set(scores[student]), f"unknown cells in the table: {losing - set(scores[student])}"
        for cell, (got, top) in scores[student].items():
            if cell in losing:
                assert got < top, f"{student} keeps its points on {cell}\n{report}"
            else:
                assert got == top, f"{student} loses points on {cell}, which it answers correctly\n{report}"


def test_feedback_has_no_hidden_tests(course):
    """generate_feedback on the autograded solution: the HTML a student receives holds none of the
    hidden tests' code (nbgrader copies it in by default; the course's config clears it)."""
    root, env = course
    name = "gan_losses"
    if not (root / "autograded" / "solution" / name).is_dir():
        pytest.skip("needs test_autograde_scores[gan_losses] to have run first in this module")
    nbgrader("generate_feedback", name, "--force", cwd=root, env=env)
    html = (root / "feedback" / "solution" / name / f"{name}.html").read_text()
    source = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
    hidden = [line.strip() for c in source.cells for block in re.findall(
        r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", c.source, flags=re.S)
        for line in block.splitlines() if len(line.strip()) > 20]
    assert hidden, "gan_losses has no hidden tests to look for"
    assert "HIDDEN TESTS" not in html
    import html as html_lib
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
    leaked = [line for line in hidden if line in text]
    assert not leaked, f"hidden tests in the feedback: {leaked[:3]}"
