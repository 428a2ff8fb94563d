"""The render step (tools/render.py): the one place committed prose is compared with what generates it."""
import render


def test_every_generated_block_is_what_its_data_gives():
    out_of_step = render.render_all(check=True)
    assert out_of_step == [], f"out of step: {out_of_step}; run `python tools/render.py` and commit the result"


def test_a_block_is_rewritten_from_its_function_and_a_stale_one_is_named(tmp_path, monkeypatch):
    study = tmp_path / "benchmarks" / "toy"
    study.mkdir(parents=True)
    (study / "tables.py").write_text("def table():\n    return '| a |\\n|---|\\n| 1 |'\n")
    page = tmp_path / "README.md"
    page.write_text("before\n<!-- render: toy.table -->\n| a |\n|---|\n| typed by hand |\n<!-- /render -->\nafter\n")
    monkeypatch.setattr(render, "ROOT", tmp_path)
    monkeypatch.setattr(render, "files", lambda: [page])
    assert render.render_all(check=True) and "typed by hand" in page.read_text()   # --check changes nothing
    assert render.render_all() and render.render_all(check=True) == []
    assert page.read_text() == "before\n<!-- render: toy.table -->\n| a |\n|---|\n| 1 |\n<!-- /render -->\nafter\n"


def test_an_unknown_generator_is_one_clear_error(tmp_path, monkeypatch, capsys):
    page = tmp_path / "README.md"
    page.write_text("<!-- render: nosuch.table -->\nx\n<!-- /render -->\n")
    monkeypatch.setattr(render, "ROOT", tmp_path)
    monkeypatch.setattr(render, "files", lambda: [page])
    assert render.main(["--check"]) == 1
    assert "nosuch" in capsys.readouterr().err
