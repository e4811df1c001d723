"""Version counters (``Tensor._version``) and the check of saved tensors, against PyTorch 2.13.

Each program runs once with torch and once with mlplab: both must raise the same error (its whole
text, PyTorch's hint included) or both must give the same gradients. A second group checks that ``_version``
takes PyTorch's values after the same operations.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import mlplab

_PREFIX = "one of the variables needed for gradient computation has been modified by an inplace operation"


def _outcome(program, lib):
    """("raises", message) or ("grads", [arrays]) of ``program(lib)``."""
    try:
        grads = program(lib)
    except RuntimeError as e:
        return "raises", str(e)
    return "grads", [np.array(g.detach().numpy() if hasattr(g, "detach") else g) for g in grads]


def _same(program, *, raises: bool, same_tensor: bool = True):
    """Both libraries do the same; ``raises`` is what PyTorch does (a check of the test itself).

    ``same_tensor=False``: PyTorch saved a view where mlplab saved its base (the fused linear
    saves W where PyTorch's addmm saves W.t()): the message's tensor differs, not the versions.
    """
    expected = _outcome(program, torch)
    got = _outcome(program, mlplab)
    assert expected[0] == ("raises" if raises else "grads"), expected
    assert got[0] == expected[0], (got, expected)
    if raises and same_tensor:
        assert got[1] == expected[1]
    elif raises:
        assert got[1].startswith(_PREFIX)
        assert got[1].split(" is at version")[1] == expected[1].split(" is at version")[1]
    else:
        for g, e in zip(got[1], expected[1], strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)


def _xw(L):
    x = L.tensor([1.0, 2.0, 3.0])
    w = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
    return x, w


# ---------------------------------------------------------------- programs PyTorch refuses
def test_mul_then_in_place_change_of_the_saved_input_raises():
    def program(L):
        x, w = _xw(L)
        y = w * x
        x.mul_(5)
        y.sum().backward()
        return [w.grad]

    _same(program, raises=True)


@pytest.mark.parametrize("fn", ["exp", "tanh", "sigmoid"])
@pytest.mark.parametrize("grad_mode", [False, True])
def test_in_place_change_of_a_saved_output_raises(fn, grad_mode):
    def program(L):
        _, w = _xw(L)
        y = getattr(w * 1.0, fn)()
        if grad_mode:
            y.mul_(2)  # recorded: y becomes the product's output
        else:
            with L.no_grad():
                y.add_(1)
        y.sum().backward()
        return [w.grad]

    _same(program, raises=True)


@pytest.mark.parametrize("layers", [1, 2])
def test_optimizer_step_between_forward_and_backward(layers):
    """Two layers: the second layer's weight is saved for the hidden layer's gradient (raises).
    One layer: no weight is saved (the input needs no gradient), PyTorch allows it."""

    def program(L):
        L.manual_seed(0)
        sizes = [3, 4, 2][: layers + 1]
        mods = []
        for a, b in zip(sizes, sizes[1:]):
            lin = L.nn.Linear(a, b)
            with L.no_grad():
                lin.weight.copy_(L.tensor(np.linspace(-1, 1, a * b).reshape(b, a).astype(np.float32)))
                lin.bias.fill_(0.1)
            mods += [lin, L.nn.Tanh()]
        model = L.nn.Sequential(*mods[:-1])
        opt = L.optim.SGD(model.parameters(), lr=0.1)
        x = L.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 6)
        loss = model(x).pow(2).sum()
        loss.backward(retain_graph=True)
        opt.step()  # changes the weights in place
        opt.zero_grad()
        loss.backward()
        return [p.grad for p in model.parameters()]

    _same(program, raises=layers == 2, same_tensor=False)


def test_in_place_change_through_a_view_of_a_saved_tensor_raises():
    def program(L):
        x = L.ones(2, 3, requires_grad=True)
        w = L.ones(3) * 2
        y = x * w
        v = w.view(3)[1:]
        v.mul_(3)
        y.sum().backward()
        return [x.grad]

    _same(program, raises=True)


def test_in_place_change_of_a_view_of_a_saved_output_raises():
    """Both refuse at backward: exp's saved output changed through a view of it."""

    def program(L):
        _, w = _xw(L)
        y = w.exp()
        y[0:2].mul_(2)
        y.sum().backward()
        return [w.grad]

    _same(program, raises=True)


def test_detach_shares_the_version_counter():
    def program(L):
        x, w = _xw(L)
        y = w * x.detach()
        x.detach().zero_()
        y.sum().backward()
        return [w.grad]

    _same(program, raises=True)


def test_item_assignment_counts_as_in_place():
    def program(L):
        x, w = _xw(L)
        y = w * x
        x[1] = 7.0
        y.sum().backward()
        return [w.grad]

    _same(program, raises=True)


def test_in_place_change_of_a_non_leaf_saved_by_its_consumer_raises():
    def program(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        z = y * y
        y.add_(1)
        z.sum().backward()
        return [x.grad]

    _same(program, raises=True)


def test_a_second_backward_after_an_in_place_change_raises():
    def program(L):
        x, w = _xw(L)
        y = (w * x).sum()
        y.backward(retain_graph=True)
        x.add_(1)
        y.backward()
        return [w.grad]

    _same(program, raises=True)


# ---------------------------------------------------------------- programs PyTorch allows
def test_in_place_change_of_an_input_no_op_saved_is_allowed():
    def program(L):
        x, w = _xw(L)
        y = x + w  # add saves nothing
        x.add_(1)
        (y * y).sum().backward()
        return [w.grad]

    _same(program, raises=False)


def test_in_place_change_of_a_saved_tensor_whose_gradient_is_not_wanted_is_allowed():
    def program(L):
        x, w = _xw(L)
        y = w * x  # saves x (for w's gradient); w is saved only if x wanted a gradient
        with L.no_grad():
            w.mul_(5)
        y.sum().backward()
        return [w.grad]

    _same(program, raises=False)


def test_in_place_change_after_backward_is_allowed():
    def program(L):
        x, w = _xw(L)
        (w * x).sum().backward()
        x.mul_(5)
        with L.no_grad():
            w.sub_(w.grad)
        (w * x).sum().backward()
        return [w.grad, w]

    _same(program, raises=False)


def test_in_place_under_no_grad_on_a_tensor_nothing_saved_is_allowed():
    def program(L):
        x, w = _xw(L)
        h = w * 3  # saves nothing of w (a number times w)
        with L.no_grad():
            w.clamp_(-1, 1)
        (h * x).sum().backward()
        return [w.grad]

    _same(program, raises=False)


def test_a_change_through_data_is_not_seen_as_in_place_in_either():
    """``.data`` has its own counter in PyTorch: the change goes unnoticed, the same in both."""

    def program(L):
        x, w = _xw(L)
        y = w * x
        x.data.mul_(5)
        y.sum().backward()
        return [w.grad, L.tensor(float(x._version))]

    _same(program, raises=False)


def test_consumers_recorded_before_a_recorded_in_place_op_get_the_old_node():
    """``a = y + 0; y.mul_(3)``: a's gradient flows to y's producer before the change (x * 2)."""

    def program(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        a = y + 0
        y.mul_(3)
        b = y.sum()
        (a.sum() * 10 + b).backward()
        return [x.grad, L.tensor(float(y._version))]

    _same(program, raises=False)


# ---------------------------------------------------------------- _version values
def _versions(L):
    x = L.ones(2, 3)
    v = x.view(6)
    d = x.detach()
    t = x.t()
    a = x.data
    s = x[0]
    c = x[[0]]  # integer-array indexing copies
    r = t.reshape(6)  # a copy: t is not contiguous
    out = []
    for change in (
        lambda: x.add_(1), lambda: v.mul_(2), lambda: d.zero_(), lambda: t.fill_(1),
        lambda: a.sub_(1), lambda: s.normal_(), lambda: x.uniform_(), lambda: x.clamp_(0, 1),
        lambda: x.copy_(L.ones(2, 3)), lambda: x.div_(2), lambda: x.addcmul_(x, x),
        lambda: x.addcdiv_(x, x + 1), lambda: x.masked_fill_(x > 0, 1), lambda: x.__setitem__(0, 2.0),
        lambda: r.add_(1), lambda: c.add_(1), lambda: x.__iadd__(1),
    ):  # fmt: skip
        change()
        out.append((x._version, v._version, d._version, t._version, a._version, s._version,
                    c._version, r._version))  # fmt: skip
    return out


def test_versions_after_in_place_ops_and_views_are_pytorchs():
    assert _versions(mlplab) == _versions(torch)


def _init_versions(L):
    L.manual_seed(0)
    lin = L.nn.Linear(3, 2)
    bn = L.nn.BatchNorm1d(2)
    out = [lin.weight._version, lin.bias._version, bn.weight._version, bn.running_mean._version]
    for init in ("xavier_uniform_", "kaiming_normal_", "zeros_", "ones_", "orthogonal_", "eye_"):
        getattr(L.nn.init, init)(lin.weight)
        out.append(lin.weight._version)
    L.nn.init.constant_(lin.bias, 0.5)
    bn.train()
    bn(L.ones(4, 2))
    lin.load_state_dict(L.nn.Linear(3, 2).state_dict())
    return out + [lin.bias._version, bn.num_batches_tracked._version, lin.weight._version]


def test_versions_after_initialisers_modules_and_load_state_dict_are_pytorchs():
    assert _init_versions(mlplab) == _init_versions(torch)


OPTIMIZERS = [
    ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    ("Adam", {}), ("Adam", {"amsgrad": True}), ("AdamW", {}), ("AdamW", {"weight_decay": 0.0}),
    ("NAdam", {}), ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RMSprop", {}), ("Adagrad", {}), ("LBFGS", {"max_iter": 3}),
]  # fmt: skip


def _optimizer_versions(L, name, kwargs):
    big = L.nn.Parameter(L.ones(200, 100))  # not fused into the flat buffers
    small = L.nn.Parameter(L.tensor([1.0, -2.0, 3.0]))
    opt = getattr(L.optim, name)([big, small], **kwargs)

    def closure():
        opt.zero_grad()
        loss = (small * small).sum() + (big * big).mean()
        loss.backward()
        return loss

    out = []
    for _ in range(3):
        if name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
        out.append((big._version, small._version))
    before = small.grad._version  # depends on how torch's backward built the gradient
    opt.zero_grad(set_to_none=False)
    return out + [small.grad._version - before]


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZERS, ids=[f"{n}{k}" for n, k in OPTIMIZERS])
def test_versions_after_optimizer_steps_are_pytorchs(name, kwargs):
    assert _optimizer_versions(mlplab, name, kwargs) == _optimizer_versions(torch, name, kwargs)


def test_message_names_the_tensor_its_producer_and_versions():
    x = mlplab.tensor([[1.0, 2.0]], dtype=mlplab.float64, requires_grad=True)
    y = x.tanh()
    with mlplab.no_grad():
        y.add_(1)
        y.add_(1)
    with pytest.raises(RuntimeError) as err:
        y.sum().backward()
    assert str(err.value) == (
        f"{_PREFIX}: [torch.DoubleTensor [1, 2]], which is output 0 of Tanh, is at version 2; "
        "expected version 0 instead. Hint: enable anomaly detection to find the operation that "
        "failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
        "check_nan=False)."
    )


def test_deepcopy_and_averaged_model_versions_match_torch():
    """A deep-copied Parameter starts at version 0 (a plain tensor keeps its version), and
    AveragedModel.update_parameters bumps the averaged weights once per call, as in torch."""
    import copy

    def run(lib):
        lin = lib.nn.Linear(3, 2)
        t = lib.ones(2)
        t.add_(1)
        avg = lib.optim.swa_utils.AveragedModel(lin)
        w = next(avg.module.parameters())
        seq = [lin.weight._version, copy.deepcopy(lin).weight._version, copy.deepcopy(t)._version, w._version]
        for _ in range(3):
            avg.update_parameters(lin)
            seq.append(w._version)
        return seq

    assert run(mlplab) == run(torch)


@pytest.mark.parametrize(
    "view", [lambda x: x[0], lambda x: x.t(), lambda x: x.reshape(6), lambda x: x.diagonal()]
)
def test_inplace_on_a_view_of_a_graph_tensor_changes_the_base_and_its_gradient(view):
    """torch rewrites the base's graph (CopySlices): ``x = w.clone(); x[0].mul_(3)`` scales row 0
    of x and of w's gradient; mlplab does the same (it used to refuse)."""

    def program(L):
        w = L.ones(2, 3, requires_grad=True)
        x = w.clone()
        view(x).mul_(3)
        (x * L.arange(6.0).reshape(2, 3)).sum().backward()
        return [x.detach(), w.grad]

    _same(program, raises=False)
