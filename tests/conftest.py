import shutil

import pytest

from gan_course.runtime import REPO_ROOT


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ that a test may corrupt or delete files in."""
    root = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", root, ignore=shutil.ignore_patterns("weights"))
    return root


# tools/ holds the maintenance scripts (render step, course map, GPU report); their tests import them
import sys  # noqa: E402

sys.path.insert(0, str(REPO_ROOT / "tools"))
