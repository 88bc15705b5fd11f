"""varieties.nn.SymmetricNetwork: tied parameters, agreement with the reference, exact symmetry.

Checked against independent constructions: the tying's own parameters and matrix
(``varieties.tying``), the numpy reference evaluator ``varieties.learn.forward``, the exact
evaluator ``varieties.network.evaluate``, and brute force over group elements. float64
throughout unless a test says otherwise.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import act_on_input, needs_cuda, needs_torch, small_cases, torch
from varieties.errors import ActionError, DataError, MethodError
from varieties.groups import get_group, inverse
from varieties.learn import forward as reference_forward
from varieties.learn.synthetic import random_tied_weights
from varieties.network import evaluate, parse_spec
from varieties.tying import tying

pytestmark = [pytest.mark.torch, needs_torch]
if torch is not None:
    from varieties.nn import SymmetricNetwork

GROUPS = ("symmetric", "cyclic", "dihedral", "hyperoctahedral")
# 2 and 3 layers, invariant and equivariant, one spec with a power and one with a hidden
# width that makes the later layers see fixed inputs.
DEEP = [("{n},q{n},q1", "invariant"), ("{n},q{n},q{n}", "equivariant"),
        ("{n},q{n}^2,q{n},q1", "invariant"), ("{n},q{n},s{n},q{n}", "equivariant"),
        ("{n},q2,q{n}", "equivariant"), ("{n},a{n},l{n},q2", "invariant")]


def _x(n, batch=7, seed=0):
    return torch.as_tensor(np.random.default_rng(seed).uniform(-1, 1, (batch, n)))


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("template,kind", DEEP)
@pytest.mark.parametrize("n", [4, 6])
def test_exact_equivariance_under_random_group_elements(group, template, kind, n):
    torch.manual_seed(n)
    spec = template.format(n=n)
    m = SymmetricNetwork(spec, group, kind)
    G = get_group(group, n)
    elements = G.elements()
    x = _x(n, batch=11, seed=n)
    F = m(x).detach()
    rng = random.Random(len(spec))
    for g in rng.sample(elements, min(8, len(elements))):
        gx = torch.tensor([act_on_input(g, row) for row in x.tolist()], dtype=torch.float64)
        # rho(g) F(x): output k moves to g[k] (equivariant) or stays (invariant).
        want = F[:, list(inverse(g))] if kind == "equivariant" else F
        assert (m(gx) - want).abs().max() < 1e-10 * (1 + F.abs().max())
    assert m.check_equivariance(x) < 1e-10 * (1 + float(F.abs().max()))


def test_folded_outputs_under_the_hyperoctahedral_group():
    m = SymmetricNetwork("6,q6,q3", "hyperoctahedral", "folded")
    x = _x(6)
    assert m.check_equivariance(x) < 1e-12
    G = get_group("hyperoctahedral", 6)
    F = m(x)
    for g in G.elements()[::7]:
        gx = torch.tensor([act_on_input(g, row) for row in x.tolist()], dtype=torch.float64)
        rho = [g[b] % 3 for b in range(3)]
        assert (m(gx)[:, rho] - F).abs().max() < 1e-12


def test_check_equivariance_sees_a_broken_network():
    m = SymmetricNetwork("4,q4,q1")
    x = _x(4)
    with torch.no_grad():
        m.theta[0][0] += 1.0     # still tied: a real change of the function, still symmetric
    assert m.check_equivariance(x) < 1e-12
    free = SymmetricNetwork("4,q4,q1", "symmetric", "none")   # every weight a parameter
    assert free.check_equivariance(x) is None
    free.kind = "invariant"          # measure the unconstrained network as if it were invariant
    assert free.check_equivariance(x) > 1e-3


@pytest.mark.parametrize("spec,group,kind", list(small_cases(ns=(1, 2, 3, 4, 5))) + [
    ("5,q5,q5,q1", "symmetric", "invariant"), ("4,q2,q4", "symmetric", "equivariant"),
    ("4,q4^2,a2,q1", "dihedral", "invariant"), ("3,q3,q3,full", "symmetric", "equivariant"),
    ("4,q4,q2,full", "hyperoctahedral", "folded"), ("3,q3,q1", "symmetric", "none")])
def test_parameters_are_the_tyings_free_parameters(spec, group, kind):
    m = SymmetricNetwork(spec, group, kind)
    t = tying(spec, group, kind)
    assert m.n_params == t.n_free == sum(p.numel() for p in m.parameters())
    assert len(m.theta) == len(m.spec.layers)
    assert [n for names in m.param_names() for n in names] == list(t.params)
    assert [len(p) for p in m.theta] == [lt.n_free for lt in t.layers]
    # The weights are M theta for the tying's own matrix M.
    theta = torch.cat([p.detach() for p in m.theta]).numpy()
    M = t.matrix()
    assert np.allclose(m.weights().detach().numpy(), M @ theta, rtol=0, atol=1e-15)


@st.composite
def networks(draw):
    """(spec, group, kind): 1-3 layers of any kind, hidden widths n or smaller, a power maybe."""
    group = draw(st.sampled_from(GROUPS + ("trivial",)))
    n = draw(st.integers(1, 5)) if group != "hyperoctahedral" else 2 * draw(st.integers(1, 2))
    depth = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["invariant", "equivariant"]))
    widths = [draw(st.sampled_from([n, 1, 2])) for _ in range(depth - 1)]
    widths.append(n if kind == "equivariant" else draw(st.sampled_from([1, 2])))
    layers = [draw(st.sampled_from("qsla")) + str(w) + draw(st.sampled_from(["", "", "^2"]))
              for w in widths]
    return ",".join([str(n)] + layers), group, kind


@settings(max_examples=40, deadline=None)
@given(case=networks(), seed=st.integers(0, 2**16))
def test_property_tying_parameters_reference_and_symmetry(case, seed):
    spec, group, kind = case
    torch.manual_seed(seed)
    m = SymmetricNetwork(spec, group, kind, init_scale=0.7)
    t = tying(spec, group, kind)
    assert [n for names in m.param_names() for n in names] == list(t.params)
    theta = torch.cat([p.detach() for p in m.theta]).numpy()
    w = m.weights().detach().numpy()
    assert np.allclose(w, t.matrix() @ theta, rtol=0, atol=1e-15)
    x = _x(m.spec.n_inputs, batch=9, seed=seed)
    F = m(x).detach().numpy()
    ref = reference_forward(m.spec, w, x.numpy())
    scale = 1 + np.abs(ref).max()
    assert np.abs(F - ref).max() < 1e-12 * scale
    assert m.check_equivariance(x) < 1e-11 * scale


@pytest.mark.parametrize("spec,group,kind", [
    ("5,q5,q1", "symmetric", "invariant"), ("4,q4^2,q4", "symmetric", "equivariant"),
    ("6,q6,q2,l1", "cyclic", "invariant"), ("4,s4,a4", "dihedral", "equivariant"),
    ("4,q4,q1,full", "symmetric", "invariant"), ("3,q2,q3", "symmetric", "equivariant"),
    ("4,q4,q2", "hyperoctahedral", "folded"), ("3,q3,q1", "trivial", "invariant")])
def test_agrees_with_the_reference_evaluator(spec, group, kind):
    torch.manual_seed(1)
    m = SymmetricNetwork(spec, group, kind)
    x = _x(m.spec.n_inputs, batch=20)
    w = m.weights().detach().numpy()
    ref = reference_forward(m.spec, w, x.numpy())
    got = m(x).detach().numpy()
    assert got.shape == (20, m.spec.n_outputs)
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def test_agrees_with_exact_evaluation_at_rational_weights():
    spec = parse_spec("3,q3,q1")
    m = SymmetricNetwork(spec)
    rng = random.Random(3)
    with torch.no_grad():
        for p in m.theta:
            p.copy_(torch.tensor([rng.randint(-4, 4) / 2 for _ in range(len(p))]))
    names = spec.weights
    w = {n: Fraction(v).limit_denominator(4) for n, v in zip(names, m.weights().tolist())}
    x = [Fraction(1, 2), Fraction(-1, 3), Fraction(2)]
    exact = evaluate(spec, w, x)
    got = m(torch.tensor([[float(v) for v in x]], dtype=torch.float64)).detach()
    assert float(got[0, 0]) == pytest.approx(float(exact[0]), rel=1e-13)


@pytest.mark.parametrize("spec,group,kind", [("4,q4,q1", "symmetric", "invariant"),
                                             ("4,q4,q4", "cyclic", "equivariant"),
                                             ("3,q3,q1,full", "symmetric", "invariant")])
def test_weights_back_to_parameters(spec, group, kind):
    m = SymmetricNetwork(spec, group, kind)
    w = random_tied_weights(spec, group, kind, seed=4)
    m.load_weights_(w)
    assert np.allclose(m.weights().detach().numpy(), w, rtol=0, atol=1e-14)
    x = _x(m.spec.n_inputs)
    assert np.allclose(m(x).detach().numpy(), reference_forward(spec, w, x.numpy()), rtol=1e-12)
    # Off the tying at a weight that is not its color's representative: that weight is named.
    reps = set(tying(spec, group, kind).params)
    i = next(i for i, name in enumerate(m.spec.weights) if name not in reps)
    bad = w.copy()
    bad[i] += 0.1
    with pytest.raises(MethodError, match=f"not tied.*weight {m.spec.weights[i]} "):
        m.params_from_weights(bad)
    with pytest.raises(MethodError, match="weight vector has shape"):
        m.params_from_weights(w[:-1])


def test_large_symmetric_network_without_dense_weights():
    m = SymmetricNetwork("256,q256,q1")
    assert [len(p) for p in m.theta] == [7, 4]
    x = _x(256, batch=3)
    y = m(x).detach()
    assert y.shape == (3, 1) and torch.isfinite(y).all()
    assert m.check_equivariance(x) < 1e-9 * (1 + float(y.abs().max()))
    # The same function through the dense path: the tied weights into a dense layer.
    small = SymmetricNetwork("9,q9,q1")
    xs = _x(9)
    assert np.allclose(small(xs).detach().numpy(),
                       reference_forward("9,q9,q1", small.weights().detach().numpy(), xs.numpy()),
                       rtol=1e-12)


def test_adam_reduces_the_loss_tenfold_on_a_representable_target():
    torch.manual_seed(0)
    target = SymmetricNetwork("5,q5,q1")
    x = _x(5, batch=256, seed=1)
    with torch.no_grad():
        y = target(x)
        y = y / y.std()
    m = SymmetricNetwork("5,q5,q1", init_scale=0.5)
    opt = torch.optim.Adam(m.parameters(), lr=0.02)
    losses = []
    for _ in range(300):
        opt.zero_grad()
        loss = ((m(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 10
    assert m.check_equivariance(x) < 1e-10


def test_dtype_and_device_conversions_behave_as_in_torch():
    m = SymmetricNetwork("4,q4,q4,q1", "cyclic")
    x = _x(4)
    ref = m(x).detach()
    m32 = m.float()
    assert all(p.dtype == torch.float32 for p in m32.parameters())
    got = m32(x.float())
    assert got.dtype == torch.float32
    assert torch.allclose(got.double(), ref, rtol=1e-4, atol=1e-5 * float(ref.abs().max()))
    m.double()      # back to float64, with the parameters rounded to float32 on the way
    assert all(p.dtype == torch.float64 for p in m.parameters())
    assert torch.allclose(m(x).detach(), ref, rtol=1e-5)
    assert m.to("cpu") is m
    sd = m.state_dict()
    assert sorted(sd) == ["theta.0", "theta.1", "theta.2"]   # index buffers are not state


def test_errors_name_the_expected_input():
    m = SymmetricNetwork("4,q4,q1")
    with pytest.raises(DataError, match=r"shape \(3, 5\).*expects \(batch, 4\)"):
        m(torch.zeros(3, 5, dtype=torch.float64))
    with pytest.raises(DataError, match=r"shape \(4,\)"):
        m(torch.zeros(4, dtype=torch.float64))
    with pytest.raises(DataError, match="dtype torch.float32.*torch.float64"):
        m(torch.zeros(3, 4))
    with pytest.raises(DataError, match="torch tensor"):
        m(np.zeros((3, 4)))


def test_a_kind_without_tying_gets_the_same_error_as_tying():
    with pytest.raises(ActionError) as nn_err:
        SymmetricNetwork("4,q4,q2", "symmetric", "folded")
    with pytest.raises(ActionError) as tying_err:
        tying("4,q4,q2", "symmetric", "folded")
    assert str(nn_err.value) == str(tying_err.value)
    with pytest.raises(ActionError, match="cannot infer the kind"):
        SymmetricNetwork("4,q4,q2")
    assert SymmetricNetwork("4,q4,q4").kind == "equivariant"


@needs_cuda
@pytest.mark.parametrize("spec,group", [("64,q64,q1", "symmetric"), ("6,q6,q6", "dihedral")])
def test_on_cuda(spec, group):
    m = SymmetricNetwork(spec, group)
    x = _x(m.spec.n_inputs, batch=32)
    ref = m(x).detach()
    mc = m.to("cuda")
    assert all(p.device.type == "cuda" for p in mc.parameters())
    assert all(b.device.type == "cuda" for b in mc.buffers())
    got = mc(x.cuda())
    assert got.device.type == "cuda"
    assert torch.allclose(got.cpu(), ref, rtol=1e-12, atol=1e-12 * float(ref.abs().max()))
    assert mc.check_equivariance(x.cuda()) < 1e-10 * (1 + float(ref.abs().max()))
    loss = (mc(x.cuda()) ** 2).mean()
    loss.backward()
    assert all(p.grad is not None and p.grad.device.type == "cuda" for p in mc.parameters())


@pytest.mark.parametrize("spec,group,kind", [
    ("12,q12,q1", "cyclic", "invariant"), ("12,q12,q12", "dihedral", "equivariant"),
    ("24,q24,q3,l1", "dihedral", "invariant"), ("24,a24^2,s24,q24", "cyclic", "equivariant"),
    ("12,q12,q6", "hyperoctahedral", "folded"), ("6,q6,q6", "gens:(0 1)(2 3);(0 2 4)",
                                                  "equivariant")])
@pytest.mark.parametrize("dense_max", [0, 10 ** 9])
def test_orbit_layers_agree_with_the_reference_evaluator(spec, group, kind, dense_max,
                                                         monkeypatch):
    # dense_max 0 forces the orbit path (no dense weights), 10**9 the gathered dense one.
    from varieties.nn import layers as ly

    monkeypatch.setattr(ly, "ORBIT_DENSE_MAX_WEIGHTS", dense_max)
    torch.manual_seed(1)
    m = SymmetricNetwork(spec, group, kind)
    assert all(p.role == "orbit" for p in m.plans)
    assert m._gathered == (set() if dense_max == 0 else {p.l for p in m.plans})
    x = _x(m.spec.n_inputs, batch=5)
    y = m(x)
    ref = reference_forward(m.spec, m.weights().detach().numpy(), x.numpy())
    assert np.abs(y.detach().numpy() - ref).max() <= 1e-12 * max(1.0, np.abs(ref).max())
    # Autograd through the orbit path: the gradient of the parameters equals the one through
    # the dense weights (chain rule via weights()).
    y.square().sum().backward()
    grads = [t.grad.clone() for t in m.theta]
    m.zero_grad()
    w = m.weights()
    from varieties.learn.torch_backend import TorchNet

    net = TorchNet(m.spec)
    net.forward(w, x).square().sum().backward()
    for g, t in zip(grads, m.theta):
        assert torch.allclose(g, t.grad, rtol=1e-10, atol=1e-12)


def test_orbit_plans_build_no_tying_for_large_cyclic_networks(monkeypatch):
    import sys

    def fail(*args, **kwargs):
        raise AssertionError("tying() built")

    # The module, not the function the package re-exports under the same name.
    monkeypatch.setattr(sys.modules["varieties.tying"], "tying", fail)
    m = SymmetricNetwork("128,q128,q1", "cyclic")
    assert [len(t) for t in m.theta] == [8385, 67]
    assert "weights" not in vars(m.spec)   # the spec's name tuple was never built
    x = _x(128, batch=2)
    assert m.check_equivariance(x) < 1e-9 * (1 + float(m(x).detach().abs().max()))


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 6])
def test_the_closed_form_hyperoctahedral_stabiliser_gives_the_schreier_colors(m, monkeypatch):
    from varieties.groups import hyperoctahedral
    from varieties.nn import layers
    from varieties.orbits import layer_symmetries

    n = 2 * m
    syms = layer_symmetries(f"{n},q{n},q{n}", hyperoctahedral(m), "equivariant")
    assert layers._known_stabiliser(syms[0]) is not None
    fast = [layers.colors(layers._orbit_plan(s)).tolist() for s in syms]
    monkeypatch.setattr(layers, "_known_stabiliser", lambda sym: None)
    slow = [layers.colors(layers._orbit_plan(s)).tolist() for s in syms]
    assert fast == slow


@pytest.mark.parametrize("gens,expected", [
    ([[1, 0, 2, 3], [0, 1, 3, 2]], False),           # intransitive
    ([[1, 2, 0, 3], [0, 2, 3, 1]], False),           # 3-cycles only: inside A_4
    ([[1, 0, 2, 3], [1, 2, 3, 0]], True),            # a transposition and a 4-cycle
    ([[1, 2, 3, 0], [3, 2, 1, 0]], False),           # D_4, by its order
])
def test_is_symmetric_group_for_custom_groups_agrees_with_the_order(gens, expected):
    from math import factorial

    from varieties.groups import from_generators
    from varieties.nn.layers import is_symmetric_group

    G = from_generators(4, gens)
    assert is_symmetric_group(G) is expected
    assert (G.order() == factorial(4)) is expected
