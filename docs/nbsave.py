"""pytest plugin: nbmake's notebook run, keeping a copy of every executed notebook for `make site`.

`make notebooks` already executes every notebook in FAST; this keeps what that run produced
instead of throwing it away, so the site (docs/stage.py) does not execute everything a second time:

    python -m pytest -p docs.nbsave --nbmake --nb-save=build/executed ... notebooks assignments/source

Each notebook is executed exactly as nbmake does it (nbmake's own NotebookRun: same kernel,
timeout, cwd, error report; nbclient stores the widgets' state in the notebook's metadata), then
written to build/executed/<its path in the repository>, with the SHA-256 of the source it was run
from in its metadata, so a stale copy (the notebook changed since) is never published. A notebook
that fails is still saved (its error output shows what went wrong) but the site refuses it.
Without --nb-save the plugin does nothing and nbmake runs as usual.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from nbmake.nb_run import NotebookRun
from nbmake.pytest_items import NotebookFailedException, NotebookItem

KEY = "gan_course_site"   # notebook metadata: {"source_sha256": ..., "ok": ...}


def source_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def pytest_addoption(parser):
    parser.addoption("--nb-save", metavar="DIR", default=None,
                     help="with --nbmake: write every executed notebook to DIR/<its path> (for `make site`)")


class SavingNotebookItem(NotebookItem):
    """nbmake's NotebookItem.runtest, plus the save."""

    def runtest(self):
        option = self.config.option
        source = Path(self.config.rootdir) / self.filename
        res = NotebookRun(source, option.nbmake_timeout, verbose=bool(option.verbose),
                          kernel=option.nbmake_kernel, find_import_errors=option.nbmake_find_import_errors).execute()
        res.nb.metadata[KEY] = {"source_sha256": source_sha256(source), "ok": res.error is None}
        out = Path(option.nb_save) / source.resolve().relative_to(Path(self.config.rootdir).resolve())
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".ipynb.tmp")
        nbformat.write(res.nb, str(tmp))
        tmp.replace(out)                      # atomic: a killed run never leaves half a notebook
        if res.error is not None:
            raise NotebookFailedException(res)


def pytest_collection_modifyitems(session, config, items):
    """Swap nbmake's items for saving ones (same name, same parent, same report)."""
    if not config.getoption("nb_save"):
        return
    for i, item in enumerate(items):
        if type(item) is NotebookItem:
            items[i] = SavingNotebookItem.from_parent(item.parent, filename=item.filename)
