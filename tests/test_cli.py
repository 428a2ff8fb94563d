import json
import subprocess
import sys

from gan_course import cli


def test_check_data_ok(capsys):
    assert cli.main(["check-data"]) == 0
    assert "data OK: 5 files" in capsys.readouterr().out


def test_check_data_reports_corruption_with_exit_1(data_copy, capsys):
    (data_copy / "mnist5k/mnist_5k.csv.gz").write_bytes(b"not the file")
    assert cli.main(["check-data", "--root", str(data_copy)]) == 1
    assert "mnist_5k.csv.gz is corrupt" in capsys.readouterr().err


def test_module_entry_point_prints_json():
    out = subprocess.run([sys.executable, "-m", "gan_course", "info"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["cpu_threads"] >= 1


def test_unreadable_fast_flag_fails_at_import_with_the_message():
    env = {"GAN_COURSE_FAST": "perhaps", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", "import gan_course"], capture_output=True, text=True, env=env)
    assert out.returncode != 0 and "GAN_COURSE_FAST='perhaps' is not a yes/no value" in out.stderr
