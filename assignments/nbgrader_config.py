"""nbgrader settings of the course — the instructor's guide is README.md, beside this file.

nbgrader reads this file from the folder it runs in: a course folder of your own holding a copy of
this file, grading.py and a source/ folder (the guide says how), or assignments/ itself — there, run
`generate_assignment NAME --force`, since release/NAME is committed and would be skipped. The course
root is the folder of this file, so the commands work from there whatever the current directory was.
"""
import os
import secrets
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader)
HERE = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "gan_course"
c.CourseDirectory.root = str(HERE)                       # absolute: nbgrader warns on a relative root
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Your course's salt: the graded checks draw their seeds from it (gan_course.checks.seed), so each
# semester grades other random inputs and training runs than the ones students see. Pick your own
# words, keep this copy private, change it each semester; "" grades with the students' seeds.
COURSE_SALT = ""
os.environ.setdefault("GAN_COURSE_SALT", COURSE_SALT)

# The course's steps around nbgrader's (grading.py, beside this file): after the notebook runs, a
# graded cell's stderr is kept as stdout (a progress bar or a warning costs no points) and a cell
# without its valid seal (checks.passed) gets no points; the seal's key is new for every nbgrader
# process and reaches only the grading kernels. Feedback leaves out the hidden tests' code.
sys.path.insert(0, str(HERE))
from grading import SEAL_KEY, StderrIsNotAnError, VerifySeals  # noqa: E402
from nbgrader.converters import Autograde, GenerateFeedback  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, Execute  # noqa: E402

os.environ[SEAL_KEY] = secrets.token_hex(16)
_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
_after = _steps.index(Execute) + 1
c.Autograde.autograde_preprocessors = _steps[:_after] + [StderrIsNotAnError, VerifySeals] + _steps[_after:]
c.GenerateFeedback.preprocessors = [*GenerateFeedback.class_traits()["preprocessors"].default(), ClearHiddenTests]

# The exchange: where release_assignment puts the student versions and submit puts the work.
# On a shared machine (JupyterHub) every student must be able to write there, e.g.
# GAN_COURSE_EXCHANGE=/srv/nbgrader/exchange (created with chmod 777); by default a folder
# beside this file (git-ignored when that is assignments/).
c.Exchange.root = os.environ.get("GAN_COURSE_EXCHANGE", str(HERE / "exchange"))

# The grading environment. The kernel that autograde starts inherits this process's environment:
# the FAST profile keeps the ungraded demonstration cells short (graded checks use fixed sizes
# and one torch thread whatever the profile), and gan_course must be importable by the Python
# running nbgrader (`pip install '.[instructor]'` in the course's environment).
os.environ.setdefault("GAN_COURSE_FAST", "1")
# One torch thread per grading kernel: these small networks run no slower on one, results do not
# depend on the machine's core count, and two threads on a busy machine were measured 4–6 times
# slower (wgan_gp's demonstration cell; README.md gives the figures).
os.environ.setdefault("OMP_NUM_THREADS", "1")
# nbgrader runs the `alembic` command when it creates gradebook.db: find it beside this Python even
# when its environment is not activated (`/path/to/venv/bin/python -m nbgrader ...`).
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
# Seconds per cell. The longest graded cells train a small GAN (README.md's table of measured times:
# whole notebooks up to 120 s on a loaded 2-core CPU), so 600 leaves room for a slow machine;
# nbgrader's default, 30, cuts them.
c.Execute.timeout = 600
