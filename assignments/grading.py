"""The course's additions to nbgrader (nbgrader_config.py registers them; README.md is the guide).

- `VerifySeals` (autograde, after Execute): a graded cell that ends with `checks.passed(ID, N)` keeps
  its points only if its output carries the seal that call prints when all N checks ran and passed,
  keyed with this grading run's secret. A cell that was rewritten, skipped, cut short or whose
  errors were hidden has no valid seal and gets an error output (no points).
- `StderrIsNotAnError` (autograde, after Execute): nbgrader zeroes a cell that wrote to stderr; a
  progress bar or a warning is not wrong work, so a graded cell's stderr is kept as stdout, marked.
- `scan` (command line; `make grading-scan`): lists lines of submissions that touch what the checks
  rely on (IPython, code objects, imports by name, `setattr`, the environment…), for a person to read.

Usage: python assignments/grading.py scan [SUBMITTED] [--source SOURCE]
       (defaults: ./submitted and ./source, i.e. run it in the course folder)
"""
from __future__ import annotations

import argparse
import hmac
import os
import re
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

SEAL_KEY = "GAN_COURSE_SEAL_KEY"
_PASSED = re.compile(r"""checks\.passed\(\s*["']([\w\-]+)["']\s*,\s*(\d+)\s*\)""")
_SEAL = re.compile(r" · seal ([0-9a-f]{24})")


def _graded_test(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def expected_seal(key: str, cell_id: str, n: int) -> str:
    return hmac.new(key.encode(), f"{cell_id}:{n}".encode(), "sha256").hexdigest()[:24]


class VerifySeals(NbGraderPreprocessor):
    """Zero a graded cell whose `checks.passed` seal is missing or wrong; drop the seal's digits."""

    def preprocess_cell(self, cell, resources, index):
        found = _PASSED.findall(cell.source) if _graded_test(cell) else []
        if not found:
            return cell, resources
        key = os.environ.get(SEAL_KEY)
        if not key:
            raise RuntimeError(f"{SEAL_KEY} is not set: grade with the course's nbgrader_config.py")
        cell_id, n = found[-1]
        want, sealed = expected_seal(key, cell_id, int(n)), False
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stdout":
                sealed |= any(seal == want for seal in _SEAL.findall(out.text))
                out.text = _SEAL.sub(" · sealed", out.text)
        errored = any(out.output_type == "error" for out in cell.outputs)
        if not sealed and not errored:
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="CheckFailed", traceback=[],
                evalue=f"{cell_id}: this cell did not run all its {n} checks to the end under the course's "
                       "checks (no valid seal) — it was rewritten, skipped or its errors were hidden."))
            self.log.warning("%s: no valid seal, the cell gets no points", cell_id)
        return cell, resources


class StderrIsNotAnError(NbGraderPreprocessor):
    """A graded cell's stderr (a progress bar, a warning) becomes stdout, marked, so it costs no points."""

    def preprocess_cell(self, cell, resources, index):
        if _graded_test(cell):
            for out in cell.outputs:
                if out.output_type == "stream" and out.name == "stderr":
                    out.name = "stdout"
                    out.text = "".join(f"[stderr] {line}" for line in out.text.splitlines(keepends=True))
        return cell, resources


# ----------------------------------------------------------------------------- the tamper scan
PATTERNS = [   # (regex, why a person should read the line)
    (r"get_ipython|\bIPython\b|InteractiveShell|input_transformers|ast_transformers|\bevents\.register",
     "IPython's machinery: can rewrite or hide the test cells"),
    (r"__code__|\bco_code\b|CodeType|FunctionType|LambdaType|\bmarshal\b", "code objects: a reference's code in a new function"),
    (r"\bimportlib\b|__import__|sys\.modules", "imports by name: reaches modules around the notebook's names"),
    (r"getsource|\binspect\b|__file__", "reads source code or files of the course"),
    (r"\bsetattr\s*\(|\bdelattr\s*\(|__dict__|\bvars\s*\(", "changes attributes by name"),
    (r"\b(checks|torch|F|gc|nn|builtins)\.[\w.]+\s*=(?!=)", "rebinds a library's attribute"),
    (r"(?<![\w.])(exec|eval|compile)\s*\(", "runs code from text"),
    (r"\bbuiltins\b|__builtins__|sys\._getframe|settrace|setprofile|\bctypes\b|\bgc\.get_objects",
     "interpreter internals"),
    (r"os\.environ|/proc/|getenv", "reads the environment (the grader's secrets live there)"),
    (r"\bchecks\._|\b_guard\b", "the checks' private parts"),
    (r"\bgc\.(losses|latent)\.", "calls the course's reference implementations"),
]


def _lines(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    return {line.strip() for cell in nb.cells for line in cell.source.splitlines()}


def scan(submitted: Path, source: Path) -> list[str]:
    """One line per flagged line of code in submitted/<student>/<assignment>/*.ipynb that is not
    the instructor's own (a line of source/<assignment>/ is never flagged)."""
    findings = []
    for path in sorted(submitted.glob("*/*/*.ipynb")):
        student, assignment = path.parts[-3], path.parts[-2]
        original = source / assignment / path.name
        own = _lines(original) if original.is_file() else set()
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            where = cell.metadata.get("nbgrader", {}).get("grade_id", "a cell the student added")
            for number, line in enumerate(cell.source.splitlines(), 1):
                if line.strip() in own or line.lstrip().startswith("#"):
                    continue
                for pattern, why in PATTERNS:
                    if re.search(pattern, line):
                        findings.append(f"{student} {assignment} cell {i} ({where}) line {number}: {why}\n"
                                        f"    {line.strip()[:140]}")
                        break
    return findings


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="List lines of submitted notebooks that a person should read "
                                            "before trusting their grades.")
    p.add_argument("command", choices=["scan"])
    p.add_argument("submitted", nargs="?", type=Path, default=Path("submitted"),
                   help="nbgrader's submitted/ folder (default: ./submitted)")
    p.add_argument("--source", type=Path, default=None, help="nbgrader's source/ folder (default: beside submitted/)")
    args = p.parse_args(argv)
    source = args.source or args.submitted.resolve().parent / "source"
    if not args.submitted.is_dir():
        print(f"grading-scan: no folder {args.submitted} — give nbgrader's submitted/ folder, e.g. "
              "`make grading-scan COURSE=~/gan_grading` (after `nbgrader collect`).", file=sys.stderr)
        return 2
    findings = scan(args.submitted, source)
    count = len(list(args.submitted.glob("*/*/*.ipynb")))
    print("\n".join(findings) if findings else "nothing flagged")
    print(f"{len(findings)} flagged line(s) in {count} notebook(s) under {args.submitted} "
          f"(compared with {source}); a flag is a reason to read the code, not a verdict.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
