"""Lay out the site's sources in build/site-src/ for Sphinx (docs/conf.py), then `make site` builds it.

    python docs/stage.py build/site-src [--executed build/executed] [--notebooks '0[12]*']

- index.md: README's opening paragraph and its course map (notebooks) and assignments tables, the
  links pointed at the site's pages; one page per notebook (notebooks/*.ipynb, globbed: a new
  notebook appears by itself) and per assignment (the student version, assignments/release/*/*.ipynb);
  timings.md from benchmarks/reports/*.json (tools/gpu_report.py's markdown, as it writes it).
- A notebook page is the copy `make notebooks` executed in FAST (build/executed/, written by
  docs/nbsave.py) when that copy was run from the notebook as it is now (same SHA-256) and ran
  through; otherwise the notebook is executed here, in FAST with a fresh runs/ folder, exactly as
  nbmake runs it, and the copy is kept for next time.
- Assignment pages are not executed: the student version's stubs raise NotImplementedError.
- Every page: Colab and Binder links as text (the notebook's own badge cell loads its images from
  those services, so it is dropped), the setup cell folded, alt text on every figure, and a note
  under every widget: the page shows its state at the end of the run, moving it needs a kernel.
- 07, 08 and 03 also get a live widget that needs no kernel (LIVE): the explorer over the shipped
  generator in ONNX, and 03's recorded runs played back (docs/static/gc-live.js).
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))          # coursemap.py, gpu_report.py: maintenance tools, not the package
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]
import course_url  # noqa: E402  (tools/course_url.py: the repository URL, in one place)
from docs import nbsave  # noqa: E402

WIDGET = "application/vnd.jupyter.widget-view+json"
IMAGES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
LIVE_NOTE = ("*These controls need a live Python kernel:* the page shows them as they were at the end "
             "of the FAST run, and moving them here changes nothing. Open the notebook on Colab or "
             "Binder (links at the top of the page) or in `make lab` to drag them.")


# ----------------------------------------------------------------------------- executed notebooks
def current_copy(source: Path, store: Path, root: Path = ROOT) -> nbformat.NotebookNode | None:
    """The copy of `source` in `store` when it was executed from the notebook as it is now and ran through."""
    saved = store / source.relative_to(root)
    if not saved.is_file():
        return None
    nb = nbformat.read(saved, as_version=4)
    meta = nb.metadata.get(nbsave.KEY, {})
    return nb if meta.get("source_sha256") == nbsave.source_sha256(source) and meta.get("ok") else None


def executed(source: Path, store: Path) -> nbformat.NotebookNode:
    """The FAST execution of `source`: the saved copy when it is current, else a fresh run (saved)."""
    nb = current_copy(source, store)
    if nb is not None:
        print(f"  {source.relative_to(ROOT)}: the copy `make notebooks` executed")
        return nb
    saved = store / source.relative_to(ROOT)
    print(f"  {source.relative_to(ROOT)}: executing in FAST (no current copy in {store})", flush=True)
    from nbmake.nb_run import NotebookRun
    with tempfile.TemporaryDirectory() as runs:
        env = {"GAN_COURSE_FAST": "1", "GAN_COURSE_RUNS": runs}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            res = NotebookRun(source, 600, kernel="python3").execute()
        finally:
            for k, v in old.items():                  # the caller's environment, as it was
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    if res.error is not None:
        sys.exit(f"docs/stage.py: {source.relative_to(ROOT)} failed in FAST, so its page is not built:\n"
                 f"{res.error.summary}")
    res.nb.metadata[nbsave.KEY] = {"source_sha256": nbsave.source_sha256(source), "ok": True}
    saved.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(res.nb, saved)
    return res.nb


# ----------------------------------------------------------------------------- page preparation
def launch_links(path: str) -> str:
    """Colab and Binder links (text, not badge images) for the repository file `path`."""
    url = course_url.repository_url()
    slug = url.removeprefix("https://github.com/")
    colab = f"https://colab.research.google.com/github/{slug}/blob/{course_url.BRANCH}/{path}"
    binder = f"https://mybinder.org/v2/gh/{slug}/{course_url.BRANCH}?labpath={quote(path, safe='')}"
    text = f"Run this notebook: [Open in Colab]({colab}) · [Launch Binder]({binder}) · [source]({url}/blob/{course_url.BRANCH}/{path})"
    if course_url.PLACEHOLDER in url:
        text += (f" — *the course is not published yet: these links use the placeholder address `{url}` "
                 "(`pyproject.toml`'s `[project.urls]`) and will not open until it is replaced.*")
    return text


TEX_WORDS = {"approx": "≈", "cdot": "·", "infty": "∞", "le": "≤", "ge": "≥", "neq": "≠", "to": "→", "sim": "~"}


def _plain(markdown: str) -> str:
    """The first sentence of a markdown text (a heading counts as one), without markup, for alt text."""
    text = markdown.strip()
    first = text.splitlines()[0] if text else ""
    if first.startswith("#"):                                   # "## 3. What the game measures" -> its words
        return re.sub(r"^#+\s*(\d+[a-z]?\.\s*)?", "", first).strip()
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)             # links: their text
    text = re.sub(r"\\(?:text|mathrm|mathbf|operatorname)\{([^}]*)\}", r"\1", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: TEX_WORDS.get(m.group(1), m.group(1)), text)
    text = re.sub(r"[$#*_`>{}]", "", text)
    text = " ".join(text.split())
    return re.split(r"(?<=[a-z0-9)\]][.:!?])\s", text, maxsplit=1)[0][:200]


def alt_text(cell, previous_markdown: str, name: str, index: int) -> str:
    """The cell's first comment, else the first sentence of the markdown above it."""
    for line in cell.source.splitlines():
        line = line.strip()
        if line.startswith("#") and not line.startswith("#!") and len(line) > 3:
            return "Figure: " + line.lstrip("# ").strip()
    if previous_markdown.strip():
        return "Figure after: " + _plain(previous_markdown)
    return f"Figure from cell {index} of {name}"


# ----------------------------------------------------------------------------- live widgets (no kernel)
# notebook -> (the cell the widget follows, its kind, its data file in build/site-live/, its introduction)
LIVE = {
    "07_latent_space_explorer": ("a23e5d3a", "explorer", "dcgan_fmnist",
        "**Live in this page.** The same explorer runs here in your browser, without a kernel: the shipped "
        "generator exported to ONNX and run by onnxruntime-web. Drag a slider: the seeds, ψ, single coordinates, "
        "the ten GANSpace or SeFa directions computed above (with FAST's 2 000 samples, named as above), and "
        "below it a walk between two seeds by slerp or lerp, with the length of $z$ along the way."),
    "08_conditional_gans": ("6a05eb7c", "explorer", "cgan_fmnist",
        "**Live in this page.** The same explorer runs here in your browser, without a kernel: the shipped "
        "conditional generator exported to ONNX and run by onnxruntime-web. Pick a class, then drag the seeds, ψ "
        "and single coordinates; below it, a walk between two seeds within the chosen class."),
    "03_training_dynamics_2d": ("5dacede1", "playback", None,
        "**Play back real runs.** One run of the `ring-2d` preset for each loss of `gc.losses.LOSSES` (3 000 "
        "generator steps, as in FAST, seed 0), recorded by `gc.fit` at every log point: what the panels above "
        "draw — σ(D(x)) (blue: \"real\"), the real points (black) and 512 generated ones (orange) — with the "
        "two losses and section 2's modes covered. Every loss keeps the preset's other settings (k_D = 1, Adam "
        "β1 = 0.5, lr 10⁻⁴); WGAN-GP's own recipe is exercise 2. Choose a loss, scrub the log point or press play."),
}


def live_html(kind: str, model: str | None) -> str:
    """The widget's element and the scripts it needs, from _static/ (docs/vendor.py, onnx_export.py,
    playback.py, static/gc-live.js): only the pages with a live widget load them."""
    scripts = (["ort-runtime.js", f"explorer-{model}.js"] if kind == "explorer" else ["playback-ring.js"]) + ["gc-live.js"]
    model_attr = f' data-model="{model}"' if model else ""
    return (f'<div class="gc-live" data-kind="{kind}"{model_attr}><p>Loading the live widget…</p></div>\n'
            + "\n".join(f'<script src="../_static/{s}"></script>' for s in scripts))


def add_live(cells: list, name: str) -> list:
    """The notebook's live widget (LIVE) inserted after its anchor cell and that cell's note."""
    if name not in LIVE:
        return cells
    anchor, kind, model, intro = LIVE[name]
    at = [i for i, c in enumerate(cells) if c.get("id") == anchor]
    if not at:
        sys.exit(f"docs/stage.py: {name} has no cell with id {anchor!r}, which its live widget follows: "
                 "update LIVE in docs/stage.py to the id of the cell it should follow.")
    i = at[0] + 1
    if i < len(cells) and cells[i].cell_type == "markdown" and cells[i].source == LIVE_NOTE:
        i += 1
    html = nbformat.v4.new_output("display_data", data={"text/html": live_html(kind, model)})
    widget = nbformat.v4.new_code_cell("# the live widget (MyST-NB drops an empty cell)", outputs=[html],
                                       metadata={"tags": ["remove-input"]})
    return cells[:i] + [nbformat.v4.new_markdown_cell(intro), widget] + cells[i:]


CONTROLS = ("Slider", "Dropdown", "Button", "Text", "Checkbox", "Toggle", "Select", "Play", "Picker", "Radio")


def has_controls(model_id: str, state: dict) -> bool:
    """Whether the widget `model_id` holds something a reader would move (a slider, a button...),
    not only pictures, text and progress bars (tqdm's bars are widgets too)."""
    model = state.get(model_id, {})
    if any(c in model.get("model_name", "") for c in CONTROLS):
        return True
    children = model.get("state", {}).get("children", [])
    return any(has_controls(c.removeprefix("IPY_MODEL_"), state) for c in children)


def repository_links(markdown: str) -> str:
    """A notebook's links out of notebooks/ (``../benchmarks/…``) as their pages on the repository.

    The site holds the notebooks and assignments only; a study folder or a guide is read where it lives.
    A folder (trailing slash) opens as ``tree``, a file as ``blob``.
    """
    repo = course_url.repository_url()

    def out(m: re.Match) -> str:
        target = m.group(1)
        kind = "tree" if target.split("#")[0].endswith("/") else "blob"
        return f"]({repo}/{kind}/{course_url.BRANCH}/{target})"

    return re.sub(r"\]\(\.\./([^)]+)\)", out, markdown)


def prepare(nb: nbformat.NotebookNode, path: str) -> nbformat.NotebookNode:
    """A notebook as its page shows it (see the module's docstring)."""
    name = Path(path).stem
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    cells = [c for c in nb.cells if c.get("id") != course_url.BADGE_ID]
    out, previous_md, setup_seen = [], "", False
    for i, cell in enumerate(cells):
        out.append(cell)
        if cell.cell_type == "markdown":
            cell.source = repository_links(cell.source)
            previous_md = cell.source
            if len(out) == 1 or (cell.source.lstrip().startswith("# ") and len(out) <= 2):
                out.append(nbformat.v4.new_markdown_cell(launch_links(path)))
            continue
        if cell.cell_type != "code":
            continue
        if not setup_seen:                      # the setup cell: its install guard is for hosted kernels
            setup_seen = True
            cell.metadata.setdefault("tags", [])
            if "hide-input" not in cell.metadata["tags"]:
                cell.metadata["tags"].append("hide-input")
        outputs = cell.get("outputs", [])
        if any(m in o.get("data", {}) for o in outputs for m in IMAGES):
            cell.metadata.setdefault("mystnb", {})["image"] = {"alt": alt_text(cell, previous_md, name, i)}
        widgets = [o["data"][WIDGET]["model_id"] for o in outputs if WIDGET in o.get("data", {})]
        if any(has_controls(w, state) for w in widgets):
            out.append(nbformat.v4.new_markdown_cell(LIVE_NOTE))
    nb.cells = add_live(out, name)
    return nb


# ----------------------------------------------------------------------------- index and timings
def course_map(readme: str) -> str:
    """README's opening paragraph, course map and assignments table, with the site's links."""
    found = re.search(r"<!-- render: coursemap\.table -->\n(.*?)\n?<!-- /render -->", readme, re.DOTALL)
    block = found.group(1) if found else ""
    opening = readme.split("\n## ", 1)[0].split("\n\n")          # the title, the badges, the pitch
    intro = "\n\n".join(p for p in opening if not p.startswith(("# ", "[![", "![")))
    assignments = re.search(r"\*\*Assignments\*\*.*?\n\n(\|.*?)\n\n", readme, re.DOTALL)
    text = "\n\n".join([intro, "## The course map", block.strip(),
                        "## Assignments", assignments.group(1) if assignments else ""])
    text = re.sub(r"\]\(assignments/source/([^/]+)/\1\.ipynb\)", r"](assignments/\1.ipynb)", text)
    text = re.sub(r"\]\(benchmarks/reports/[^)]*\)", "](timings.md)", text)
    # any other repository file (guides, data/README.md): its page on the repository
    repo = course_url.repository_url()
    return re.sub(r"\]\((?!notebooks/|assignments/[^/]+\.ipynb|timings\.md|https?://)([^)]+)\)",
                  rf"]({repo}/blob/{course_url.BRANCH}/\1)", text)


def index(notebooks: list[str], assignments: list[str]) -> str:
    readme = (ROOT / "README.md").read_text()
    toc = lambda caption, pages: "\n".join(["```{toctree}", ":hidden:", f":caption: {caption}", ""] + pages + ["```"])
    wide = "---\nhtml_theme.sidebar_secondary.remove: true\n---"     # the course map's table needs the width
    return "\n\n".join([wide, "# A course on Generative Adversarial Networks", course_map(readme),
                        "Every notebook page shows the notebook as `make test` executed it in the FAST profile "
                        "(small step counts, 2 CPU cores): figures and numbers are FAST's, not a full run's. "
                        "Assignments are shown as students receive them, unexecuted. "
                        "Three pages have widgets that run in your browser, without a kernel: the latent explorer over "
                        "the shipped generators on [07](notebooks/07_latent_space_explorer.ipynb) and "
                        "[08](notebooks/08_conditional_gans.ipynb), and the playback of recorded 2-D training runs on "
                        "[03](notebooks/03_training_dynamics_2d.ipynb).",
                        toc("Notebooks", notebooks), toc("Assignments", assignments),
                        toc("Measurements", ["timings"])]) + "\n"


def timings() -> str:
    import coursemap as rd
    import gpu_report as report
    parts = ["# Measured times", "Rendered from `benchmarks/reports/*.json` (written by "
             "`python tools/gpu_report.py`); the course map's time columns come from the same files."]
    for r in sorted(rd.load(), key=lambda r: r["date"], reverse=True):
        run, extra = r.get("run"), ""
        if run and not run.get("reference"):      # a transcribed report: the course's run, no reference run
            c = run["course"]
            extra = (f"dcgan-fmnist for {run['epochs']} epochs ({c['images']:,} images): {rd.duration(c['seconds'])} "
                     f"at {c['img_per_s']:.0f} img/s, FID {c['fid_ema']} EMA G, {c['fid_raw']} raw G "
                     f"({run['fid_n']:,} samples); this report has no reference run.")
            r = {k: v for k, v in r.items() if k != "run"}
        md = re.sub(r"^# ", "## ", report.markdown(r), count=1)
        parts += [md] + ([extra] if extra else []) + [
            f"Source: `{r['file']}`" + (f" — {r['source']}" if r.get("source") else "")]
    if len(parts) == 2:
        parts.append("No report has been committed yet.")
    return "\n\n".join(parts) + "\n"


def stage(out: Path, store: Path, pattern: str = "*") -> None:
    shutil.rmtree(out, ignore_errors=True)
    (out / "notebooks").mkdir(parents=True)
    (out / "assignments").mkdir()
    pages_nb, pages_as = [], []
    for source in sorted((ROOT / "notebooks").glob(f"{pattern}.ipynb")):
        rel = source.relative_to(ROOT).as_posix()
        nbformat.write(prepare(executed(source, store), rel), out / rel)
        pages_nb.append(f"notebooks/{source.stem}")
    for source in sorted((ROOT / "assignments" / "release").glob("*/*.ipynb")):
        rel = source.relative_to(ROOT).as_posix()
        nb = prepare(nbformat.read(source, as_version=4), rel)
        nb.metadata["mystnb"] = {"execution_mode": "off"}
        nbformat.write(nb, out / "assignments" / source.name)
        pages_as.append(f"assignments/{source.stem}")
    (out / "index.md").write_text(index(pages_nb, pages_as))
    (out / "timings.md").write_text(timings())
    print(f"staged {len(pages_nb)} notebooks, {len(pages_as)} assignments in {out}")


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, nargs="?", default=ROOT / "build" / "site-src")
    p.add_argument("--executed", type=Path, default=ROOT / "build" / "executed")
    p.add_argument("--notebooks", default="*", metavar="GLOB",
                   help="only the notebooks whose name matches, e.g. '0[12]*' for a quick look (default: all)")
    a = p.parse_args()
    stage(a.out.resolve(), a.executed.resolve(), a.notebooks)
