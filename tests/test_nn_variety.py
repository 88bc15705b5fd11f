"""varieties.nn.VarietyNetwork and the torch constraints: on the variety after every step.

The torch constraint evaluator, projection and retraction are compared with the numpy ones of
``varieties.learn.projected`` (an independent implementation: pivoted QR and numpy lstsq
there, SVDs here); invariance is measured by ``varieties.learn.invariance_error`` (numpy).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import needs_cuda, needs_torch, torch
from varieties.errors import MethodError
from varieties.learn import forward as reference_forward
from varieties.learn import invariance_error
from varieties.learn import projected as npj
from varieties.learn.synthetic import random_tied_weights
from varieties.network import parse_spec

pytestmark = [pytest.mark.torch, needs_torch]
if torch is not None:
    from varieties.nn import ProjectedOptimizer, TorchConstraints, VarietyNetwork
    from varieties.nn import projection as tpj

CASES = [("3,q3,q1", "symmetric", "invariant"), ("3,q3,q1,full", "symmetric", "invariant"),
         ("4,q4,q1", "cyclic", "invariant"), ("3,q3,q3", "symmetric", "equivariant"),
         ("2,q2^2,l1", "symmetric", "invariant")]
DEVICES = ["cpu", pytest.param("cuda", marks=needs_cuda)]


def _t(a, device="cpu"):
    return torch.as_tensor(np.asarray(a, dtype=np.float64), device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("spec,group,kind", CASES)
def test_torch_constraints_equal_numpy(spec, group, kind, device):
    cc = npj.compile_constraints(parse_spec(spec), group, kind)
    tc = TorchConstraints(cc, device)
    w = np.random.default_rng(0).uniform(-1, 1, cc.n_vars)
    v, sc = tc.values_and_scale(_t(w, device))
    assert v.device.type == device
    assert np.allclose(v.cpu().numpy(), cc.values(w), rtol=1e-12, atol=1e-14)
    assert np.allclose(sc.cpu().numpy(), cc.scale(w), rtol=1e-12, atol=1e-14)
    assert np.allclose(tc.jacobian(_t(w, device)).cpu().numpy(), cc.jacobian(w),
                       rtol=1e-12, atol=1e-13)
    assert float(tc.residual(_t(w, device))) == pytest.approx(npj.residual(cc, w), rel=1e-10)


@pytest.mark.parametrize("spec,group,kind", CASES[:4])
def test_projection_and_retraction_equal_numpy(spec, group, kind):
    spec = parse_spec(spec)
    cc = npj.compile_constraints(spec, group, kind)
    tc = TorchConstraints(cc)
    rng = np.random.default_rng(1)
    w = random_tied_weights(spec, group, kind, seed=2, scale=0.5)
    u = rng.standard_normal(len(w))
    # The projector onto ker J is unique once the rank is: SVD here, pivoted QR in numpy.
    rows = tpj.tangent_basis(tc.jacobian(_t(w)))
    got = tpj.project(_t(u), rows).numpy()
    ref = npj.project(u, npj.tangent_basis(cc.jacobian(w)))
    assert np.allclose(got, ref, atol=1e-10)
    assert np.abs(cc.jacobian(w) @ got).max() < 1e-9 * (1 + np.abs(got).max())
    off = w + 1e-3 * rng.standard_normal(len(w))
    back, r, it = tpj.retract(tc, _t(off))
    ref_back, ref_r, ref_it = npj.retract(cc, off)
    assert r < 1e-12 and it == ref_it
    assert np.allclose(back.numpy(), ref_back, atol=1e-10)
    X = rng.uniform(-1, 1, (64, spec.n_inputs))
    assert invariance_error(spec, group, kind, back.numpy(), X) < 1e-10


@pytest.mark.parametrize("spec,group,kind", CASES[:4])
def test_forward_agrees_with_the_reference_evaluator(spec, group, kind):
    torch.manual_seed(0)
    m = VarietyNetwork(spec, group, kind)
    x = torch.rand(20, m.spec.n_inputs, dtype=torch.float64) * 2 - 1
    w = m.weights().detach().numpy()
    assert w.shape == (len(m.spec.weights),)
    assert np.allclose(m(x).detach().numpy(), reference_forward(m.spec, w, x.numpy()),
                       rtol=1e-12, atol=1e-13)
    assert m.residual() < 1e-14


def _sgd_steps(m, x, y, steps, lr, tangent):
    opt = torch.optim.SGD(m.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        ((m(x) - y) ** 2).mean().backward()
        if tangent:
            m.project_grad_()
        opt.step()


@pytest.mark.parametrize("spec,group,kind", CASES[:4])
def test_stays_on_the_variety_after_sgd_steps_and_project(spec, group, kind):
    torch.manual_seed(1)
    m = VarietyNetwork(spec, group, kind)
    n = m.spec.n_inputs
    x = torch.rand(64, n, dtype=torch.float64) * 2 - 1
    y = torch.randn(64, m.spec.n_outputs, dtype=torch.float64)
    X = np.random.default_rng(3).uniform(-1, 1, (128, n))
    for steps in (1, 5, 20):
        # Plain SGD steps leave the variety; the retraction brings the weights back.
        _sgd_steps(m, x, y, steps, lr=0.01, tangent=False)
        assert m.residual() > 1e-8
        m.project_()
        assert m.residual() < 1e-12
        # Steps along the tangent space stay on it to first order; project_ finishes.
        _sgd_steps(m, x, y, steps, lr=0.01, tangent=True)
        m.project_()
        assert m.residual() < 1e-12
        w = m.weights().detach().numpy()
        assert invariance_error(m.spec, group, kind, w, X) < 1e-9
        assert m.check_equivariance(torch.as_tensor(X)) < 1e-9


def test_projected_optimizer_with_adam_follows_train():
    # The wrapper with Adam is train's projected method: the same losses step by step.
    from varieties.learn import synthetic_data, train

    spec, group, kind = "4,q4,q1", "symmetric", "invariant"
    d = synthetic_data(spec, group, kind, n_train=48, n_test=16, seed=2)
    w0 = random_tied_weights(spec, group, kind, seed=5, scale=0.3)
    steps = 8
    ref = train(spec, group, kind, d.X, d.y, method="projected", steps=steps, lr=0.02,
                w0=w0, X_test=d.X_test, y_test=d.y_test, test_fraction=0)
    m = VarietyNetwork(spec, group, kind, w0=w0)
    opt = ProjectedOptimizer(torch.optim.Adam(m.parameters(), lr=0.02, eps=1e-8), m)
    x, y = _t(d.X), _t(d.y)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((m(x) - y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        opt.step()
    assert np.allclose(losses, ref.train_loss, rtol=1e-7)
    assert np.allclose(m.weights().detach().numpy(), ref.weights, atol=1e-8)
    assert m.residual() < 1e-12


def test_off_tied_start_on_the_variety_stays_symmetric():
    # Hidden neurons relabelled: on the variety of whole-network symmetry, not tied.
    spec, group, kind = parse_spec("3,q3,q1"), "symmetric", "invariant"
    w = random_tied_weights(spec, group, kind, seed=7)
    names = spec.weights
    pos = {n: i for i, n in enumerate(names)}
    perm = [1, 2, 0]
    w2 = w.copy()
    for i, name in enumerate(names):
        if name.startswith("A1_") or name.startswith("B1_") or name.startswith("C1_"):
            head, k, *rest = name.split("_")
            w2[pos["_".join([head, str(perm[int(k)])] + rest)]] = w[i]
        elif name.startswith("A2_"):
            _, k, i1, j1 = name.split("_")
            a, b = sorted((perm[int(i1)], perm[int(j1)]))
            w2[pos[f"A2_{k}_{a}_{b}"]] = w[i]
        elif name.startswith("B2_"):
            _, k, i1 = name.split("_")
            w2[pos[f"B2_{k}_{perm[int(i1)]}"]] = w[i]
    cc = npj.compile_constraints(spec, group, kind)
    assert npj.residual(cc, w2) < 1e-12
    m = VarietyNetwork(spec, group, kind, w0=w2)
    x = torch.rand(32, 3, dtype=torch.float64)
    y = torch.randn(32, 1, dtype=torch.float64)
    opt = ProjectedOptimizer(torch.optim.Adam(m.parameters(), lr=0.01), m)
    for _ in range(10):
        opt.zero_grad()
        ((m(x) - y) ** 2).mean().backward()
        opt.step()
    assert m.residual() < 1e-12
    assert m.check_equivariance(x) < 1e-10


def test_tangent_hook_projects_every_gradient():
    torch.manual_seed(2)
    m = VarietyNetwork("3,q3,q1")
    handle = m.register_tangent_hook()
    x = torch.rand(16, 3, dtype=torch.float64)
    (m(x) ** 2).mean().backward()
    J = m.constraints.jacobian(m.weight.detach())
    g = m.weight.grad
    assert float(g.abs().max()) > 1e-6
    assert float((J @ g).abs().max()) < 1e-10 * (1 + float(g.abs().max()))
    handle.remove()
    m.weight.grad = None
    (m(x) ** 2).mean().backward()
    assert float((J @ m.weight.grad).abs().max()) > 1e-6   # unprojected without the hook


def test_failed_retraction_keeps_the_weights_and_names_the_residual():
    torch.manual_seed(3)
    m = VarietyNetwork("3,q3,q1")
    with torch.no_grad():
        m.weight.add_(0.5 * torch.randn_like(m.weight))
    before = m.weight.detach().clone()
    with pytest.raises(MethodError, match=r"did not converge: constraint residual [0-9.e+-]+ "
                                          r"after 1 iterations.*weights are unchanged"):
        m.project_(max_iter=1)
    assert torch.equal(m.weight.detach(), before)
    # Through the optimizer wrapper the whole step is undone.
    m2 = VarietyNetwork("3,q3,q1")
    start = m2.weight.detach().clone()
    # A tolerance no residual meets makes the retraction fail after a real step.
    opt = ProjectedOptimizer(torch.optim.SGD(m2.parameters(), lr=0.1), m2, tol=-1.0)
    x = torch.rand(16, 3, dtype=torch.float64)
    (m2(x) ** 2).mean().backward()
    with pytest.raises(MethodError, match="did not converge"):
        opt.step()
    assert torch.equal(m2.weight.detach(), start)
    assert float(m2.weight.grad.abs().max()) > 0


def test_start_off_the_variety_and_bad_modules_are_refused():
    w = np.random.default_rng(0).uniform(-1, 1, len(parse_spec("3,q3,q1").weights))
    with pytest.raises(MethodError, match="violates the constraints"):
        VarietyNetwork("3,q3,q1", w0=w)
    with pytest.raises(MethodError, match="VarietyNetwork modules"):
        ProjectedOptimizer(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1))


def test_float32_module_keeps_float64_constraints():
    m = VarietyNetwork("3,q3,q1").float()
    x = torch.rand(16, 3)
    opt = ProjectedOptimizer(torch.optim.SGD(m.parameters(), lr=0.05), m)
    for _ in range(3):
        opt.zero_grad()
        (m(x) ** 2).mean().backward()
        opt.step()
    assert m.weight.dtype == torch.float32 and m.constraints.dtype == torch.float64
    assert m.residual() < 1e-6     # the float64 retraction, rounded to float32


@needs_cuda
def test_variety_network_on_cuda():
    torch.manual_seed(4)
    m = VarietyNetwork("4,q4,q1").to("cuda")
    assert m.constraints.device.type == "cuda"
    x = torch.rand(64, 4, dtype=torch.float64, device="cuda")
    y = torch.randn(64, 1, dtype=torch.float64, device="cuda")
    opt = ProjectedOptimizer(torch.optim.Adam(m.parameters(), lr=0.02), m)
    first = None
    for _ in range(10):
        opt.zero_grad()
        loss = ((m(x) - y) ** 2).mean()
        loss.backward()
        first = loss.item() if first is None else first
        opt.step()
    assert m.weight.device.type == "cuda"
    assert m.residual() < 1e-12 and m.check_equivariance(x) < 1e-10
    assert ((m(x) - y) ** 2).mean().item() < first


@pytest.mark.parametrize("device", DEVICES)
def test_train_projected_with_torch_runs_the_step_on_the_device(device, monkeypatch):
    # The numpy projection must not be called: the whole step is torch on the device.
    from varieties.learn import synthetic_data, train

    d = synthetic_data("4,q4,q1", n_train=32, n_test=16, seed=3)
    kw = dict(method="projected", steps=5, lr=0.02, X_test=d.X_test, y_test=d.y_test)
    ref = train("4,q4,q1", "symmetric", "invariant", d.X, d.y, **kw)
    calls = []
    for name in ("tangent_basis", "retract"):
        monkeypatch.setattr(npj, name, lambda *a, _n=name, **k: calls.append(_n))
    seen = []
    real = tpj.retract

    def spy(tc, w, *a, **k):
        seen.append(w.device.type)
        return real(tc, w, *a, **k)

    monkeypatch.setattr(tpj, "retract", spy)
    res = train("4,q4,q1", "symmetric", "invariant", d.X, d.y, backend="torch",
                device=device, **kw)
    assert res.status == "ok" and not calls
    assert seen == [device] * 5
    assert np.allclose(res.train_loss, ref.train_loss, rtol=1e-9)
    assert max(res.invariance_history) < 1e-9
