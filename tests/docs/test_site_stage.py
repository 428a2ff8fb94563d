"""docs/stage.py and docs/nbsave.py without a browser or Sphinx: which executed copy a page may use,
and what a page adds to a notebook (launch links, alt text, the live-kernel note). The built site
itself is tested in chromium by tests/docs/test_site.py (`make site-test`)."""
import subprocess
import sys

import nbformat
import pytest

from docs import nbsave, stage
from gan_course.runtime import REPO_ROOT

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _output(mime, model="x"):
    return nbformat.v4.new_output("display_data", data={mime: PNG if mime == "image/png" else {"model_id": model},
                                                        "text/plain": "<Figure>"})


def test_only_a_copy_executed_from_the_current_notebook_is_used(tmp_path):
    source = tmp_path / "notebooks" / "a.ipynb"
    source.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), source)
    store = tmp_path / "executed"
    assert stage.current_copy(source, store, root=tmp_path) is None              # none saved yet
    copy = nbformat.read(source, as_version=4)
    copy.metadata[nbsave.KEY] = {"source_sha256": nbsave.source_sha256(source), "ok": True}
    (store / "notebooks").mkdir(parents=True)
    nbformat.write(copy, store / "notebooks" / "a.ipynb")
    assert stage.current_copy(source, store, root=tmp_path) is not None
    copy.metadata[nbsave.KEY]["ok"] = False                                        # it failed
    nbformat.write(copy, store / "notebooks" / "a.ipynb")
    assert stage.current_copy(source, store, root=tmp_path) is None
    copy.metadata[nbsave.KEY]["ok"] = True
    nbformat.write(copy, store / "notebooks" / "a.ipynb")
    source.write_text(source.read_text().replace('"1"', '"2"'))                    # the notebook changed since
    assert stage.current_copy(source, store, root=tmp_path) is None


def test_a_page_gets_launch_links_alt_text_and_the_live_kernel_note():
    badge = nbformat.v4.new_markdown_cell("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](x)")
    badge["id"] = "course-badges"
    figure = nbformat.v4.new_code_cell("# The two densities and D*\nplot()", outputs=[_output("image/png")])
    below_text = nbformat.v4.new_code_cell("plot()", outputs=[_output("image/png")])
    widget = nbformat.v4.new_code_cell("build_ui()", outputs=[_output(stage.WIDGET)])
    progress = nbformat.v4.new_code_cell("fit()", outputs=[_output(stage.WIDGET, "bar")])
    nb = nbformat.v4.new_notebook(cells=[
        badge, nbformat.v4.new_markdown_cell("# 01 · The GAN game"), nbformat.v4.new_code_cell("import gan_course"),
        figure, nbformat.v4.new_markdown_cell(r"When $p_g = p_\text{data}$, $V = -\log 4$. More text."),
        below_text, progress, widget])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {
        "x": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s"]}},
        "s": {"model_name": "FloatSliderModel", "state": {}},
        "bar": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_p"]}},
        "p": {"model_name": "FloatProgressModel", "state": {}}}}}
    cells = stage.prepare(nb, "notebooks/01_the_gan_game.ipynb").cells
    sources = [c.source for c in cells]
    assert not any("colab-badge.svg" in s for s in sources), "the badge images load from the network"
    assert "Open in Colab" in sources[1] and "notebooks/01_the_gan_game.ipynb" in sources[1]
    published = stage.course_url.PLACEHOLDER not in stage.course_url.repository_url()
    assert ("placeholder" in sources[1]) != published        # the page says when the links cannot open yet
    assert "hide-input" in cells[2].metadata["tags"]        # the setup cell, folded
    assert cells[3].metadata["mystnb"]["image"]["alt"] == "Figure: The two densities and D*"
    assert cells[5].metadata["mystnb"]["image"]["alt"] == "Figure after: When pg = pdata, V = -log 4."
    assert "need a live Python kernel" in cells[-1].source and cells[-2] is widget
    assert cells[-3] is progress, "a progress bar is not a control: no note under it"


def test_the_live_widget_follows_its_cell_and_that_cells_note_and_loads_its_scripts():
    anchor, kind, model, _ = stage.LIVE["07_latent_space_explorer"]
    widget = nbformat.v4.new_code_cell("build_explorer_ui(G)", outputs=[_output(stage.WIDGET, "x")])
    widget["id"] = anchor
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 07 · The explorer"),
                                         nbformat.v4.new_code_cell("import gan_course"), widget,
                                         nbformat.v4.new_markdown_cell("## 3. Interpolation")])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {
        "x": {"model_name": "FloatSliderModel", "state": {}}}}}
    cells = stage.prepare(nb, "notebooks/07_latent_space_explorer.ipynb").cells
    at = [c.get("id") for c in cells].index(anchor)
    assert "need a live Python kernel" in cells[at + 1].source           # the ipywidget's own note stays
    assert "in your browser" in cells[at + 2].source                    # then the live widget's introduction
    html = cells[at + 3].outputs[0]["data"]["text/html"]
    assert 'data-kind="explorer" data-model="dcgan_fmnist"' in html
    for script in ("ort-runtime.js", "explorer-dcgan_fmnist.js", "gc-live.js"):
        assert f'src="../_static/{script}"' in html
    assert cells[at + 4].source == "## 3. Interpolation"
    other = stage.prepare(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 05")]), "notebooks/05_x.ipynb")
    assert not any("gc-live" in str(c) for c in other.cells)            # pages without one load nothing


def test_a_live_widget_whose_cell_is_gone_stops_the_build_saying_so():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 08 · Conditional GANs")])
    with pytest.raises(SystemExit, match="no cell with id"):
        stage.prepare(nb, "notebooks/08_conditional_gans.ipynb")


def test_every_live_widget_anchor_is_a_cell_of_its_notebook():
    for name, (anchor, *_) in stage.LIVE.items():
        ids = [c.get("id") for c in nbformat.read(REPO_ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells]
        assert anchor in ids, f"{name}: docs/stage.py's LIVE names cell {anchor!r}, which the notebook no longer has"


def test_the_front_page_links_the_site_pages_not_the_repository_files():
    text = stage.course_map((REPO_ROOT / "README.md").read_text())
    assert "](notebooks/00_start_here.ipynb)" in text
    assert "](assignments/gan_losses.ipynb)" in text and "assignments/source" not in text   # student versions
    assert "](timings.md)" in text and "](benchmarks/reports/" not in text
    index = stage.index(["notebooks/00_start_here", "notebooks/02b_the_loss_zoo"], ["assignments/gan_losses"])
    assert "notebooks/02b_the_loss_zoo" in index                 # globbed pages, whatever the README lists


@pytest.mark.site   # a kernel's start-up: run by `make site-test`, outside `make test`'s 25 minutes
def test_make_notebooks_keeps_each_executed_notebook(tmp_path):
    progress = nbformat.v4.new_code_cell("fit()", outputs=[_output(stage.WIDGET, "bar")])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "docs.nbsave", f"--nb-save={tmp_path / 'out'}",
                           "--nbmake", "--nbmake-kernel=python3", f"--rootdir={tmp_path}", "-p", "no:cacheprovider",
                           str(tmp_path / "tiny.ipynb")], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    saved = nbformat.read(tmp_path / "out" / "tiny.ipynb", as_version=4)
    assert saved.cells[0].outputs[0]["text"] == "42\n"
    assert saved.metadata[nbsave.KEY] == {"source_sha256": nbsave.source_sha256(tmp_path / "tiny.ipynb"), "ok": True}


def test_a_notebooks_links_out_of_the_site_open_on_the_repository():
    """Study folders and guides are not pages of the site: their links must leave for the repository."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# T"),
        nbformat.v4.new_markdown_cell("See [the floor](../benchmarks/fid_noise_floor/), [a note](../benchmarks/x.md#a) "
                                      "and [06](06_evaluating_gans.ipynb)."),
    ])
    text = "\n".join(c.source for c in stage.prepare(nb, "notebooks/t.ipynb").cells if c.cell_type == "markdown")
    assert "](../" not in text
    assert "/tree/main/benchmarks/fid_noise_floor/)" in text
    assert "/blob/main/benchmarks/x.md#a)" in text
    assert "](06_evaluating_gans.ipynb)" in text       # a page of the site stays a page of the site
