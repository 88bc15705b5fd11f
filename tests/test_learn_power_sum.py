"""Power-sum evaluation of tied S_n layers equals the dense evaluation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from conftest import needs_torch, reynolds_weights, torch
from varieties.errors import GroupError, MethodError
from varieties.groups import symmetric
from varieties.learn import numpy_backend as nb
from varieties.learn import power_sum as ps
from varieties.learn.synthetic import random_tied_weights
from varieties.network import parse_spec
from varieties.tying import tying

CASES = [("4,q4,q1", "invariant"), ("3,q3,q3", "equivariant"), ("5,q5^2,q2,a1", "invariant"),
         ("4,s4,l4", "equivariant"), ("4,q4,q1,full", "invariant"), ("2,q2,q1", "invariant"),
         ("3,a3^2,q3,full", "equivariant")]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("kind", ["q", "s", "l", "a"])
def test_parameter_count_matches_tying(n, kind):
    t = tying(f"{n},{kind}{n}", group="symmetric", kind="equivariant")
    assert ps.n_equivariant_params(n, kind) == t.n_free


@pytest.mark.parametrize("spec,kind", CASES)
def test_power_sum_equals_dense_on_tying(spec, kind):
    spec = parse_spec(spec)
    w = random_tied_weights(spec, "symmetric", kind, seed=7)
    X = np.random.default_rng(1).uniform(-1, 1, (50, spec.n_inputs))
    assert np.allclose(ps.forward(spec, w, X, kind, check=False), nb.forward(spec, w, X),
                       rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec,kind", CASES[:5])
def test_power_sum_equals_dense_on_reynolds_average(spec, kind):
    # Independent of the tying code: average random weights over all of S_n.
    spec = parse_spec(spec)
    n = spec.n_inputs
    roles = ps.layer_roles(spec, kind)
    kinds = ["perm" if r == "equivariant" else "fixed" for r in roles]
    wd = reynolds_weights(spec, symmetric(n).elements(), kinds, random.Random(3))
    w = np.array([float(wd[name]) for name in spec.weights])
    X = np.random.default_rng(2).uniform(-1, 1, (40, n))
    assert np.allclose(ps.forward(spec, w, X, kind), nb.forward(spec, w, X),
                       rtol=1e-12, atol=1e-12)


def test_untied_weights_and_other_groups_are_refused():
    spec = parse_spec("4,q4,q1")
    w = np.random.default_rng(0).normal(size=len(spec.weights))
    with pytest.raises(MethodError, match="not tied"):
        ps.forward(spec, w, np.ones((3, 4)))
    with pytest.raises(GroupError, match="symmetric group only"):
        ps.forward(spec, w, np.ones((3, 4)), group="cyclic")


def test_power_sum_layer_large_n_matches_einsum():
    n, batch = 40, 64
    rng = np.random.default_rng(5)
    spec = parse_spec(f"{n},q{n}")
    w = random_tied_weights(spec, "symmetric", "equivariant", seed=3)
    X = rng.uniform(-1, 1, (batch, n))
    assert np.allclose(ps.forward(spec, w, X, "equivariant"), nb.forward(spec, w, X),
                       rtol=1e-11, atol=1e-11)




@pytest.mark.torch
@needs_torch
def test_torch_kernel_matches_numpy_and_differentiates():
    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, (8, 5))
    coef = rng.normal(size=7)
    ref = ps.equivariant_layer(x, *coef)
    ct = torch.tensor(coef, requires_grad=True)
    out = ps.equivariant_layer(torch.tensor(x), *ct)
    assert np.allclose(out.detach().numpy(), ref, rtol=1e-12, atol=1e-12)
    out.sum().backward()
    # d(sum of outputs)/d g = number of outputs; d/d e = sum of inputs.
    assert ct.grad[6].item() == pytest.approx(x.size)
    assert ct.grad[4].item() == pytest.approx(x.sum())


@pytest.mark.torch
@needs_torch
def test_torch_kernels_take_numpy_coefficients():
    # coefficients() returns numpy values; the kernels must combine them with tensors.
    spec = parse_spec("4,q4,q3")
    w = random_tied_weights(spec, "symmetric", "invariant", seed=8)
    (_, eq), (_, inv) = ps.coefficients(spec, w, "invariant")
    assert isinstance(inv[0], np.ndarray) and inv[0].shape == (3,)
    x = np.random.default_rng(9).uniform(-1, 1, (16, 4))
    xt = torch.tensor(x)
    for fn, coef in ((ps.equivariant_layer, eq), (ps.invariant_layer, inv)):
        got = fn(xt, *coef)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64
        assert np.allclose(got.numpy(), fn(x, *coef), rtol=1e-12, atol=1e-12)
    assert fn(xt.float(), *coef).dtype == torch.float32
