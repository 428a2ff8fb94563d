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


def test_own_work_refuses_the_course_reference_however_it_is_reached():
    import torch.nn.functional as F

    from gan_course import losses
    from gan_course.losses import d_bce as alias
    x = torch.tensor([1.0, -2.0])

    def own(r, f):
        return F.softplus(-r).mean() + F.softplus(f).mean()

    torch.testing.assert_close(checks.own_work("d_loss", own, x, x, references=[losses]), losses.d_bce(x, x))
    copies = {"attribute": lambda r, f: losses.d_bce(r, f),
              "alias": lambda r, f: alias(r, f),
              "registry": lambda r, f: losses.LOSSES["ns"].d(r, f),
              "get": lambda r, f: losses.get("ns").d(r, f),
              "helper": lambda r, f: own(r, f) * 0 + helper(r, f)}

    def helper(r, f):
        return alias(r, f)

    for how, fn in copies.items():
        with pytest.raises(checks.CheckFailed, match="d_loss uses gc.losses.(d_bce|LOSSES|get), the course's own"):
            checks.own_work("d_loss", fn, x, x, references=[losses])
        assert losses.d_bce is alias and isinstance(losses.LOSSES["ns"], losses.GANLoss), f"{how}: restored"


def test_own_work_allows_what_it_is_told_to():
    from gan_course import latent
    z = torch.randn(1, 4)
    checks.own_work("strip", lambda z: latent.truncate(z, 0.5), z, references=[latent], allow=("truncate",))
    with pytest.raises(checks.CheckFailed, match="strip uses gc.latent.truncate"):
        checks.own_work("strip", lambda z: latent.truncate(z, 0.5), z, references=[latent], allow=("images",))


def test_step_recorder_sees_the_gradient_whatever_the_zero_grad_order():
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = checks.StepRecorder([w])
    for _ in range(2):                      # backward, step, zero_grad(set_to_none=True): valid
        (w ** 2).sum().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    assert w.grad is None
    torch.testing.assert_close(torch.stack(opt.seen), torch.tensor([[2.0, 4.0], [2.0, 4.0]]))
    torch.testing.assert_close(checks.flat_grad([w]), torch.zeros(2))
    (w ** 2).sum().backward()               # no zero_grad: the second step sees twice the gradient
    opt.step()
    (w ** 2).sum().backward()
    opt.step()
    torch.testing.assert_close(opt.seen[-1], torch.tensor([4.0, 8.0]))
    torch.testing.assert_close(w.detach(), torch.tensor([1.0, 2.0]), msg="lr 0: the weights stay")


# The referee's bypasses of the first own_work (each passed it): every one must now fail.
_saved_ns = None


def test_own_work_catches_aliases_partials_registries_defaults_and_private_helpers():
    import functools
    import inspect

    import torch.nn.functional as F

    from gan_course import latent, losses
    global _saved_ns
    _saved_ns = losses.LOSSES["ns"]                           # a registry entry saved at module level
    x = torch.tensor([1.0, -2.0])
    d_loss = losses.d_bce                                     # the function itself, renamed
    partial = functools.partial(losses.d_bce)

    class Holder:
        loss = staticmethod(losses.d_bce)
    held = [losses.d_bce]

    def default(r, f, _ref=losses.d_bce):
        return _ref(r, f)

    scope = {k: v for k, v in vars(losses).items() if k != "gradient_penalty"}
    exec(inspect.getsource(losses.gradient_penalty), scope)  # a copy whose private helper is the course's
    critic = torch.nn.Linear(2, 1)
    cases = {"renamed": (d_loss, (x, x), losses),
             "default argument": (default, (x, x), losses),
             "partial": (lambda r, f: partial(r, f), (x, x), losses),
             "class attribute": (lambda r, f: Holder.loss(r, f), (x, x), losses),
             "list": (lambda r, f: held[0](r, f), (x, x), losses),
             "saved registry entry": (lambda r, f: _saved_ns.d(r, f), (x, x), losses),
             "private helper": (lambda r, f: scope["gradient_penalty"](critic, r, f), (x[None], x[None]), losses),
             "truncate": (latent.truncate, (x[None], 0.5), latent)}
    for how, (fn, args, module) in cases.items():
        with pytest.raises(checks.CheckFailed, match=r"uses gc\.(losses|latent)\.\w+, the course's own"):
            checks.own_work("mine", fn, *args, references=[module], allow=("images", "z_for"))
    torch.testing.assert_close(losses.d_bce(x, x), F.softplus(-x).mean() + F.softplus(x).mean(),
                               msg="the reference functions work again after own_work")
    assert losses.gradient_penalty(critic, x[None], x[None]).shape == ()


_scratch_lerp = None


def test_own_work_does_not_fail_a_correct_function_for_an_attribute_named_like_a_reference():
    from gan_course import latent
    global _scratch_lerp
    _scratch_lerp = latent.lerp                              # a scratch global a learner left in the notebook
    lerp = None                                              # noqa: F841 — only torch.lerp is used below

    def strip(z0, z1):
        return torch.lerp(z0, z1, 0.5)                       # `lerp` here is an attribute, not the global

    globals()["lerp"] = latent.lerp
    try:
        z = torch.zeros(1, 3)
        torch.testing.assert_close(checks.own_work("strip", strip, z, z + 2, references=[latent],
                                                   allow=("images", "z_for")), z + 1)
    finally:
        del globals()["lerp"]
