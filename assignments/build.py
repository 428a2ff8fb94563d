"""Generate the student versions: assignments/source/<name>/<name>.ipynb → assignments/release/<name>/<name>.ipynb.

Runs nbgrader's own preprocessors — the ones `nbgrader generate_assignment` runs, minus its
gradebook database: solutions become `# YOUR CODE HERE` / `raise NotImplementedError()` stubs
(markdown answers `YOUR ANSWER HERE`), hidden tests are removed, outputs cleared, graded cells
locked, checksums computed for the autograder. Deterministic: regenerating must not change the
committed files (tests/test_assignments.py checks it).

Usage: python assignments/build.py [--out DIR]      (`make assignments`)
"""
import argparse
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)

HERE = Path(__file__).resolve().parent
PREPROCESSORS = [LockCells, ClearSolutions, ClearOutput, ClearHiddenTests, ClearMarkScheme, ComputeChecksums,
                 CheckCellMetadata]


def student_version(source: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(source, as_version=4)
    resources = {}
    for cls in PREPROCESSORS:
        nb, resources = cls().preprocess(nb, resources)
    return nb


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=HERE / "release")
    args = p.parse_args(argv)
    for source in sorted((HERE / "source").glob("*/*.ipynb")):
        target = args.out / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(source), target)
        print(f"{source.relative_to(HERE)} → {target}")


if __name__ == "__main__":
    main()
