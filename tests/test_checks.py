import pytest
import torch

from gan_course import checks


def test_close_passes_and_says_so(capsys):
    checks.close("f", torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
    assert "✓ f: shape (2,), torch.float32, close" in capsys.readouterr().out


@pytest.mark.parametrize("got, fragment", [
    (torch.tensor([1.0, 2.0, 3.0]), "shape: expected (2,), got (3,)"),
    (torch.tensor([1, 2]), "dtype: expected torch.float32, got torch.int64"),
    (torch.tensor([1.0, float("nan")]), "1 of 2 values are inf or NaN"),
    (torch.tensor([1.0, 2.5]), "largest difference 0.5"),
    ([1.0, 2.0], "expected a torch.Tensor, got list"),
])
def test_close_names_what_is_off(got, fragment):
    with pytest.raises(checks.CheckFailed, match="^f: ") as err:
        checks.close("f", got, torch.tensor([1.0, 2.0]), hint="look here")
    assert fragment in str(err.value)
    assert isinstance(err.value, AssertionError)


def test_a_stub_gets_a_message_not_a_traceback_of_the_stub():
    def d_loss(x):
        raise NotImplementedError()

    with pytest.raises(checks.CheckFailed, match="d_loss: d_loss is not written yet"):
        checks.run("d_loss", d_loss, 1)

    def train(x):
        return d_loss(x) + 1

    with pytest.raises(checks.CheckFailed, match="train: d_loss, which train calls, is not written yet"):
        checks.run("train", train, 1)
    assert checks.run("double", lambda x: 2 * x, 3) == 6


def test_exact_and_true():
    checks.exact("n", 3, 3)
    with pytest.raises(checks.CheckFailed, match="n: expected 3, got 4. Hint: count again"):
        checks.exact("n", 4, 3, hint="count again")
    checks.true("modes", 7 >= 6, "at least 6 of 8 modes covered")
    with pytest.raises(checks.CheckFailed, match="expected at least 6 of 8 modes covered"):
        checks.true("modes", 5 >= 6, "at least 6 of 8 modes covered")
